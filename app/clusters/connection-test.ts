/**
 * The connection test of a saved cluster: is it reachable, is its TLS certificate trusted, do
 * the stored credentials log in, which ND version runs there, and how long does a round trip
 * take. Only saved clusters can be tested (prior-art C2: no testing of arbitrary targets), and
 * each test is audited (`cluster.test`) with its outcome, never with credentials.
 */
import type { Sql } from "../secrets/db-handle.ts";
import { recordAudit } from "../audit/audit-log.ts";
import { requirePermission } from "../identity/authorize.ts";
import type { Caller } from "../identity/caller.ts";
import { errorMessage } from "../errors.ts";
import { getCluster } from "./clusters.ts";
import { updateTestResult } from "./clusters.sql.ts";
import type { NdClient } from "./nd-client.ts";
import type { NdClientPool } from "./nd-client-pool.ts";
import { NdError, type NdErrorKind } from "./nd-errors.ts";

export interface ConnectionTestResult {
  cluster: string;
  ok: boolean;
  reachable: boolean;
  /** verified: certificate checked; insecure: not checked (flagged); failed: rejected. */
  tls: "verified" | "insecure" | "failed" | "unknown";
  login: "ok" | "failed" | "not_tried";
  /** ND version (e.g. 4.1.1g), when ND tells. */
  version: string | null;
  /** Round trip of the unauthenticated version request. */
  latencyMs: number | null;
  error?: string;
  errorKind?: NdErrorKind | "credentials";
}

/** Probes with a built client. Never throws for ND-side failures; they are in the result. */
export async function testConnection(client: NdClient): Promise<ConnectionTestResult> {
  const result: ConnectionTestResult = {
    cluster: client.clusterName,
    ok: false,
    reachable: false,
    tls: "unknown",
    login: "not_tried",
    version: null,
    latencyMs: null,
  };
  try {
    const probe = await client
      .request({ method: "GET", pathTemplate: "/version.json", anonymous: true })
      .catch(acceptHttpErrors);
    result.reachable = true;
    result.tls = client.insecure ? "insecure" : "verified";
    result.latencyMs = probe.durationMs;
    result.version = versionOf(probe.body);
    await checkLogin(client);
    result.login = "ok";
    result.version ??= await ndfcVersion(client);
    result.ok = true;
  } catch (err) {
    describeFailure(result, err);
  }
  return result;
}

/** An HTTP error still proves reachability and TLS; only transport failures abort the probe. */
function acceptHttpErrors(err: unknown): { durationMs: number | null; body: unknown } {
  if (err instanceof NdError && err.upstreamStatus !== undefined) return { durationMs: null, body: null };
  throw err;
}

async function checkLogin(client: NdClient): Promise<void> {
  await client.login();
  // API keys have no login: one authenticated read proves them. A 403 still proves the key;
  // a 404 means this ND lacks the endpoint, which says nothing about the key either way.
  try {
    await client.request({ method: "GET", pathTemplate: "/api/config/dn/apigwcfg/default" });
  } catch (err) {
    if (err instanceof NdError && (err.kind === "forbidden" || err.kind === "not_found")) return;
    throw err;
  }
}

export async function ndfcVersion(client: NdClient): Promise<string | null> {
  try {
    const res = await client.request({ method: "GET", pathTemplate: "/appcenter/cisco/ndfc/api/v1/fm/about/version" });
    const v = (res.body as { version?: unknown } | null)?.version;
    return typeof v === "string" ? v : null;
  } catch {
    return null;
  }
}

/** `/version.json` → "4.1.1g" (major.minor.maintenance + patch letter). */
export function versionOf(body: unknown): string | null {
  if (!body || typeof body !== "object") return null;
  const v = body as Record<string, unknown>;
  if (v.major === undefined || v.minor === undefined) return null;
  const maintenance = v.maintenance === undefined ? "" : `.${String(v.maintenance)}`;
  return `${String(v.major)}.${String(v.minor)}${maintenance}${typeof v.patch === "string" ? v.patch : ""}`;
}

function describeFailure(result: ConnectionTestResult, err: unknown): void {
  result.error = errorMessage(err);
  if (!(err instanceof NdError)) {
    result.errorKind = "credentials";
    return;
  }
  result.errorKind = err.kind;
  if (err.kind === "tls") {
    result.reachable = true;
    result.tls = "failed";
  }
  if (result.reachable && result.tls !== "failed" && (err.kind === "auth" || err.kind === "forbidden"))
    result.login = "failed";
}

export interface RunTestDeps {
  pool: NdClientPool;
}

/** Tests a saved cluster, stores the outcome (and ND version) on its row, audits it. */
export async function runConnectionTest(
  sql: Sql,
  caller: Caller,
  idOrName: string,
  deps: RunTestDeps,
): Promise<ConnectionTestResult> {
  requirePermission(caller.principal, "clusters:manage");
  const cluster = await getCluster(sql, idOrName);
  let result: ConnectionTestResult;
  try {
    result = await testConnection(await deps.pool.clientFor(cluster.id));
  } catch (err) {
    // The client could not be built: no credentials stored, or they cannot be opened.
    result = {
      cluster: cluster.name,
      ok: false,
      reachable: false,
      tls: "unknown",
      login: "not_tried",
      version: null,
      latencyMs: null,
    };
    describeFailure(result, err);
  }
  await sql.begin(async (tx) => {
    await updateTestResult(tx, cluster.id, { ok: result.ok, error: result.error ?? null, ndVersion: result.version });
    await recordAudit(tx, {
      action: "cluster.test",
      status: result.ok ? "ok" : "failed",
      caller,
      target: { resourceType: "cluster", resourceId: cluster.id },
      cluster: { id: cluster.id, name: cluster.name },
      reason: cluster.tlsVerify ? null : "TLS verification disabled for this cluster (insecure mode)",
      error: result.error ?? null,
      durationMs: result.latencyMs,
      details: {
        reachable: result.reachable,
        tls: result.tls,
        login: result.login,
        version: result.version,
        insecure: !cluster.tlsVerify,
      },
    });
  });
  return result;
}
