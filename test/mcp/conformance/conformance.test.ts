/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, run under Bun as the
 * suite requires) against the gateway's real MCP routes, for both spec eras it serves: the
 * 2025-11-25 requirement set (initialize handshake) and the 2026-07-28 set (stateless).
 *
 * The suite cannot send a bearer token, so the routes are served by the test harness with one
 * fixed principal (admin) in place of authentication — a dependency of `mcpRoutes()`, never a
 * setting (routes-harness.ts). Scenarios that exercise the suite's own fixture tools, prompts
 * and resources cannot pass against a gateway and are listed, each with its reason, in
 * expected-failures.yml. A failure not listed there fails this test, and so does a listed
 * scenario that now passes (a stale baseline hides regressions).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startMcpWorld } from "../../support/mcp-world.ts";
import { serveRoutes } from "../routes-harness.ts";

const SUITE = resolve(import.meta.dir, "../../../node_modules/@modelcontextprotocol/conformance/dist/index.js");
const BASELINE = resolve(import.meta.dir, "expected-failures.yml");

const world = await startMcpWorld();
const gateway = await serveRoutes(world, { asUser: "admin" });
afterAll(async () => {
  await gateway.stop();
  await world.stop();
});

interface Run {
  exitCode: number;
  output: string;
  passed: number;
  failed: number;
  expected: string[];
}

async function runSuite(revision: string): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), `nmg-conformance-${revision}-`));
  const proc = Bun.spawn(
    [
      process.execPath,
      SUITE,
      "server",
      "--url",
      `${gateway.base}/mcp`,
      "--requirements",
      revision,
      "--expected-failures",
      BASELINE,
      "-o",
      out,
    ],
    {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    },
  );
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  // eslint-disable-next-line no-control-regex
  const output = `${stdout}\n${stderr}`.replace(/\u001b\[[0-9;]*m/g, "");
  const totals = /Total: (\d+) passed, (\d+) failed/.exec(output);
  const expectedBlock = output.split("Expected failures (in baseline):")[1]?.split(/\n\s*\n/)[0] ?? "";
  const expected = [...expectedBlock.matchAll(/^\s*~ (\S+)/gm)].map((m) => m[1]!);
  return { exitCode, output, passed: Number(totals?.[1] ?? 0), failed: Number(totals?.[2] ?? 0), expected };
}

function summary(run: Run): string {
  const tail = run.output.slice(run.output.indexOf("=== SUMMARY ==="));
  return tail.length > 6000 ? tail.slice(0, 6000) : tail;
}

/** Baseline entries, without comments: `- scenario` or `- scenario:check-id`. */
function baselineEntries(): string[] {
  return readFileSync(BASELINE, "utf8")
    .split("\n")
    .map((l) => /^\s*-\s*([^\s#]+)/.exec(l)?.[1])
    .filter((e): e is string => !!e);
}

const usedEntries = new Set<string>();

for (const revision of ["2025-11-25", "2026-07-28"]) {
  test(`conformance ${revision}: every failure is a listed fixture scenario, and no listed one passes`, async () => {
    const run = await runSuite(revision);
    if (run.exitCode !== 0) console.log(summary(run));
    expect(run.exitCode).toBe(0);
    // The run really exercised the gateway: the handshake/discovery, tools/list and the
    // DNS-rebinding checks are among what passed.
    expect(run.passed).toBeGreaterThan(20);
    expect(run.output).toMatch(/✓ tools-list: \d+ passed, 0 failed/);
    expect(run.output).toMatch(/✓ dns-rebinding-protection: 2 passed, 0 failed/);
    for (const e of run.expected) usedEntries.add(e);
    console.log(
      `conformance ${revision}: ${run.passed} checks passed, ${run.failed} failed; ${run.expected.length} scenarios failed as listed in the baseline`,
    );
  }, 180_000);
}

test("every baseline entry is still needed by one of the two runs", () => {
  const unused = baselineEntries().filter((e) => !usedEntries.has(e));
  expect(unused).toEqual([]);
});
