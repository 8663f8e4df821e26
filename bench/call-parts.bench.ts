/**
 * `bun bench/call-parts.bench.ts` — where a gateway call's time goes (profile for (c)).
 *
 * Times each database step an MCP tools/call makes (app/mcp/*: admission, dispatch,
 * call-operation), called directly here with the gateway's own functions against the same
 * PostgreSQL, alone (1 caller) and with 50 concurrent callers on a 20-connection pool (the
 * gateway's DB_POOL_MAX): bearer-token lookup, rate-limit upsert (own key each vs one shared
 * key), tool profile, catalog operation, cluster list, policy snapshot, cluster row for the ND
 * client pool, audit insert — then the whole sequence as one call makes it, and the pure-CPU
 * response shaping. The catalog holds Cisco's 844 operations, as in production. No app code is
 * changed: timing wraps the calls from outside.
 */
import type { Sql } from "postgres";
import { connect } from "../app/db.ts";
import { recordAudit } from "../app/audit/audit-log.ts";
import { loadActiveOperation } from "../app/catalog/catalog.sql.ts";
import { getCluster, listClusters } from "../app/clusters/clusters.ts";
import { checkApiToken } from "../app/identity/api-tokens.ts";
import { shapeResponse } from "../app/mcp/shape.ts";
import { loadPolicySnapshot, loadToolProfile } from "../app/policy/policy.sql.ts";
import { RateLimiter } from "../app/policy/rate-limit.ts";
import { AuditBatcher } from "../app/audit/audit-batch.ts";
import { createCallCaches, type CallCaches } from "../app/cache/caches.ts";
import { startChangeFeed } from "../app/cache/change-feed.ts";
import { ndDirect } from "./support/nd-direct.ts";
import { writeResult } from "./support/results.ts";
import { summarise } from "./support/stats.ts";
import { printTable } from "./support/table.ts";
import { startBenchWorld, type BenchWorld } from "./support/world.ts";

/** The PostgreSQL token bucket the gateway used before issue 11 (one upsert per request), kept here for comparison. */
async function takeToken(sql: Sql, key: string, ratePerSec: number, burst: number): Promise<boolean> {
  const [row] = await sql<{ allowed: boolean }[]>`
    insert into rate_buckets as b (key, tokens, allowed, updated_at)
    values (${key}, ${burst - 1}::float8, true, clock_timestamp())
    on conflict (key) do update set
      allowed = least(${burst}::float8, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * ${ratePerSec}::float8) >= 1,
      tokens = least(${burst}::float8, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * ${ratePerSec}::float8)
               - case when least(${burst}::float8, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * ${ratePerSec}::float8) >= 1 then 1 else 0 end,
      updated_at = clock_timestamp()
    returning allowed`;
  return row!.allowed;
}

const SOLO_MS = 1500;
const CONCURRENT_MS = 2000;
const CLIENTS = 50;
const POOL = 20;

type Step = (client: number, n: number) => Promise<unknown>;

interface PartResult {
  part: string;
  dbRoundTrips: number;
  soloP50Ms: number;
  soloMeanMs: number;
  concurrentPerSecond: number;
  concurrentP50Ms: number;
  concurrentP99Ms: number;
}

async function timed(clients: number, ms: number, step: Step) {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let n = 0; performance.now() < end; n++) {
        const t0 = performance.now();
        await step(c, n);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return summarise(latencies, (performance.now() - start) / 1000);
}

async function measure(part: string, dbRoundTrips: number, step: Step): Promise<PartResult> {
  await timed(4, 200, step); // warm-up: prepared statements, JIT
  const solo = await timed(1, SOLO_MS, step);
  const many = await timed(CLIENTS, CONCURRENT_MS, step);
  return {
    part,
    dbRoundTrips,
    soloP50Ms: solo.p50Ms,
    soloMeanMs: solo.meanMs,
    concurrentPerSecond: many.perSecond,
    concurrentP50Ms: many.p50Ms,
    concurrentP99Ms: many.p99Ms,
  };
}

function auditEvent(n: number) {
  return {
    action: "mcp.call" as const,
    status: "ok" as const,
    requestId: `bench-${n}`,
    decision: "allow" as const,
    reason: "read: allowed for role viewer",
    actor: {
      userId: "u1",
      username: "vera",
      via: "token",
      tokenName: "load-0",
      clientIp: "127.0.0.1",
      userAgent: "nmg-bench/1.0",
    },
    target: { operationId: "manage.listFabrics", operationName: "List fabrics", method: "GET" },
    cluster: { id: "c1", name: "sim" },
    upstreamStatus: 200,
    durationMs: 3,
    details: { tool: "list_fabrics", params: {}, phase: "outcome" },
  };
}

function wholeSequence(sql: Sql, world: BenchWorld, operationId: string): Step {
  const tokens = world.loadTokens;
  return async (c, n) => {
    await checkApiToken(sql, tokens[c % tokens.length]!);
    await takeToken(sql, `bench:${c}`, 100_000, 100_000);
    await loadToolProfile(sql, null);
    await loadActiveOperation(sql, operationId);
    await listClusters(sql);
    await Promise.all([loadPolicySnapshot(sql), loadToolProfile(sql, null)]);
    await getCluster(sql, world.clusterId);
    await recordAudit(sql, auditEvent(n));
  };
}

/**
 * The same call as the gateway makes it since issue 11: token and principal, policy, tool
 * profile, clusters and catalog stamp from the in-process caches (LISTEN/NOTIFY), the rate
 * limit in memory, the audit row through group commit. Only the batched insert reaches
 * PostgreSQL (and the operation itself is cached per stamp, as before).
 */
function cachedSequence(sql: Sql, world: BenchWorld, caches: CallCaches, batcher: AuditBatcher): Step {
  const tokens = world.loadTokens;
  const limiter = new RateLimiter(100_000, 100_000);
  return async (c, n) => {
    await checkApiToken(sql, tokens[c % tokens.length]!, { lookup: caches });
    limiter.take(`bench:${c}`);
    await caches.toolProfile(null);
    await caches.catalogStamp();
    await caches.clusters();
    await Promise.all([caches.policy(), caches.toolProfile(null)]);
    await batcher.write(auditEvent(n));
  };
}

async function parts(world: BenchWorld, sql: Sql): Promise<PartResult[]> {
  const tokens = world.loadTokens;
  const token = (c: number) => tokens[c % tokens.length]!;
  const limiter = new RateLimiter(100_000, 100_000);
  const feed = startChangeFeed(world.databaseUrl, { warn: (_o, m) => console.warn(m), info: () => {} });
  const caches = createCallCaches(sql, feed);
  const batcher = new AuditBatcher(sql);
  for (let i = 0; i < 100 && !feed.usable(); i++) await Bun.sleep(20);
  const steps: [string, number, Step][] = [
    ["bearer token → principal (checkApiToken)", 2, (c) => checkApiToken(sql, token(c))],
    ["rate-limit upsert, own key per client", 1, (c) => takeToken(sql, `bench:${c}`, 100_000, 100_000)],
    ["rate-limit upsert, one shared key", 1, () => takeToken(sql, "bench:shared", 100_000, 100_000)],
    ["rate limit in memory since issue 11 (RateLimiter.take)", 0, async (c) => limiter.take(`bench:${c}`)],
    ["tool profile (loadToolProfile)", 1, () => loadToolProfile(sql, null)],
    // Loads the operation with every component schema it reaches: 141 schemas (≈ 130 KB) for
    // Cisco's manage.listFabrics, one for the core document's ndfc.listVrfs.
    ["catalog operation, Cisco's manage.listFabrics", 1, () => loadActiveOperation(sql, "manage.listFabrics")],
    ["catalog operation, core ndfc.listVrfs", 1, () => loadActiveOperation(sql, "ndfc.listVrfs")],
    ["clusters the user may use (listClusters)", 1, () => listClusters(sql)],
    ["policy snapshot (loadPolicySnapshot)", 1, () => loadPolicySnapshot(sql)],
    ["cluster row for the ND client pool (getCluster)", 1, () => getCluster(sql, world.clusterId)],
    ["audit insert (recordAudit, autocommit)", 1, (_, n) => recordAudit(sql, auditEvent(n))],
    // The order one list_fabrics call takes today (admission → dispatch → call-operation).
    ["whole DB sequence of one call (Cisco's manage.listFabrics)", 10, wholeSequence(sql, world, "manage.listFabrics")],
    ["whole DB sequence of one call (a 1-schema operation)", 10, wholeSequence(sql, world, "ndfc.listVrfs")],
    [
      "since issue 11: cached lookups, in-memory rate limit, group-committed audit row",
      1,
      cachedSequence(sql, world, caches, batcher),
    ],
  ];
  const out: PartResult[] = [];
  for (const [part, trips, step] of steps) {
    out.push(await measure(part, trips, step));
    console.log(
      `  ${part}: ${out.at(-1)!.soloP50Ms.toFixed(3)} ms alone, ${out.at(-1)!.concurrentPerSecond.toFixed(0)}/s with ${CLIENTS}`,
    );
  }
  await batcher.close();
  await feed.close();
  return out;
}

async function shapingCost(world: BenchWorld) {
  const nd = await ndDirect(world.sim);
  const body = JSON.parse((await nd.get("/api/v1/manage/fabrics?max=20&offset=0")).text) as unknown;
  const opts = { limit: 20, offset: 0, upstreamPaged: true, maxChars: 40_000, maxString: 300 };
  for (let i = 0; i < 500; i++) shapeResponse(body, opts);
  const n = 5000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) shapeResponse(body, opts);
  return { microsPerCall: ((performance.now() - t0) / n) * 1000 };
}

async function main(): Promise<void> {
  const world = await startBenchWorld({ loadTokens: CLIENTS, importCisco: true });
  const sql = connect(world.databaseUrl, { max: POOL });
  try {
    const results = await parts(world, sql);
    const shaping = await shapingCost(world);
    printTable(
      `database steps of one gateway call, measured alone and with ${CLIENTS} concurrent callers (pool ${POOL})`,
      ["part", "round trips", "alone p50 ms", "alone mean ms", `${CLIENTS} callers /s`, "p50 ms", "p99 ms"],
      results.map((r) => [
        r.part,
        r.dbRoundTrips,
        r.soloP50Ms.toFixed(3),
        r.soloMeanMs.toFixed(3),
        r.concurrentPerSecond,
        r.concurrentP50Ms.toFixed(2),
        r.concurrentP99Ms.toFixed(2),
      ]),
    );
    console.log(`\nresponse shaping (list fabrics, pure CPU): ${shaping.microsPerCall.toFixed(1)} µs per call`);
    const [heavy, lean] = results.slice(-3, -1);
    console.log(
      `the DB sequence alone caps a node at ≈ ${heavy!.concurrentPerSecond.toFixed(0)} calls/s (≈ ${lean!.concurrentPerSecond.toFixed(0)} with a 1-schema operation), before HTTP, TLS, the MCP SDK and the ND call`,
    );
    writeResult("call-parts", {
      clients: CLIENTS,
      pool: POOL,
      soloMs: SOLO_MS,
      concurrentMs: CONCURRENT_MS,
      parts: results,
      shaping,
    });
  } finally {
    await sql.end({ timeout: 2 });
    await world.stop();
  }
}

await main();
