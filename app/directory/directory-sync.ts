/**
 * The periodic directory check: a directory user whose account is gone or disabled in the
 * directory is disabled here too, which ends their sessions and revokes their API tokens.
 *
 * Bound: an account removed or disabled in the directory stops working here within one check
 * interval (default 5 minutes) while the directory is reachable; its next login is refused at
 * once in any case (login always asks the directory). While a directory is unreachable, its
 * users keep their state and the check retries every interval (logged), so an outage of the
 * directory does not lock every directory user out of an incident.
 */
import type { Sql } from "postgres";
import { recordAudit } from "../audit/audit-log.ts";
import { systemCaller } from "../identity/caller.ts";
import { setUserActive } from "../identity/users.ts";
import type { Keyring } from "../secrets/keyring.ts";
import { connection } from "./directories.ts";
import { lookup } from "./ldap-lookup.ts";
import { markChecked, selectDirectories, selectDirectoryUsers } from "./directory.sql.ts";

export interface SyncResult {
  checked: number;
  disabled: string[];
  unreachable: string[];
}

export async function checkDirectoryUsers(sql: Sql, keyring: Keyring, now = new Date()): Promise<SyncResult> {
  const directories = new Map((await selectDirectories(sql)).map((d) => [d.id, d]));
  const result: SyncResult = { checked: 0, disabled: [], unreachable: [] };
  for (const user of await selectDirectoryUsers(sql)) {
    if (!user.active) continue;
    const d = user.directoryId ? directories.get(user.directoryId) : undefined;
    if (d && result.unreachable.includes(d.name)) continue;
    let gone: string | null = null;
    if (!d) gone = "its directory was removed from the gateway";
    else {
      try {
        const account = await lookup(await connection(sql, keyring, d), user.username);
        if (!account) gone = `the account is no longer in directory ${d.name}`;
        else if (account.disabled) gone = `the account is disabled in directory ${d.name}`;
      } catch {
        result.unreachable.push(d.name);
        continue;
      }
    }
    result.checked++;
    if (gone) {
      try {
        const caller = systemCaller("directory-check", now);
        await setUserActive(sql, caller, user.username, false);
        await recordAudit(sql, {
          action: "directory.check",
          status: "ok",
          caller,
          target: { resourceType: "user", resourceId: user.id },
          reason: `${user.username} disabled: ${gone}`,
        });
        result.disabled.push(user.username);
      } catch {
        // e.g. the last admin: left active; the next round tries again
      }
    } else {
      await markChecked(sql, user.id, now);
    }
  }
  return result;
}

export interface DirectoryChecker {
  stop(): void;
}

export function startDirectoryChecks(
  sql: Sql,
  keyring: Keyring,
  opts: { intervalMs?: number; onResult?: (r: SyncResult) => void; onError?: (err: Error) => void } = {},
): DirectoryChecker {
  const timer = setInterval(
    () => {
      checkDirectoryUsers(sql, keyring).then(
        (r) => opts.onResult?.(r),
        (err) => opts.onError?.(err as Error),
      );
    },
    opts.intervalMs ?? 5 * 60_000,
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
