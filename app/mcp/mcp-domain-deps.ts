/**
 * Connects the MCP layer to the real domain modules: identity for bearer tokens, the cluster
 * registry and ND client pool, and the catalog.
 */
import { hostname } from "node:os";
import { authorize } from "../identity/authorize.ts";
import type { Sql } from "postgres";
import type { Config } from "../config.ts";
import { safeDbError } from "../db.ts";
import type { Logger } from "../log.ts";
import { AppError } from "../errors.ts";
import { closest } from "../catalog/did-you-mean.ts";
import { loadActiveOperations } from "../catalog/catalog.sql.ts";
import { NdError } from "../clusters/nd-errors.ts";
import type { NdMethod } from "../clusters/nd-client.ts";
import { checkApiToken, type TokenLookup } from "../identity/api-tokens.ts";
import { parseApiToken } from "../identity/api-token-format.ts";
import { resolveLegacyToken } from "../identity/legacy-token.ts";
import type { Principal } from "../identity/principal.ts";
import { checkAccessToken } from "../oauth/oauth-tokens.ts";
import { isOAuthAccessToken } from "../oauth/oauth-token-format.ts";
import { matchesAny } from "../policy/patterns.ts";
import type { Services } from "../services.ts";
import { ndRequestDuration, since } from "../metrics/metrics.ts";
import type { AuthOutcome, Authenticate } from "./mcp-admission.ts";
import type { ClusterChoice, McpDeps } from "./mcp-deps.ts";

/**
 * Splits a full path template at the last "/" before its first parameter, so the ND client
 * proves the final URL stays under the template's literal prefix (no parameter value can
 * climb out of `/api/v1/manage/fabrics/` with `..` or an encoded slash).
 */
export function splitAtFirstParam(path: string): { basePath: string; pathTemplate: string } {
  const firstParam = path.indexOf("{");
  const cut = firstParam < 0 ? path.lastIndexOf("/") : path.lastIndexOf("/", firstParam);
  return { basePath: path.slice(0, Math.max(0, cut)), pathTemplate: path.slice(Math.max(0, cut)) };
}

export function mcpDeps(
  sql: Sql,
  config: Config,
  services: Services,
  log: Pick<Logger, "error">,
  uiUrl: () => string = () => defaultUiUrl(config, config.uiPort),
): McpDeps {
  return {
    sql,
    approvalUrl: (id) => `${uiUrl()}/approvals/${encodeURIComponent(id)}`,
    version: config.version,
    limits: { maxChars: 40_000, maxString: 300, defaultLimit: 20, maxLimit: 200 },
    policy: () => services.caches.policy(),
    audit: (event) => services.auditBatcher.write(event),
    toolProfile: (name) => services.caches.toolProfile(name),
    async clustersFor(p: Principal): Promise<ClusterChoice[]> {
      // Names and addresses of clusters are themselves information: only for holders of
      // clusters:use, and only the clusters their access and their token allow.
      if (!authorize(p, "clusters:use").allowed) return [];
      const all = await services.caches.clusters();
      return all
        .filter((c) => authorize(p, "clusters:use", { clusterId: c.id }).allowed)
        .map((c) => ({ id: c.id, name: c.name, url: c.baseUrl, version: c.ndVersion, insecure: !c.tlsVerify }));
    },
    async ndRequest(clusterId, call) {
      const client = await services.ndClients.clientFor(clusterId);
      const started = performance.now();
      try {
        const res = await client.request({
          method: call.method as NdMethod,
          ...splitAtFirstParam(call.path),
          pathParams: call.pathParams,
          query: call.query,
          headers: call.headers,
          body: call.body,
          idempotent: call.idempotent,
          signal: call.signal,
        });
        ndRequestDuration.observe(
          { cluster: client.clusterName, status: `${Math.floor(res.status / 100)}xx` },
          since(started),
        );
        return { status: res.status, body: res.body, durationMs: res.durationMs };
      } catch (err) {
        const status =
          err instanceof NdError && err.upstreamStatus ? `${Math.floor(err.upstreamStatus / 100)}xx` : "error";
        ndRequestDuration.observe({ cluster: client.clusterName, status }, since(started));
        throw err;
      }
    },
    ndFailure(err) {
      if (err instanceof NdError)
        return {
          kind: err.kind,
          message: err.message,
          status: err.upstreamStatus,
          outcomeUnknown: err.details.outcomeUnknown,
        };
      if (err instanceof AppError) return { kind: err.code, message: err.message };
      return null;
    },
    auditFailed(err, requestId, action) {
      log.error({ requestId, action, err: safeDbError(err) }, "audit event could not be written");
    },
    catalog: {
      get: (id) => services.operationCache.get(sql, id),
      search: (query, limit, filter) => services.catalogIndex.search(sql, query, { limit, filter }),
      async suggest(id, filter) {
        const index = await services.catalogIndex.index(sql);
        const ids = index.operations.filter((o) => !filter.risks || filter.risks.includes(o.risk)).map((o) => o.id);
        return closest(id, ids, 3);
      },
      async many(patterns) {
        const index = await services.catalogIndex.index(sql);
        const ids = index.operations.map((o) => o.id).filter((id) => matchesAny(patterns, id));
        return loadActiveOperations(sql, ids);
      },
    },
  };
}

/**
 * Where a human reaches the admin UI: the first public host name (the one clients are told to
 * use), else the bind address when it is a specific one, else the machine's host name.
 */
export function defaultUiUrl(config: Config, port: number): string {
  const wildcard = config.bindAddress === "0.0.0.0" || config.bindAddress === "::" || config.bindAddress === "";
  const host = config.publicHostnames[0] ?? (wildcard ? hostname() : config.bindAddress);
  return `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Bearer → principal: OAuth access tokens (read through, not cached: their rows are checked on
 * every request, so a revoked grant stops at once), `nmg_` API tokens, else the legacy shared
 * token (when one is configured).
 */
export function mcpAuthenticator(sql: Sql, config: Config, lookup?: TokenLookup): Authenticate {
  return async (bearer, clientIp): Promise<AuthOutcome> => {
    if (isOAuthAccessToken(bearer)) {
      const checked = await checkAccessToken(sql, bearer, { clientIp });
      if ("principal" in checked) return checked;
      if (checked.failure === "unknown") return { failure: "invalid" };
      return {
        failure: checked.failure,
        tokenId: checked.grantId,
        owner: { userId: checked.owner.userId, username: checked.owner.username, tokenName: checked.owner.clientName },
      };
    }
    if (bearer.startsWith("nmg_")) {
      const checked = await checkApiToken(sql, bearer, { clientIp, lookup });
      if ("principal" in checked) return checked;
      if (checked.failure === "malformed" || checked.failure === "unknown") return { failure: "invalid" };
      // The secret matched (identity checks it before revocation and expiry), so the id is real.
      const { owner } = checked;
      return owner
        ? {
            failure: checked.failure,
            tokenId: owner.tokenId,
            owner: { userId: owner.userId, username: owner.username, tokenName: owner.tokenName },
          }
        : { failure: checked.failure, tokenId: parseApiToken(bearer)?.id ?? null };
    }
    const principal = await resolveLegacyToken(sql, bearer, config.mcpApiToken, config.mcpApiTokenUser);
    return principal ? { principal } : { failure: "invalid" };
  };
}
