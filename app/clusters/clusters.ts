/**
 * The cluster registry: add, change, remove and read ND clusters, and open their credentials.
 *
 * Guarantees:
 *   - Credentials are sealed (app/secrets/seal.ts) bound to the row id and column before they
 *     touch the database; they never appear in audit rows, messages or the Cluster type.
 *   - Every URL passes the URL policy (SSRF guard, allow-list, resolved addresses) when saved.
 *   - Stored credentials are only ever sent to the endpoint they were entered for (prior-art
 *     C2): changing the URL — or weakening how that endpoint is authenticated (turning TLS
 *     verification off, replacing the CA bundle) — clears them unless new ones are given in the
 *     same change.
 *   - Each change and its audit row commit in one transaction; the insecure mode is flagged in
 *     the audit details (`insecure: true`).
 *   - Every change bumps `revision` (and credential changes `credential_version`), which is how
 *     cached ND clients on every node notice it (nd-client-pool.ts).
 */
import { randomUUID } from "node:crypto";
import type { Db, Sql } from "../secrets/db-handle.ts";
import { recordAudit } from "../audit/audit-log.ts";
import type { AuditAction } from "../audit/audit-actions.ts";
import type { AuditEventInput } from "../audit/audit-event.ts";
import { Conflict, NotFound } from "../errors.ts";
import { requirePermission } from "../identity/authorize.ts";
import { callerName, type Caller } from "../identity/caller.ts";
import { prepareToSeal, syncKeyring, type Keyring } from "../secrets/keyring.ts";
import { open, seal, sealedVersion } from "../secrets/seal.ts";
import { SecretUnavailable } from "../secrets/secret-errors.ts";
import { bindingFor, sealedColumn } from "../secrets/sealed-columns.ts";
import type { Cluster, ClusterChanges, CredentialsInput, NewCluster } from "./cluster.ts";
import {
  checkCaPem,
  checkCredentials,
  checkLoginDomain,
  checkMaxConcurrency,
  checkName,
  checkTimeout,
} from "./cluster-input.ts";
import { checkClusterUrl, type Resolver, type UrlPolicy } from "./cluster-url-policy.ts";
import {
  deleteCluster,
  insertCluster,
  selectCluster,
  selectClusters,
  selectSealedSecret,
  updateClusterRow,
  type ClusterRow,
} from "./clusters.sql.ts";
import { DEFAULT_LOGIN_DOMAIN, type NdCredentials } from "./nd-credentials.ts";
import { NdError } from "./nd-errors.ts";

export interface ClusterDeps {
  keyring: Keyring;
  urlPolicy: UrlPolicy;
  resolve?: Resolver;
  /** Told after a change commits, so this node drops its cached client at once. */
  onChange?: (clusterId: string) => void;
}

const SECRET = sealedColumn("clusters", "secret_sealed");

export async function listClusters(db: Db): Promise<Cluster[]> {
  return selectClusters(db);
}

export async function getCluster(db: Db, idOrName: string): Promise<Cluster> {
  const cluster = await selectCluster(db, idOrName);
  if (!cluster) throw new NotFound(`no cluster named ${idOrName}`);
  return cluster;
}

export async function addCluster(sql: Sql, caller: Caller, input: NewCluster, deps: ClusterDeps): Promise<Cluster> {
  requirePermission(caller.principal, "clusters:manage");
  const id = randomUUID();
  const credentials = checkCredentials(input.credentials);
  const verify = input.tls?.verify ?? true;
  const row: ClusterRow = {
    id,
    name: checkName(input.name),
    baseUrl: await checkClusterUrl(input.url, deps.urlPolicy, deps.resolve),
    authMode: credentials.mode,
    username: credentials.username,
    loginDomain: credentials.mode === "password" ? checkLoginDomain(credentials.domain) : DEFAULT_LOGIN_DOMAIN,
    secretSealed: null,
    tlsVerify: verify,
    caPem: verify ? checkCaPem(input.tls?.caPem) : null,
    timeoutMs: checkTimeout(input.timeoutMs),
    maxConcurrency: checkMaxConcurrency(input.maxConcurrency),
  };
  await sql.begin(async (tx) => {
    await prepareToSeal(tx, deps.keyring);
    row.secretSealed = sealCredentials(deps.keyring, id, credentials);
    if (await selectCluster(tx, row.name)) throw new Conflict(`a cluster named ${row.name} already exists`);
    await insertCluster(tx, row, callerName(caller));
    await recordAudit(tx, clusterEvent(caller, "cluster.create", row, describeRow(row)));
  });
  deps.onChange?.(id);
  return getCluster(sql, id);
}

export interface UpdateOutcome {
  cluster: Cluster;
  /** Stored credentials were dropped because the endpoint changed; they must be entered again. */
  credentialsCleared: boolean;
}

export async function updateCluster(
  sql: Sql,
  caller: Caller,
  idOrName: string,
  changes: ClusterChanges,
  deps: ClusterDeps,
): Promise<UpdateOutcome> {
  requirePermission(caller.principal, "clusters:manage");
  const baseUrl =
    changes.url === undefined ? undefined : await checkClusterUrl(changes.url, deps.urlPolicy, deps.resolve);
  const credentials = changes.credentials ? checkCredentials(changes.credentials) : undefined;
  let credentialsCleared = false;
  const id = await sql.begin(async (tx) => {
    const current = await selectCluster(tx, idOrName, { forUpdate: true });
    if (!current) throw new NotFound(`no cluster named ${idOrName}`);
    const next = nextRow(current, changes, baseUrl, credentials);
    const endpointChanged = next.baseUrl !== current.baseUrl || weakensTls(current, next);
    let secretSealed: string | null | undefined;
    if (credentials) {
      await prepareToSeal(tx, deps.keyring);
      secretSealed = sealCredentials(deps.keyring, current.id, credentials);
    } else if (endpointChanged && current.hasCredentials) {
      secretSealed = null;
      next.username = null;
      credentialsCleared = true;
    }
    if (next.name.toLowerCase() !== current.name.toLowerCase() && (await selectCluster(tx, next.name))) {
      throw new Conflict(`a cluster named ${next.name} already exists`);
    }
    await updateClusterRow(tx, { ...next, secretSealed }, callerName(caller));
    const changed = changedFields(current, next, credentials !== undefined);
    // (key names avoid "credential"/"secret": the audit redactor hides values under such keys)
    await recordAudit(
      tx,
      clusterEvent(caller, "cluster.update", next, { ...describeRow(next), changed, loginCleared: credentialsCleared }),
    );
    return current.id;
  });
  deps.onChange?.(id);
  return { cluster: await getCluster(sql, id), credentialsCleared };
}

export async function removeCluster(
  sql: Sql,
  caller: Caller,
  idOrName: string,
  deps: Pick<ClusterDeps, "onChange"> = {},
): Promise<Cluster> {
  requirePermission(caller.principal, "clusters:manage");
  const removed = await sql.begin(async (tx) => {
    const current = await selectCluster(tx, idOrName, { forUpdate: true });
    if (!current) throw new NotFound(`no cluster named ${idOrName}`);
    await deleteCluster(tx, current.id);
    await recordAudit(tx, {
      action: "cluster.delete",
      status: "ok",
      caller,
      target: { resourceType: "cluster", resourceId: current.id },
      cluster: { id: current.id, name: current.name },
      details: { name: current.name, url: current.baseUrl },
    });
    return current;
  });
  deps.onChange?.(removed.id);
  return removed;
}

/**
 * The plaintext credentials of a cluster, for building its ND client. Throws NdError("auth")
 * when none are stored, SecretUnavailable (naming the cluster) when they cannot be opened.
 */
export async function openClusterCredentials(db: Db, keyring: Keyring, cluster: Cluster): Promise<NdCredentials> {
  const stored = await selectSealedSecret(db, cluster.id);
  if (!stored?.sealed || !cluster.username) {
    throw new NdError(
      "auth",
      { cluster: cluster.name },
      "no credentials are stored for this cluster (they are cleared when its URL changes); enter them again",
    );
  }
  const version = sealedVersion(stored.sealed);
  if (version !== undefined && !keyring.has(version)) await syncKeyring(db, keyring);
  let secret: string;
  try {
    secret = open(keyring, stored.sealed, bindingFor(SECRET, cluster.id));
  } catch (err) {
    if (err instanceof SecretUnavailable)
      throw err.about(`cannot open the stored credentials of cluster ${cluster.name}`);
    throw err;
  }
  return cluster.authMode === "password"
    ? { mode: "password", username: cluster.username, password: secret, domain: cluster.loginDomain }
    : { mode: "api_key", username: cluster.username, apiKey: secret };
}

function sealCredentials(keyring: Keyring, id: string, credentials: CredentialsInput): string {
  const secret = credentials.mode === "password" ? credentials.password : credentials.apiKey;
  return seal(keyring, secret, bindingFor(SECRET, id));
}

function nextRow(
  current: Cluster,
  changes: ClusterChanges,
  baseUrl: string | undefined,
  credentials: CredentialsInput | undefined,
): Omit<ClusterRow, "secretSealed"> {
  const verify = changes.tls?.verify ?? current.tlsVerify;
  const caPem = changes.tls && "caPem" in changes.tls ? checkCaPem(changes.tls.caPem) : current.caPem;
  const authMode = credentials?.mode ?? current.authMode;
  let loginDomain = current.loginDomain;
  if (credentials?.mode === "password")
    loginDomain = checkLoginDomain(credentials.domain ?? changes.loginDomain ?? current.loginDomain);
  else if (changes.loginDomain !== undefined) loginDomain = checkLoginDomain(changes.loginDomain);
  return {
    id: current.id,
    name: changes.name === undefined ? current.name : checkName(changes.name),
    baseUrl: baseUrl ?? current.baseUrl,
    authMode,
    username: credentials?.username ?? current.username,
    loginDomain,
    tlsVerify: verify,
    caPem: verify ? caPem : null,
    timeoutMs: changes.timeoutMs === undefined ? current.timeoutMs : checkTimeout(changes.timeoutMs),
    maxConcurrency:
      changes.maxConcurrency === undefined ? current.maxConcurrency : checkMaxConcurrency(changes.maxConcurrency),
  };
}

/** Turning verification off, or trusting a different CA, changes who can answer as this host. */
function weakensTls(current: Cluster, next: Pick<ClusterRow, "tlsVerify" | "caPem">): boolean {
  if (current.tlsVerify && !next.tlsVerify) return true;
  return next.tlsVerify && next.caPem !== null && next.caPem !== current.caPem;
}

function changedFields(current: Cluster, next: Omit<ClusterRow, "secretSealed">, credentials: boolean): string[] {
  const fields: string[] = [];
  if (next.name !== current.name) fields.push("name");
  if (next.baseUrl !== current.baseUrl) fields.push("url");
  if (next.authMode !== current.authMode) fields.push("authMode");
  if (next.loginDomain !== current.loginDomain) fields.push("loginDomain");
  if (next.tlsVerify !== current.tlsVerify) fields.push("tlsVerify");
  if (next.caPem !== current.caPem) fields.push("caBundle");
  if (next.timeoutMs !== current.timeoutMs) fields.push("timeoutMs");
  if (next.maxConcurrency !== current.maxConcurrency) fields.push("maxConcurrency");
  if (credentials) fields.push("login");
  return fields;
}

/** What the audit row records: settings, never the secret. */
function describeRow(row: Omit<ClusterRow, "secretSealed">): Record<string, unknown> {
  return {
    name: row.name,
    url: row.baseUrl,
    authMode: row.authMode,
    username: row.username,
    loginDomain: row.authMode === "password" ? row.loginDomain : null,
    tlsVerify: row.tlsVerify,
    insecure: !row.tlsVerify,
    caBundle: row.caPem !== null,
    timeoutMs: row.timeoutMs,
    maxConcurrency: row.maxConcurrency,
  };
}

function clusterEvent(
  caller: Caller,
  action: AuditAction,
  row: Pick<ClusterRow, "id" | "name" | "tlsVerify">,
  details: Record<string, unknown>,
): AuditEventInput {
  return {
    action,
    status: "ok",
    caller,
    target: { resourceType: "cluster", resourceId: row.id },
    cluster: { id: row.id, name: row.name },
    reason: row.tlsVerify ? null : "TLS verification disabled for this cluster (insecure mode)",
    details,
  };
}
