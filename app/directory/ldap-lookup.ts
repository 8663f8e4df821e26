/**
 * Talking to one directory with `ldapts`: find a user, check a password, collect the groups.
 *
 * Guarantees: the connection is TLS before any bind (ldaps://, or StartTLS on ldap:// — a
 * failed StartTLS ends the attempt); the certificate is verified against the directory's CA or
 * the system store, TLS 1.2 at least; every operation has the directory's timeout, so a directory
 * that hangs gives `DirectoryUnavailable`, not a hung login; the username reaches a filter only
 * after the local username rule (letters, digits, . _ @ -) and LDAP escaping, so `*)(uid=*`
 * cannot widen a search; an empty password is refused before any bind (it would be an
 * unauthenticated bind, which many servers answer with success); the service password and the
 * user's password appear in no error.
 */
import { Client, EqualityFilter, InvalidCredentialsError, type Entry } from "ldapts";
import net from "node:net";
import { USERNAME } from "../identity/users.ts";
import type { Directory } from "./directory-config.ts";
import { parseEndpoint } from "./directory-config.ts";

export class DirectoryUnavailable extends Error {}

export interface DirectoryAccount {
  dn: string;
  username: string;
  displayName: string | null;
  email: string | null;
  disabled: boolean;
}

export type AuthOutcome =
  | { ok: true; account: DirectoryAccount; groups: string[] }
  | { ok: false; reason: "unknown user" | "wrong password" | "account disabled" | "not a valid username" };

const MAX_GROUPS = 500;
const MAX_NESTING = 8;

export interface Connection {
  directory: Directory;
  bindPassword: string;
}

/**
 * `tlsOptions` go to the client only for ldaps://: given for an ldap:// URL, they break the
 * StartTLS upgrade under Bun ("disconnected before secure TLS connection was established");
 * StartTLS gets the same options through `startTLS()`.
 */
function newClient(d: Directory): Client {
  const { url, startTls } = parseEndpoint(d.url);
  return new Client({
    url,
    timeout: d.timeoutMs,
    connectTimeout: d.timeoutMs,
    tlsOptions: startTls ? undefined : tlsOf(d),
    strictDN: false,
  });
}

async function open(c: Connection): Promise<Client> {
  const { startTls } = parseEndpoint(c.directory.url);
  const tlsOptions = tlsOf(c.directory);
  const client = newClient(c.directory);
  try {
    if (startTls) await client.startTLS(tlsOptions);
    await client.bind(c.directory.bindDn, c.bindPassword);
    return client;
  } catch (err) {
    await client.unbind().catch(() => {});
    if (err instanceof InvalidCredentialsError)
      throw new DirectoryUnavailable(
        `directory ${c.directory.name}: the service account (bind DN) was refused; check its DN and password`,
      );
    throw unavailable(c.directory, err);
  }
}

function unavailable(d: Directory, err: unknown): DirectoryUnavailable {
  const message = (err as Error)?.message ?? String(err);
  return new DirectoryUnavailable(`directory ${d.name} is unavailable: ${message}`);
}

const first = (entry: Entry, attribute: string): string | null => {
  const value = entry[attribute];
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? null : String(v);
};

/** Finds the account; null when the directory has no (or more than one) such user. */
export async function findAccount(client: Client, d: Directory, username: string): Promise<DirectoryAccount | null> {
  const match = new EqualityFilter({ attribute: d.usernameAttribute, value: username }).toString();
  const filter = `(&${d.userFilter}${match})`;
  const { searchEntries } = await client.search(d.userBase, {
    scope: "sub",
    filter,
    sizeLimit: 2,
    attributes: ["dn", d.usernameAttribute, "displayName", "cn", "mail"],
  });
  if (searchEntries.length !== 1) return null;
  const entry = searchEntries[0]!;
  let disabled = false;
  if (d.disabledFilter) {
    const check = await client.search(entry.dn, {
      scope: "base",
      filter: d.disabledFilter,
      attributes: ["dn"],
      sizeLimit: 1,
    });
    disabled = check.searchEntries.length > 0;
  }
  return {
    dn: entry.dn,
    username: first(entry, d.usernameAttribute) ?? username,
    displayName: first(entry, "displayName") ?? first(entry, "cn"),
    email: first(entry, "mail"),
    disabled,
  };
}

/**
 * Every group the account belongs to, nested ones included. AD resolves nesting in one search
 * (LDAP_MATCHING_RULE_IN_CHAIN); other servers are walked upwards, bounded in depth and count.
 */
export async function groupsOf(client: Client, d: Directory, dn: string): Promise<string[]> {
  if (d.kind === "ad") {
    const filter = `(member:1.2.840.113556.1.4.1941:=${escapeValue(dn)})`;
    const { searchEntries } = await client.search(d.groupBase, {
      scope: "sub",
      filter,
      attributes: ["dn"],
      sizeLimit: MAX_GROUPS,
    });
    return searchEntries.map((e) => e.dn);
  }
  const found = new Map<string, string>();
  let frontier = [dn];
  for (let depth = 0; depth < MAX_NESTING && frontier.length && found.size < MAX_GROUPS; depth++) {
    const next: string[] = [];
    for (const member of frontier) {
      const filter = `(|(member=${escapeValue(member)})(uniqueMember=${escapeValue(member)}))`;
      const { searchEntries } = await client.search(d.groupBase, {
        scope: "sub",
        filter,
        attributes: ["dn"],
        sizeLimit: MAX_GROUPS,
      });
      for (const e of searchEntries as { dn: string }[]) {
        const key = e.dn.toLowerCase();
        if (!found.has(key)) {
          found.set(key, e.dn);
          next.push(e.dn);
        }
      }
    }
    frontier = next;
  }
  return [...found.values()];
}

/** RFC 4515 escaping of a filter value. */
export function escapeValue(value: string): string {
  return value.replace(/[\\*()\u0000]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Password check against the directory: find the account with the service bind, then bind as it. */
export async function authenticate(c: Connection, username: string, password: string): Promise<AuthOutcome> {
  if (!USERNAME.test(username)) return { ok: false, reason: "not a valid username" };
  const client = await open(c);
  try {
    const account = await findAccount(client, c.directory, username).catch((err) => {
      throw unavailable(c.directory, err);
    });
    if (!account) return { ok: false, reason: "unknown user" };
    if (!password) return { ok: false, reason: "wrong password" };
    const userClient = newClient(c.directory);
    try {
      if (parseEndpoint(c.directory.url).startTls) await userClient.startTLS(tlsOf(c.directory));
      await userClient.bind(account.dn, password);
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return { ok: false, reason: "wrong password" };
      throw unavailable(c.directory, err);
    } finally {
      await userClient.unbind().catch(() => {});
    }
    if (account.disabled) return { ok: false, reason: "account disabled" };
    const groups = await groupsOf(client, c.directory, account.dn).catch((err) => {
      throw unavailable(c.directory, err);
    });
    return { ok: true, account, groups };
  } finally {
    await client.unbind().catch(() => {});
  }
}

/** The account as the directory has it now (for the periodic check), without a password. */
export async function lookup(c: Connection, username: string): Promise<DirectoryAccount | null> {
  const client = await open(c);
  try {
    return await findAccount(client, c.directory, username);
  } catch (err) {
    throw unavailable(c.directory, err);
  } finally {
    await client.unbind().catch(() => {});
  }
}

/** For the "test" button: bind, find the named user, list their groups. */
export async function probe(
  c: Connection,
  username: string,
): Promise<{ account: DirectoryAccount | null; groups: string[] }> {
  const client = await open(c);
  try {
    const account = await findAccount(client, c.directory, username);
    return { account, groups: account ? await groupsOf(client, c.directory, account.dn) : [] };
  } catch (err) {
    throw err instanceof DirectoryUnavailable ? err : unavailable(c.directory, err);
  } finally {
    await client.unbind().catch(() => {});
  }
}

function tlsOf(d: Directory) {
  const host = new URL(parseEndpoint(d.url).url).hostname;
  return { ca: d.caPem ?? undefined, minVersion: "TLSv1.2" as const, servername: net.isIP(host) ? undefined : host };
}
