/**
 * `bun bench/gateway-profile.bench.ts` — where the gateway process's own CPU goes per call.
 *
 * The gateway runs under `bun --cpu-prof` while 50 raw Streamable HTTP clients call
 * list_fabrics for a few seconds; the samples taken in that window are split by the package or
 * app folder that caused them (support/cpu-profile.ts) and turned into CPU-ms per call with
 * the process's CPU time from /proc. The catalog is the core document only, so the per-call
 * schema load measured in gateway-overhead does not drown everything else.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { processCpuMs } from "./support/cpu.ts";
import { profileShares } from "./support/cpu-profile.ts";
import { runPhase } from "./support/load.ts";
import { expectOk } from "./support/overhead-targets.ts";
import { writeResult } from "./support/results.ts";
import { streamableClient } from "./support/streamable-client.ts";
import { printTable } from "./support/table.ts";
import { startBenchWorld } from "./support/world.ts";

const CLIENTS = 50;
const WINDOW_MS = 5000;

async function main(): Promise<void> {
  const profileDir = join(import.meta.dir, "..", ".tmp", `gateway-profile-${process.pid}`);
  mkdirSync(profileDir, { recursive: true });
  const world = await startBenchWorld({
    loadTokens: CLIENTS,
    clusterConcurrency: 64,
    gatewayBunFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-name=gateway.cpuprofile"],
  });
  try {
    const clients = world.loadTokens.map((t) => streamableClient(world.gateway.mcpUrl, t, world.gateway.ca));
    const calls = clients.map(
      (c) => async () => expectOk(await c.request("tools/call", { name: "list_fabrics", arguments: {} }), "http"),
    );
    await runPhase(calls, { warmupMs: 0, durationMs: 1000 });
    const from = Date.now();
    const cpuBefore = processCpuMs(world.gateway.pid);
    const run = await runPhase(calls, { warmupMs: 0, durationMs: WINDOW_MS });
    const cpuMs = processCpuMs(world.gateway.pid) - cpuBefore;
    const to = Date.now();
    await world.gateway.stop(); // the profile is written on exit
    const { samples, shares } = profileShares(join(profileDir, "gateway.cpuprofile"), from, to);
    const perCall = cpuMs / run.totalCalls;
    printTable(
      `gateway process CPU by cause, ${CLIENTS} clients × list_fabrics, ${run.totalCalls} calls in ${WINDOW_MS / 1000} s, ${perCall.toFixed(2)} CPU-ms per call (${samples} samples)`,
      ["caused by", "share", "CPU-ms per call"],
      shares.slice(0, 12).map((s) => [s.owner, `${(s.share * 100).toFixed(1)} %`, (s.share * perCall).toFixed(3)]),
    );
    writeResult("gateway-profile", {
      clients: CLIENTS,
      windowMs: WINDOW_MS,
      calls: run.totalCalls,
      callsPerSecond: run.summary.perSecond,
      cpuMsPerCall: perCall,
      samples,
      shares,
    });
  } finally {
    await world.stop();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

await main();
