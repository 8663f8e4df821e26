/**
 * The image build never copies, packs or deletes a root tree with something mounted inside it.
 * A past build copied the mmdebstrap cache while /proc was still mounted in it and filled the disk
 * with a 78 GB file. Static: every copy of a root tree is `cp -ax` (one file system) after
 * `release_mounts` of source and target, every `rm -rf` of a tree is `--one-file-system`, and
 * `mkfs.ext4 -d` runs after `release_mounts`. Live: appliance/build/mounts.sh unmounts a real
 * proc, sysfs-like tmpfs and a nested mount inside a throwaway tree (user + mount namespace).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APPLIANCE, run, tempDir } from "./tools.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const read = (f: string) => readFileSync(join(APPLIANCE, f), "utf8");
/** Lines that are code, not comments. */
const code = (f: string) =>
  read(f)
    .split("\n")
    .filter((l) => !/^\s*#/.test(l));

describe("static: no copy of a root tree follows a mount", () => {
  const scripts = ["build.sh", "build/rootfs.sh", "build/disk.sh"];

  test.each(scripts)("%s sources build/mounts.sh", (f) => {
    expect(read(f)).toMatch(/^source .*\/mounts\.sh"$/m);
  });

  test("build.sh: the cache and the old tree are released, then copied with cp -ax", () => {
    const lines = code("build.sh");
    const copy = lines.findIndex((l) => /\bcp -a/.test(l) && l.includes('"$cache"'));
    expect(copy).toBeGreaterThan(-1);
    expect(lines[copy]).toMatch(/\bcp -ax "\$cache" "\$tree"/);
    const before = lines.slice(0, copy + 1).join("\n");
    expect(before).toContain('release_mounts "$cache"');
    expect(before).toContain('release_mounts "$tree"');
    // released on the same line or before: the copy runs only when nothing is mounted
    expect(lines[copy]).toMatch(/rm -rf --one-file-system "\$tree"/);
  });

  test("no script copies, archives or sizes a tree across file systems", () => {
    for (const f of [
      ...scripts,
      "build/customize.sh",
      "build/install-files.sh",
      "build/payload.sh",
      "build/check-tree.sh",
    ]) {
      for (const l of code(f)) {
        // the source of a copy is a root tree: it must stay on its file system
        const src = /\bcp -a\w* "\$\{?(\w+)/.exec(l)?.[1];
        if (src && ["cache", "tree", "R", "old"].includes(src)) expect(`${f}: ${l}`).toMatch(/\bcp -a\w*x/);
        if (/\bdu -s/.test(l)) expect(`${f}: ${l}`).toMatch(/du -s\w*x/);
        if (/\brm -rf\b/.test(l) && /"\$(tree|old)"/.test(l)) expect(`${f}: ${l}`).toContain("--one-file-system");
      }
    }
  });

  test("rootfs.sh releases mounts after mmdebstrap, before reusing a cache and before deleting one", () => {
    const text = code("build/rootfs.sh").join("\n");
    const boot = text.indexOf("mmdebstrap --variant");
    expect(text.indexOf('release_mounts "$tree"', boot)).toBeGreaterThan(boot);
    expect(text).toMatch(/release_mounts "\$old"; rm -rf --one-file-system "\$old"/);
    expect(text).toMatch(/\.complete \]\]; then\n\s*release_mounts "\$tree"/);
  });

  test("disk.sh releases mounts before mkfs.ext4 -d reads the tree", () => {
    const text = code("build/disk.sh").join("\n");
    const rel = text.indexOf('release_mounts "$R"');
    expect(rel).toBeGreaterThan(-1);
    expect(text.indexOf("mkfs.ext4")).toBeGreaterThan(rel);
  });
});

describe("live: release_mounts in a user + mount namespace", () => {
  const can = run(["unshare", "-rmpf", "true"]).code === 0;
  test.skipIf(!can)("unmounts proc, a tmpfs and a nested mount; a busy one lazily; nothing is left", () => {
    const d = tempDir("nexus-mounts-");
    dirs.push(d);
    const tree = join(d, "tree with space");
    for (const sub of ["proc", "dev/pts", "sys"]) mkdirSync(join(tree, sub), { recursive: true });
    writeFileSync(join(tree, "etc-file"), "x");
    const script = `
      set -e
      source '${join(APPLIANCE, "build/mounts.sh")}'
      t='${tree}'
      mount -t proc proc "$t/proc"
      mount -t tmpfs dev "$t/dev"; mkdir -p "$t/dev/pts"; mount -t tmpfs pts "$t/dev/pts"
      mount -t tmpfs sys "$t/sys"
      # a process keeps sys busy: a plain umount is refused, the lazy one works
      (cd "$t/sys" && sleep 30) & busy=$!
      sleep 0.2
      echo "before: $(mounts_under "$t" | wc -l)"
      release_mounts "$t"
      echo "after: $(mounts_under "$t" | wc -l)"
      kill $busy
      cp -ax "$t" "$t.copy"; du -sk "$t.copy" | cut -f1
    `;
    const r = run(["unshare", "-rmpf", "--mount-proc", "bash", "-c", script]);
    expect(r.err).toBe("");
    expect(r.out).toContain("before: 4");
    expect(r.out).toContain("after: 0");
    // the copy holds the tree itself: a few KiB, not /proc's kcore
    expect(Number(r.out.trim().split("\n").at(-1))).toBeLessThan(100);
  });

  test.skipIf(!can)("a mount that cannot be released stops the build with its name", () => {
    const d = tempDir("nexus-mounts-");
    dirs.push(d);
    const tree = join(d, "tree");
    mkdirSync(join(tree, "proc"), { recursive: true });
    // umount is replaced by one that always fails: the mount stays and release_mounts must say so
    const script = `
      source '${join(APPLIANCE, "build/mounts.sh")}'
      mount -t tmpfs x '${tree}/proc'
      umount() { return 32; }
      release_mounts '${tree}'; echo "rc=$?"
    `;
    const r = run(["unshare", "-rm", "bash", "-c", script]);
    expect(r.out).toContain("rc=1");
    expect(r.err).toContain(`still mounted under ${tree}`);
    expect(r.err).toContain(`${tree}/proc`);
  });
});
