/** The demo itself (see demo.ts). Data lives in ./data/demo; delete it to start over. */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { DEMO_DATA_DIR, loadConfig } from "../app/config.ts";
import { createLogger } from "../app/log.ts";
import { startServer } from "../app/server.ts";
import { addCluster, listClusters, updateCluster } from "../app/clusters/clusters.ts";
import { createApiToken } from "../app/identity/api-tokens.ts";
import { cliCaller } from "../app/identity/caller.ts";
import { startSimulator } from "../sim/simulator.ts";

const dataDir = DEMO_DATA_DIR;
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const SIM_PORT = 9443;

const sim = await startSimulator({ port: SIM_PORT, certDir: resolve(dataDir, "sim-tls") }).catch(() => startSimulator({ port: 0, certDir: resolve(dataDir, "sim-tls") }));
const config = loadConfig({
  DATA_DIR: dataDir,
  UI_PORT: process.env.UI_PORT ?? "7443",
  API_PORT: process.env.API_PORT ?? "8444",
  // The demo prints a read-write admin token: reachable from this machine only unless asked.
  BIND_ADDRESS: process.env.BIND_ADDRESS ?? "127.0.0.1",
  CLUSTER_ALLOW_LOOPBACK: "true",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
});
const server = await startServer(config, createLogger(config.logLevel));
const sql = server.db.sql;
const deps = { keyring: server.services.keyring, urlPolicy: server.services.urlPolicy, actor: { via: "cli", username: "demo" } };
const credentials = { mode: "password" as const, username: "admin", password: "nd-sim-password", domain: "local" };
const existing = (await listClusters(sql)).find((c) => c.name === "sim");
if (!existing) {
  await addCluster(sql, cliCaller("cli"), { name: "sim", url: sim.url, credentials, tls: { verify: true, caPem: sim.caPem } }, deps);
} else if (existing.baseUrl !== new URL(sim.url).origin || !existing.hasCredentials) {
  await updateCluster(sql, cliCaller("cli"), "sim", { url: sim.url, credentials, tls: { verify: true, caPem: sim.caPem } }, deps);
}
const token = await createApiToken(sql, cliCaller("cli"), { username: "admin", name: `demo-${new Date().toISOString().slice(0, 19)}` });

const admin = server.services.firstAdmin;
const caPath = server.tls.certPath;
const apiUrl = server.api.url.replace("127.0.0.1", "localhost");
const claude = {
  mcpServers: {
    nexus: {
      command: "npx",
      args: ["-y", "mcp-remote@0.15.1", `${apiUrl}/mcp/sse`, "--transport", "sse-only", "--header", "Authorization:${ND_GW_AUTH}"],
      env: { ND_GW_AUTH: `Bearer ${token.token}`, NODE_EXTRA_CA_CERTS: caPath },
    },
  },
};
console.log(`
Nexus MCP Gateway demo is running (embedded database, data in ${dataDir})

  Admin UI      ${server.ui.url.replace("127.0.0.1", "localhost")}   (sign in as admin; the first sign-in asks for a new password)
  MCP (HTTP)    ${apiUrl}/mcp
  MCP (SSE)     ${apiUrl}/mcp/sse
  ND simulator  ${sim.url}  registered as cluster "sim" (TLS verified with its CA)
  Certificate   ${caPath}
                sha256 ${server.tls.info.fingerprint256}

  Admin login   ${admin.generatedPassword ? `admin / ${admin.generatedPassword}   (shown once; also in ${admin.passwordFile})` : "admin (password printed at the first demo start; see data/demo/initial-admin-password)"}
  MCP token     ${token.token}   (admin, expires ${token.expiresAt?.toISOString().slice(0, 10)})

Claude Desktop (claude_desktop_config.json):
${JSON.stringify(claude, null, 2)}

Try it without Claude:
  npx -y @modelcontextprotocol/inspector@2.12.0 --cli ${apiUrl}/mcp --header "Authorization: Bearer ${token.token}" --method tools/list
  (set NODE_EXTRA_CA_CERTS=${caPath} first)

Ctrl-C stops the demo.`);

const stop = async () => {
  await server.stop();
  await sim.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
