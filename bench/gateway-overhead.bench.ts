/**
 * `bun bench/gateway-overhead.bench.ts [--phase-ms N] [--core-catalog]` — issue 5 §7 (c) and
 * (d): what the gateway adds to one read call, and what a peer adds.
 *
 * The same read — ND's fabric list (GET /api/v1/manage/fabrics?max=20&offset=0) — four ways
 * (support/overhead-targets.ts): direct to the simulator, through the gateway over Streamable
 * HTTP and over legacy SSE, and through @ivotoby/openapi-mcp-server. Closed loop at 1 and 50
 * clients (each sends its next call when the previous answered), then paced at a fixed offered
 * rate with 50 clients. Raw JSON-RPC load clients, after one SDK sanity call per transport.
 * The gateway runs as in production: its own process, PostgreSQL, Cisco's 844 operations
 * imported (--core-catalog: only the gateway's small core document).
 * Every gateway call is audited: audit rows written during a phase must equal the calls made.
 * Targets at 50 clients: added p50 ≤ 1 ms, added p99 ≤ 5 ms, ≥ 1,000 audited calls/s.
 */
import { loadavg } from "node:os";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { postgresCpuMs, processCpuMs, selfCpuMs } from "./support/cpu.ts";
import { runPaced, runPhase } from "./support/load.ts";
import { ndDirect, type NdDirect } from "./support/nd-direct.ts";
import { printPhases, printVerdicts, TARGETS, verdicts, type PhaseResult } from "./support/overhead-report.ts";
import { clientsFor, expectOk, PEER_TOOL, type Target } from "./support/overhead-targets.ts";
import { peerClient, peerInstalled, peerVersion, startPeer, PEER_PACKAGE, type RunningPeer } from "./support/peer.ts";
import { writeResult } from "./support/results.ts";
import { connectSdk } from "./support/sdk-client.ts";
import { startBenchWorld, type BenchWorld } from "./support/world.ts";

const PHASE_MS = Number(process.argv[process.argv.indexOf("--phase-ms") + 1]) || 4000;
const CORE_CATALOG = process.argv.includes("--core-catalog");
const WARMUP_MS = 1000;
const CLOSED_LOOP_CLIENTS = [1, TARGETS.clients];
/** Offered load of the paced phases (issue 11): 50 assistants each calling four times a second — busy, short of saturation. */
const PACED_RATE = 200;

interface Env {
  world: BenchWorld;
  nd: NdDirect;
  peer: RunningPeer | null;
}

async function auditedOk(world: BenchWorld): Promise<number> {
  const [row] = await world.sql<
    { n: number }[]
  >`select count(*)::int as n from audit_events where action = 'mcp.call' and status = 'ok'`;
  return row!.n;
}

async function commits(world: BenchWorld): Promise<number> {
  const [row] = await world.sql<
    { n: string }[]
  >`select xact_commit::text as n from pg_stat_database where datname = current_database()`;
  return Number(row!.n);
}

/** Statements the gateway sent to PostgreSQL so far (its /metrics counter; DB_COUNT_QUERIES is on in the bench world). */
async function roundTrips(world: BenchWorld): Promise<number> {
  const text = await (await world.fetch(`${world.gateway.base}/metrics`)).text();
  const m = /^nmg_db_queries_total (\d+)/m.exec(text);
  if (!m) throw new Error("the gateway's /metrics has no nmg_db_queries_total");
  return Number(m[1]);
}

function cpuSnapshot({ world, peer }: Env): Record<string, number> {
  return {
    gateway: processCpuMs(world.gateway.pid),
    postgres: postgresCpuMs(world.postmasterPidFile),
    simulator: processCpuMs(world.sim.pid),
    ...(peer ? { peer: processCpuMs(peer.child.pid) } : {}),
    "load generator": selfCpuMs(),
  };
}

async function phase(target: Target, clients: number, env: Env, pacedRate: number | null = null): Promise<PhaseResult> {
  const { calls, close } = await clientsFor(target, clients, env);
  const viaGateway = target === "http" || target === "sse";
  const auditBefore = viaGateway ? await auditedOk(env.world) : 0;
  const commitsBefore = viaGateway ? await commits(env.world) : 0;
  const tripsBefore = viaGateway ? await roundTrips(env.world) : 0;
  const cpuBefore = cpuSnapshot(env);
  const timing = { warmupMs: WARMUP_MS, durationMs: PHASE_MS };
  const run = pacedRate === null ? await runPhase(calls, timing) : await runPaced(calls, pacedRate, timing);
  const cpuAfter = cpuSnapshot(env);
  await close();
  const auditRows = viaGateway ? (await auditedOk(env.world)) - auditBefore : null;
  const dbCommitsPerCall = viaGateway ? ((await commits(env.world)) - commitsBefore) / run.totalCalls : null;
  const dbRoundTripsPerCall = viaGateway ? ((await roundTrips(env.world)) - tripsBefore) / run.totalCalls : null;
  const cpuMsPerCall = Object.fromEntries(
    Object.keys(cpuAfter).map((k) => [k, (cpuAfter[k]! - cpuBefore[k]!) / run.totalCalls]),
  );
  const p: PhaseResult = {
    target,
    mode: pacedRate === null ? "closed" : "paced",
    concurrency: clients,
    offeredPerSecond: pacedRate,
    ...run.summary,
    totalCalls: run.totalCalls,
    errors: run.errors,
    firstError: run.firstError,
    auditRows,
    dbCommitsPerCall,
    dbRoundTripsPerCall,
    cpuMsPerCall,
    loadAverage1m: loadavg()[0]!,
  };
  const how = pacedRate === null ? `× ${String(clients).padStart(2)}` : `@ ${pacedRate}/s`;
  console.log(
    `  ${target.padEnd(6)} ${how}: ${p.perSecond.toFixed(0)} calls/s, p50 ${p.p50Ms.toFixed(2)} ms, p99 ${p.p99Ms.toFixed(2)} ms${p.errors ? `, ${p.errors} errors (${p.firstError})` : ""}`,
  );
  return p;
}

/**
 * What the catalog load costs: with Cisco's manage document switched off, manage.listFabrics
 * resolves to the core document's copy (1 component schema instead of 141) — about what a call
 * would cost if the gateway did not load schemas per call. Same calls, same ND request.
 */
async function withCoreListFabrics(world: BenchWorld, env: Env): Promise<PhaseResult[]> {
  await world.sql`update catalog_versions set active = false where source = 'manage'`;
  const out: PhaseResult[] = [];
  for (const t of ["http", "sse"] as const)
    out.push({ ...(await phase(t, TARGETS.clients, env)), variant: "lean catalog" });
  out.push({ ...(await phase("http", TARGETS.clients, env, PACED_RATE)), variant: "lean catalog" });
  return out;
}

/** One call through the official SDK on each gateway transport, before the raw loops. */
async function sanity(world: BenchWorld): Promise<void> {
  for (const kind of ["http", "sse"] as const) {
    const client = await connectSdk(world, world.tokens.vera, kind);
    const r = (await client.callTool({ name: "list_fabrics", arguments: {} })) as CallToolResult;
    const text = (r.content[0] as { text: string }).text;
    if (r.isError || !text.includes("ams-dc1")) throw new Error(`SDK sanity call over ${kind} failed: ${text}`);
    await client.close();
  }
}

async function startPeerIfInstalled(env: Omit<Env, "peer">, notes: string[]): Promise<RunningPeer | null> {
  if (!peerInstalled()) {
    notes.push(`${PEER_PACKAGE} is not installed (run bun install); the peer rows are missing`);
    return null;
  }
  const peer = await startPeer(env.world.dir, env.world.sim, { Authorization: `Bearer ${env.nd.token}` });
  const probe = await peerClient(peer.url);
  expectOk(
    await probe.request("tools/call", { name: PEER_TOOL, arguments: { max: 20, offset: 0 } }),
    "peer sanity call",
  );
  await probe.close();
  return peer;
}

async function main(): Promise<void> {
  // ND concurrency 64: measure the gateway, not its protection of ND (the default, 4, gets its own phase).
  const world = await startBenchWorld({
    loadTokens: TARGETS.clients,
    clusterConcurrency: 64,
    importCisco: !CORE_CATALOG,
  });
  const notes: string[] = [];
  let peer: RunningPeer | null = null;
  try {
    await sanity(world);
    const nd = await ndDirect(world.sim);
    peer = await startPeerIfInstalled({ world, nd }, notes);
    const env: Env = { world, nd, peer };
    const targets: Target[] = peer ? ["direct", "http", "sse", "peer"] : ["direct", "http", "sse"];
    const phases: PhaseResult[] = [];
    for (const clients of CLOSED_LOOP_CLIENTS) for (const t of targets) phases.push(await phase(t, clients, env));
    for (const t of targets) phases.push(await phase(t, TARGETS.clients, env, PACED_RATE));
    // The product default lets a gateway node have 4 ND requests in flight per cluster.
    await world.sql`update clusters set max_concurrency = 4, revision = revision + 1 where id = ${world.clusterId}`;
    const defaultNdConcurrency = await phase("http", TARGETS.clients, env);
    await world.sql`update clusters set max_concurrency = 64, revision = revision + 1 where id = ${world.clusterId}`;
    const leanCatalog = CORE_CATALOG ? [] : await withCoreListFabrics(world, env);
    // Last: a restart of the gateway on the same database (TLS certificate and catalog already there).
    const startup = await world.gateway.restart();
    console.log(
      `\ngateway restart: ready after ${startup.readyMs.toFixed(0)} ms; idle RSS ${startup.idleRssMb.toFixed(0)} MB`,
    );

    printPhases(phases, PHASE_MS, WARMUP_MS, leanCatalog);
    console.log(
      `\nhttp × ${TARGETS.clients} with the product's default ND concurrency per cluster (4): ${defaultNdConcurrency.perSecond.toFixed(0)} calls/s, p50 ${defaultNdConcurrency.p50Ms.toFixed(2)} ms, p99 ${defaultNdConcurrency.p99Ms.toFixed(2)} ms`,
    );
    const vs = verdicts(phases);
    printVerdicts(vs);
    for (const n of notes) console.log(`note: ${n}`);
    writeResult("gateway-overhead", {
      phaseMs: PHASE_MS,
      warmupMs: WARMUP_MS,
      catalog: CORE_CATALOG ? "core document only" : "core + Cisco's 844 operations",
      ndRequest: `GET /api/v1/manage/fabrics?max=20&offset=0`,
      pacedRate: PACED_RATE,
      peer: peer ? { package: PEER_PACKAGE, version: peerVersion(), runtime: "node" } : null,
      targets: TARGETS,
      verdicts: vs,
      phases,
      defaultNdConcurrency,
      leanCatalog,
      startup,
      notes,
    });
    if (vs.some((v) => !v.everyCallAudited)) process.exitCode = 1;
  } finally {
    await peer?.child.stop();
    await world.stop();
  }
}

await main();
