// Shared pieces of the identity tests: a fast argon2 hasher (the parameters are the only
// difference from production; a separate test covers the production ones), a counting wrapper,
// the console principal and short-hands for creating users and reading audit rows.
import type { Sql } from "postgres";
import { cliCaller, type Caller } from "../../app/identity/caller.ts";
import { createPasswordHasher, type PasswordHasher } from "../../app/identity/passwords.ts";
import { DEFAULT_SESSION_SETTINGS } from "../../app/identity/sessions.ts";
import type { LoginDeps } from "../../app/identity/login.ts";
import { createUser, type NewUser } from "../../app/identity/users.ts";

export const fastHasher: PasswordHasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

export function countingHasher(
  inner: PasswordHasher = fastHasher,
): PasswordHasher & { verifies: number; hashes: number } {
  const h = {
    verifies: 0,
    hashes: 0,
    hash: async (p: string) => {
      h.hashes++;
      return inner.hash(p);
    },
    verify: async (stored: string, p: string) => {
      h.verifies++;
      return inner.verify(stored, p);
    },
    needsRehash: (stored: string) => inner.needsRehash(stored),
    dummyHash: () => inner.dummyHash(),
  };
  return h;
}

export const cli = (now?: Date): Caller => cliCaller("cli", now ? { now } : {});

export const PASSWORD = "correct horse battery staple";

let counter = 0;
export function uniqueName(prefix = "user"): string {
  return `${prefix}${++counter}`;
}

export async function addUser(
  sql: Sql,
  input: Partial<NewUser> & { username?: string } = {},
): Promise<{ id: string; username: string; password: string }> {
  const username = input.username ?? uniqueName();
  const password = input.password ?? PASSWORD;
  const { user } = await createUser(
    sql,
    cli(),
    { roles: ["viewer"], clusters: "all", ...input, username, password },
    { passwords: fastHasher },
  );
  return { id: user.id, username: user.username, password };
}

export function loginDeps(overrides: Partial<LoginDeps> = {}): LoginDeps {
  return {
    passwords: fastHasher,
    sessions: DEFAULT_SESSION_SETTINGS,
    throttle: { maxFailures: 5, lockoutMs: 15 * 60_000 },
    ...overrides,
  };
}

export interface AuditRow {
  action: string;
  status: string;
  username: string | null;
  reason: string | null;
  resource_id: string | null;
  details: Record<string, unknown>;
}

export async function auditRows(sql: Sql, action?: string): Promise<AuditRow[]> {
  return action
    ? sql<
        AuditRow[]
      >`select action, status, username, reason, resource_id, details from audit_events where action = ${action} order by id`
    : sql<AuditRow[]>`select action, status, username, reason, resource_id, details from audit_events order by id`;
}

export const minutes = (n: number) => n * 60_000;
export const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
