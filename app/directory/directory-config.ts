/**
 * A directory (LDAP or Active Directory) as configured: validation and the defaults per kind.
 *
 * Guarantees: plain LDAP is refused — `ldaps://`, or `ldap://` with StartTLS, which the client
 * always performs for that scheme; search filters must be balanced and parenthesised; the
 * username attribute is a plain attribute name (it is put into filters, so it comes only from
 * here, never from the user logging in).
 */
import { Invalid } from "../errors.ts";

export type DirectoryKind = "ad" | "ldap";

export interface Directory {
  id: string;
  name: string;
  kind: DirectoryKind;
  url: string;
  caPem: string | null;
  bindDn: string;
  hasBindPassword: boolean;
  userBase: string;
  userFilter: string;
  usernameAttribute: string;
  disabledFilter: string | null;
  groupBase: string;
  timeoutMs: number;
  enabled: boolean;
}

export interface GroupMapping {
  id: string;
  groupDn: string;
  roleName: string | null;
  /** Cluster names, or ["*"] for every cluster. */
  clusters: string[];
}

export interface NewDirectory {
  name: string;
  kind?: string;
  url: string;
  caPem?: string | null;
  bindDn: string;
  bindPassword: string;
  userBase: string;
  groupBase?: string;
  userFilter?: string;
  usernameAttribute?: string;
  disabledFilter?: string | null;
  timeoutMs?: number;
}

/** Defaults: AD finds people by sAMAccountName and flags disabled accounts in userAccountControl. */
export const DEFAULTS: Record<
  DirectoryKind,
  { userFilter: string; usernameAttribute: string; disabledFilter: string | null }
> = {
  ad: {
    userFilter: "(&(objectCategory=person)(objectClass=user))",
    usernameAttribute: "sAMAccountName",
    disabledFilter: "(userAccountControl:1.2.840.113556.1.4.803:=2)",
  },
  ldap: {
    userFilter: "(objectClass=inetOrgPerson)",
    usernameAttribute: "uid",
    disabledFilter: "(pwdAccountLockedTime=*)",
  },
};

export interface DirectoryEndpoint {
  url: string;
  startTls: boolean;
}

export function parseEndpoint(raw: string): DirectoryEndpoint {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Invalid(`"${raw}" is not a URL: use ldaps://HOST[:636] or ldap://HOST[:389] (StartTLS)`);
  }
  if (url.protocol !== "ldaps:" && url.protocol !== "ldap:")
    throw new Invalid(`"${url.protocol}" is not a directory URL: use ldaps:// or ldap:// (StartTLS)`);
  if (url.username || url.password)
    throw new Invalid("the URL must not carry a user or password; give --bind-dn and --bind-password-file");
  if ((url.pathname && url.pathname !== "/") || url.search || url.hash)
    throw new Invalid("a directory URL has no path, query or fragment: ldaps://HOST[:PORT]");
  if (!url.hostname) throw new Invalid("the URL names no host");
  const port = url.port || (url.protocol === "ldaps:" ? "636" : "389");
  // ldap:// is accepted only because StartTLS is then mandatory: the password never goes in clear.
  return { url: `${url.protocol}//${url.hostname}:${port}`, startTls: url.protocol === "ldap:" };
}

export function checkKind(kind: string | undefined): DirectoryKind {
  const k = (kind ?? "ldap").toLowerCase();
  if (k !== "ad" && k !== "ldap")
    throw new Invalid(`directory kind "${kind}" is not known: use ad (Active Directory) or ldap`);
  return k;
}

/** A filter must be one parenthesised expression with balanced parentheses. */
export function checkFilter(filter: string, what: string): string {
  const f = filter.trim();
  if (!f.startsWith("(") || !f.endsWith(")") || !balanced(f)) {
    throw new Invalid(
      `${what} "${filter}" is not a valid LDAP filter: one expression in parentheses, e.g. (objectClass=inetOrgPerson)`,
    );
  }
  return f;
}

function balanced(f: string): boolean {
  let depth = 0;
  for (const ch of f) {
    if (ch === "(") depth++;
    else if (ch === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

export function checkAttribute(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(name)) throw new Invalid(`"${name}" is not an LDAP attribute name`);
  return name;
}

export function checkDn(dn: string, what: string): string {
  const d = dn.trim();
  if (!d || d.length > 1000 || !/=/.test(d))
    throw new Invalid(`${what} "${dn}" is not a DN, e.g. ou=people,dc=example,dc=org`);
  return d;
}

export function checkName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name))
    throw new Invalid(`directory name "${name}" is not valid: 1–63 letters, digits, dot, dash or underscore`);
  return name;
}

export function checkTimeout(ms: number | undefined): number {
  const t = ms ?? 5000;
  if (!Number.isInteger(t) || t < 500 || t > 60_000)
    throw new Invalid("the directory timeout must be between 0.5 s and 60 s");
  return t;
}
