/**
 * The composition root: builds both Elysia apps from the domain modules and their dependencies.
 * The UI app talks to the domain directly, never over HTTP to the API app.
 */
import { Elysia } from "elysia";
import type { Config } from "./config.ts";
import type { Database } from "./db.ts";
import type { Logger } from "./log.ts";
import { createHandler, type Handler } from "./http/handler.ts";
import { healthRoutes } from "./http/health.routes.ts";

export interface GatewayContext {
  config: Config;
  db: Database;
  log: Logger;
  startedAt: number;
}

export interface Gateway {
  ui: Handler;
  api: Handler;
}

export function buildGateway(ctx: GatewayContext): Gateway {
  const health = healthRoutes({
    version: ctx.config.version,
    engine: ctx.db.engine,
    startedAt: ctx.startedAt,
    pingDatabase: () => ctx.db.ping(),
  });
  const uiApp = new Elysia({ name: "ui" }).use(health);
  const apiApp = new Elysia({ name: "api" }).use(health);
  return {
    ui: createHandler(uiApp, "ui", ctx.log),
    api: createHandler(apiApp, "api", ctx.log),
  };
}
