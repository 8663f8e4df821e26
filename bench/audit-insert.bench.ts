/**
 * `bun bench/audit-insert.bench.ts`: audited inserts per second with 32 concurrent writers, each
 * insert its own transaction (as an MCP call's audit row is), with the sealer running — beside
 * plain inserts of the same rows into unchained tables in the same run:
 *   plain-same-indexes  same columns, constraints and indexes, no triggers, no sealing
 *   plain-pk-only       same columns, primary key only
 * Phases alternate (two rounds) so table growth weighs on each alike. At the end every audited
 * event must be sealed and the chain must verify. Prints a table; writes
 * bench/results/audit-insert.json. Goal: ≥ 1,000 audited inserts/s on a 2-core machine.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import type { Sql } from "postgres";
import { connect } from "../app/db.ts";
import { migrate } from "../app/migrate.ts";
import type { AuditEventInput } from "../app/audit/audit-event.ts";
import { recordAudit, toRow } from "../app/audit/audit-log.ts";
import { startAuditSealer } from "../app/audit/audit-seal.ts";
import { verifyAuditChain } from "../app/audit/audit-verify.ts";
import type { NewAuditRow } from "../app/audit/audit.sql.ts";
import { startPgCluster } from "../scripts/pg-cluster.ts";

const WRITERS = 32;
/** `--phase-ms N` shortens or lengthens each measured phase (default 6 s). */
const PHASE_MS = Number(process.argv[process.argv.indexOf("--phase-ms") + 1]) || 6000;
const ROUNDS = 3;
const GOAL = 1000;
const PLAIN_TABLES = ["audit_plain_same_indexes", "audit_plain_pk_only"] as const;
type PlainTable = (typeof PLAIN_TABLES)[number];

interface PhaseResult {
  variant: string;
  inserts: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function sampleEvent(n: number): AuditEventInput {
  return {
    action: "mcp.call",
    status: "ok",
    actor: {
      userId: `u${n % 50}`,
      username: `user${n % 50}`,
      via: "token",
      tokenName: "laptop",
      clientIp: "10.20.30.40",
      userAgent: "claude-desktop/0.9.3",
    },
    target: { operationId: "manage.getFabricSwitches", operationName: "List switches of a fabric", method: "GET" },
    cluster: { id: "c-1", name: "dc1-nd" },
    decision: "allow",
    reason: "read: allowed for role operator",
    upstreamStatus: 200,
    durationMs: 42,
    requestId: `req-${n}`,
    // only writes carry a call id (intent → outcome)
    callId: n % 10 === 0 ? `call-${n}` : null,
    details: {
      args: { fabricName: "fabric-a", switchId: `FDO${n}`, page: 1, max: 100 },
      authorization: "Bearer abcdefghijklmnop",
    },
  };
}

async function createPlainTables(sql: Sql): Promise<void> {
  await sql`create table audit_plain_same_indexes (like audit_events including defaults including constraints including generated including indexes)`;
  await sql`create table audit_plain_pk_only (like audit_events including defaults including constraints including generated)`;
  await sql`alter table audit_plain_pk_only add primary key (id)`;
}

async function insertPlain(sql: Sql, table: PlainTable, r: NewAuditRow): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      insert into ${tx(table)} (
        action, status, user_id, username, via, token_name, client_ip, user_agent,
        operation_id, operation_name, http_method, cluster_id, cluster_name, resource_type, resource_id,
        decision, reason, error, upstream_status, duration_ms, request_id, call_id, details)
      values (
        ${r.action}, ${r.status}, ${r.userId}, ${r.username}, ${r.via}, ${r.tokenName}, ${r.clientIp}, ${r.userAgent},
        ${r.operationId}, ${r.operationName}, ${r.httpMethod}, ${r.clusterId}, ${r.clusterName}, ${r.resourceType}, ${r.resourceId},
        ${r.decision}, ${r.reason}, ${r.error}, ${r.upstreamStatus}, ${r.durationMs}, ${r.requestId}, ${r.callId},
        ${tx.json(r.details as Parameters<Sql["json"]>[0])})`;
  });
}

/** WRITERS loops inserting for PHASE_MS; each insert is one transaction. */
async function phase(variant: string, insert: (n: number) => Promise<void>): Promise<PhaseResult> {
  const latencies: number[] = [];
  let n = 0;
  const start = performance.now();
  const end = start + PHASE_MS;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await insert(n++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    variant,
    inserts: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

function combine(results: PhaseResult[]): PhaseResult {
  const inserts = results.reduce((s, r) => s + r.inserts, 0);
  const seconds = results.reduce((s, r) => s + r.seconds, 0);
  return {
    variant: results[0]!.variant,
    inserts,
    seconds,
    perSecond: inserts / seconds,
    p50Ms: Math.max(...results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
  };
}

function printTable(rows: PhaseResult[]): void {
  const header = ["variant", "inserts", "seconds", "inserts/s", "p50 ms", "p99 ms"];
  const lines = rows.map((r) => [
    r.variant,
    String(r.inserts),
    r.seconds.toFixed(1),
    r.perSecond.toFixed(0),
    r.p50Ms.toFixed(1),
    r.p99Ms.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(fmt(l));
}

async function main(): Promise<void> {
  const cluster = await startPgCluster();
  try {
    const admin = connect(cluster.url("postgres"), { max: 1 });
    await admin`create database nmg_bench`;
    await admin.end();
    const sql = connect(cluster.url("nmg_bench"), { max: WRITERS + 4 });
    await migrate(sql);
    await createPlainTables(sql);
    const sealerErrors: string[] = [];
    const sealer = startAuditSealer(sql, { onError: (m) => sealerErrors.push(m) });

    const runs: Record<string, PhaseResult[]> = { chained: [], plain_same_indexes: [], plain_pk_only: [] };
    // warm-up: connections, prepared statements, caches
    await phase("warm-up", (n) => sql.begin((tx) => recordAudit(tx, sampleEvent(n))).then(() => {}));
    for (let round = 0; round < ROUNDS; round++) {
      runs.plain_same_indexes!.push(
        await phase("plain_same_indexes", (n) => insertPlain(sql, "audit_plain_same_indexes", toRow(sampleEvent(n)))),
      );
      runs.chained!.push(
        await phase("chained", (n) => sql.begin((tx) => recordAudit(tx, sampleEvent(n))).then(() => {})),
      );
      runs.plain_pk_only!.push(
        await phase("plain_pk_only", (n) => insertPlain(sql, "audit_plain_pk_only", toRow(sampleEvent(n)))),
      );
    }

    const drainStart = performance.now();
    await sealer.stop();
    const drainMs = performance.now() - drainStart;
    const [counts] = await sql<{ total: number; unsealed: number }[]>`
      select count(*)::int as total, count(*) filter (where seq is null)::int as unsealed from audit_events`;
    const verifyStart = performance.now();
    const verify = await verifyAuditChain(sql);
    const verifyMs = performance.now() - verifyStart;
    await sql.end();

    const results = [combine(runs.chained!), combine(runs.plain_same_indexes!), combine(runs.plain_pk_only!)];
    console.log(
      `\naudit inserts, ${WRITERS} concurrent writers, one transaction per insert, ${cpus().length} CPUs, ${ROUNDS} × ${PHASE_MS / 1000} s per variant\n`,
    );
    printTable(results);
    const chained = results[0]!;
    console.log(
      `\nchained vs plain (same indexes): ${((chained.perSecond / results[1]!.perSecond) * 100).toFixed(0)} %`,
    );
    console.log(
      `sealer: ${counts!.total} events, ${counts!.unsealed} unsealed after stop (drain ${drainMs.toFixed(0)} ms), ${sealerErrors.length} errors`,
    );
    console.log(
      `verify: ${verify.ok ? "ok" : `FAILED: ${verify.problem?.message}`}, ${verify.checked} events in ${(verifyMs / 1000).toFixed(2)} s (${(verify.checked / (verifyMs / 1000)).toFixed(0)} events/s)`,
    );
    console.log(`goal ≥ ${GOAL} audited inserts/s: ${chained.perSecond >= GOAL ? "met" : "NOT met"}`);

    mkdirSync(join(import.meta.dir, "results"), { recursive: true });
    const out = join(import.meta.dir, "results", "audit-insert.json");
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          bench: "audit-insert",
          at: new Date().toISOString(),
          machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown" },
          writers: WRITERS,
          phaseMs: PHASE_MS,
          rounds: ROUNDS,
          results,
          chainedVsPlainSameIndexes: chained.perSecond / results[1]!.perSecond,
          sealer: {
            events: counts!.total,
            unsealedAfterStop: counts!.unsealed,
            drainMs,
            errors: sealerErrors.slice(0, 5),
          },
          verify: { ok: verify.ok, checked: verify.checked, ms: verifyMs, problem: verify.problem?.message ?? null },
          goal: { insertsPerSecond: GOAL, met: chained.perSecond >= GOAL },
        },
        null,
        2,
      )}\n`,
    );
    console.log(`wrote ${out}`);
    if (!verify.ok || counts!.unsealed > 0) process.exitCode = 1;
  } finally {
    await cluster.stop();
  }
}

await main();
