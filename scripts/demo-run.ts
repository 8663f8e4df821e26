/**
 * The demo itself (see demo.ts). Data lives in ./data/demo; delete it to start over.
 * `--specs DIR`: Cisco's ND OpenAPI documents (your copy) — imported into the gateway's catalog
 * and handed to the simulator, so every imported operation answers instead of HTTP 404.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { importDocuments } from "../app/catalog/import.ts";
import { readPathInputs } from "../app/catalog/import-inputs.ts";
import { DEMO_DATA_DIR, loadConfig } from "../app/config.ts";
import { createLogger } from "../app/log.ts";
import { startServer } from "../app/server.ts";
import { addCluster, listClusters, updateCluster } from "../app/clusters/clusters.ts";
import { createApiToken, listApiTokens, revokeApiToken, tokenStatus } from "../app/identity/api-tokens.ts";
import { cliCaller } from "../app/identity/caller.ts";
import { startSimulator } from "../sim/simulator.ts";

const specsDir = specsOption(process.argv.slice(2));
const dataDir = DEMO_DATA_DIR;
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const SIM_PORT = 9443;
const DEMO_TOKEN_PREFIX = "demo-";

const simOptions = { certDir: resolve(dataDir, "sim-tls"), specsDir };
const sim = await startSimulator({ port: SIM_PORT, ...simOptions }).catch(() =>
  startSimulator({ port: 0, ...simOptions }),
);
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
const deps = {
  keyring: server.services.keyring,
  urlPolicy: server.services.urlPolicy,
  actor: { via: "cli", username: "demo" },
};
const credentials = { mode: "password" as const, username: "admin", password: "nd-sim-password", domain: "local" };
const existing = (await listClusters(sql)).find((c) => c.name === "sim");
if (!existing) {
  await addCluster(
    sql,
    cliCaller("cli"),
    { name: "sim", url: sim.url, credentials, tls: { verify: true, caPem: sim.caPem } },
    deps,
  );
} else if (existing.baseUrl !== new URL(sim.url).origin || !existing.hasCredentials) {
  await updateCluster(
    sql,
    cliCaller("cli"),
    "sim",
    { url: sim.url, credentials, tls: { verify: true, caPem: sim.caPem } },
    deps,
  );
}
const catalogLine = specsDir
  ? await importSpecs(specsDir)
  : "core operations only (start with --specs DIR for Cisco's documents)";
const token = await replaceDemoToken();

const admin = server.services.firstAdmin;
const caPath = server.tls.certPath;
const apiUrl = server.api.url.replace("127.0.0.1", "localhost");
const claude = {
  mcpServers: {
    nexus: {
      command: "npx",
      args: [
        "-y",
        "mcp-remote@0.15.1",
        `${apiUrl}/mcp/sse`,
        "--transport",
        "sse-only",
        "--header",
        "Authorization:${ND_GW_AUTH}",
      ],
      env: { ND_GW_AUTH: `Bearer ${token.token}`, NODE_EXTRA_CA_CERTS: caPath },
    },
  },
};
// Token-free: mcp-remote signs in through the browser (OAuth) on first use.
const claudeOAuth = {
  mcpServers: {
    nexus: { command: "npx", args: ["-y", "mcp-remote@0.15.1", `${apiUrl}/mcp`], env: { NODE_EXTRA_CA_CERTS: caPath } },
  },
};
console.log(`
Nexus MCP Gateway demo is running (embedded database, data in ${dataDir})

  Admin UI      ${server.ui.url.replace("127.0.0.1", "localhost")}   (sign in as admin; the first sign-in asks for a new password)
  MCP (HTTP)    ${apiUrl}/mcp
  MCP (SSE)     ${apiUrl}/mcp/sse
  ND simulator  ${sim.url}  registered as cluster "sim" (TLS verified with its CA)
  Catalog       ${catalogLine}
  Certificate   ${caPath}
                sha256 ${server.tls.info.fingerprint256}

  Admin login   ${admin.generatedPassword ? `admin / ${admin.generatedPassword}   (shown once; also in ${admin.passwordFile})` : "admin (password printed at the first demo start; see data/demo/initial-admin-password)"}
  MCP token     ${token.token}   (admin, expires ${token.expiresAt?.toISOString().slice(0, 10)}; replaces the previous demo token)

Claude Desktop (claude_desktop_config.json), signing in through the browser (OAuth, no token):
${JSON.stringify(claudeOAuth, null, 2)}

Claude Desktop with the pasted MCP token instead:
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

/** `--specs DIR` (or `--specs=DIR`): a directory holding the documents; anything else stops the demo with the reason. */
function specsOption(args: string[]): string | undefined {
  const at = args.findIndex((a) => a === "--specs" || a.startsWith("--specs="));
  const unknown = args.filter((a, i) => a.startsWith("--") && i !== at);
  if (unknown.length) fail(`unknown option ${unknown.join(", ")}; the demo takes only --specs DIR`);
  if (at < 0) return undefined;
  const value = args[at]!.includes("=") ? args[at]!.slice("--specs=".length) : args[at + 1];
  if (!value) fail("--specs needs a directory: bun run demo --specs /path/to/nd-openapi");
  const dir = resolve(value);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(`--specs ${value}: no such directory`);
  if (!readdirSync(dir).some((f) => f.endsWith(".json")))
    fail(`--specs ${value}: no .json documents in it (Cisco's ND OpenAPI files, e.g. manage.json)`);
  return dir;
}

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(2);
}

/** Imports the documents into the catalog (audited, like the CLI's catalog import); unchanged ones cost nothing. */
async function importSpecs(dir: string): Promise<string> {
  const report = await importDocuments(sql, cliCaller("demo"), await readPathInputs(dir));
  for (const o of report.outcomes) if (o.status === "failed") console.error(`demo: ${o.fileName}: ${o.error}`);
  const operations = report.outcomes.reduce((n, o) => n + (o.status === "failed" ? 0 : (o.operations ?? 0)), 0);
  return `${operations} operations from ${dir} (${report.imported} imported, ${report.unchanged} unchanged, ${report.failed} failed; served by the simulator too)`;
}

/** One demo token at a time: earlier demo tokens still active are revoked (audited), then a new one is minted. */
async function replaceDemoToken() {
  const caller = cliCaller("cli");
  const now = new Date();
  for (const t of await listApiTokens(sql, caller, "admin")) {
    if (t.name.startsWith(DEMO_TOKEN_PREFIX) && tokenStatus(t, now) === "active")
      await revokeApiToken(sql, caller, t.id, "replaced by a new demo start");
  }
  return createApiToken(sql, caller, {
    username: "admin",
    name: `${DEMO_TOKEN_PREFIX}${now.toISOString().slice(0, 19)}`,
  });
}
