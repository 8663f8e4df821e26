/**
 * The gateway's Prometheus metrics (prom-client), one registry per process.
 *
 * Names follow the OpenTelemetry MCP semantic conventions where one exists
 * (`mcp.server.operation.duration` → `mcp_server_operation_duration_seconds`, attributes
 * `mcp.method.name` and `gen_ai.tool.name` → labels `mcp_method_name`, `gen_ai_tool_name`);
 * the gateway's own measures are prefixed `nmg_`. Labels carry only bounded, non-secret values:
 * method names, tool names the gateway defines (unknown ones are folded into "other"), cluster
 * names, outcomes and HTTP status classes — never arguments, tokens or user names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "nmg_process_" });

const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const mcpOperationDuration = new Histogram({
  name: "mcp_server_operation_duration_seconds",
  help: "MCP requests handled by the gateway, from admission to the response (OpenTelemetry mcp.server.operation.duration)",
  labelNames: ["mcp_method_name", "gen_ai_tool_name", "cluster", "outcome"] as const,
  buckets: FAST_BUCKETS,
  registers: [registry],
});

export const ndRequestDuration = new Histogram({
  name: "nmg_nd_request_duration_seconds",
  help: "Requests to Nexus Dashboard, per cluster and HTTP status class (error = no HTTP answer)",
  labelNames: ["cluster", "status"] as const,
  buckets: FAST_BUCKETS,
  registers: [registry],
});

export const auditBatchSize = new Histogram({
  name: "nmg_audit_batch_size",
  help: "Audit rows written per group-commit batch",
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  registers: [registry],
});

export const auditFlushDuration = new Histogram({
  name: "nmg_audit_flush_duration_seconds",
  help: "From a batch's first row to its commit (what a call waits for its audit row)",
  buckets: FAST_BUCKETS,
  registers: [registry],
});

export const auditBatchFailures = new Counter({
  name: "nmg_audit_batch_failures_total",
  help: "Group-commit batches that failed and were retried row by row",
  registers: [registry],
});

export const cacheLookups = new Counter({
  name: "nmg_cache_lookups_total",
  help: "In-process cache lookups: hit, miss (loaded from PostgreSQL) or bypass (change feed down or a local change not yet confirmed)",
  labelNames: ["cache", "result"] as const,
  registers: [registry],
});

export const cacheInvalidations = new Counter({
  name: "nmg_cache_invalidations_total",
  help: "Cache invalidations, by what changed (table name, 'local' or 'feed-lost')",
  labelNames: ["reason"] as const,
  registers: [registry],
});

export const rateLimitRefusals = new Counter({
  name: "nmg_rate_limit_refusals_total",
  help: "MCP requests refused by the per-token rate limit on this node",
  registers: [registry],
});

export const dbQueries = new Counter({
  name: "nmg_db_queries_total",
  help: "Statements sent to PostgreSQL by this process (counted only with DB_COUNT_QUERIES=true)",
  registers: [registry],
});

/** Gauges whose value is read when scraped (SSE sessions, approvals, pool use). */
export function gauge(
  name: string,
  help: string,
  read: () => Promise<number | Record<string, number>> | number,
  labelName?: string,
): Gauge {
  registry.removeSingleMetric(name);
  return new Gauge({
    name,
    help,
    labelNames: labelName ? [labelName] : [],
    registers: [registry],
    async collect() {
      const value = await read();
      this.reset();
      if (typeof value === "number") this.set(value);
      else for (const [label, n] of Object.entries(value)) this.set({ [labelName!]: label }, n);
    },
  });
}

/** Seconds since `started` (a performance.now() value). */
export const since = (started: number) => (performance.now() - started) / 1000;
