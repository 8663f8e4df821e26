import { afterAll, expect, test } from "bun:test";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { REDACTED, isSecretKey, redactDetails, redactText } from "../../app/audit/audit-redact.ts";
import { sealPending } from "../../app/audit/audit-seal.ts";
import { verifyAuditChain } from "../../app/audit/audit-verify.ts";
import { freshDatabase } from "../support/db.ts";

const db = await freshDatabase();
afterAll(() => db.close());

const PASSWORD = "Hunter2-very-secret";
const BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXBhcnQ";
const NMG = "nmg_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";

test("secret-looking keys are redacted at any depth, whatever their spelling", () => {
  for (const key of [
    "password",
    "Passwd",
    "client_secret",
    "accessToken",
    "X-API-Key",
    "api_key",
    "apikey",
    "Authorization",
    "cookie",
    "privateKey",
    "private_key",
    "credentials",
  ]) {
    expect(isSecretKey(key)).toBe(true);
  }
  for (const key of ["username", "fabricName", "description", "key"]) expect(isSecretKey(key)).toBe(false);
  const out = redactDetails({ a: { b: [{ password: "x", keep: 1 }] }, ApiKey: "k", empty: "", token: null });
  expect(out).toEqual({ a: { b: [{ password: REDACTED, keep: 1 }] }, ApiKey: REDACTED, empty: "", token: null });
});

test("credential-looking values are masked wherever they appear", () => {
  expect(redactText(`Authorization: Bearer ${BEARER}`)).not.toContain(BEARER);
  expect(redactText(`sent Bearer abcdefghijklmnop to ND`)).toBe(`sent Bearer ${REDACTED} to ND`);
  expect(redactText(`token ${NMG} rejected`)).toBe(`token ${REDACTED} rejected`);
  expect(redactText(`jwt ${BEARER}`)).toBe(`jwt ${REDACTED}`);
  expect(redactText("GET /login?user=a&password=abc123&x=1")).toBe(`GET /login?user=a&password=${REDACTED}&x=1`);
  expect(redactText(`body {"userPasswd": "abc", "name": "n"}`)).toBe(`body {"userPasswd": "${REDACTED}", "name": "n"}`);
  expect(redactText("Cookie: session=abc; other=def")).toBe(`Cookie: ${REDACTED}`);
  expect(redactText("invalid token for user alice")).toBe("invalid token for user alice");
});

test("details are bounded in size, depth and breadth", () => {
  const deep: Record<string, unknown> = {};
  let node = deep;
  for (let i = 0; i < 20; i++) node = (node.next = {}) as Record<string, unknown>;
  expect(JSON.stringify(redactDetails(deep))).toContain("[too deep]");
  const wide = redactDetails({ list: Array.from({ length: 500 }, (_, i) => i) });
  expect((wide.list as unknown[]).length).toBe(201);
  const huge = redactDetails({ blobs: Array.from({ length: 100 }, () => "x".repeat(1500)) });
  expect(huge._truncated).toBe(true);
  expect(JSON.stringify(huge).length).toBeLessThan(16_384);
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  expect(redactDetails(circular)).toEqual({ a: 1, self: "[circular]" });
  expect(redactDetails({ big: 10n, when: new Date(0), nan: Number.NaN })).toEqual({
    big: "10",
    when: "1970-01-01T00:00:00.000Z",
    nan: "NaN",
  });
});

test("a scripted event with a password and a bearer token leaves no trace of either in the table", async () => {
  await recordAudit(db.sql, {
    action: "cluster.create",
    status: "failed",
    actor: { username: "admin", via: "session", userAgent: `curl/8 (Bearer ${BEARER})` },
    target: { resourceType: "cluster", resourceId: "dc1" },
    error: `ND said 401 for Authorization: Bearer ${BEARER} and password=${PASSWORD}`,
    reason: `token ${NMG} used`,
    details: {
      name: "dc1",
      password: PASSWORD,
      nested: { headers: { authorization: `Bearer ${BEARER}` }, note: `retry with ${NMG}` },
      list: [{ apiKey: PASSWORD }, `Bearer ${BEARER}`],
    },
  });
  await sealPending(db.sql);
  const dump = await db.sql<{ row: string }[]>`select audit_events::text as row from audit_events`;
  const text = dump.map((r) => r.row).join("\n");
  expect(text).toContain("dc1");
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(BEARER);
  expect(text).not.toContain(NMG);
  expect(text).not.toContain(BEARER.slice(0, 20));
  expect((await verifyAuditChain(db.sql)).ok).toBe(true);
});

test("huge or hostile text is bounded before it is masked", () => {
  const started = performance.now();
  const hostile = redactDetails({ a: "eyJ-".repeat(250_000), b: `${"x".repeat(1990)} Bearer ${"t".repeat(40)}` });
  expect(performance.now() - started).toBeLessThan(1000);
  expect((hostile.a as string).length).toBeLessThanOrEqual(2000);
  expect(hostile.b).not.toContain("tttttttt");
});

test("keys such as __proto__ stay visible keys in audit details, exactly as sent", () => {
  const sent = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "c", "name": "n"}');
  const out = redactDetails(sent);
  expect(Object.keys(out)).toEqual(["__proto__", "constructor", "name"]);
  expect(JSON.parse(JSON.stringify(out))).toEqual(sent);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test("characters PostgreSQL refuses never fail an insert: escaped, and the row says so", async () => {
  const { id } = await recordAudit(db.sql, {
    action: "mcp.call",
    status: "ok",
    actor: { username: "a\u0000b", userAgent: "cli\ud800" },
    details: { body: { "k\u0000": ["x\u0000y", "\udfff"] }, fine: "ok" },
  });
  const [row] = await db.sql<
    { username: string; user_agent: string; details: Record<string, unknown> }[]
  >`select username, user_agent, details from audit_events where id = ${id}`;
  expect(row!.username).toBe("a\\u0000b");
  expect(row!.user_agent).toBe("cli\\ud800");
  expect(row!.details).toEqual({
    body: { "k\\u0000": ["x\\u0000y", "\\udfff"] },
    fine: "ok",
    _normalised: ["username", "userAgent", "details"],
  });
  const clean = await recordAudit(db.sql, {
    action: "mcp.call",
    status: "ok",
    details: { text: "\ud83d\ude00 \\u0000 literal" },
  });
  const [plain] = await db.sql<
    { details: Record<string, unknown> }[]
  >`select details from audit_events where id = ${clean.id}`;
  expect(plain!.details).toEqual({ text: "\ud83d\ude00 \\u0000 literal" });
});
