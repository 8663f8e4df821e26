import { cliCaller } from "../../app/identity/caller.ts";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../app/cli.ts";
import { resolveApiToken } from "../../app/identity/api-tokens.ts";
import { parseExpiry } from "../../app/cli/identity.ts";
import { login } from "../../app/identity/login.ts";
import { createPasswordHasher } from "../../app/identity/passwords.ts";
import { DEFAULT_SESSION_SETTINGS } from "../../app/identity/sessions.ts";
import { freshDatabase } from "../support/db.ts";
import { loginDeps } from "./helpers.ts";

const db = await freshDatabase();
const sql = db.sql;
const dir = mkdtempSync(join(tmpdir(), "nmg-cli-"));
const env = { DATABASE_URL: db.url, DATA_DIR: join(dir, "data") };
const realHasher = createPasswordHasher();
let c1 = "";
let c2 = "";
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeAll(async () => {
  const rows = await sql<{ id: string; name: string }[]>`
    insert into clusters (name, base_url, auth_mode) values ('lab', 'https://lab.example.net', 'password'), ('prod', 'https://prod.example.net', 'password')
    returning id::text as id, name`;
  c1 = rows.find((r) => r.name === "lab")!.id;
  c2 = rows.find((r) => r.name === "prod")!.id;
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("user add with a password file, roles and clusters by name; user list shows it", async () => {
  const pwFile = join(dir, "pw");
  writeFileSync(pwFile, "a password from a file\n");
  const r = await cli(
    "user",
    "add",
    "alice",
    "--password-file",
    pwFile,
    "--roles",
    "operator",
    "--clusters",
    "lab,prod",
    "--email",
    "alice@example.net",
  );
  expect(r).toMatchObject({ code: 0, err: "" });
  expect(r.out).toMatch(/^created user alice \(/);
  expect(r.out).not.toContain("password from a file");
  const s = await login(
    sql,
    { username: "alice", password: "a password from a file" },
    loginDeps({ passwords: realHasher }),
  );
  expect(s.principal.clusterAccess).toEqual([c1, c2].sort());
  const list = await cli("user", "list");
  expect(list.out).toContain("alice\tperson\tactive\toperator\t");
});

test("user add without a password prints a generated one once; bad input fails clearly", async () => {
  const r = await cli("user", "add", "bob", "--roles", "viewer");
  expect(r.code).toBe(0);
  const generated = /shown once, must be changed at first login\): (\S+)/.exec(r.out)![1]!;
  expect(
    (await login(sql, { username: "bob", password: generated }, loginDeps({ passwords: realHasher })))
      .mustChangePassword,
  ).toBe(true);
  expect(await cli("user", "add", "BOB")).toMatchObject({ code: 1, err: "error: username BOB is taken" });
  expect(await cli("user", "add", "carl", "--clusters", "nowhere")).toMatchObject({
    code: 1,
    err: "error: unknown cluster(s): nowhere",
  });
  const weak = join(dir, "weak");
  writeFileSync(weak, "password123\n");
  const w = await cli("user", "add", "carl", "--password-file", weak);
  expect(w.code).toBe(1);
  expect(w.err).toContain("at least 12 characters");
  expect(w.err).not.toContain("password123");
  expect((await cli("user", "add")).code).toBe(2);
});

test("grant, revoke, disable, enable, reset-password, clusters; role list and show", async () => {
  expect((await cli("user", "grant", "bob", "operator")).out).toBe("granted operator to bob; their sessions ended");
  expect((await cli("user", "revoke", "bob", "operator")).out).toBe("revoked operator from bob; their sessions ended");
  expect((await cli("user", "disable", "bob")).out).toBe("disabled bob; ended 0 session(s), revoked 0 token(s)");
  expect((await cli("user", "enable", "bob")).out).toBe("enabled bob");
  const reset = await cli("user", "reset-password", "bob");
  expect(reset.out).toMatch(/password \(shown once/);
  expect((await cli("user", "clusters", "bob", "lab")).out).toBe("bob may use 1 cluster(s)");
  expect((await cli("user", "clusters", "bob", "all")).out).toBe("bob may use all clusters");
  const roles = await cli("role", "list");
  expect(
    roles.out
      .split("\n")
      .slice(1, 4)
      .map((l) => l.split("\t").slice(0, 2)),
  ).toEqual([
    ["admin", "system"],
    ["operator", "system"],
    ["viewer", "system"],
  ]);
  const show = await cli("role", "show", "viewer");
  expect(show.out).toContain("permissions:\n  clusters:use\n  tokens:own\n  mcp:read");
  expect(await cli("role", "show", "nope")).toMatchObject({ code: 1, err: "error: no role named nope" });
  expect(await cli("user", "disable", "ghost")).toMatchObject({ code: 1, err: "error: no user named ghost" });
});

test("token create / list / revoke", async () => {
  const r = await cli(
    "token",
    "create",
    "--user",
    "alice",
    "--name",
    "claude",
    "--expires",
    "30d",
    "--read-only",
    "--clusters",
    "lab",
  );
  expect(r.code).toBe(0);
  const token = /token \(shown once\): (nmg_\S+)/.exec(r.out)![1]!;
  const id = /created token ([0-9a-f]{24})/.exec(r.out)![1]!;
  expect(r.out).toContain("read-only; 1 cluster(s)");
  const p = await resolveApiToken(sql, token);
  expect(p?.token).toEqual({ id, name: "claude", readOnly: true, clusters: [c1] });
  const list = await cli("token", "list", "--user", "alice");
  expect(list.out).toContain(`${id}\talice\tclaude\tactive\tread-only, 1 cluster(s)`);
  expect(list.out).not.toContain(token.slice(-43));
  expect(await cli("token", "create", "--user", "alice", "--name", "x", "--clusters", "mars")).toMatchObject({
    code: 1,
    err: "error: unknown cluster(s): mars",
  });
  expect(await cli("token", "create", "--user", "alice", "--name", "x", "--expires", "soon")).toMatchObject({
    code: 1,
  });
  expect((await cli("token", "create", "--user", "alice")).code).toBe(2);
  expect((await cli("token", "revoke", id)).out).toBe(`revoked token ${id}`);
  expect(await resolveApiToken(sql, token)).toBeNull();
  expect((await cli("token", "list")).out).toContain(`${id}\talice\tclaude\trevoked`);
  expect(await cli("token", "revoke", id)).toMatchObject({ code: 1, err: `error: token ${id} was revoked already` });
});

test("--expires parsing", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  expect(parseExpiry(undefined, now, 1000)).toEqual(new Date(now.getTime() + 1000));
  expect(parseExpiry("12h", now, 0)).toEqual(new Date("2030-01-01T12:00:00Z"));
  expect(parseExpiry("2w", now, 0)).toEqual(new Date("2030-01-15T00:00:00Z"));
  expect(parseExpiry("2030-06-30", now, 0)).toEqual(new Date("2030-06-30T00:00:00Z"));
  expect(parseExpiry("never", now, 0)).toBeNull();
  expect(() => parseExpiry("tomorrow", now, 0)).toThrow();
  expect(DEFAULT_SESSION_SETTINGS.absoluteMs).toBe(8 * 3_600_000);
});

test("--password-stdin reads the password from standard input (one trailing newline dropped)", async () => {
  const { identityCommands } = await import("../../app/cli/identity.ts");
  const { loadConfig } = await import("../../app/config.ts");
  const { fastHasher } = await import("./helpers.ts");
  const out: string[] = [];
  const ctx = {
    env,
    out: (l: string) => out.push(l),
    err: (l: string) => out.push(l),
    config: () => loadConfig(env),
    db: async () => ({ sql, engine: "postgresql" as const, ping: async () => true, close: async () => {} }),
    caller: () => cliCaller("tester"),
  };
  const commands = identityCommands({ passwords: fastHasher, readStdin: async () => "a password from stdin\n" });
  expect(await commands["user add"]!(ctx, ["stdin-user", "--password-stdin"])).toBe(0);
  expect(out.join("\n")).not.toContain("a password from stdin");
  const s = await login(sql, { username: "stdin-user", password: "a password from stdin" }, loginDeps());
  expect(s.mustChangePassword).toBe(false);
});

test("housekeeping forgets stale login-throttle rows", async () => {
  const { purgeLoginThrottle } = await import("../../app/identity/login.ts");
  await login(
    sql,
    { username: "nobody-at-all", password: "some guess or other", clientIp: "10.99.0.1" },
    loginDeps(),
  ).catch(() => {});
  const before = (await sql`select count(*)::int as n from login_throttle`)[0]!.n;
  expect(before).toBeGreaterThan(0);
  expect(
    await purgeLoginThrottle(sql, new Date(Date.now() + 16 * 60_000), { maxFailures: 5, lockoutMs: 15 * 60_000 }),
  ).toBe(before);
});
