/**
 * Domain services the running gateway holds for its lifetime, prepared once at start: the
 * keyring, the password hasher, the ND client pool, the catalog search index, the audit sealer,
 * and the first admin. Closed again on shutdown.
 */
import type { Config } from "./config.ts";
import type { Database } from "./db.ts";
import type { Logger } from "./log.ts";
import { startAuditSealer, type AuditSealer } from "./audit/audit-seal.ts";
import { createCatalogIndexCache, type CatalogIndexCache } from "./catalog/catalog-index.ts";
import { createOperationCache, type OperationCache } from "./catalog/operation-cache.ts";
import { readCoreDocument } from "./catalog/core-document.ts";
import { importDocuments } from "./catalog/import.ts";
import { parseUrlPolicy, type UrlPolicy } from "./clusters/cluster-url-policy.ts";
import { createNdClientPool, type NdClientPool } from "./clusters/nd-client-pool.ts";
import { ensureFirstAdmin, type FirstAdminResult } from "./identity/first-admin.ts";
import { createPasswordHasher, warmUp, type PasswordHasher } from "./identity/passwords.ts";
import { legacyTokenProblem } from "./identity/legacy-token.ts";
import { purgeLoginThrottle } from "./identity/login.ts";
import { ensureServiceUser } from "./identity/service-user.ts";
import { purgeExpiredSessions } from "./identity/sessions.ts";
import { StartupError } from "./errors.ts";
import { loadKeyring } from "./secrets/keyring.ts";
import { startDirectoryChecks } from "./directory/directory-sync.ts";
import { readThroughFeed, startChangeFeed } from "./cache/change-feed.ts";
import { createCallCaches, type CallCaches } from "./cache/caches.ts";
import { getCluster } from "./clusters/clusters.ts";
import { AuditBatcher } from "./audit/audit-batch.ts";
import { startSiemForwarder, type SiemForwarder } from "./siem/siem-forwarder.ts";
import { hostname } from "node:os";
import type { Keyring } from "./secrets/keyring.ts";

export interface Services {
  keyring: Keyring;
  passwords: PasswordHasher;
  urlPolicy: UrlPolicy;
  ndClients: NdClientPool;
  catalogIndex: CatalogIndexCache;
  operationCache: OperationCache;
  sealer: AuditSealer;
  /** In-process caches of the MCP call path, invalidated by the change feed. */
  caches: CallCaches;
  /** Group commit of MCP calls' audit rows. */
  auditBatcher: AuditBatcher;
  siem: SiemForwarder;
  firstAdmin: FirstAdminResult;
  close(): Promise<void>;
}

export async function startServices(config: Config, db: Database, log: Logger): Promise<Services> {
  const { sql } = db;
  const { keyring } = await loadKeyring({
    sql,
    dataDir: config.dataDir,
    encryptionKey: config.encryptionKey,
    warn: (m) => log.warn(m),
  });
  const passwords = createPasswordHasher();
  // The first unknown-user login must cost the same as every other one (no enumeration).
  await warmUp(passwords);
  if (config.mcpApiToken) {
    const problem = legacyTokenProblem(config.mcpApiToken);
    if (problem) throw new StartupError(problem);
    await ensureServiceUser(sql, config.mcpApiTokenUser);
  }
  const firstAdmin = await ensureFirstAdmin(sql, {
    dataDir: config.dataDir,
    password: config.adminPassword,
    passwords,
  });
  if (firstAdmin.generatedPassword) {
    log.warn(
      { username: firstAdmin.username, passwordFile: firstAdmin.passwordFile },
      "created the first admin; its one-time password is in the password file (change it at first login)",
    );
  }
  // The core catalog (ours) makes the core tools work before any Cisco document is imported;
  // re-importing identical content is a no-op.
  const core = await readCoreDocument();
  if (core) await importDocuments(sql, "bootstrap", [core]);
  const urlPolicy = parseUrlPolicy(config.clusterAllowlist, config.clusterAllowLoopback);
  // The embedded engine has one connection, so no LISTEN: its caches always read through.
  const feed =
    db.engine === "postgresql" && config.databaseUrl
      ? startChangeFeed(config.databaseUrl, log, { retryMs: config.changeFeedRetryMs })
      : readThroughFeed();
  const caches = createCallCaches(sql, feed);
  const auditBatcher = new AuditBatcher(sql, {
    onBatchError: (error, rows) => log.warn({ error, rows }, "an audit batch failed; retrying its rows one by one"),
  });
  const findCluster = async (idOrName: string) =>
    (await caches.clusters()).find((c) => c.id === idOrName || c.name === idOrName) ?? getCluster(sql, idOrName);
  const ndClients = createNdClientPool({ sql, keyring, urlPolicy, findCluster });
  const sealer = startAuditSealer(sql, {
    onError: (err) => log.error({ error: String(err) }, "audit sealing failed; will retry"),
  });
  const siem = startSiemForwarder({
    sql,
    keyring,
    hostname: config.publicHostnames[0] ?? hostname(),
    version: config.version,
    onError: (destination, err) =>
      log.warn({ destination, error: err.message }, "SIEM delivery failed; will retry from its cursor"),
  });
  const directoryChecks = startDirectoryChecks(sql, keyring, {
    onResult: (r) =>
      r.disabled.length && log.warn({ disabled: r.disabled }, "directory accounts gone or disabled: disabled here too"),
    onError: (err) => log.warn({ error: err.message }, "directory check failed; will retry"),
  });
  const purge = setInterval(() => {
    const now = new Date();
    Promise.all([
      purgeExpiredSessions(sql, now, { absoluteMs: config.sessionAbsoluteMs, idleMs: config.sessionIdleMs }),
      purgeLoginThrottle(sql, now, { maxFailures: config.loginMaxFailures, lockoutMs: config.loginLockoutMs }),
    ]).catch((err) => log.warn({ error: String(err) }, "purging expired sessions failed; will retry"));
  }, 10 * 60_000);
  purge.unref();
  return {
    keyring,
    passwords,
    urlPolicy,
    ndClients,
    sealer,
    siem,
    firstAdmin,
    caches,
    auditBatcher,
    catalogIndex: createCatalogIndexCache(() => caches.catalogStamp()),
    operationCache: createOperationCache(256, () => caches.catalogStamp()),
    async close() {
      clearInterval(purge);
      directoryChecks.stop();
      await auditBatcher.close();
      await feed.close();
      await siem.stop();
      await sealer.stop();
      await ndClients.closeAll();
    },
  };
}
