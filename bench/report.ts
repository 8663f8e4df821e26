/**
 * Writes bench/REPORT.md from bench/results/*.json: the targets and how far each is met or
 * missed, every table, and the findings (bottlenecks, proposed fixes) that explain them.
 * `bun bench/report.ts` rebuilds it from the last results without running anything.
 */
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FINDINGS } from "./report-findings.ts";
import { readResult } from "./support/results.ts";
import { markdownTable, type Cell } from "./support/table.ts";

interface Meta {
  at: string;
  machine: { cpus: number; cpu: string; bun: string; loadAverage1m?: number };
}
interface ToolsList extends Meta {
  defaultSurfaces: {
    role: string;
    tools: number;
    toolsTokens: number;
    totalTokens: number;
    operationsReachable: number;
  }[];
  perOperation: {
    tools: number;
    tokens: number;
    meanPerTool: number;
    maxPerTool: number;
    cheapestThatFitTarget: number;
  };
  reach: { operations: number; described: number; searchTop8: number; searchRecall: number; missedSample: string[] };
  target: { met: boolean };
}
interface ReadTasks extends Meta {
  context: { fabric: string; hostname: string };
  tasks: {
    id: string;
    question: string;
    toolCalls: number;
    shapedTokens: number;
    ndRequests: string[];
    rawTokens: number;
    rawPrettyTokens: number;
    ratio: number;
  }[];
  total: { shapedTokens: number; rawTokens: number; rawPrettyTokens: number; ratio: number; ratioToPretty: number };
}
interface Phase {
  target: string;
  mode: string;
  concurrency: number;
  offeredPerSecond: number | null;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  totalCalls: number;
  errors: number;
  auditRows: number | null;
  dbCommitsPerCall: number | null;
  dbRoundTripsPerCall?: number | null;
  cpuMsPerCall: Record<string, number>;
  loadAverage1m: number;
}
interface Overhead extends Meta {
  phaseMs: number;
  catalog: string;
  pacedRate: number;
  peer: { package: string; version: string } | null;
  notes: string[];
  phases: Phase[];
  defaultNdConcurrency: Phase;
  leanCatalog?: Phase[];
  startup?: { readyMs: number; idleRssMb: number };
  verdicts: {
    transport: string;
    addedP50Ms: number;
    addedP99Ms: number;
    callsPerSecond: number;
    everyCallAudited: boolean;
    extraCpuMsPerCall: number;
  }[];
}
interface CallParts extends Meta {
  parts: {
    part: string;
    dbRoundTrips: number;
    soloP50Ms: number;
    soloMeanMs: number;
    concurrentPerSecond: number;
    concurrentP50Ms: number;
    concurrentP99Ms: number;
  }[];
  shaping: { microsPerCall: number };
}
interface GatewayProfile extends Meta {
  clients: number;
  calls: number;
  callsPerSecond: number;
  cpuMsPerCall: number;
  samples: number;
  shares: { owner: string; samples: number; share: number }[];
}
interface AuditInsert {
  at: string;
  writers: number;
  phaseMs: number;
  results: { variant: string; inserts: number; perSecond: number; p50Ms: number; p99Ms: number }[];
  chainedVsPlainSameIndexes: number;
  verify: { ok: boolean; checked: number };
  sealer: { unsealedAfterStop: number };
}

const f0 = (n: number) => Math.round(n).toLocaleString("en-US");
const f2 = (n: number) => n.toFixed(2);
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const missing = (name: string) => `_No results: run \`bun bench/${name}.bench.ts\`._`;

function git(cmd: string): string {
  try {
    return execSync(`git ${cmd}`, { cwd: join(import.meta.dir, ".."), encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}

function targetsTable(a: ToolsList | null, b: ReadTasks | null, c: Overhead | null, audit: AuditInsert | null): string {
  const rows: Cell[][] = [];
  if (a) {
    const worst = Math.max(...a.defaultSurfaces.map((s) => s.toolsTokens));
    rows.push([
      "(a) default tools/list, every role",
      "≤ 2,000 tokens, reaching all 844 operations",
      `${f0(worst)} tokens; ${a.reach.described}/844 reachable`,
      a.target.met ? "met" : "missed",
    ]);
  }
  if (b) {
    const r = b.total.ratio;
    rows.push([
      "(b) ten read tasks, shaped / raw",
      "≤ 20 %",
      pct(r),
      r <= 0.2 ? "met" : `missed by ${((r - 0.2) * 100).toFixed(1)} points (${(r / 0.2).toFixed(1)}× the target)`,
    ]);
  }
  for (const v of c?.verdicts ?? []) {
    rows.push([
      `(c) ${v.transport}: added p50 at 50 clients`,
      "≤ 1 ms",
      `${f2(v.addedP50Ms)} ms`,
      v.addedP50Ms <= 1 ? "met" : `missed by ${f2(v.addedP50Ms - 1)} ms (${f0(v.addedP50Ms)}×)`,
    ]);
    rows.push([
      `(c) ${v.transport}: added p99 at 50 clients`,
      "≤ 5 ms",
      `${f2(v.addedP99Ms)} ms`,
      v.addedP99Ms <= 5 ? "met" : `missed by ${f2(v.addedP99Ms - 5)} ms (${f0(v.addedP99Ms / 5)}×)`,
    ]);
    rows.push([
      `(c) ${v.transport}: audited calls/s at 50 clients`,
      "≥ 1,000, every call audited",
      `${f0(v.callsPerSecond)}/s; ${v.everyCallAudited ? "every call audited" : "NOT every call audited"}`,
      v.callsPerSecond >= 1000 && v.everyCallAudited ? "met" : `missed: ${pct(v.callsPerSecond / 1000)} of the target`,
    ]);
  }
  if (audit) {
    const chained = audit.results.find((r) => r.variant === "chained")!;
    rows.push([
      `audit inserts, ${audit.writers} writers (audit-insert.bench.ts)`,
      "≥ 1,000/s",
      `${f0(chained.perSecond)}/s (${pct(audit.chainedVsPlainSameIndexes)} of unchained)`,
      chained.perSecond >= 1000 ? "met" : "missed",
    ]);
  }
  return markdownTable(["measure", "target", "result", "verdict"], rows);
}

/** Issue 11's targets, all from the overhead bench's one run (ratios within the run). */
function issue11Table(c: Overhead | null): string {
  if (!c) return missing("gateway-overhead");
  const find = (target: string, mode: string, clients: number) =>
    c.phases.find((p) => p.target === target && p.mode === mode && p.concurrency === clients);
  const direct = (p: Phase) =>
    c.phases.find(
      (d) =>
        d.target === "direct" &&
        d.mode === p.mode &&
        d.concurrency === p.concurrency &&
        d.offeredPerSecond === p.offeredPerSecond,
    );
  const addedP = (p: Phase | undefined, q: "p50Ms" | "p99Ms") => (p && direct(p) ? p[q] - direct(p)![q] : NaN);
  const rows: Cell[][] = [];
  const verdict = (ok: boolean, miss: string) => (ok ? "met" : `missed: ${miss}`);
  for (const t of ["http", "sse"]) {
    const one = find(t, "closed", 1);
    const a1 = addedP(one, "p50Ms");
    rows.push([
      `added p50, 1 client, closed loop, ${t}`,
      "≤ 1 ms",
      `${f2(a1)} ms`,
      verdict(a1 <= 1, `${f2(a1)} ms (${(a1 / 1).toFixed(1)}×)`),
    ]);
  }
  for (const t of ["http", "sse"]) {
    const paced = c.phases.find((p) => p.target === t && p.mode === "paced");
    const a99 = addedP(paced, "p99Ms");
    rows.push([
      `added p99, paced ${paced?.offeredPerSecond ?? "?"} calls/s, ${t}`,
      "≤ 5 ms",
      `${f2(a99)} ms`,
      verdict(a99 <= 5, `${(a99 / 5).toFixed(1)}× the target`),
    ]);
  }
  const peer = find("peer", "closed", 50);
  for (const t of ["http", "sse"]) {
    const p = find(t, "closed", 50);
    if (!p) continue;
    const audited = p.auditRows === p.totalCalls;
    rows.push([
      `audited calls/s, 50 clients, ${t}`,
      "≥ 1,500, every call audited",
      `${f0(p.perSecond)}/s; ${audited ? "every call audited" : "NOT every call audited"}`,
      verdict(p.perSecond >= 1500 && audited, `${pct(p.perSecond / 1500)} of the target`),
    ]);
    if (peer) {
      const ratio = p.perSecond / peer.perSecond;
      rows.push([
        `versus the peer at 50 clients, ${t}`,
        "≥ 8× its calls/s, at lower p99",
        `${ratio.toFixed(1)}× (${f0(p.perSecond)} vs ${f0(peer.perSecond)}/s); p99 ${f2(p.p99Ms)} vs ${f2(peer.p99Ms)} ms`,
        verdict(
          ratio >= 8 && p.p99Ms < peer.p99Ms,
          `${ratio.toFixed(1)}×${p.p99Ms < peer.p99Ms ? ", p99 lower" : ", p99 not lower"}`,
        ),
      ]);
    }
  }
  for (const n of [1, 50]) {
    for (const t of ["http", "sse"]) {
      const p = find(t, "closed", n);
      if (p?.dbRoundTripsPerCall == null) continue;
      rows.push([
        `DB round trips per audited read, ${n} client${n > 1 ? "s" : ""}, ${t}`,
        "≤ 1 (amortised batch)",
        p.dbRoundTripsPerCall.toFixed(2),
        verdict(p.dbRoundTripsPerCall <= 1, p.dbRoundTripsPerCall.toFixed(2)),
      ]);
    }
  }
  for (const t of ["http", "sse"]) {
    const p = find(t, "closed", 50);
    if (!p) continue;
    const cpu = (p.cpuMsPerCall.gateway ?? 0) + (p.cpuMsPerCall.postgres ?? 0);
    rows.push([
      `gateway + PostgreSQL CPU per call, 50 clients, ${t}`,
      "≤ 1 ms",
      `${f2(cpu)} ms (gateway ${f2(p.cpuMsPerCall.gateway ?? 0)}, PostgreSQL ${f2(p.cpuMsPerCall.postgres ?? 0)})`,
      verdict(cpu <= 1, `${(cpu / 1).toFixed(1)}×`),
    ]);
  }
  if (c.startup) {
    rows.push([
      "restart to ready on PostgreSQL",
      "≤ 1.5 s",
      `${f0(c.startup.readyMs)} ms`,
      verdict(c.startup.readyMs <= 1500, `${(c.startup.readyMs / 1500).toFixed(1)}×`),
    ]);
    rows.push([
      "idle RSS after start",
      "≤ 150 MB",
      `${f0(c.startup.idleRssMb)} MB`,
      verdict(c.startup.idleRssMb <= 150, `${(c.startup.idleRssMb / 150).toFixed(1)}×`),
    ]);
  }
  return markdownTable(["measure", "target", "result", "verdict"], rows);
}

function toolsSection(a: ToolsList | null): string {
  if (!a) return missing("tools-list");
  const rows: Cell[][] = [
    ...a.defaultSurfaces.map((s) => [
      `default surface, ${s.role}`,
      s.tools,
      s.toolsTokens,
      s.totalTokens,
      s.operationsReachable,
    ]),
    [
      "one tool per operation (the gateway's own compact operationTool())",
      a.perOperation.tools,
      a.perOperation.tokens,
      a.perOperation.tokens,
      844,
    ],
  ];
  return [
    markdownTable(
      ["surface", "tools", "tools/list tokens", "+ server instructions", "operations the role may call"],
      rows,
    ),
    "",
    `One tool per operation averages ${f0(a.perOperation.meanPerTool)} tokens (largest ${f0(a.perOperation.maxPerTool)}); only the ${a.perOperation.cheapestThatFitTarget} cheapest would fit in 2,000 tokens. ` +
      `The default surface reaches every operation through search_operations → describe_operation → call_operation: describe_operation answered for ${a.reach.described} of ${a.reach.operations} ids over MCP, ` +
      `and search_operations, queried with each operation's summary, had it in the top 8 for ${a.reach.searchTop8} of ${a.reach.operations} (${pct(a.reach.searchRecall)}; missed: ${a.reach.missedSample.join(", ") || "none"}). ` +
      "All three roles see the same eleven tools (the seeded 'default' profile); what differs is which operations the guard lets them call.",
  ].join("\n");
}

function tasksSection(b: ReadTasks | null): string {
  if (!b) return missing("read-tasks");
  const rows: Cell[][] = [
    ...b.tasks.map((t) => [
      `${t.id}: ${t.question}`,
      t.toolCalls,
      t.shapedTokens,
      t.ndRequests.length,
      t.rawTokens,
      pct(t.ratio),
      t.rawPrettyTokens,
    ]),
    [
      "**all ten**",
      b.tasks.reduce((s, t) => s + t.toolCalls, 0),
      b.total.shapedTokens,
      b.tasks.reduce((s, t) => s + t.ndRequests.length, 0),
      b.total.rawTokens,
      pct(b.total.ratio),
      b.total.rawPrettyTokens,
    ],
  ];
  return [
    `Fabric X = ${b.context.fabric}, switch S = ${b.context.hostname}; simulator defaults (2 fabrics × 20 switches), Cisco's documents imported and served. ` +
      "Shaped = text content of every tool call of the task (search/describe included); raw = the distinct ND requests the gateway made, sent straight to the simulator without the gateway's max/offset paging, compact JSON as returned. " +
      "The last column is the same raw bodies pretty-printed, as the npm peer hands them to the model.",
    "",
    markdownTable(
      [
        "task",
        "tool calls",
        "shaped tokens",
        "ND requests",
        "raw ND JSON tokens",
        "shaped / raw",
        "raw, pretty (peer)",
      ],
      rows,
    ),
    "",
    `Against what a pass-through such as the peer returns (pretty JSON), shaped is ${pct(b.total.ratioToPretty)}.`,
  ].join("\n");
}

function overheadSection(c: Overhead | null): string {
  if (!c) return missing("gateway-overhead");
  const direct = (p: Phase) =>
    c.phases.find(
      (d) =>
        d.target === "direct" &&
        d.mode === p.mode &&
        d.concurrency === p.concurrency &&
        d.offeredPerSecond === p.offeredPerSecond,
    );
  const added = (p: Phase) => {
    const d = direct(p);
    return p.target === "direct" || !d ? ["—", "—"] : [f2(p.p50Ms - d.p50Ms), f2(p.p99Ms - d.p99Ms)];
  };
  const closed = c.phases.filter((p) => p.mode === "closed");
  const paced = c.phases.filter((p) => p.mode === "paced");
  const keys = [...new Set(closed.flatMap((p) => Object.keys(p.cpuMsPerCall)))];
  const cpuSum = (p: Phase) => Object.values(p.cpuMsPerCall).reduce((s, x) => s + x, 0);
  const n = c.defaultNdConcurrency;
  return [
    `One read — ND's fabric list, \`GET /api/v1/manage/fabrics?max=20&offset=0\` — direct to the simulator, through the gateway (list_fabrics over Streamable HTTP and legacy SSE), and through the peer ` +
      `${c.peer ? `\`${c.peer.package}\` ${c.peer.version} (Node, plain HTTP, one tool per operation from the gateway's core OpenAPI document)` : "(not installed)"}. ` +
      `Each process separate (PostgreSQL, simulator, gateway, peer, load generator), catalog: ${c.catalog}. ${c.phaseMs / 1000} s per phase after a 1 s warm-up; raw JSON-RPC load clients, one API token each.`,
    "",
    "**Closed loop** (each client calls again as soon as it has its answer):",
    "",
    markdownTable(
      [
        "target",
        "clients",
        "calls/s",
        "p50 ms",
        "p99 ms",
        "added p50 ms",
        "added p99 ms",
        "audit rows / calls",
        "errors",
      ],
      closed.map((p) => [
        p.target,
        p.concurrency,
        f0(p.perSecond),
        f2(p.p50Ms),
        f2(p.p99Ms),
        ...added(p),
        p.auditRows === null ? "—" : `${p.auditRows} / ${p.totalCalls}`,
        p.errors,
      ]),
    ),
    "",
    `**Paced** at ${c.pacedRate} calls/s offered by 50 clients (latency from the scheduled moment):`,
    "",
    markdownTable(
      ["target", "offered/s", "done/s", "p50 ms", "p99 ms", "added p50 ms", "added p99 ms"],
      paced.map((p) => [p.target, p.offeredPerSecond ?? 0, f0(p.perSecond), f2(p.p50Ms), f2(p.p99Ms), ...added(p)]),
    ),
    "",
    "**CPU per call** (ms, from /proc, closed loop; 2 cores = 2,000 CPU-ms per second):",
    "",
    markdownTable(
      ["target", "clients", ...keys, "total", "DB commits / call", "DB round trips / call"],
      closed.map((p) => [
        p.target,
        p.concurrency,
        ...keys.map((k) => f2(p.cpuMsPerCall[k] ?? 0)),
        f2(cpuSum(p)),
        p.dbCommitsPerCall === null ? "—" : p.dbCommitsPerCall.toFixed(1),
        p.dbRoundTripsPerCall == null ? "—" : p.dbRoundTripsPerCall.toFixed(2),
      ]),
    ),
    "",
    `With the product's default of 4 ND requests in flight per cluster (the phases above use 64): http × 50 → ${f0(n.perSecond)} calls/s, p50 ${f2(n.p50Ms)} ms, p99 ${f2(n.p99Ms)} ms.`,
    ...(c.leanCatalog?.length
      ? [
          "",
          "**The same calls with a 1-schema operation**: Cisco's manage document switched off, so manage.listFabrics resolves to the core document's copy (1 component schema instead of 141, same ND request). Before the operation cache (commit 99e9e9f) this showed what the per-call schema load cost; with it, these rows should match the ones above:",
          "",
          markdownTable(
            [
              "target",
              "load",
              "calls/s",
              "p50 ms",
              "p99 ms",
              "added p50 ms",
              "added p99 ms",
              "gateway CPU ms/call",
              "postgres CPU ms/call",
              "audit rows / calls",
            ],
            c.leanCatalog.map((p) => [
              p.target,
              p.mode === "paced" ? `paced ${p.offeredPerSecond}/s` : `closed, ${p.concurrency} clients`,
              f0(p.perSecond),
              f2(p.p50Ms),
              f2(p.p99Ms),
              ...added(p),
              f2(p.cpuMsPerCall.gateway ?? 0),
              f2(p.cpuMsPerCall.postgres ?? 0),
              p.auditRows === null ? "—" : `${p.auditRows} / ${p.totalCalls}`,
            ]),
          ),
        ]
      : []),
    ...(c.notes.length ? ["", ...c.notes.map((x) => `Note: ${x}`)] : []),
  ].join("\n");
}

function partsSection(p: CallParts | null): string {
  if (!p) return missing("call-parts");
  return [
    "Each database step a list_fabrics call makes, called from the bench with the gateway's own functions against the same PostgreSQL (Cisco catalog imported), alone and with 50 concurrent callers on a 20-connection pool:",
    "",
    markdownTable(
      ["step", "round trips", "alone p50 ms", "alone mean ms", "50 callers: /s", "p50 ms", "p99 ms"],
      p.parts.map((r) => [
        r.part,
        r.dbRoundTrips,
        r.soloP50Ms.toFixed(3),
        r.soloMeanMs.toFixed(3),
        f0(r.concurrentPerSecond),
        f2(r.concurrentP50Ms),
        f2(r.concurrentP99Ms),
      ]),
    ),
    "",
    `Response shaping of the fabric list (pure CPU): ${p.shaping.microsPerCall.toFixed(1)} µs per call.`,
  ].join("\n");
}

function profileSection(g: GatewayProfile | null): string {
  if (!g) return missing("gateway-profile");
  return [
    `The gateway process under \`bun --cpu-prof\`, ${g.clients} Streamable HTTP clients calling list_fabrics (core catalog, so the schema load above does not drown the rest): ` +
      `${f0(g.calls)} calls, ${f2(g.cpuMsPerCall)} gateway CPU-ms per call. Each sample is charged to the nearest package or app folder on its stack (runtime work such as socket writes counts for the code that asked for it):`,
    "",
    markdownTable(
      ["caused by", "share of samples", "CPU-ms per call"],
      g.shares.slice(0, 12).map((s) => [s.owner, pct(s.share), (s.share * g.cpuMsPerCall).toFixed(3)]),
    ),
  ].join("\n");
}

function auditSection(a: AuditInsert | null): string {
  if (!a) return missing("audit-insert");
  return [
    `From \`bench/audit-insert.bench.ts\` (another engineer's; run with \`--phase-ms ${a.phaseMs}\`): ${a.writers} writers, one transaction per insert, sealer running; chain verified: ${a.verify.ok ? "ok" : "FAILED"} (${f0(a.verify.checked)} events, ${a.sealer.unsealedAfterStop} unsealed after stop).`,
    "",
    markdownTable(
      ["variant", "inserts", "inserts/s", "p50 ms", "p99 ms"],
      a.results.map((r) => [r.variant, f0(r.inserts), f0(r.perSecond), f2(r.p50Ms), f2(r.p99Ms)]),
    ),
    "",
    `Chained vs plain table with the same indexes: ${pct(a.chainedVsPlainSameIndexes)}.`,
  ].join("\n");
}

export function writeReport(): string {
  const a = readResult<ToolsList>("tools-list");
  const b = readResult<ReadTasks>("read-tasks");
  const c = readResult<Overhead>("gateway-overhead");
  const p = readResult<CallParts>("call-parts");
  const audit = readResult<AuditInsert>("audit-insert");
  const g = readResult<GatewayProfile>("gateway-profile");
  const m = (a ?? b ?? c ?? p)?.machine;
  const loads = [a, b, c, p].flatMap((r) => (r?.machine.loadAverage1m !== undefined ? [r.machine.loadAverage1m] : []));
  const dirty = git("status --porcelain -- app sim sql").split("\n").filter(Boolean).length;
  const md = [
    "# Benchmark report — issue 5 §7 and issue 11",
    "",
    `Generated by \`bun run bench\` (\`bench/run.ts\`) on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; ` +
      `${m ? `${m.cpus} × ${m.cpu}, Bun ${m.bun}` : "machine unknown"}; commit ${git("rev-parse --short HEAD") || "?"}` +
      `${dirty ? ` with ${dirty} uncommitted file(s) in app/, sim/, sql/ (the tree under test)` : ""}. ` +
      `Tokens: o200k_base (gpt-tokenizer 4.0.0). Load average (1 min) when each result was written: ${loads.map((x) => x.toFixed(1)).join(", ") || "?"} — ` +
      "this machine is shared with other sessions' test runs, so latency and throughput figures move by tens of per cent between runs; token figures do not.",
    "",
    "## Issue 11 targets (fast gateway)",
    "",
    issue11Table(c),
    "",
    "## Issue 5 targets",
    "",
    targetsTable(a, b, c, audit),
    "",
    "## (a) Tool list size",
    "",
    toolsSection(a),
    "",
    "## (b) Ten read tasks: shaped vs raw",
    "",
    tasksSection(b),
    "",
    "## (c) Gateway overhead and (d) the peer",
    "",
    overheadSection(c),
    "",
    "## Where a gateway call's time goes",
    "",
    partsSection(p),
    "",
    profileSection(g),
    "",
    "## Audit inserts",
    "",
    auditSection(audit),
    "",
    FINDINGS,
  ].join("\n");
  const path = join(import.meta.dir, "REPORT.md");
  writeFileSync(path, `${md}\n`);
  return path;
}

if (import.meta.main) console.log(`wrote ${writeReport()}`);
