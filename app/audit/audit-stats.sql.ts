// Aggregates over the audit log for the dashboard. Each query is bounded by time and served by
// the (action, occurred_at) index of sql/0003_audit.sql, so it costs the rows of the window, not
// the log.
import type { Db } from "./audit.sql.ts";

export interface HourBucket {
  hour: Date;
  status: "ok" | "denied" | "failed";
  n: number;
}

/** MCP tool calls per hour and outcome since `since` (intent rows of writes, status pending, left out). */
export async function callsPerHour(db: Db, since: Date): Promise<HourBucket[]> {
  return db<HourBucket[]>`
    select date_trunc('hour', occurred_at) as hour, status, count(*)::int as n
    from audit_events
    where action = 'mcp.call' and occurred_at >= ${since} and status in ('ok', 'denied', 'failed')
    group by 1, 2 order by 1`;
}

export interface OperationCount {
  operation: string;
  calls: number;
  refused: number;
  failed: number;
}

/** The most called operations (or tools) since `since`. */
export async function topOperations(db: Db, since: Date, limit: number): Promise<OperationCount[]> {
  return db<OperationCount[]>`
    select coalesce(operation_id, details->>'tool', '(unknown)') as operation, count(*)::int as calls,
           (count(*) filter (where status = 'denied'))::int as refused,
           (count(*) filter (where status = 'failed'))::int as failed
    from audit_events
    where action = 'mcp.call' and occurred_at >= ${since} and status in ('ok', 'denied', 'failed')
    group by 1 order by calls desc, operation limit ${limit}`;
}

export interface ClusterTest {
  clusterId: string;
  durationMs: number | null;
  occurredAt: Date;
}

/** The latest connection test of each cluster since `since` (its latency is the row's duration). */
export async function latestClusterTests(db: Db, since: Date): Promise<ClusterTest[]> {
  return db<ClusterTest[]>`
    select distinct on (cluster_id) cluster_id::text as "clusterId", duration_ms as "durationMs", occurred_at as "occurredAt"
    from audit_events
    where action = 'cluster.test' and occurred_at >= ${since} and cluster_id is not null
    order by cluster_id, occurred_at desc, id desc`;
}
