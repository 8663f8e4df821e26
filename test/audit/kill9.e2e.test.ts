// Issue 11: group commit must not cost the audit guarantee. Clients hammer a gateway process
// with reads, each counting the answers it got; the gateway is killed with SIGKILL mid-load.
// Afterwards every answered call must have its audit row (rows ≥ answers, per client).
import { afterAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseUrlPolicy } from "../../app/clusters/cluster-url-policy.ts";
import { addCluster } from "../../app/clusters/clusters.ts";
import { cliCaller } from "../../app/identity/caller.ts";
import { createApiToken } from "../../app/identity/api-tokens.ts";
import { createPasswordHasher } from "../../app/identity/passwords.ts";
import { createUser } from "../../app/identity/users.ts";
import { loadKeyring } from "../../app/secrets/keyring.ts";
import { startSimulator } from "../../sim/simulator.ts";
import { freshDatabase } from "../support/db.ts";
import { startGatewayProcess, toolCall } from "../support/gateway-process.ts";

const CLIENTS = 16;
const db = await freshDatabase();
const sim = await startSimulator({ port: 0 });
afterAll(async () => {
  await sim.stop();
  await db.close();
});

test("kill -9 under load leaves no answered call without its audit row", async () => {
  const encryptionKey = randomBytes(32).toString("base64");
  const gw = await startGatewayProcess(db.url, {
    ENCRYPTION_KEY: encryptionKey,
    ADMIN_PASSWORD: "correct-Horse-battery-9",
  });
  try {
    const { keyring } = await loadKeyring({
      sql: db.sql,
      dataDir: mkdtempSync(join(tmpdir(), "nmg-k9-")),
      encryptionKey,
    });
    await addCluster(
      db.sql,
      cliCaller("test"),
      {
        name: "sim",
        url: sim.url,
        credentials: { mode: "password", username: "admin", password: "nd-sim-password", domain: "local" },
        tls: { verify: true, caPem: sim.caPem },
      },
      { keyring, urlPolicy: parseUrlPolicy(["*"], true) },
    );
    await createUser(
      db.sql,
      cliCaller("test"),
      { username: "vera", password: "correct-Horse-battery-9", roles: ["viewer"], clusters: "all" },
      { passwords: createPasswordHasher() },
    );
    const tokens = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        createApiToken(db.sql, cliCaller("test"), { username: "vera", name: `load-${i}` }),
      ),
    );

    const answered = new Array<number>(CLIENTS).fill(0);
    let killed = false;
    const clients = tokens.map(async (t, i) => {
      while (!killed) {
        try {
          // Alternate the ND path (call-operation.ts) and a local tool (tool-dispatch.ts).
          const r = await toolCall(gw.mcpUrl, gw.ca, t.token, i % 2 ? "list_fabrics" : "list_clusters");
          if (r.status === 200 && !r.isError) answered[i]!++;
          else if (!killed) throw new Error(`call refused: ${r.status} ${r.text.slice(0, 200)}`);
        } catch (err) {
          if (!killed) throw err;
        }
      }
    });
    // Kill once the load is well under way (time-based waits fail on a busy machine).
    const by = Date.now() + 30_000;
    while (answered.reduce((x, y) => x + y, 0) < 100 && Date.now() < by) await Bun.sleep(50);
    killed = true;
    await gw.kill9();
    await Promise.all(clients);

    const rows = await db.sql<{ token_name: string; n: number }[]>`
      select token_name, count(*)::int as n from audit_events where action = 'mcp.call' and status = 'ok' group by 1`;
    const byToken = new Map(rows.map((r) => [r.token_name, r.n]));
    const total = answered.reduce((a, b) => a + b, 0);
    console.log(`answered before kill -9: ${total}; audit rows: ${rows.reduce((a, r) => a + r.n, 0)}`);
    expect(total).toBeGreaterThanOrEqual(100);
    for (const [i, n] of answered.entries()) expect(byToken.get(`load-${i}`) ?? 0).toBeGreaterThanOrEqual(n);
  } finally {
    await gw.stop();
  }
}, 60_000);
