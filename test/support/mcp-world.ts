/**
 * A complete world for MCP tests: the ND simulator, the real gateway on HTTPS, the simulator
 * registered as cluster "sim" (TLS verified with its CA), and users with API tokens.
 */
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { startSimulator, type RunningSimulator } from "../../sim/simulator.ts";
import { addCluster } from "../../app/clusters/clusters.ts";
import { createApiToken } from "../../app/identity/api-tokens.ts";
import { cliCaller } from "./callers.ts";
import { createUser } from "../../app/identity/users.ts";
import { startTestServer, type TestServer } from "./server.ts";
import type { TestDatabase } from "./db.ts";
import type { Logger } from "../../app/log.ts";

export interface McpWorld {
  gw: TestServer;
  sim: RunningSimulator;
  clusterId: string;
  tokens: Record<string, string>;
  mcpUrl: string;
  sseUrl: string;
  connect(user: string, transport: "http" | "sse"): Promise<Client>;
  stop(): Promise<void>;
}

export const ADMIN_PASSWORD = "correct-Horse-battery-9";

export async function startMcpWorld(
  env: Record<string, string> = {},
  log?: Logger,
  database?: TestDatabase,
): Promise<McpWorld> {
  const sim = await startSimulator({ port: 0 });
  const gw = await startTestServer(
    { CLUSTER_ALLOW_LOOPBACK: "true", ADMIN_PASSWORD, MCP_RATE_PER_SEC: "1000", MCP_RATE_BURST: "1000", ...env },
    log,
    database,
  );
  const sql = gw.db.sql;
  const cli = cliCaller("cli");
  const cluster = await addCluster(
    sql,
    cliCaller("cli"),
    {
      name: "sim",
      url: sim.url,
      credentials: { mode: "password", username: "admin", password: "nd-sim-password", domain: "local" },
      tls: { verify: true, caPem: sim.caPem },
    },
    { keyring: gw.server.services.keyring, urlPolicy: gw.server.services.urlPolicy },
  );
  const passwords = gw.server.services.passwords;
  await createUser(
    sql,
    cli,
    { username: "olga", password: ADMIN_PASSWORD, roles: ["operator"], clusters: "all" },
    { passwords },
  );
  await createUser(
    sql,
    cli,
    { username: "vera", password: ADMIN_PASSWORD, roles: ["viewer"], clusters: "all" },
    { passwords },
  );
  const tokens: Record<string, string> = {};
  for (const username of ["admin", "olga", "vera"]) {
    tokens[username] = (await createApiToken(sql, cli, { username, name: `${username}-laptop` })).token;
  }
  const base = gw.server.api.url.replace("127.0.0.1", "localhost");
  const ca = gw.server.tls.cert;
  const tlsFetch = (url: string | URL, init?: RequestInit) => fetch(url, { ...init, tls: { ca } } as RequestInit);
  return {
    gw,
    sim,
    clusterId: cluster.id,
    tokens,
    mcpUrl: `${base}/mcp`,
    sseUrl: `${base}/mcp/sse`,
    async connect(user, kind) {
      const headers = { Authorization: `Bearer ${tokens[user]}` };
      const client = new Client({ name: `test-${user}`, version: "1.0.0" });
      const transport =
        kind === "http"
          ? new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers }, fetch: tlsFetch })
          : new SSEClientTransport(new URL(`${base}/mcp/sse`), {
              requestInit: { headers },
              fetch: tlsFetch,
              eventSourceInit: {
                fetch: (u: string | URL, i?: RequestInit) =>
                  tlsFetch(u, { ...i, headers: { ...(i?.headers as Record<string, string>), ...headers } }),
              } as never,
            });
      await client.connect(transport);
      return client;
    },
    async stop() {
      await gw.stop();
      await sim.stop();
    },
  };
}
