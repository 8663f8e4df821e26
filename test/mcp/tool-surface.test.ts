/**
 * What each kind of user's model sees: tools/list (names, descriptions, schemas, annotations)
 * for admin, operator, viewer and an 'operations'-mode tool profile, compared exactly with the
 * committed snapshots in test/mcp/snapshots/. Any change to the surface shows up in review as a
 * snapshot diff. Update them with: UPDATE_SNAPSHOTS=1 bun run test test/mcp/tool-surface
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool } from "@modelcontextprotocol/client";
import { cliCaller } from "../support/callers.ts";
import { createApiToken } from "../../app/identity/api-tokens.ts";
import { createRole } from "../../app/identity/roles.ts";
import { createUser } from "../../app/identity/users.ts";
import { saveToolProfile } from "../../app/policy/policy-settings.ts";
import { ADMIN_PASSWORD, startMcpWorld } from "../support/mcp-world.ts";

const SNAPSHOTS = join(import.meta.dir, "snapshots");
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";
/** The default surface must stay small enough to load in every client (≈ 4 characters a token). */
const DEFAULT_BUDGET_TOKENS = 2000;

const world = await startMcpWorld();
afterAll(() => world.stop());
const sql = world.gw.db.sql;
const cli = cliCaller("cli");
const admin = cliCaller("admin");

const OPS_PROFILE = {
  name: "netops",
  mode: "operations" as const,
  tokenBudget: 1200,
  description: "fabric operations desk",
  operations: [
    "manage.listFabrics",
    "manage.listFabricSwitches",
    "ndfc.listVrfs",
    "ndfc.createVrf",
    "analyze.*",
    "infra.*",
  ],
};
await saveToolProfile(sql, admin, OPS_PROFILE);
await createRole(sql, cli, {
  name: "netops",
  permissions: ["clusters:use", "tokens:own", "mcp:read", "mcp:write"],
  toolProfile: "netops",
});
await createUser(
  sql,
  cli,
  { username: "otto", password: ADMIN_PASSWORD, roles: ["netops"], clusters: "all" },
  { passwords: world.gw.server.services.passwords },
);
world.tokens.otto = (await createApiToken(sql, cli, { username: "otto", name: "otto-laptop" })).token;

async function surface(user: string): Promise<{ instructions: string | undefined; tools: Tool[] }> {
  const client = await world.connect(user, "http");
  try {
    return { instructions: client.getInstructions(), tools: (await client.listTools()).tools };
  } finally {
    await client.close();
  }
}

const tokensOf = (tools: Tool[]) => Math.ceil(JSON.stringify(tools).length / 4);

function matchSnapshot(name: string, value: unknown): void {
  const file = join(SNAPSHOTS, `${name}.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) throw new Error(`no snapshot ${file}; create it with UPDATE_SNAPSHOTS=1`);
    writeFileSync(file, text);
    return;
  }
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("tools/list per role, exactly as committed", () => {
  for (const [role, user] of [
    ["admin", "admin"],
    ["operator", "olga"],
    ["viewer", "vera"],
    ["operations-profile", "otto"],
  ] as const) {
    test(`${role}`, async () => {
      matchSnapshot(`tools-${role}`, await surface(user));
    });
  }
});

describe("token budgets", () => {
  test(`the default surface costs at most ${DEFAULT_BUDGET_TOKENS} tokens for every role`, async () => {
    for (const user of ["admin", "olga", "vera"]) {
      const { tools } = await surface(user);
      expect(tokensOf(tools)).toBeLessThanOrEqual(DEFAULT_BUDGET_TOKENS);
    }
  });

  test("roles that cannot write see call_operation described and annotated as read-only", async () => {
    const viewer = (await surface("vera")).tools.find((t) => t.name === "call_operation")!;
    const operator = (await surface("olga")).tools.find((t) => t.name === "call_operation")!;
    expect(viewer.annotations).toMatchObject({ readOnlyHint: true });
    expect(viewer.annotations?.destructiveHint).not.toBe(true);
    expect(viewer.description).toContain("reads only");
    expect(operator.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });

  test("an 'operations' profile lists its operations as tools within its budget, and a bigger budget lists more", async () => {
    const tight = await surface("otto");
    expect(tokensOf(tight.tools)).toBeLessThanOrEqual(OPS_PROFILE.tokenBudget);
    expect(tight.tools[0]!.name).toBe("list_clusters");
    expect(tight.tools.map((t) => t.name)).toContain("manage.listFabrics");
    expect(tight.tools.some((t) => t.name === "call_operation" || t.name === "search_operations")).toBe(false);

    await saveToolProfile(sql, admin, { ...OPS_PROFILE, tokenBudget: 20_000 });
    try {
      const roomy = await surface("otto");
      expect(roomy.tools.length).toBeGreaterThan(tight.tools.length);
      expect(tokensOf(roomy.tools)).toBeLessThanOrEqual(20_000);
    } finally {
      await saveToolProfile(sql, admin, OPS_PROFILE);
    }
  });

  test("an operation tool runs through the same guard: its write is refused while edit mode is off", async () => {
    const client = await world.connect("otto", "http");
    const listed = await client.callTool({ name: "manage.listFabrics", arguments: { fields: ["name"] } });
    expect(listed.isError).toBeFalsy();
    const before = world.sim.requestLog.find("/appcenter", "POST").length;
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("ndfc.createVrf");
    // approvalId is part of every operation tool's schema (an approval rule may ask for it).
    const write = await client.callTool({
      name: "ndfc.createVrf",
      arguments: { fabric: "x", body: { vrfName: "v" }, approvalId: crypto.randomUUID() },
    });
    expect(write.isError).toBe(true);
    expect((write.content as { text: string }[])[0]!.text).toContain("edit mode is off");
    const unlisted = await client.callTool({ name: "call_operation", arguments: { operation: "manage.listFabrics" } });
    expect(unlisted.isError).toBe(true);
    expect((unlisted.content as { text: string }[])[0]!.text).toContain('unknown tool "call_operation"');
    expect(world.sim.requestLog.find("/appcenter", "POST").length).toBe(before);
    await client.close();
  });
});
