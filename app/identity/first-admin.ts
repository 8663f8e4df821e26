/**
 * The first administrator, created at first start — never through an open setup page.
 *
 * Guarantees: runs under a transaction-level advisory lock, so of several nodes starting at once
 * exactly one creates the account, and only while no person account exists; a given password
 * (ADMIN_PASSWORD / _FILE) must pass the policy; otherwise a random one is generated, written to
 * DATA_DIR/initial-admin-password with mode 0600, returned once for printing, and must be
 * changed at first login. The account holds the admin role and access to all clusters.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { recordAudit } from "../audit/audit-log.ts";
import type { Sql } from "./db-handle.ts";
import { assertPasswordAcceptable } from "./password-policy.ts";
import { generatePassword, type PasswordHasher } from "./passwords.ts";
import { roleIdsByName, insertGrant } from "./roles.sql.ts";
import { countPeople, insertUser } from "./users.sql.ts";

export const FIRST_ADMIN_USERNAME = "admin";
export const INITIAL_PASSWORD_FILE = "initial-admin-password";
/** Arbitrary constant naming the lock: "nmg-first-admin". */
const FIRST_ADMIN_LOCK_ID = 7_463_003;

export interface FirstAdminOptions {
  dataDir: string;
  /** ADMIN_PASSWORD (or its _FILE), passed in by the caller; unset = generate. */
  password?: string;
  passwords: PasswordHasher;
  now?: Date;
}

export interface FirstAdminResult {
  created: boolean;
  username: string;
  /** Only when generated: print it once; it is also in `passwordFile`. */
  generatedPassword?: string;
  passwordFile?: string;
}

export async function ensureFirstAdmin(sql: Sql, opts: FirstAdminOptions): Promise<FirstAdminResult> {
  const username = FIRST_ADMIN_USERNAME;
  if ((await countPeople(sql)) > 0) return { created: false, username };
  const generated = opts.password ? undefined : generatePassword();
  const password = opts.password ?? generated!;
  assertPasswordAcceptable(password, username);
  const hash = await opts.passwords.hash(password);
  const now = opts.now ?? new Date();
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK_ID})`;
    if ((await countPeople(tx)) > 0) return { created: false, username };
    const id = await insertUser(tx, {
      username,
      kind: "person",
      email: null,
      displayName: "Administrator",
      passwordHash: hash,
      mustChangePassword: generated !== undefined,
      allClusters: true,
      now,
    });
    const [admin] = await roleIdsByName(tx, ["admin"]);
    await insertGrant(tx, id, admin!.id, now);
    await recordAudit(tx, {
      action: "user.create",
      status: "ok",
      actor: { via: "system", username: "system" },
      target: { resourceType: "user", resourceId: id },
      details: {
        username,
        roles: ["admin"],
        clusters: "all",
        generated: generated !== undefined,
        reason: "first start: no user existed",
      },
    });
    if (!generated) return { created: true, username };
    // Written before commit: if the file cannot be written, no account exists with a lost password.
    const passwordFile = writeInitialPassword(opts.dataDir, generated);
    return { created: true, username, generatedPassword: generated, passwordFile };
  });
}

function writeInitialPassword(dataDir: string, password: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, INITIAL_PASSWORD_FILE);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an older file keeps its mode on overwrite
  return file;
}
