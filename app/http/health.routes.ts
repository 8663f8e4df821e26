/**
 * `GET /healthz` on both listeners: liveness for load balancers and monitors.
 *
 * Guarantees: the public answer is only `{ status }` (200 ok / 503 degraded); version, engine
 * and uptime go only to loopback callers (the appliance's own checks, an operator on the box).
 * A flood cannot load the database or the MCP path: the database is pinged at most once per
 * second whatever the request rate (concurrent checks share one ping, which is bounded to
 * 1.5 s), and each client address gets 20 checks per second before 429.
 */
import { Elysia } from "elysia";
import { requestMeta } from "./request-meta.ts";

export interface HealthDeps {
  version: string;
  engine: string;
  startedAt: number;
  pingDatabase(): Promise<boolean>;
}

const PING_EVERY_MS = 1_000;
const PER_CLIENT_PER_SEC = 20;

const isLoopback = (ip: string) => ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1";

export function healthRoutes(deps: HealthDeps, now: () => number = Date.now) {
  let last: { at: number; reachable: Promise<boolean> } | undefined;
  const ping = () => {
    if (!last || now() - last.at >= PING_EVERY_MS) last = { at: now(), reachable: deps.pingDatabase() };
    return last.reachable;
  };
  // Fixed one-second windows per client address; the map is dropped each window (bounded).
  let window = 0;
  let counts = new Map<string, number>();
  const allowed = (ip: string) => {
    const second = Math.floor(now() / 1000);
    if (second !== window) {
      window = second;
      counts = new Map();
    }
    const n = (counts.get(ip) ?? 0) + 1;
    counts.set(ip, n);
    return n <= PER_CLIENT_PER_SEC;
  };

  return new Elysia().get("/healthz", async ({ set, request }) => {
    const ip = requestMeta(request).clientIp;
    if (!allowed(ip)) {
      set.status = 429;
      set.headers["retry-after"] = "1";
      return { status: "rate-limited" };
    }
    const reachable = await ping();
    set.status = reachable ? 200 : 503;
    const status = reachable ? "ok" : "degraded";
    if (!isLoopback(ip)) return { status };
    return {
      status,
      version: deps.version,
      database: { reachable, engine: deps.engine },
      uptimeSeconds: Math.round((now() - deps.startedAt) / 1000),
    };
  });
}
