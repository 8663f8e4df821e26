/**
 * The composition root: builds both Elysia apps from the domain modules and their dependencies.
 * The UI app talks to the domain directly, never over HTTP to the API app.
 */
import { Elysia } from "elysia";
import { hostname } from "node:os";
import type { Config } from "./config.ts";
import type { Database } from "./db.ts";
import type { Logger } from "./log.ts";
import { apiErrorResponse } from "./http/api-errors.ts";
import { createHandler, type Handler } from "./http/handler.ts";
import { healthRoutes } from "./http/health.routes.ts";
import { mcpRoutes } from "./mcp/mcp.routes.ts";
import { gauge } from "./metrics/metrics.ts";
import { metricsRoutes } from "./metrics/metrics.routes.ts";
import { APPLICATION_NAME } from "./db.ts";
import { defaultUiUrl, mcpAuthenticator, mcpDeps } from "./mcp/mcp-domain-deps.ts";
import type { GatewayNames } from "./oauth/oauth-resource.ts";
import { oauthRoutes } from "./oauth/oauth.routes.ts";
import type { Services } from "./services.ts";
import { loadAssets } from "./ui/assets.ts";
import { buildUiApp } from "./ui/ui-app.ts";
import { uiRoutes } from "./ui/ui-routes.ts";

export interface GatewayContext {
  config: Config;
  db: Database;
  log: Logger;
  services: Services;
  startedAt: number;
  /** Names on the certificate: clients reaching us by any of them are legitimate. */
  certificateNames: string[];
  /** The serving certificate now (it may be renewed while running). */
  certificate?: () => { pem: string; fingerprint256: string; notAfter: string };
  /** Port the API listener is bound to (known after it starts). */
  apiPort?: () => number;
  /** Port the UI listener is bound to (known after it starts). */
  uiPort?: () => number;
  /** Generates and serves a new self-signed certificate now; false when nothing changed. */
  renewCertificate?: () => Promise<boolean>;
  engine?: string;
}

export interface Gateway {
  ui: Handler;
  api: Handler;
  mcpSessions(): number;
  /** Ends long-lived streams (SSE) so listeners can drain. */
  close(): Promise<void>;
  /** Refuses new MCP requests, waits for those in flight (until `deadline`), then closes streams. */
  drain(deadline: number): Promise<boolean>;
}

/** Host/Origin allow-list for the MCP endpoints (DNS-rebinding protection). */
export function allowedHosts(config: Config, certificateNames: string[]): Set<string> {
  const names = [
    "localhost",
    "127.0.0.1",
    "::1",
    hostname(),
    config.bindAddress,
    ...config.publicHostnames,
    ...certificateNames,
  ];
  return new Set(
    names.map((n) => n.toLowerCase().replace(/^\[|\]$/g, "")).filter((n) => n && n !== "0.0.0.0" && n !== "::"),
  );
}

export function buildGateway(ctx: GatewayContext): Gateway {
  const { config, db, log, services } = ctx;
  const health = healthRoutes({
    version: config.version,
    engine: db.engine,
    startedAt: ctx.startedAt,
    pingDatabase: () => db.ping(),
  });
  const hosts = allowedHosts(config, ctx.certificateNames);
  const names: GatewayNames = {
    allowedHosts: hosts,
    apiPort: ctx.apiPort ?? (() => config.apiPort),
    uiPort: ctx.uiPort ?? (() => config.uiPort),
  };
  const authenticate = mcpAuthenticator(db.sql, config, services.caches);
  const mcp = mcpRoutes({
    mcp: mcpDeps(db.sql, config, services, log, () => defaultUiUrl(config, ctx.uiPort?.() ?? config.uiPort)),
    authenticate,
    allowedHosts: hosts,
    limits: {
      maxBody: config.mcp.maxBody,
      ratePerSec: config.mcp.ratePerSec,
      rateBurst: config.mcp.rateBurst,
      ssePerUser: config.mcp.ssePerUser,
      sseIdleMs: config.mcp.sseIdleMs,
    },
    log,
  });
  const uiApp = buildUiApp(
    uiRoutes(),
    {
      sql: db.sql,
      config,
      services,
      log,
      assets: loadAssets(),
      certificate: ctx.certificate ?? (() => ({ pem: "", fingerprint256: "", notAfter: "" })),
      apiPort: names.apiPort,
      oauthNames: names,
      renewCertificate: ctx.renewCertificate ?? (async () => false),
      engine: ctx.engine ?? db.engine,
    },
    health,
  );
  registerGauges(ctx, () => mcp.sessions.size);
  const metrics = metricsRoutes({ allow: config.metricsAllow, authenticate });
  const oauth = oauthRoutes({
    sql: db.sql,
    names,
    registerRate: { perSec: config.oauthRegistrationsPerMinute / 60, burst: config.oauthRegistrationsPerMinute },
  });
  const apiApp = new Elysia({ name: "api" })
    .onError({ as: "global" }, ({ error, code, request }) => apiErrorResponse(error, String(code), request, log))
    .use(health)
    .use(metrics)
    .use(oauth)
    .use(mcp.app);
  return {
    ui: createHandler(uiApp, "ui", log),
    api: createHandler(apiApp, "api", log),
    mcpSessions: () => mcp.sessions.size,
    close: () => mcp.close(),
    drain: (deadline) => mcp.drain(deadline),
  };
}

/** Gauges read at scrape time: open SSE sessions, pending approvals, this node's connections. */
function registerGauges(ctx: GatewayContext, sseSessions: () => number): void {
  const { sql } = ctx.db;
  gauge("nmg_mcp_sse_sessions", "Open legacy SSE sessions on this node", sseSessions);
  gauge("nmg_approvals_pending", "Approval requests waiting for a decision (all nodes)", async () => {
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from approval_requests where status = 'pending' and expires_at > now()`;
    return row?.n ?? 0;
  });
  gauge(
    "nmg_db_pool_connections",
    `This node's database connections by state (pool size ${ctx.config.dbPoolMax})`,
    async () => {
      const rows = await sql<{ state: string; n: number }[]>`
      select coalesce(state, 'unknown') as state, count(*)::int as n from pg_stat_activity where application_name = ${APPLICATION_NAME} group by 1`;
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },
    "state",
  );
}
