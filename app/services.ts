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
import { readCoreDocument } from "./catalog/core-document.ts";
import { importDocuments } from "./catalog/import.ts";
import { parseUrlPolicy, type UrlPolicy } from "./clusters/cluster-url-policy.ts";
import { createNdClientPool, type NdClientPool } from "./clusters/nd-client-pool.ts";
import { ensureFirstAdmin, type FirstAdminResult } from "./identity/first-admin.ts";
import { createPasswordHasher, type PasswordHasher } from "./identity/passwords.ts";
import { loadKeyring } from "./secrets/keyring.ts";
import type { Keyring } from "./secrets/keyring.ts";

export interface Services {
  keyring: Keyring;
  passwords: PasswordHasher;
  urlPolicy: UrlPolicy;
  ndClients: NdClientPool;
  catalogIndex: CatalogIndexCache;
  sealer: AuditSealer;
  firstAdmin: FirstAdminResult;
  close(): Promise<void>;
}

export async function startServices(config: Config, db: Database, log: Logger): Promise<Services> {
  const { sql } = db;
  const { keyring } = await loadKeyring({ sql, dataDir: config.dataDir, encryptionKey: config.encryptionKey, warn: (m) => log.warn(m) });
  const passwords = createPasswordHasher();
  const firstAdmin = await ensureFirstAdmin(sql, { dataDir: config.dataDir, password: config.adminPassword, passwords });
  if (firstAdmin.generatedPassword) {
    log.warn({ username: firstAdmin.username, passwordFile: firstAdmin.passwordFile }, "created the first admin; its one-time password is in the password file (change it at first login)");
  }
  // The core catalog (ours) makes the core tools work before any Cisco document is imported;
  // re-importing identical content is a no-op.
  const core = await readCoreDocument();
  if (core) await importDocuments(sql, [core]);
  const urlPolicy = parseUrlPolicy(config.clusterAllowlist, config.clusterAllowLoopback);
  const ndClients = createNdClientPool({ sql, keyring, urlPolicy });
  const sealer = startAuditSealer(sql, { onError: (err) => log.error({ error: String(err) }, "audit sealing failed; will retry") });
  return {
    keyring, passwords, urlPolicy, ndClients, catalogIndex: createCatalogIndexCache(), sealer, firstAdmin,
    async close() {
      await sealer.stop();
      await ndClients.closeAll();
    },
  };
}
