/**
 * The MCP routes of a running test world, built a second time with test-chosen dependencies and
 * served on plain loopback HTTP: short keep-alive and session limits, or — for the conformance
 * suite, which cannot send a bearer token — one fixed principal instead of authentication.
 *
 * This is how tests vary what production fixes, without any switch in app/: `mcpRoutes()` takes
 * its limits and its `authenticate` function as dependencies, and only files under test/ pass
 * other ones. Everything else — admission's Host/Origin and rate checks, the guard, the audit,
 * the ND client — is the production code on the world's database and simulator.
 */
import { Elysia } from "elysia";
import { createHandler } from "../../app/http/handler.ts";
import { resolveApiToken } from "../../app/identity/api-tokens.ts";
import { createLogger } from "../../app/log.ts";
import type { Authenticate } from "../../app/mcp/mcp-admission.ts";
import { mcpRoutes, type McpLimits } from "../../app/mcp/mcp.routes.ts";
import { mcpAuthenticator, mcpDeps } from "../../app/mcp/mcp-domain-deps.ts";
import type { McpWorld } from "../support/mcp-world.ts";

export interface RoutesHarness {
  /** http://localhost:PORT */
  base: string;
  routes: ReturnType<typeof mcpRoutes>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  limits?: Partial<McpLimits>;
  /**
   * Authentication replaced by this world user's principal, for clients that cannot send a
   * token (the conformance suite). The routes only consult `authenticate` when a bearer is
   * present, so the harness adds a placeholder one to every request.
   */
  asUser?: string;
}

export async function serveRoutes(world: McpWorld, opts: HarnessOptions = {}): Promise<RoutesHarness> {
  const { config, services, db } = world.gw.server;
  const log = createLogger("silent");
  const fixed = opts.asUser ? await fixedPrincipal(world, opts.asUser) : null;
  const routes = mcpRoutes({
    mcp: mcpDeps(db.sql, config, services, log),
    authenticate: fixed ?? mcpAuthenticator(db.sql, config),
    allowedHosts: new Set(["localhost", "127.0.0.1"]),
    limits: {
      maxBody: config.mcp.maxBody,
      ratePerSec: 1000,
      rateBurst: 1000,
      ssePerUser: 8,
      sseIdleMs: 60_000,
      ...opts.limits,
    },
    log,
  });
  const handler = createHandler(new Elysia().use(routes.app), "api", log);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    reusePort: false,
    idleTimeout: 60,
    fetch: (request, srv) =>
      handler(fixed ? withBearer(request) : request, {
        clientIp: srv.requestIP(request)?.address ?? "unknown",
        server: srv,
      }),
  });
  return {
    base: `http://localhost:${server.port}`,
    routes,
    async stop() {
      await routes.close();
      await server.stop(true);
    },
  };
}

async function fixedPrincipal(world: McpWorld, user: string): Promise<Authenticate> {
  const principal = await resolveApiToken(world.gw.db.sql, world.tokens[user]!);
  if (!principal) throw new Error(`no principal for ${user}`);
  return async () => ({ principal });
}

function withBearer(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.set("authorization", "Bearer fixed-test-principal");
  return new Request(request, { headers });
}
