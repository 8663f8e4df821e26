/**
 * The API token as MCP clients send it: `nmg_<id>_<secret>`. The id (24 hex) finds the row by
 * equality on the primary key — no secret is ever part of a lookup — and the secret (43
 * base64url, 256 bits) is checked against its stored SHA-256 in constant time. The `nmg_`
 * prefix lets secret scanners and the audit redactor recognise a leaked token.
 */
import { randomSecret, randomTokenId, sha256Hex } from "./secret-tokens.ts";

export const TOKEN_PREFIX = "nmg_";
const TOKEN = /^nmg_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

export interface ApiTokenParts {
  id: string;
  secret: string;
}

export function newApiToken(): ApiTokenParts & { token: string; secretHash: string } {
  const id = randomTokenId();
  const secret = randomSecret();
  return { id, secret, token: `${TOKEN_PREFIX}${id}_${secret}`, secretHash: sha256Hex(secret) };
}

/** Accepts the bare token or an `Authorization` value (`Bearer nmg_…`); null if malformed. */
export function parseApiToken(bearer: string | null | undefined): ApiTokenParts | null {
  if (!bearer) return null;
  const value = bearer.replace(/^Bearer\s+/i, "").trim();
  const m = TOKEN.exec(value);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}
