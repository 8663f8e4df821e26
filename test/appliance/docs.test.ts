/**
 * What the appliance's docs promise matches what the checks measure: the gateway's exposure in
 * README and docs/appliance.md is the one `systemd-analyze security --offline` computes, the
 * build host line installs every tool build.sh needs (git and curl too) in one copy-paste, the
 * docs say the build packages the committed HEAD, and no doc tells an operator to run apt
 * inside the appliance (its firewall cannot reach a mirror: OS updates are a new image).
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { APPLIANCE, REPO, missing, run, stagedRoot } from "./tools.ts";

const readme = readFileSync(join(REPO, "README.md"), "utf8");
const doc = readFileSync(join(REPO, "docs/appliance.md"), "utf8");
const staged = missing("systemd-analyze").length ? undefined : stagedRoot();
afterAll(() => staged?.cleanup());

test.skipIf(!staged)("the documented gateway exposure is the measured one", () => {
  const r = run([
    "systemd-analyze",
    "security",
    "--offline=yes",
    join(staged!.root, "usr/lib/systemd/system/nexus-mcp.service"),
  ]);
  const measured = /Overall exposure level for \S+: ([0-9.]+)/.exec(r.out + r.err)?.[1];
  expect(measured).toBeDefined();
  expect(readme).toContain(`gateway exposure ${measured}`);
  expect(doc).toContain(`Exposure ${measured}.`);
});

test("one copy-paste line installs the build host, git and curl included", () => {
  const line = doc.split("\n").find((l) => l.startsWith("apt-get update && apt-get install -y "));
  expect(line).toBeDefined();
  const pkgs = line!.split(/\s+/);
  // the packages that provide what build.sh checks for, and the tests' tools
  for (const p of [
    "mmdebstrap",
    "fdisk",
    "e2fsprogs",
    "dosfstools",
    "mtools",
    "grub2-common",
    "grub-pc-bin",
    "grub-efi-amd64-bin",
    "qemu-utils",
    "cpio",
    "git",
    "libxml2-utils",
    "curl",
    "whiptail",
    "tmux",
    "nftables",
    "qemu-system-x86",
    "openssl",
  ]) {
    expect(pkgs).toContain(p);
  }
  const checked = /for t in ([^;]+); do/.exec(readFileSync(join(APPLIANCE, "build.sh"), "utf8"))?.[1]?.split(" ") ?? [];
  expect(checked).toContain("git");
  expect(doc).toContain("committed `HEAD` only");
});

test("no doc tells an operator to run apt inside the appliance; the decision is written down", () => {
  for (const text of [readme, doc]) expect(text).not.toMatch(/apt-get (update && apt-get )?upgrade/);
  expect(doc).toContain("OS updates = a new image + restore");
  expect(readFileSync(join(REPO, "docs/decisions.md"), "utf8")).toContain(
    "Appliance OS updates: a new image and a restore",
  );
});
