/**
 * Tables and verdicts of the overhead bench. "Added" latency is the gateway's (or peer's)
 * percentile minus the direct call's at the same load. With N closed-loop clients on C cores,
 * a saturated system answers in ≈ N × (CPU per call) / C, so the extra CPU per call is what
 * decides the added latency at 50 clients; it is printed beside the verdicts.
 */
import { cpus } from "node:os";
import type { LatencySummary } from "./stats.ts";
import { printTable } from "./table.ts";
import type { Target } from "./overhead-targets.ts";

export const TARGETS = { clients: 50, addedP50Ms: 1, addedP99Ms: 5, auditedPerSecond: 1000 };

export interface PhaseResult extends LatencySummary {
  target: Target;
  mode: "closed" | "paced";
  concurrency: number;
  /** Paced phases: calls per second offered. */
  offeredPerSecond: number | null;
  totalCalls: number;
  errors: number;
  firstError: string | null;
  auditRows: number | null;
  dbCommitsPerCall: number | null;
  /** Statements the gateway sent to PostgreSQL per call (warm-up and the phase's own reads included). */
  dbRoundTripsPerCall?: number | null;
  cpuMsPerCall: Record<string, number>;
  loadAverage1m: number;
  /** Set on phases run with a changed set-up (e.g. "lean catalog"). */
  variant?: string;
}

export interface Verdict {
  transport: "http" | "sse";
  addedP50Ms: number;
  addedP99Ms: number;
  callsPerSecond: number;
  everyCallAudited: boolean;
  extraCpuMsPerCall: number;
  met: { addedP50: boolean; addedP99: boolean; throughput: boolean };
}

const cpuTotal = (p: PhaseResult) => Object.values(p.cpuMsPerCall).reduce((s, x) => s + x, 0);

function baseline(phases: PhaseResult[], p: PhaseResult): PhaseResult | undefined {
  return phases.find(
    (d) =>
      d.target === "direct" &&
      d.mode === p.mode &&
      d.concurrency === p.concurrency &&
      d.offeredPerSecond === p.offeredPerSecond,
  );
}

function addedCells(phases: PhaseResult[], p: PhaseResult): string[] {
  const d = baseline(phases, p);
  if (p.target === "direct" || !d) return ["—", "—"];
  return [(p.p50Ms - d.p50Ms).toFixed(2), (p.p99Ms - d.p99Ms).toFixed(2)];
}

export function printPhases(phases: PhaseResult[], phaseMs: number, warmupMs: number, lean: PhaseResult[] = []): void {
  const closed = phases.filter((p) => p.mode === "closed");
  printTable(
    `(c)/(d) one read call (ND fabric list), closed loop, ${phaseMs / 1000} s per phase after ${warmupMs / 1000} s warm-up, ${cpus().length} CPUs`,
    ["target", "clients", "calls/s", "p50 ms", "p99 ms", "added p50", "added p99", "audited/calls", "errors"],
    closed.map((p) => [
      p.target,
      p.concurrency,
      p.perSecond,
      p.p50Ms.toFixed(2),
      p.p99Ms.toFixed(2),
      ...addedCells(phases, p),
      p.auditRows === null ? "—" : `${p.auditRows}/${p.totalCalls}`,
      p.errors,
    ]),
  );
  const paced = phases.filter((p) => p.mode === "paced");
  if (paced.length) {
    printTable(
      `paced (open loop) at a fixed offered rate, ${paced[0]!.concurrency} clients: the latency people feel short of saturation`,
      ["target", "offered/s", "done/s", "p50 ms", "p99 ms", "added p50", "added p99"],
      paced.map((p) => [
        p.target,
        p.offeredPerSecond ?? 0,
        p.perSecond,
        p.p50Ms.toFixed(2),
        p.p99Ms.toFixed(2),
        ...addedCells(phases, p),
      ]),
    );
  }
  if (lean.length) {
    printTable(
      "the same calls with manage.listFabrics from the core document (1 component schema instead of Cisco's 141)",
      ["target", "mode", "calls/s", "p50 ms", "p99 ms", "added p50", "added p99", "gateway CPU ms", "postgres CPU ms"],
      lean.map((p) => [
        p.target,
        p.mode === "paced" ? `paced ${p.offeredPerSecond}/s` : `closed × ${p.concurrency}`,
        p.perSecond,
        p.p50Ms.toFixed(2),
        p.p99Ms.toFixed(2),
        ...addedCells(phases, p),
        (p.cpuMsPerCall.gateway ?? 0).toFixed(2),
        (p.cpuMsPerCall.postgres ?? 0).toFixed(2),
      ]),
    );
  }
  const keys = [...new Set(phases.flatMap((p) => Object.keys(p.cpuMsPerCall)))];
  printTable(
    "CPU per call, ms (closed loop; the machine has 2,000 CPU-ms per second)",
    ["target", "clients", ...keys, "total", "DB commits/call", "DB round trips/call"],
    closed.map((p) => [
      p.target,
      p.concurrency,
      ...keys.map((k) => (p.cpuMsPerCall[k] ?? 0).toFixed(2)),
      cpuTotal(p).toFixed(2),
      p.dbCommitsPerCall === null ? "—" : p.dbCommitsPerCall.toFixed(1),
      p.dbRoundTripsPerCall == null ? "—" : p.dbRoundTripsPerCall.toFixed(2),
    ]),
  );
}

export function verdicts(phases: PhaseResult[]): Verdict[] {
  return (["http", "sse"] as const).flatMap((t) => {
    const p = phases.find((x) => x.target === t && x.mode === "closed" && x.concurrency === TARGETS.clients);
    const d = p && baseline(phases, p);
    if (!p || !d) return [];
    const addedP50Ms = p.p50Ms - d.p50Ms;
    const addedP99Ms = p.p99Ms - d.p99Ms;
    const everyCallAudited = p.auditRows === p.totalCalls && p.errors === 0;
    return [
      {
        transport: t,
        addedP50Ms,
        addedP99Ms,
        callsPerSecond: p.perSecond,
        everyCallAudited,
        extraCpuMsPerCall: cpuTotal(p) - cpuTotal(d),
        met: {
          addedP50: addedP50Ms <= TARGETS.addedP50Ms,
          addedP99: addedP99Ms <= TARGETS.addedP99Ms,
          throughput: p.perSecond >= TARGETS.auditedPerSecond && everyCallAudited,
        },
      },
    ];
  });
}

export function printVerdicts(vs: Verdict[]): void {
  const miss = (ok: boolean, by: string) => (ok ? "met" : `NOT met (${by})`);
  console.log("");
  for (const v of vs) {
    console.log(
      `${v.transport} at ${TARGETS.clients} clients: added p50 ${v.addedP50Ms.toFixed(2)} ms — ${miss(v.met.addedP50, `${(v.addedP50Ms / TARGETS.addedP50Ms).toFixed(0)}× the 1 ms target`)}; ` +
        `added p99 ${v.addedP99Ms.toFixed(2)} ms — ${miss(v.met.addedP99, `${(v.addedP99Ms / TARGETS.addedP99Ms).toFixed(0)}× the 5 ms target`)}; ` +
        `${v.callsPerSecond.toFixed(0)} audited calls/s — ${miss(v.met.throughput, `${((v.callsPerSecond / TARGETS.auditedPerSecond) * 100).toFixed(0)} % of 1,000/s${v.everyCallAudited ? "" : "; NOT every call audited"}`)}`,
    );
  }
  const budgetMs = (cpus().length * TARGETS.addedP50Ms) / TARGETS.clients;
  const extra = Math.max(...vs.map((v) => v.extraCpuMsPerCall));
  console.log(
    `CPU budget: adding ≤ ${TARGETS.addedP50Ms} ms at ${TARGETS.clients} closed-loop clients on ${cpus().length} cores allows ≈ ${(budgetMs * 1000).toFixed(0)} µs of extra CPU per call; a gateway call costs ≈ ${extra.toFixed(2)} ms more CPU than a direct one (all processes)`,
  );
}
