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
import { mcpAuthenticator, mcpDeps } from "./mcp/mcp-wiring.ts";
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
}

export interface Gateway {
  ui: Handler;
  api: Handler;
  mcpSessions(): number;
  /** Ends long-lived streams (SSE) so listeners can drain. */
  close(): Promise<void>;
}

/** Host/Origin allow-list for the MCP endpoints (DNS-rebinding protection). */
export function allowedHosts(config: Config, certificateNames: string[]): Set<string> {
  const names = ["localhost", "127.0.0.1", "::1", hostname(), config.bindAddress, ...config.publicHostnames, ...certificateNames];
  return new Set(names.map((n) => n.toLowerCase().replace(/^\[|\]$/g, "")).filter((n) => n && n !== "0.0.0.0" && n !== "::"));
}

export function buildGateway(ctx: GatewayContext): Gateway {
  const { config, db, log, services } = ctx;
  const health = healthRoutes({
    version: config.version,
    engine: db.engine,
    startedAt: ctx.startedAt,
    pingDatabase: () => db.ping(),
  });
  const mcp = mcpRoutes({
    mcp: mcpDeps(db.sql, config, services, log),
    authenticate: mcpAuthenticator(db.sql, config),
    allowedHosts: allowedHosts(config, ctx.certificateNames),
    limits: {
      maxBody: config.mcp.maxBody, ratePerSec: config.mcp.ratePerSec, rateBurst: config.mcp.rateBurst,
      ssePerUser: config.mcp.ssePerUser, sseIdleMs: config.mcp.sseIdleMs,
    },
    log,
  });
  const uiApp = buildUiApp(uiRoutes(), {
    sql: db.sql, config, services, log, assets: loadAssets(),
    certificate: ctx.certificate ?? (() => ({ pem: "", fingerprint256: "", notAfter: "" })),
    apiPort: ctx.apiPort ?? (() => config.apiPort),
  }, health);
  const apiApp = new Elysia({ name: "api" })
    .onError({ as: "global" }, ({ error, code, request }) => apiErrorResponse(error, String(code), request, log))
    .use(health)
    .use(mcp.app);
  return {
    ui: createHandler(uiApp, "ui", log),
    api: createHandler(apiApp, "api", log),
    mcpSessions: () => mcp.sessions.size,
    close: () => mcp.close(),
  };
}
