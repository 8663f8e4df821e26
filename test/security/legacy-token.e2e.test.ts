/**
 * The legacy shared token (MCP_API_TOKEN, as in the seed) is accepted only when configured,
 * maps to a named service user whose roles apply (none at first: it can do nothing), and a
 * short, guessable value stops the start.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../app/config.ts";
import { StartupError } from "../../app/errors.ts";
import { cliCaller } from "../support/callers.ts";
import { grantRole, setUserClusters } from "../../app/identity/users.ts";
import { createLogger } from "../../app/log.ts";
import { startServer } from "../../app/server.ts";
import { freshDatabase } from "../support/db.ts";
import { startMcpWorld } from "../support/mcp-world.ts";
import { testEnv } from "../support/server.ts";

const LEGACY = "legacy-shared-token-0123456789abcdef0123";
const world = await startMcpWorld({ MCP_API_TOKEN: LEGACY, MCP_API_TOKEN_USER: "claude-service" });
afterAll(() => world.stop());

const call = (token: string) =>
  world.gw.fetchApi("/mcp", {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      host: "localhost",
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "list_fabrics", arguments: {} },
    }),
  });

test("the legacy token maps to its service user, whose (absent) roles apply, never to full access", async () => {
  const before = await (await call(LEGACY)).text();
  expect(before).toContain('"isError":true');
  // Without roles the service user has no mcp:read, so the curated reads are not even listed.
  expect(before).toContain('unknown tool \\"list_fabrics\\"');
  const cli = cliCaller("cli");
  await grantRole(world.gw.db.sql, cli, "claude-service", "viewer");
  await setUserClusters(world.gw.db.sql, cli, "claude-service", "all");
  const after = await (await call(LEGACY)).text();
  expect(after).toContain("fabrics: 2 of 2");
  expect((await call(`${LEGACY}x`)).status).toBe(401);
});

test("a short legacy token stops the start with the fix", async () => {
  const db = await freshDatabase();
  const config = loadConfig(testEnv(mkdtempSync(join(tmpdir(), "nmg-legacy-")), db.url, { MCP_API_TOKEN: "short" }));
  const err = await startServer(config, createLogger("silent")).catch((e) => e);
  expect(err).toBeInstanceOf(StartupError);
  expect(err.message).toContain("openssl rand -hex 32");
  await db.close();
});
