/**
 * The appliance's admin commands without a VM: they parse, refuse what they must before touching
 * the system (a bundle with `..` or absolute paths, a wrong checksum, a missing RELEASE), and the
 * update bundle builder produces what nexus-mcp-update expects. Their real runs (backup, restore,
 * update, rollback) are in appliance/boot-test.ts.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
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
    run([
      "python3",
      "-c",
      "import io,sys,tarfile\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('../../etc/cron.d/x')\nt.addfile(i,io.BytesIO(b''))\nt.close()",
      evil,
    ]);
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

describe("nexus-mcp-names (ROOT=, APPLY=0)", () => {
  const d = tempDir("nexus-names-");
  dirs.push(d);
  const root = join(d, "root");
  mkdirSync(join(root, "etc/nexus-mcp"), { recursive: true });
  writeFileSync(join(root, "etc/hostname"), "nexus01\n");
  writeFileSync(
    join(root, "etc/nexus-mcp/gateway.env"),
    "UI_PORT=7443\nPUBLIC_HOSTNAMES=nexus01\nTLS_SANS=nexus01\nTLS_CN=nexus01\nLOG_LEVEL=info\n",
  );
  const names = (...args: string[]) =>
    run(["bash", join(BIN, "nexus-mcp-names"), ...args], { env: { ROOT: root, APPLY: "0" } });
  const env = () => readFileSync(join(root, "etc/nexus-mcp/gateway.env"), "utf8");

  test("set: host name, its short form and the other names in one rewrite; other keys kept", () => {
    const r = names("set", "--hostname", "nexus01.corp.example.com", "mcp.example.com", "2001:db8::7");
    expect(r.code).toBe(0);
    expect(env()).toContain("PUBLIC_HOSTNAMES=nexus01.corp.example.com,nexus01,mcp.example.com,2001:db8::7\n");
    expect(env()).toContain("TLS_CN=nexus01.corp.example.com\n");
    expect(env()).toContain("UI_PORT=7443\nLOG_LEVEL=info\n");
    expect(readFileSync(join(root, "etc/hostname"), "utf8")).toBe("nexus01.corp.example.com\n");
  });

  test("refresh keeps the other names (the console's network change uses it)", () => {
    expect(names("refresh").code).toBe(0);
    expect(env()).toContain("TLS_SANS=nexus01.corp.example.com,nexus01,mcp.example.com,2001:db8::7\n");
  });

  test("a bad name is refused with the reason, nothing changed", () => {
    const before = env();
    const r = names("set", "ok.example.com", "bad_name");
    expect(r.code).toBe(2);
    expect(r.err).toContain('"bad_name" is not a host name or an IP address');
    expect(env()).toBe(before);
  });
});
