/**
 * Authorization lives in the domain: every exported state-changing function of the domain
 * folders checks the caller's permission itself, whichever front door (MCP, UI, CLI) calls it.
 *
 * Two tests keep that true as the code grows:
 *  - the table: each state-changing function is called by a caller holding every permission
 *    except the one it needs → Forbidden, and nothing was written (the audit log is unchanged);
 *    the same call by a caller holding that permission too is not refused for permissions;
 *  - the census: every exported async function of app/{identity,policy,clusters,secrets,catalog,
 *    audit,ops,siem,directory} (query modules `*.sql.ts` aside) is either in the table or listed below as
 *    not a state change, with the reason. A new exported function in neither list fails CI.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Glob } from "bun";
import type { Sql } from "postgres";
import { Forbidden } from "../../app/errors.ts";
import { cliCaller, type Caller } from "../../app/identity/caller.ts";
import { PERMISSIONS, type Permission } from "../../app/identity/permissions.ts";
import * as retain from "../../app/audit/audit-retain.ts";
import * as importer from "../../app/catalog/import.ts";
import * as urlPolicyModule from "../../app/clusters/cluster-url-policy.ts";
import * as registry from "../../app/clusters/clusters.ts";
import * as connectionTest from "../../app/clusters/connection-test.ts";
import * as apiTokens from "../../app/identity/api-tokens.ts";
import * as passwordChange from "../../app/identity/password-change.ts";
import * as roles from "../../app/identity/roles.ts";
import * as users from "../../app/identity/users.ts";
import * as backup from "../../app/ops/backup.ts";
import * as restore from "../../app/ops/restore.ts";
import * as approvals from "../../app/policy/approvals.ts";
import * as settings from "../../app/policy/policy-settings.ts";
import * as keyringModule from "../../app/secrets/keyring.ts";
import * as rewrap from "../../app/secrets/rewrap.ts";
import * as rotate from "../../app/secrets/rotate.ts";
import * as destinations from "../../app/siem/siem-destinations.ts";
import * as directories from "../../app/directory/directories.ts";
import { freshDatabase } from "../support/db.ts";

const db = await freshDatabase();
const dataDir = mkdtempSync(join(tmpdir(), "nmg-perm-"));
afterAll(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const { keyring } = await keyringModule.loadKeyring({
  sql: db.sql,
  dataDir,
  encryptionKey: randomBytes(32).toString("base64"),
});
const urlPolicy = urlPolicyModule.parseUrlPolicy(["*"], true);
const admin = cliCaller("perm-admin");
const passwords = {
  passwords: {
    hash: async () => "x",
    verify: async () => false,
    needsRehash: () => false,
    dummyHash: () => "x",
  } as never,
};
const owner = await users.createUser(
  db.sql,
  admin,
  { username: "perm-owner", password: "a long enough passphrase", roles: ["admin"], clusters: "all" },
  passwords,
);
const ownersToken = await apiTokens.createApiToken(db.sql, admin, { username: "perm-owner", name: "perm" });
const tableToken = await apiTokens.createApiToken(db.sql, admin, { username: "perm-owner", name: "perm-table" });

/** Every permission except `missing`: proves that exactly this permission is checked. */
function without(missing: Permission): Caller {
  const c = cliCaller("perm-tester");
  return {
    ...c,
    principal: {
      ...c.principal,
      userId: "00000000-0000-4000-8000-000000000001",
      permissions: new Set(PERMISSIONS.filter((p) => p !== missing)),
    },
  };
}

type Call = (db: Sql, caller: Caller) => Promise<unknown>;
interface Entry {
  needs: Permission;
  call: Call;
  /** Also run it with the permission held (off where that would do real work: pg_dump, network). */
  positive?: boolean;
}

const UUID = "00000000-0000-4000-8000-0000000000aa";

/** "module:function" → how to call it. */
const CHECKED: Record<string, Entry> = {
  "identity/users.ts:createUser": {
    needs: "users:manage",
    call: (d, c) => users.createUser(d, c, { username: "perm-new" }, passwords),
  },
  "identity/users.ts:setUserActive": {
    needs: "users:manage",
    call: (d, c) => users.setUserActive(d, c, "perm-owner", true),
  },
  "identity/users.ts:deleteUser": { needs: "users:manage", call: (d, c) => users.deleteUser(d, c, "nobody-at-all") },
  "identity/users.ts:setUserRoles": {
    needs: "users:manage",
    call: (d, c) => users.setUserRoles(d, c, "perm-owner", ["admin"]),
  },
  "identity/users.ts:grantRole": {
    needs: "users:manage",
    call: (d, c) => users.grantRole(d, c, "perm-owner", "viewer"),
  },
  "identity/users.ts:revokeRole": {
    needs: "users:manage",
    call: (d, c) => users.revokeRole(d, c, "perm-owner", "viewer"),
  },
  "identity/users.ts:setUserClusters": {
    needs: "users:manage",
    call: (d, c) => users.setUserClusters(d, c, "perm-owner", "all"),
  },
  "identity/users.ts:updateProfile": {
    needs: "users:manage",
    call: (d, c) => users.updateProfile(d, c, "perm-owner", { displayName: "P" }),
  },
  "identity/users.ts:listUsers": { needs: "users:manage", call: (d, c) => users.listUsers(d, c) },
  "identity/roles.ts:createRole": {
    needs: "roles:manage",
    call: (d, c) => roles.createRole(d, c, { name: "perm-role", permissions: [] }),
  },
  "identity/roles.ts:updateRole": {
    needs: "roles:manage",
    call: (d, c) => roles.updateRole(d, c, "viewer", { toolProfile: null }),
  },
  "identity/roles.ts:deleteRole": { needs: "roles:manage", call: (d, c) => roles.deleteRole(d, c, "no-such-role") },
  "identity/api-tokens.ts:createApiToken": {
    needs: "tokens:manage",
    call: (d, c) => apiTokens.createApiToken(d, c, { username: "perm-owner", name: "other" }),
  },
  "identity/api-tokens.ts:narrowApiToken": {
    needs: "tokens:manage",
    call: (d, c) => apiTokens.narrowApiToken(d, c, tableToken.id, { readOnly: true }),
  },
  "identity/api-tokens.ts:revokeApiToken": {
    needs: "tokens:manage",
    call: (d, c) => apiTokens.revokeApiToken(d, c, tableToken.id),
  },
  "identity/api-tokens.ts:listApiTokens": { needs: "tokens:manage", call: (d, c) => apiTokens.listApiTokens(d, c) },
  "identity/password-change.ts:resetPassword": {
    needs: "users:manage",
    call: (d, c) => passwordChange.resetPassword(d, c, { username: "perm-owner" }, passwords),
  },
  "policy/policy-settings.ts:setEditMode": {
    needs: "settings:manage",
    call: (d, c) => settings.setEditMode(d, c, false, null),
  },
  "policy/policy-settings.ts:addToWhitelist": {
    needs: "settings:manage",
    call: (d, c) => settings.addToWhitelist(d, c, "perm.op"),
  },
  "policy/policy-settings.ts:removeFromWhitelist": {
    needs: "settings:manage",
    call: (d, c) => settings.removeFromWhitelist(d, c, "perm.none"),
  },
  "policy/policy-settings.ts:addConstraint": {
    needs: "settings:manage",
    call: (d, c) =>
      settings.addConstraint(d, c, {
        operationPattern: "perm.*",
        param: "fabric",
        allowed: ["f1"],
        appliesTo: "write",
      }),
  },
  "policy/policy-settings.ts:removeConstraint": {
    needs: "settings:manage",
    call: (d, c) => settings.removeConstraint(d, c, "999999"),
  },
  "policy/policy-settings.ts:addApprovalRule": {
    needs: "settings:manage",
    call: (d, c) => settings.addApprovalRule(d, c, "perm.*"),
  },
  "policy/policy-settings.ts:removeApprovalRule": {
    needs: "settings:manage",
    call: (d, c) => settings.removeApprovalRule(d, c, "perm.none"),
  },
  "policy/policy-settings.ts:saveToolProfile": {
    needs: "settings:manage",
    call: (d, c) => settings.saveToolProfile(d, c, { name: "perm", mode: "meta", operations: [], tokenBudget: 2000 }),
  },
  "policy/approvals.ts:decideApproval": {
    needs: "approvals:decide",
    call: (d, c) => approvals.decideApproval(d, c, UUID, true),
  },
  "policy/approvals.ts:setApprovalSettings": {
    needs: "settings:manage",
    call: (d, c) => approvals.setApprovalSettings(d, c, { ttlMinutes: 60, allowSelfApproval: false }),
  },
  "policy/approvals.ts:requestApproval": {
    needs: "clusters:use",
    call: (d, c) =>
      approvals.requestApproval(d, c, { operationId: "perm.op", clusterId: "c1", clusterName: "c1", args: {} }),
  },
  "clusters/clusters.ts:addCluster": {
    needs: "clusters:manage",
    call: (d, c) =>
      registry.addCluster(
        d,
        c,
        { name: "perm", url: "https://127.0.0.1:9", credentials: { mode: "password", username: "a", password: "b" } },
        { keyring, urlPolicy },
      ),
  },
  "clusters/clusters.ts:updateCluster": {
    needs: "clusters:manage",
    call: (d, c) => registry.updateCluster(d, c, "no-such-cluster", { timeoutMs: 20_000 }, { keyring, urlPolicy }),
  },
  "clusters/clusters.ts:removeCluster": {
    needs: "clusters:manage",
    call: (d, c) => registry.removeCluster(d, c, "no-such-cluster"),
  },
  "clusters/connection-test.ts:runConnectionTest": {
    needs: "clusters:manage",
    call: (d, c) => connectionTest.runConnectionTest(d, c, "no-such-cluster", { pool: {} as never }),
  },
  "secrets/rotate.ts:rotateKeys": { needs: "settings:manage", call: (d, c) => rotate.rotateKeys(d, c, keyring) },
  "secrets/rewrap.ts:rewrapKeys": {
    needs: "settings:manage",
    call: (d, c) => rewrap.rewrapKeys(d, c, keyring, { id: keyring.kekId } as never),
  },
  "catalog/import.ts:importDocuments": { needs: "settings:manage", call: (d, c) => importer.importDocuments(d, c, []) },
  "catalog/import.ts:importFromCluster": {
    needs: "settings:manage",
    call: (d, c) => importer.importFromCluster(d, c, "c1", []),
  },
  "audit/audit-retain.ts:retainAudit": {
    needs: "settings:manage",
    call: (d, c) => retain.retainAudit(d, c, { olderThanDays: 36_500 }),
  },
  "ops/backup.ts:createBackup": {
    needs: "settings:manage",
    call: (d, c) => backup.createBackup(d, c, {} as never),
    positive: false,
  },
  "ops/restore.ts:restoreBackup": {
    needs: "settings:manage",
    call: (_d, c) => restore.restoreBackup({ caller: c } as never),
    positive: false,
  },
  "siem/siem-destinations.ts:addDestination": {
    needs: "settings:manage",
    call: (d, c) => destinations.addDestination(d, c, { name: "perm", url: "syslog+tls://127.0.0.1:1" }, { keyring }),
  },
  "siem/siem-destinations.ts:setDestinationEnabled": {
    needs: "settings:manage",
    call: (d, c) => destinations.setDestinationEnabled(d, c, "no-such", true),
  },
  "siem/siem-destinations.ts:removeDestination": {
    needs: "settings:manage",
    call: (d, c) => destinations.removeDestination(d, c, "no-such"),
  },
  "siem/siem-destinations.ts:testDestination": {
    needs: "settings:manage",
    call: (d, c) => destinations.testDestination(d, c, "no-such", { hostname: "h", version: "v" }, { keyring }),
  },
  "siem/siem-destinations.ts:listDestinations": {
    needs: "settings:manage",
    call: (d, c) => destinations.listDestinations(d, c),
  },
  "directory/directories.ts:addDirectory": {
    needs: "users:manage",
    call: (d, c) =>
      directories.addDirectory(
        d,
        c,
        { name: "perm", url: "ldaps://127.0.0.1:1", bindDn: "cn=x,dc=y", bindPassword: "p", userBase: "dc=y" },
        { keyring },
      ),
  },
  "directory/directories.ts:removeDirectory": {
    needs: "users:manage",
    call: (d, c) => directories.removeDirectory(d, c, "no-such"),
  },
  "directory/directories.ts:mapGroup": {
    needs: "users:manage",
    call: (d, c) => directories.mapGroup(d, c, "no-such", { groupDn: "cn=g,dc=y", roleName: "viewer" }),
  },
  "directory/directories.ts:unmapGroup": {
    needs: "users:manage",
    call: (d, c) => directories.unmapGroup(d, c, "no-such", "1"),
  },
  "directory/directories.ts:testDirectory": {
    needs: "users:manage",
    call: (d, c) => directories.testDirectory(d, c, { name: "no-such", username: "u" }, { keyring }),
  },
  "directory/directories.ts:listDirectories": {
    needs: "users:manage",
    call: (d, c) => directories.listDirectories(d, c),
  },
};

/** Exported async functions that change nothing on a caller's behalf, and why. */
const NOT_A_CALLER_CHANGE: Record<string, string> = {
  "identity/sessions.ts:endAllSessions": "part of a user change, inside its transaction (users.ts)",
  "identity/sessions.ts:logout": "ends the presented session itself: the cookie is the authority",
  "identity/sessions.ts:purgeExpiredSessions": "housekeeping timer",
  "identity/sessions.ts:resolveSession": "authentication (cookie → principal)",
  "identity/sessions.ts:startSession": "part of login / password change, after the password was verified",
  "identity/users.ts:requireManageableUser": "read and escalation check used by the functions above",
  "identity/users.ts:requireUser": "read",
  "identity/passwords.ts:warmUp": "no state",
  "identity/last-admin.ts:countActiveAdmins": "read",
  "identity/last-admin.ts:guardAdmins": "part of a user change, inside its transaction",
  "identity/api-tokens.ts:authenticateApiToken": "authentication (bearer → principal)",
  "identity/api-tokens.ts:checkApiToken": "authentication",
  "identity/api-tokens.ts:resolveApiToken": "authentication",
  "identity/roles.ts:getRole": "read",
  "identity/roles.ts:listRoles": "read",
  "identity/password-change.ts:changePassword": "self-service: proven by the current password",
  "identity/first-admin.ts:ensureFirstAdmin": "bootstrap: the app's first start, before any user exists",
  "identity/service-user.ts:ensureServiceUser": "bootstrap: the configured legacy-token service user",
  "identity/cluster-names.ts:clusterIdsByName": "read",
  "identity/legacy-token.ts:resolveLegacyToken": "authentication",
  "identity/principal-loader.ts:loadPrincipal": "read",
  "identity/login.ts:login": "authentication: proven by the password (anonymous until then)",
  "identity/login.ts:purgeLoginThrottle": "housekeeping timer",
  "policy/approvals.ts:approvalMatches": "read",
  "policy/approvals.ts:consumeApproval":
    "MCP call path after the guard allowed the call; uses up the principal's own approval",
  "policy/approvals.ts:listApprovals": "read",
  "policy/approvals.ts:getApproval": "read",
  "policy/approvals.ts:getApprovalSettings": "read",
  "policy/approvals.ts:countPendingApprovals": "read",
  "clusters/connection-test.ts:testConnection": "talks to Nexus Dashboard through a client; stores nothing",
  "clusters/nd-http.ts:exchange": "HTTP to Nexus Dashboard",
  "clusters/cluster-url-policy.ts:checkClusterUrl": "validation",
  "clusters/cluster-url-policy.ts:systemResolver": "DNS",
  "clusters/clusters.ts:getCluster": "read",
  "clusters/clusters.ts:listClusters": "read",
  "clusters/clusters.ts:openClusterCredentials": "read for the ND client (never leaves the process)",
  "secrets/keyring.ts:loadKeyring": "bootstrap: loads (on first start creates) the keyring",
  "secrets/keyring.ts:prepareToSeal": "part of a change that seals, inside its transaction",
  "secrets/keyring.ts:syncKeyring": "read",
  "catalog/import-inputs.ts:fetchClusterInput": "reads a document",
  "catalog/import-inputs.ts:readDirectoryInputs": "reads files",
  "catalog/import-inputs.ts:readFileInput": "reads a file",
  "catalog/import-inputs.ts:readPathInputs": "reads files",
  "catalog/core-document.ts:readCoreDocument": "reads the bundled document",
  "audit/audit-seal.ts:sealBatch": "the sealer links committed rows into the chain (background, no caller)",
  "audit/audit-seal.ts:sealPending": "the sealer",
  "audit/audit-verify.ts:verifyAuditChain": "read",
  "identity/sessions.ts:endMyOtherSessions":
    "self-service: ends the caller's own other browser sessions (no one else's)",
  "identity/sessions.ts:listMySessions": "read (the caller's own sessions)",
  "identity/api-tokens.ts:listExpiringTokens": "read (own tokens; everybody's with tokens:manage)",
  "ops/overview.ts:loadOverview": "read (the dashboard; each part checked against the caller's permissions)",
  "clusters/nd-version.ts:recordNdVersion": "the gateway's bookkeeping of the version ND reported after a login",
  "clusters/connection-test.ts:ndfcVersion": "reads ND's version (no database change)",
  "audit/audit-intents.ts:closeOpenIntents":
    "start-up recovery by the gateway itself: records `unknown` outcomes of intents a crash left open",
  "audit/audit-log.ts:recordAudit": "the audit writer every change above uses",
  "audit/audit-query.ts:callEvents": "read",
  "audit/audit-query.ts:getAuditEvent": "read",
  "audit/audit-query.ts:queryAudit": "read",
  "ops/pg-tools.ts:collectStderr": "process helper",
  "ops/pg-tools.ts:toolVersion": "process helper",
  "ops/backup-archive.ts:newEncryption": "crypto helper",
  "ops/backup-archive.ts:openEncryption": "crypto helper",
  "ops/backup-archive.ts:readHeader": "reads a file",
  "ops/backup-archive.ts:scanArchive": "reads a file",
  "siem/siem-destinations.ts:openToken": "read for the forwarder (never leaves the process)",
  "directory/directories.ts:connection": "opens the sealed bind password for a lookup (never leaves the process)",
  "directory/directories.ts:authenticateDirectoryUser":
    "the login path itself (anonymous, throttled and audited by login)",
  "directory/directories.ts:provisionDirectoryUser": "runs inside login after the directory accepted the password",
  "directory/ldap-lookup.ts:authenticate": "LDAP protocol helper (no database)",
  "directory/ldap-lookup.ts:findAccount": "LDAP protocol helper (no database)",
  "directory/ldap-lookup.ts:groupsOf": "LDAP protocol helper (no database)",
  "directory/ldap-lookup.ts:lookup": "LDAP protocol helper (no database)",
  "directory/ldap-lookup.ts:probe": "LDAP protocol helper (no database)",
  "directory/directory-sync.ts:checkDirectoryUsers":
    "the gateway's own scheduled check (systemCaller), disables through setUserActive",
};

const DOMAIN = ["identity", "policy", "clusters", "secrets", "catalog", "audit", "ops", "siem", "directory"];

async function exportedAsyncFunctions(): Promise<string[]> {
  const names: string[] = [];
  for (const dir of DOMAIN) {
    for (const file of new Glob("*.ts").scanSync(join(import.meta.dir, "../../app", dir))) {
      if (file.endsWith(".sql.ts")) continue; // queries only: called by the domain functions, never a front door
      const mod = (await import(`../../app/${dir}/${file}`)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value === "function" && value.constructor.name === "AsyncFunction")
          names.push(`${dir}/${file}:${name}`);
      }
    }
  }
  return names.sort();
}

test("every exported async domain function is either permission-checked (in the table) or not a caller's change", async () => {
  const found = await exportedAsyncFunctions();
  const unclassified = found.filter((n) => !(n in CHECKED) && !(n in NOT_A_CALLER_CHANGE));
  expect(unclassified).toEqual([]);
  const stale = [...Object.keys(CHECKED), ...Object.keys(NOT_A_CALLER_CHANGE)].filter((n) => !found.includes(n));
  expect(stale).toEqual([]);
});

const auditCount = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from audit_events`)[0]!.n;

describe("a caller lacking the permission is refused by the domain itself", () => {
  for (const [name, entry] of Object.entries(CHECKED)) {
    test(`${name} needs ${entry.needs}`, async () => {
      const before = await auditCount();
      const err = await entry.call(db.sql, without(entry.needs)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Forbidden);
      expect((err as Error).message).toContain(entry.needs);
      expect(await auditCount()).toBe(before);
      if (entry.positive === false) return;
      const allowed = await entry.call(db.sql, admin).then(
        () => null,
        (e: unknown) => e,
      );
      expect(allowed).not.toBeInstanceOf(Forbidden);
    });
  }
});

test("the owner of a token may revoke it; someone else needs tokens:manage", async () => {
  const ownerCaller = {
    ...cliCaller("perm-owner"),
    principal: {
      ...cliCaller("perm-owner").principal,
      userId: owner.user.id,
      permissions: new Set<Permission>(["tokens:own"]),
    },
  };
  const other = without("tokens:manage");
  await expect(apiTokens.revokeApiToken(db.sql, other, ownersToken.id)).rejects.toBeInstanceOf(Forbidden);
  await apiTokens.revokeApiToken(db.sql, ownerCaller, ownersToken.id);
});
