/**
 * The appliance's admin commands without a VM: they parse, refuse what they must before touching
 * the system (a bundle with `..` or absolute paths, a wrong checksum, a missing RELEASE), and the
 * update bundle builder produces what nexus-mcp-update expects. Their real runs (backup, restore,
 * update, rollback) are in appliance/boot-test.ts.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APPLIANCE, run, tempDir } from "./tools.ts";

setDefaultTimeout(60_000);
const BIN = join(APPLIANCE, "bin");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const isRoot = process.getuid?.() === 0;

test("every admin script parses (bash -n)", () => {
  for (const f of readdirSync(BIN)) {
    const r = run(["bash", "-n", join(BIN, f)]);
    expect(`${f}: ${r.err}`).toBe(`${f}: `);
  }
});

test("nexus-mcp-cli sends backup and restore to their own commands", () => {
  const r = run(["bash", join(BIN, "nexus-mcp-cli"), "restore", "--in", "x"]);
  if (!isRoot) return expect(r.err).toContain("run as root");
  expect(r.code).toBe(64);
  expect(r.err).toContain("use nexus-mcp-restore");
});

describe.skipIf(!isRoot)("nexus-mcp-update refuses a bad bundle before changing anything", () => {
  const d = tempDir("nexus-update-");
  dirs.push(d);
  const tree = join(d, "tree");
  mkdirSync(join(tree, "app"), { recursive: true });
  writeFileSync(join(tree, "app/main.ts"), "");

  test("absolute or .. paths", () => {
    const evil = join(d, "evil.tar.gz");
    // tar itself strips `..` when creating; write the member the way an attacker would
    run(["python3", "-c", "import io,sys,tarfile\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('../../etc/cron.d/x')\nt.addfile(i,io.BytesIO(b''))\nt.close()", evil]);
    const r = run(["bash", join(BIN, "nexus-mcp-update"), evil]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("absolute or .. paths; refused");
  });

  test("a checksum that does not match", () => {
    const good = join(d, "good.tar.gz");
    run(["tar", "-C", tree, "-czf", good, "."]);
    const r = run(["bash", join(BIN, "nexus-mcp-update"), good, "--sha256", "00".repeat(32)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("does not match the SHA-256 given");
  });

  test("usage", () => {
    expect(run(["bash", join(BIN, "nexus-mcp-update")]).code).toBe(64);
    expect(run(["bash", join(BIN, "nexus-mcp-restore")]).code).toBe(64);
    expect(run(["bash", join(BIN, "nexus-mcp-backup"), "--keep", "x"]).code).toBe(64);
  });
});
