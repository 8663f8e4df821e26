/**
 * `bun bench/support/sim-child.ts '<SimulatorOptions JSON>' READY_FILE`: the ND simulator in its
 * own process. Writes {url, caPem} to READY_FILE once listening; stops on SIGTERM.
 */
import { renameSync, writeFileSync } from "node:fs";
import { startSimulator } from "../../sim/simulator.ts";

const [optionsJson, readyFile] = process.argv.slice(2);
const sim = await startSimulator(JSON.parse(optionsJson ?? "{}"));
// Written aside, then renamed: the parent polls for the file and must never read half of it.
writeFileSync(`${readyFile}.part`, JSON.stringify({ url: sim.url, caPem: sim.caPem, routes: sim.routeCount }));
renameSync(`${readyFile}.part`, readyFile!);
const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
