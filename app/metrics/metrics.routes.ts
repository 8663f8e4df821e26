/**
 * `GET /metrics` on the API listener: the registry of metrics.ts in Prometheus text format.
 *
 * Guarantees: answered only to a client address inside METRICS_ALLOW (default loopback) or to
 * a bearer API token whose principal has the `metrics:read` permission; anybody else gets 401
 * (no or a bad token) or 403 (a valid token without the permission). The body holds counts and
 * timings only — no argument, token, user name or secret is ever a label.
 */
import { Elysia } from "elysia";
import { inRange, parseIp, parseRange, type IpRange } from "../clusters/ip-ranges.ts";
import { requestMeta } from "../http/request-meta.ts";
import type { Authenticate } from "../mcp/mcp-admission.ts";
import { registry } from "./metrics.ts";

export interface MetricsRouteDeps {
  allow: readonly string[];
  authenticate: Authenticate;
}

export function metricsRoutes(deps: MetricsRouteDeps) {
  const ranges = deps.allow.map((n) => parseRange(n)).filter((r): r is IpRange => Boolean(r));
  const trusted = (clientIp: string) => {
    const ip = parseIp(clientIp);
    return Boolean(ip && ranges.some((r) => inRange(ip, r)));
  };

  async function allowed(request: Request): Promise<Response | null> {
    const { clientIp } = requestMeta(request);
    if (trusted(clientIp)) return null;
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    const denied = (status: number, text: string) =>
      new Response(`${text}\n`, {
        status,
        headers: {
          "content-type": "text/plain; charset=utf-8",
          ...(status === 401 ? { "www-authenticate": 'Bearer realm="nexus-mcp-gateway"' } : {}),
        },
      });
    if (!bearer)
      return denied(
        401,
        "metrics: this address is not in METRICS_ALLOW; present an API token with the metrics:read permission",
      );
    const outcome = await deps.authenticate(bearer, clientIp);
    if (!("principal" in outcome)) return denied(401, "metrics: the API token is not valid");
    if (!outcome.principal.permissions.has("metrics:read"))
      return denied(
        403,
        "metrics: the token's user lacks the metrics:read permission; an administrator can grant a role that has it",
      );
    return null;
  }

  return new Elysia({ name: "metrics" }).get("/metrics", async ({ request }) => {
    const refused = await allowed(request);
    if (refused) return refused;
    return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
  });
}
