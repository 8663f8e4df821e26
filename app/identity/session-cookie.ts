/**
 * The session cookie. `__Host-` makes browsers insist on Secure, Path=/ and no Domain, so no
 * sibling host or plain-HTTP page can set or read it; HttpOnly keeps it from page scripts;
 * SameSite=Lax keeps it off cross-site subrequests and form posts. The token never appears in a
 * response body.
 */
export const SESSION_COOKIE = "__Host-nmg_session";

const ATTRIBUTES = "Path=/; Secure; HttpOnly; SameSite=Lax";

/** `Set-Cookie` value for a new session. Without maxAge the browser drops it when it closes. */
export function sessionCookie(token: string, maxAgeSeconds?: number): string {
  const maxAge = maxAgeSeconds !== undefined ? `; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}` : "";
  return `${SESSION_COOKIE}=${token}; ${ATTRIBUTES}${maxAge}`;
}

/** `Set-Cookie` value that removes the session cookie (logout, expired session). */
export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`;
}

/** The session token from a `Cookie` request header, or null. */
export function readSessionCookie(cookieHeader: string | null | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || null;
  }
  return null;
}
