/** Queries of the cluster registry (table clusters). The sealed secret is read only by selectSealedSecret. */
import { isUuid, type Db } from "../db.ts";
import type { AuthMode, Cluster } from "./cluster.ts";

export function isClusterId(value: string): boolean {
  return isUuid(value);
}

function columns(db: Db) {
  return db`
    id::text as id, name, base_url as "baseUrl", auth_mode as "authMode", username,
    login_domain as "loginDomain", secret_sealed is not null as "hasCredentials",
    credential_version as "credentialVersion", revision, tls_verify as "tlsVerify", ca_pem as "caPem",
    timeout_ms as "timeoutMs", max_concurrency as "maxConcurrency", nd_version as "ndVersion",
    last_test_at as "lastTestAt", last_test_ok as "lastTestOk", last_test_error as "lastTestError",
    created_at as "createdAt", created_by as "createdBy", updated_at as "updatedAt", updated_by as "updatedBy"`;
}

export async function selectClusters(db: Db): Promise<Cluster[]> {
  return db<Cluster[]>`select ${columns(db)} from clusters order by lower(name)`;
}

/** By id (uuid) or by name (case-insensitive). */
export async function selectCluster(
  db: Db,
  idOrName: string,
  opts: { forUpdate?: boolean } = {},
): Promise<Cluster | undefined> {
  const lock = opts.forUpdate ? db`for update` : db``;
  const rows = isClusterId(idOrName)
    ? await db<Cluster[]>`select ${columns(db)} from clusters where id = ${idOrName} ${lock}`
    : await db<Cluster[]>`select ${columns(db)} from clusters where lower(name) = lower(${idOrName}) ${lock}`;
  return rows[0];
}

export async function selectSealedSecret(
  db: Db,
  id: string,
): Promise<{ sealed: string | null; credentialVersion: number } | undefined> {
  const [row] = await db<{ sealed: string | null; credentialVersion: number }[]>`
    select secret_sealed as sealed, credential_version as "credentialVersion" from clusters where id = ${id}`;
  return row;
}

export interface ClusterRow {
  id: string;
  name: string;
  baseUrl: string;
  authMode: AuthMode;
  username: string | null;
  loginDomain: string;
  secretSealed: string | null;
  tlsVerify: boolean;
  caPem: string | null;
  timeoutMs: number;
  maxConcurrency: number;
}

export async function insertCluster(db: Db, row: ClusterRow, actor: string | null): Promise<void> {
  await db`
    insert into clusters (id, name, base_url, auth_mode, username, login_domain, secret_sealed,
                          tls_verify, ca_pem, timeout_ms, max_concurrency, created_by, updated_by)
    values (${row.id}, ${row.name}, ${row.baseUrl}, ${row.authMode}, ${row.username}, ${row.loginDomain},
            ${row.secretSealed}, ${row.tlsVerify}, ${row.caPem}, ${row.timeoutMs}, ${row.maxConcurrency},
            ${actor}, ${actor})`;
}

/**
 * Writes every mutable column. `secretSealed` undefined keeps the stored secret; null clears it;
 * a string replaces it. Either of the last two bumps credential_version; every call bumps revision.
 */
export async function updateClusterRow(
  db: Db,
  row: Omit<ClusterRow, "secretSealed"> & { secretSealed?: string | null },
  actor: string | null,
): Promise<void> {
  const credentialsChange = row.secretSealed !== undefined;
  await db`
    update clusters set
      name = ${row.name}, base_url = ${row.baseUrl}, auth_mode = ${row.authMode}, username = ${row.username},
      login_domain = ${row.loginDomain},
      secret_sealed = case when ${credentialsChange} then ${row.secretSealed ?? null} else secret_sealed end,
      credential_version = credential_version + case when ${credentialsChange} then 1 else 0 end,
      revision = revision + 1,
      tls_verify = ${row.tlsVerify}, ca_pem = ${row.caPem}, timeout_ms = ${row.timeoutMs},
      max_concurrency = ${row.maxConcurrency}, updated_at = now(), updated_by = ${actor}
    where id = ${row.id}`;
}

export async function deleteCluster(db: Db, id: string): Promise<boolean> {
  const rows = await db`delete from clusters where id = ${id} returning id`;
  return rows.length === 1;
}

export interface TestResultRow {
  ok: boolean;
  error: string | null;
  ndVersion: string | null;
}

/** A connection test is not an edit: revision and credentials stay as they are. */
/** Records the version ND reported; a no-op when it is unchanged (no revision bump: see nd-version.ts). */
export async function updateNdVersion(db: Db, id: string, version: string): Promise<void> {
  await db`update clusters set nd_version = ${version} where id = ${id} and nd_version is distinct from ${version}`;
}

export async function updateTestResult(db: Db, id: string, result: TestResultRow): Promise<void> {
  await db`
    update clusters set last_test_at = now(), last_test_ok = ${result.ok}, last_test_error = ${result.error},
                        nd_version = coalesce(${result.ndVersion}, nd_version)
    where id = ${id}`;
}
