/**
 * The nftables ruleset, checked without privileges: `nft -c` inside an unprivileged user+network
 * namespace (`unshare -rn`) against the files the image installs, with the wizard's set files;
 * then really loaded there to read the sets back. The packet test (two namespaces, needs root)
 * is appliance/test-firewall-netns.sh.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";

// shell-outs are slow when the machine is busy (an image build or a VM on the other core)
setDefaultTimeout(30_000);
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APPLIANCE, missing, run, skipMessage, stagedRoot } from "./tools.ts";

const need = missing("nft", "unshare", "bash");
const userns = need.length === 0 && run(["unshare", "-rn", "true"]).code === 0;
if (need.length) console.warn(skipMessage("appliance firewall", need));
else if (!userns)
  console.warn("appliance firewall: skipped, unprivileged user namespaces are disabled on this machine");
const staged = need.length || !userns ? undefined : stagedRoot();
afterAll(() => staged?.cleanup());

/** The image's /etc/nftables.conf with its include pointed into the staged root. */
function rules(root: string): string {
  const text = readFileSync(join(root, "etc/nftables.conf"), "utf8").replaceAll('"/etc/', `"${root}/etc/`);
  const path = join(root, "nftables.test.conf");
  writeFileSync(path, text);
  return path;
}

function writeSets(root: string, name: string, list: string): void {
  const r = run(["bash", join(APPLIANCE, "bin/nexus-mcp-firewall"), "set", name, ...list.split(" ")], {
    env: { ROOT: root, APPLY: "0" },
  });
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
}

describe.skipIf(!staged)("nftables ruleset", () => {
  test("parses with no set files (unconfigured box: everything closed)", () => {
    const r = run(["unshare", "-rn", "nft", "-c", "-f", rules(staged!.root)]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
  });

  test("loads with the wizard's set files and holds their elements", () => {
    writeSets(staged!.root, "trusted", "192.0.2.0/24 2001:db8::/64");
    writeSets(staged!.root, "mgmt", "192.0.2.10");
    writeSets(staged!.root, "clusters", "0.0.0.0/0 ::/0");
    const path = rules(staged!.root);
    expect(run(["unshare", "-rn", "nft", "-c", "-f", path]).code).toBe(0);
    const r = run(["unshare", "-rn", "sh", "-c", `nft -f '${path}' && nft list table inet nexus`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/set trusted_v4 \{[^}]*192\.0\.2\.0\/24/s);
    expect(r.out).toMatch(/set trusted_v6 \{[^}]*2001:db8::\/64/s);
    expect(r.out).toMatch(/set mgmt_v4 \{[^}]*192\.0\.2\.10/s);
    expect(r.out).toMatch(/policy drop/);
  });

  test("the input chain drops by default and never admits 5432", () => {
    const text = readFileSync(join(staged!.root, "etc/nftables.conf"), "utf8");
    expect(text).toMatch(/hook input priority filter; policy drop;/);
    expect(text).toMatch(/hook forward priority filter; policy drop;/);
    expect(text).toMatch(/tcp dport \$PG_PORT counter drop/);
    expect(text).not.toMatch(/dport[^\n]*5432[^\n]*accept/);
  });

  test("a set update is one transaction of flush + add", () => {
    writeSets(staged!.root, "trusted", "198.51.100.0/24");
    const file = readFileSync(join(staged!.root, "etc/nexus-mcp/firewall/trusted.nft"), "utf8");
    const statements = file.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(statements).toEqual([
      "flush set inet nexus trusted_v4",
      "flush set inet nexus trusted_v6",
      "add element inet nexus trusted_v4 { 198.51.100.0/24 }",
    ]);
  });

  test("an invalid network is refused and the saved set stays as it was", () => {
    const before = readFileSync(join(staged!.root, "etc/nexus-mcp/firewall/trusted.nft"), "utf8");
    const r = run(["bash", join(APPLIANCE, "bin/nexus-mcp-firewall"), "set", "trusted", "192.0.2.300/24"], {
      env: { ROOT: staged!.root, APPLY: "0" },
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain("not a valid");
    expect(readFileSync(join(staged!.root, "etc/nexus-mcp/firewall/trusted.nft"), "utf8")).toBe(before);
  });
});
