/**
 * `bun run demo` options: a wrong --specs stops the demo before anything starts, with the
 * reason and the fix (the full demo boot is covered by embedded.test.ts; an import of Cisco's
 * documents by test/catalog).
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const demo = resolve(import.meta.dir, "../../scripts/demo.ts");

async function run(...args: string[]) {
  const proc = Bun.spawn(["bun", demo, ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  return { code, err };
}

test("--specs must name a directory of documents; other options are refused", async () => {
  expect(await run("--specs")).toMatchObject({ code: 2, err: expect.stringContaining("--specs needs a directory") });
  expect(await run("--specs", "/nonexistent/nd-openapi")).toMatchObject({
    code: 2,
    err: expect.stringContaining("no such directory"),
  });
  const empty = mkdtempSync(join(tmpdir(), "nmg-specs-"));
  try {
    expect(await run(`--specs=${empty}`)).toMatchObject({
      code: 2,
      err: expect.stringContaining("no .json documents in it"),
    });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  expect(await run("--spec", "x")).toMatchObject({ code: 2, err: expect.stringContaining("unknown option --spec") });
});
