/**
 * The dashboard's facts in one call, each part gated by the permission that would let the
 * caller see it elsewhere: clusters (clusters:use — only the ones they may use) with the last
 * connection test; edit mode; pending approvals (approvals:decide); calls of the last 24 h by
 * hour and outcome and the top operations, and the last audit events (audit:read); API tokens
 * expiring within 7 days (own, or everybody's with tokens:manage). Reads only.
 */
import { queryAudit } from "../audit/audit-query.ts";
import {
  callsPerHour,
  latestClusterTests,
  topOperations,
  type HourBucket,
  type OperationCount,
} from "../audit/audit-stats.sql.ts";
import type { AuditRecord } from "../audit/audit.sql.ts";
import type { Cluster } from "../clusters/cluster.ts";
import { listClusters } from "../clusters/clusters.ts";
import type { Caller } from "../identity/caller.ts";
import { listExpiringTokens, type ApiTokenRow } from "../identity/api-tokens.ts";
import { authorize } from "../identity/authorize.ts";
import type { Sql } from "../identity/db-handle.ts";
import { listApprovals } from "../policy/approvals.ts";
import { editModeActive } from "../policy/guard.ts";
import { loadPolicySnapshot } from "../policy/policy.sql.ts";

const DAY_MS = 86_400_000;

export interface ClusterHealth {
  id: string;
  name: string;
  baseUrl: string;
  ok: boolean | null;
  error: string | null;
  version: string | null;
  latencyMs: number | null;
  testedAt: Date | null;
  insecure: boolean;
}

export interface Overview {
  now: Date;
  clusters: ClusterHealth[] | null;
  editMode: { on: boolean; expiresAt: Date | null };
  pendingApprovals: number | null;
  calls: { hours: HourBucket[]; top: OperationCount[] } | null;
  recent: AuditRecord[] | null;
  expiringTokens: ApiTokenRow[] | null;
  tokensOfEveryone: boolean;
}

function health(c: Cluster, latency: Map<string, number | null>): ClusterHealth {
  return {
    id: c.id,
    name: c.name,
    baseUrl: c.baseUrl,
    ok: c.lastTestOk,
    error: c.lastTestError,
    version: c.ndVersion,
    latencyMs: latency.get(c.id) ?? null,
    testedAt: c.lastTestAt,
    insecure: !c.tlsVerify,
  };
}

export async function loadOverview(sql: Sql, caller: Caller): Promise<Overview> {
  const by = caller.principal;
  const now = caller.now;
  const may = (p: Parameters<typeof authorize>[1]) => authorize(by, p).allowed;
  const since = new Date(now.getTime() - DAY_MS);
  const [clusters, tests, policy, approvals, hours, top, recent, tokens] = await Promise.all([
    may("clusters:use") ? listClusters(sql) : null,
    may("clusters:use") ? latestClusterTests(sql, new Date(now.getTime() - 30 * DAY_MS)) : [],
    loadPolicySnapshot(sql),
    may("approvals:decide") ? listApprovals(sql, "pending") : null,
    may("audit:read") ? callsPerHour(sql, since) : null,
    may("audit:read") ? topOperations(sql, since, 8) : null,
    may("audit:read") ? queryAudit(sql, {}, { limit: 20 }) : null,
    may("tokens:own") || may("tokens:manage") ? listExpiringTokens(sql, caller, 7 * DAY_MS) : null,
  ]);
  const latency = new Map(tests.map((t) => [t.clusterId, t.durationMs]));
  const visible = clusters?.filter((c) => by.clusterAccess === "all" || by.clusterAccess.includes(c.id)) ?? null;
  return {
    now,
    clusters: visible ? visible.map((c) => health(c, latency)) : null,
    editMode: { on: editModeActive(policy), expiresAt: policy.editMode.expiresAt },
    pendingApprovals: approvals ? approvals.filter((a) => a.expires_at.getTime() > now.getTime()).length : null,
    calls: hours && top ? { hours, top } : null,
    recent: recent ? recent.rows : null,
    expiringTokens: tokens,
    tokensOfEveryone: may("tokens:manage"),
  };
}
