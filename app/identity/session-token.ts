/**
 * The browser session token: `<id>.<secret>`, both base64url. The id finds the row; the secret
 * proves possession and is stored only as its SHA-256. The CSRF token is derived from the secret
 * (HMAC), so it is bound to this session, needs no storage and changes with every login.
 */
import { createHmac } from "node:crypto";
import { digestsEqual, randomSecret, randomSessionId, sha256Hex } from "./secret-tokens.ts";

const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface SessionTokenParts {
  id: string;
  secret: string;
}

export function newSessionToken(): SessionTokenParts & { token: string; secretHash: string } {
  const id = randomSessionId();
  const secret = randomSecret();
  return { id, secret, token: `${id}.${secret}`, secretHash: sha256Hex(secret) };
}

/** Null for anything that is not exactly a session token (checked before any database work). */
export function parseSessionToken(token: string | null | undefined): SessionTokenParts | null {
  const m = token ? TOKEN.exec(token) : null;
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/** The CSRF token of a session: forms and htmx requests echo it; `verifyCsrfToken` checks it. */
export function csrfTokenFor(sessionToken: string): string | null {
  const parts = parseSessionToken(sessionToken);
  if (!parts) return null;
  return createHmac("sha256", parts.secret).update(`nmg-csrf:${parts.id}`).digest("base64url");
}

/** Constant-time check of a submitted CSRF token against the session it must belong to. */
export function verifyCsrfToken(sessionToken: string, submitted: string | null | undefined): boolean {
  const expected = csrfTokenFor(sessionToken);
  if (!expected || !submitted) return false;
  return digestsEqual(expected, submitted);
}
