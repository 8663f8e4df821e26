/**
 * `bun bench/gateway-overhead.bench.ts [--phase-ms N]` — issue 5 §7 (c) and (d): what the
 * gateway adds to one read call, and what a peer adds.
 *
 * The same read — ND's list of fabrics (GET /api/v1/manage/fabrics?max=20&offset=0) — four ways,
 * at 1 and at 50 concurrent clients, closed loop:
 *   direct   straight to the simulator (HTTPS, keep-alive, the gateway's ND login token)
 *   http     through the gateway: tools/call list_fabrics, Streamable HTTP (stateless POST)
 *   sse      through the gateway: the same over legacy HTTP+SSE (one stream per client)
 *   peer     @ivotoby/openapi-mcp-server (Node, plain HTTP, one session + stream per client)
 * Load clients send raw JSON-RPC (after one SDK sanity call per transport); each has its own
 * API token, as separate assistants would. Every gateway call is audited: the audit rows
 * written during a phase must equal the calls made. CPU per call is read from /proc for each
 * process. Targets at 50 clients: added p50 ≤ 1 ms, added p99 ≤ 5 ms, ≥ 1,000 audited calls/s.
 */
import { cpus, loadavg } from "node:os";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { postgresCpuMs, processCpuMs, selfCpuMs } from "./support/cpu.ts";
import { isToolError, toolText, type RpcResponse } from "./support/jsonrpc.ts";
import { runPhase, type Call } from "./support/load.ts";
import { ndDirect, type NdDirect } from "./support/nd-direct.ts";
import { peerClient, peerInstalled, peerVersion, startPeer, PEER_PACKAGE, type RunningPeer } from "./support/peer.ts";
import { writeResult } from "./support/results.ts";
import { connectSdk } from "./support/sdk-client.ts";
import { sseClient } from "./support/sse-client.ts";
import type { LatencySummary } from "./support/stats.ts";
import { streamableClient, type RpcClient } from "./support/streamable-client.ts";
import { printTable } from "./support/table.ts";
import { startBenchWorld, type BenchWorld } from "./support/world.ts";

const PHASE_MS = Number(process.argv[process.argv.indexOf("--phase-ms") + 1]) || 5000;
const WARMUP_MS = 1000;
const CONCURRENCY = [1, 50] as const;
const ND_PATH = "/api/v1/manage/fabrics?max=20&offset=0";
const TARGETS = { addedP50Ms: 1, addedP99Ms: 5, auditedPerSecond: 1000 };

type Target = "direct" | "http" | "sse" | "peer";

interface PhaseResult extends LatencySummary {
  target: Target;
  concurrency: number;
  totalCalls: number;
  errors: number;
  firstError: string | null;
  auditRows: number | null;
  dbCommitsPerCall: number | null;
  cpuMsPerCall: Record<string, number>;
  loadAverage1m: number;
}

const expectOk = (r: RpcResponse, what: string) => {
  if (isToolError(r)) throw new Error(`${what}: ${r.error?.message ?? toolText(r).slice(0, 200)}`);
};

async function clientsFor(target: Target, n: number, world: BenchWorld, nd: NdDirect, peer: RunningPeer | null): Promise<{ calls: Call[]; close(): Promise<void> }> {
  if (target === "direct") {
    const call: Call = async () => {
      const r = await nd.get(ND_PATH);
      if (r.status !== 200) throw new Error(`direct → HTTP ${r.status}`);
    };
    return { calls: Array.from({ length: n }, () => call), close: async () => {} };
  }
  const tokens = world.loadTokens.slice(0, n);
  let clients: RpcClient[];
  if (target === "http") clients = tokens.map((t) => streamableClient(world.gateway.mcpUrl, t, world.gateway.ca));
  else if (target === "sse") clients = await Promise.all(tokens.map((t) => sseClient(world.gateway.sseUrl, t, world.gateway.ca)));
  else clients = await Promise.all(tokens.map(() => peerClient(peer!.url)));
  const [tool, args] = target === "peer" ? ["lst-fabrics", { max: 20, offset: 0 }] : ["list_fabrics", {}];
  return {
    calls: clients.map((c) => async () => expectOk(await c.request("tools/call", { name: tool, arguments: args }), target)),
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

async function auditCount(world: BenchWorld): Promise<number> {
  const [row] = await world.sql<{ n: number }[]>`select count(*)::int as n from audit_events where action = 'mcp.call' and status = 'ok'`;
  return row!.n;
}

async function commits(world: BenchWorld): Promise<number> {
  const [row] = await world.sql<{ n: string }[]>`select xact_commit::text as n from pg_stat_database where datname = current_database()`;
  return Number(row!.n);
}

function cpuSnapshot(world: BenchWorld, peer: RunningPeer | null): Record<string, number> {
  return {
    gateway: processCpuMs(world.gateway.pid),
    postgres: postgresCpuMs(world.postmasterPidFile),
    simulator: processCpuMs(world.sim.pid),
    ...(peer ? { peer: processCpuMs(peer.child.pid) } : {}),
    "load generator": selfCpuMs(),
  };
}

async function phase(target: Target, concurrency: number, world: BenchWorld, nd: NdDirect, peer: RunningPeer | null): Promise<PhaseResult> {
  const { calls, close } = await clientsFor(target, concurrency, world, nd, peer);
  const gatewayPhase = target === "http" || target === "sse";
  const auditBefore = gatewayPhase ? await auditCount(world) : 0;
  const commitsBefore = gatewayPhase ? await commits(world) : 0;
  const cpuBefore = cpuSnapshot(world, peer);
  const run = await runPhase(calls, { warmupMs: WARMUP_MS, durationMs: PHASE_MS });
  const cpuAfter = cpuSnapshot(world, peer);
  await close();
  const auditRows = gatewayPhase ? (await auditCount(world)) - auditBefore : null;
  const dbCommitsPerCall = gatewayPhase ? ((await commits(world)) - commitsBefore) / run.totalCalls : null;
  const cpuMsPerCall = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, (cpuAfter[k]! - cpuBefore[k]!) / run.totalCalls]));
  return { target, concurrency, ...run.summary, totalCalls: run.totalCalls, errors: run.errors, firstError: run.firstError, auditRows, dbCommitsPerCall, cpuMsPerCall, loadAverage1m: loadavg()[0]! };
}

/** One call through the official SDK on each gateway transport, before the raw loops. */
async function sanity(world: BenchWorld): Promise<void> {
  for (const kind of ["http", "sse"] as const) {
    const client = await connectSdk(world, world.tokens.vera, kind);
    const r = (await client.callTool({ name: "list_fabrics", arguments: {} })) as CallToolResult;
    const text = (r.content[0] as { text: string }).text;
    if (r.isError || !text.startsWith("manage.listFabrics on sim → HTTP 200")) throw new Error(`SDK sanity call over ${kind} failed: ${text}`);
    await client.close();
  }
}

async function main(): Promise<void> {
  const world = await startBenchWorld({ loadTokens: Math.max(...CONCURRENCY), clusterConcurrency: 64 });
  let peer: RunningPeer | null = null;
  const notes: string[] = [];
  try {
    await sanity(world);
    const nd = await ndDirect(world.sim);
    if (peerInstalled()) {
      peer = await startPeer(world.dir, world.sim, { Authorization: `Bearer ${nd.token}` });
      const probe = await peerClient(peer.url);
      expectOk(await probe.request("tools/call", { name: "lst-fabrics", arguments: { max: 20, offset: 0 } }), "peer sanity");
      await probe.close();
    } else {
      notes.push(`${PEER_PACKAGE} is not installed (bun install); the peer rows are missing`);
    }
    const targets: Target[] = peer ? ["direct", "http", "sse", "peer"] : ["direct", "http", "sse"];
    const phases: PhaseResult[] = [];
    for (const concurrency of CONCURRENCY) {
      for (const target of targets) {
        const p = await phase(target, concurrency, world, nd, peer);
        console.log(`  ${target.padEnd(6)} × ${String(concurrency).padStart(2)}: ${p.perSecond.toFixed(0)} calls/s, p50 ${p.p50Ms.toFixed(2)} ms, p99 ${p.p99Ms.toFixed(2)} ms${p.errors ? `, ${p.errors} errors (${p.firstError})` : ""}`);
        phases.push(p);
      }
    }
    // The product default lets a gateway node have 4 ND requests in flight per cluster.
    await world.sql`update clusters set max_concurrency = 4, revision = revision + 1 where id = ${world.clusterId}`;
    const capped = await phase("http", 50, world, nd, peer);
    console.log(`  http × 50 with the default ND concurrency (4): ${capped.perSecond.toFixed(0)} calls/s, p50 ${capped.p50Ms.toFixed(2)} ms, p99 ${capped.p99Ms.toFixed(2)} ms`);
    report(phases, capped, notes);
  } finally {
    await peer?.child.stop();
    await world.stop();
  }
}

function report(phases: PhaseResult[], capped: PhaseResult, notes: string[]): void {
  const direct = (c: number) => phases.find((p) => p.target === "direct" && p.concurrency === c)!;
  const rows = phases.map((p) => {
    const d = direct(p.concurrency);
    const added = p.target === "direct" ? ["—", "—"] : [(p.p50Ms - d.p50Ms).toFixed(2), (p.p99Ms - d.p99Ms).toFixed(2)];
    return [p.target, p.concurrency, p.perSecond, p.p50Ms, p.p99Ms, added[0]!, added[1]!, p.auditRows === null ? "—" : `${p.auditRows}/${p.totalCalls}`];
  });
  printTable(`(c)/(d) one read call (list fabrics), ${PHASE_MS / 1000} s per phase after ${WARMUP_MS / 1000} s warm-up, ${cpus().length} CPUs`,
    ["target", "clients", "calls/s", "p50 ms", "p99 ms", "added p50", "added p99", "audited/calls"], rows);
  const cpuKeys = [...new Set(phases.flatMap((p) => Object.keys(p.cpuMsPerCall)))];
  printTable("CPU per call (ms, all processes of the phase; 2 cores = 2,000 ms per second)", ["target", "clients", ...cpuKeys, "DB commits/call"],
    phases.map((p) => [p.target, p.concurrency, ...cpuKeys.map((k) => (p.cpuMsPerCall[k] ?? 0).toFixed(2)), p.dbCommitsPerCall === null ? "—" : p.dbCommitsPerCall.toFixed(1)]));

  const verdicts = (["http", "sse"] as const).map((t) => {
    const p = phases.find((x) => x.target === t && x.concurrency === 50)!;
    const d = direct(50);
    const addedP50 = p.p50Ms - d.p50Ms;
    const addedP99 = p.p99Ms - d.p99Ms;
    const audited = p.auditRows === p.totalCalls && p.errors === 0;
    return {
      transport: t, addedP50Ms: addedP50, addedP99Ms: addedP99, callsPerSecond: p.perSecond, everyCallAudited: audited,
      met: { addedP50: addedP50 <= TARGETS.addedP50Ms, addedP99: addedP99 <= TARGETS.addedP99Ms, throughput: p.perSecond >= TARGETS.auditedPerSecond && audited },
    };
  });
  console.log("");
  for (const v of verdicts) {
    const miss = (ok: boolean, by: string) => (ok ? "met" : `NOT met (${by})`);
    console.log(`${v.transport} at 50 clients: added p50 ${v.addedP50Ms.toFixed(2)} ms — ${miss(v.met.addedP50, `${(v.addedP50Ms / TARGETS.addedP50Ms).toFixed(1)}× the 1 ms target`)}; ` +
      `added p99 ${v.addedP99Ms.toFixed(2)} ms — ${miss(v.met.addedP99, `${(v.addedP99Ms / TARGETS.addedP99Ms).toFixed(1)}× the 5 ms target`)}; ` +
      `${v.callsPerSecond.toFixed(0)} audited calls/s — ${miss(v.met.throughput, `${((v.callsPerSecond / TARGETS.auditedPerSecond) * 100).toFixed(0)} % of 1,000/s${v.everyCallAudited ? "" : ", NOT every call audited"}`)}`);
  }
  for (const n of notes) console.log(`note: ${n}`);
  writeResult("gateway-overhead", {
    phaseMs: PHASE_MS, warmupMs: WARMUP_MS, ndRequest: `GET ${ND_PATH}`,
    peer: peerInstalled() ? { package: PEER_PACKAGE, version: peerVersion(), runtime: `node ${process.versions.node ? "" : ""}`.trim() } : null,
    targets: TARGETS, verdicts, phases, defaultNdConcurrency: capped, notes,
  });
  if (verdicts.some((v) => !v.everyCallAudited)) process.exitCode = 1;
}

await main();
