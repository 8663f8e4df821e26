/**
 * Redirect URI rules for dynamically registered public clients (RFC 7591, RFC 8252, OAuth 2.1).
 *
 * Guarantees: a registered redirect URI is an absolute https URL, or http on a loopback host
 * (127.0.0.1, [::1], localhost — native apps per RFC 8252); never a fragment, never user info,
 * at most 512 characters. An authorization request's redirect_uri must equal a registered one
 * exactly, except that for loopback URIs the port is ignored (RFC 8252 §7.3: the app picks a free
 * port at run time). Nothing else is accepted, so `redirect_uri` cannot be used as an open
 * redirect: an unknown one is shown as an error page, never followed.
 */
export const MAX_REDIRECT_URI = 512;
export const MAX_REDIRECT_URIS = 5;

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

function parse(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

export function isLoopback(u: URL): boolean {
  return u.protocol === "http:" && LOOPBACK.has(u.hostname.toLowerCase());
}

/** Null when `value` may be registered, else why not. */
export function redirectUriProblem(value: unknown): string | null {
  if (typeof value !== "string" || !value) return "each redirect URI must be a non-empty string";
  if (value.length > MAX_REDIRECT_URI) return `a redirect URI has at most ${MAX_REDIRECT_URI} characters`;
  if (/[\u0000-\u0020\u007f]/.test(value)) return "a redirect URI may not contain spaces or control characters";
  const u = parse(value);
  if (!u) return `${value} is not an absolute URL`;
  if (value.includes("#")) return "a redirect URI may not contain a fragment (#)";
  if (u.username || u.password) return "a redirect URI may not contain user info";
  if (u.protocol === "https:") return null;
  if (isLoopback(u)) return null;
  if (u.protocol === "http:")
    return "http redirect URIs are only allowed on loopback (127.0.0.1, [::1], localhost); use https";
  return `redirect URI scheme ${u.protocol} is not supported; use https or a loopback http URI`;
}

/** Does a presented redirect_uri match a registered one (loopback: any port)? */
export function redirectUriMatches(presented: string, registered: string): boolean {
  if (presented === registered) return true;
  const p = parse(presented);
  const r = parse(registered);
  if (!p || !r || !isLoopback(p) || !isLoopback(r) || presented.includes("#")) return false;
  return (
    p.hostname.toLowerCase() === r.hostname.toLowerCase() &&
    p.pathname === r.pathname &&
    p.search === r.search &&
    !p.username &&
    !p.password
  );
}

export function findRegistered(presented: string, registered: readonly string[]): boolean {
  return presented.length <= MAX_REDIRECT_URI && registered.some((r) => redirectUriMatches(presented, r));
}
