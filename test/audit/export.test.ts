import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvCell } from "../../app/audit/audit-export.ts";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { exportCommand, parseWhen } from "../../app/cli/audit.ts";
import { sealPending } from "../../app/audit/audit-seal.ts";
import { freshDatabase } from "../support/db.ts";
import { asTamperer, event, fakeCli } from "./helpers.ts";

const db = await freshDatabase();
afterAll(() => db.close());

await recordAudit(
  db.sql,
  event(1, { action: "user.create", actor: { username: '=HYPERLINK("http://evil")' }, error: null }),
);
await recordAudit(
  db.sql,
  event(2, { action: "mcp.call", status: "failed", error: "+cmd|' /C calc'!A0", cluster: { id: "c2", name: "dc2" } }),
);
await recordAudit(
  db.sql,
  event(3, {
    action: "mcp.request",
    status: "denied",
    reason: "-2+3",
    details: { note: "@SUM(A1)", multi: 'line1\nline2, "quoted"' },
  }),
);
await recordAudit(
  db.sql,
  event(4, { action: "auth.login", actor: { username: "alice" }, reason: "\tTAB", error: "\rCR" }),
);
await asTamperer(
  db.sql,
  (tx) => tx`update audit_events set occurred_at = '2026-01-10T12:00:00Z' where action = 'auth.login'`,
);
await sealPending(db.sql);

/** A minimal RFC 4180 parser for checking the output. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\n") row.push(cell), rows.push(row), (row = []), (cell = "");
    else cell += ch;
  }
  return rows;
}

async function runExport(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const cli = fakeCli(db.sql);
  const code = await exportCommand(cli.ctx, args);
  return { code, out: cli.out, err: cli.err };
}

test("CSV cells a spreadsheet would evaluate are neutralised; quoting is RFC 4180", () => {
  expect(csvCell("=1+1")).toBe(`"'=1+1"`);
  expect(csvCell("+1")).toBe(`"'+1"`);
  expect(csvCell("-1")).toBe(`"'-1"`);
  expect(csvCell("@x")).toBe(`"'@x"`);
  expect(csvCell("\tx")).toBe(`"'\tx"`);
  expect(csvCell("\rx")).toBe(`"'\\u000dx"`);
  expect(csvCell('a "b", c')).toBe(`"a ""b"", c"`);
  expect(csvCell("plain")).toBe(`"plain"`);
});

test("CSV cells never carry a control character a terminal would act on", () => {
  for (const ch of ["\u001b", "\r", "\n", "\u0007", "\u0000", "\u007f", "\u009b"]) {
    const cell = csvCell(`a${ch}[31mb`);
    expect(cell).not.toContain(ch);
    expect(cell).toBe(`"a\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}[31mb"`);
  }
  expect(csvCell("tab\tinside")).toBe(`"tab\tinside"`);
});

test("`audit export --format csv` writes every event, neutralised and parseable", async () => {
  const { code, out } = await runExport(["--format", "csv"]);
  expect(code).toBe(0);
  const rows = parseCsv(out.join("\n") + "\n");
  const header = rows[0]!;
  expect(header.slice(0, 6)).toEqual(["occurredAt", "seq", "id", "kind", "action", "status"]);
  expect(rows.length).toBe(5);
  const col = (name: string) => header.indexOf(name);
  const byAction = new Map(rows.slice(1).map((r) => [r[col("action")]!, r]));
  expect(byAction.get("user.create")![col("username")]).toBe(`'=HYPERLINK("http://evil")`);
  expect(byAction.get("mcp.call")![col("error")]).toBe("'+cmd|' /C calc'!A0");
  expect(byAction.get("mcp.request")![col("reason")]).toBe("'-2+3");
  expect(JSON.parse(byAction.get("mcp.request")![col("details")]!)).toMatchObject({
    note: "@SUM(A1)",
    multi: 'line1\nline2, "quoted"',
  });
  expect(byAction.get("auth.login")![col("reason")]).toBe("'\tTAB");
  expect(byAction.get("auth.login")![col("error")]).toBe("'\\u000dCR");
  // oldest first
  expect(rows[1]![col("action")]).toBe("auth.login");
});

test("filters: user, action prefix, cluster, status, time range", async () => {
  const actions = async (args: string[]) =>
    (await runExport(["--format", "jsonl", ...args])).out
      .map((l) => JSON.parse(l).action as string)
      .filter((a) => a !== "audit.export")
      .sort();
  expect(await actions(["--user", "alice"])).toEqual(["auth.login"]);
  expect(await actions(["--action", "mcp."])).toEqual(["mcp.call", "mcp.request"]);
  expect(await actions(["--action", "mcp.c"])).toEqual(["mcp.call"]);
  expect(await actions(["--cluster", "dc2"])).toEqual(["mcp.call"]);
  expect(await actions(["--status", "denied"])).toEqual(["mcp.request"]);
  expect(await actions(["--until", "2026-01-11"])).toEqual(["auth.login"]);
  expect(await actions(["--since", "2026-01-11"])).toEqual(["mcp.call", "mcp.request", "user.create"]);
  expect(await actions(["--since", "2026-01-10T11:00:00Z", "--until", "2026-01-10T13:00:00Z"])).toEqual(["auth.login"]);
  expect(await actions(["--since", "1d"])).toEqual(["mcp.call", "mcp.request", "user.create"]);
});

test("JSON Lines carry each event as stored, one object per line", async () => {
  const { out } = await runExport(["--format", "jsonl", "--action", "mcp.request"]);
  expect(out.length).toBe(1);
  const row = JSON.parse(out[0]!);
  expect(row).toMatchObject({
    action: "mcp.request",
    status: "denied",
    reason: "-2+3",
    seq: "3",
    details: { note: "@SUM(A1)" },
  });
  expect(row.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
});

test("--out writes a private file and the export itself is audited", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "audit-export-")), "audit.csv");
  const { code, out } = await runExport(["--format", "csv", "--out", path, "--action", "mcp."]);
  expect(code).toBe(0);
  expect(out).toEqual([`exported 2 event(s) to ${path}`]);
  expect(parseCsv(readFileSync(path, "utf8")).length).toBe(3);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const [audit] = await db.sql<{ username: string; details: Record<string, unknown> }[]>`
    select username, details from audit_events where action = 'audit.export' order by id desc limit 1`;
  expect(audit).toMatchObject({ username: "tester", details: { format: "csv", rows: 2, filter: { action: "mcp." } } });
});

test("bad options are a usage error", async () => {
  expect((await runExport([])).code).toBe(2);
  expect((await runExport(["--format", "xml"])).code).toBe(2);
  expect((await runExport(["--format", "csv", "--since", "yesterday"])).code).toBe(2);
  expect((await runExport(["--format", "csv", "--status", "weird"])).code).toBe(2);
  expect(parseWhen("90d", new Date("2026-04-01T00:00:00Z"))!.toISOString()).toBe("2026-01-01T00:00:00.000Z");
});
