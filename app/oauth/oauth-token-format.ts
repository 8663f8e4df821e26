/**
 * The OAuth credentials the gateway issues: `nmg_oac_<id>_<secret>` (authorization code),
 * `nmg_oat_<id>_<secret>` (access token), `nmg_ort_<id>_<secret>` (refresh token). Opaque to
 * clients; the id (24 hex) finds the row, the secret (256 bits) is compared with its stored
 * SHA-256 in constant time. The `nmg_` prefix keeps them inside the audit redactor's and secret
 * scanners' reach, like API tokens.
 */
import { randomSecret, randomTokenId, sha256Hex } from "../identity/secret-tokens.ts";

export type OAuthTokenKind = "code" | "access" | "refresh";

const PREFIX: Record<OAuthTokenKind, string> = { code: "nmg_oac_", access: "nmg_oat_", refresh: "nmg_ort_" };
const FORMAT = /^nmg_(oac|oat|ort)_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;
const KIND: Record<string, OAuthTokenKind> = { oac: "code", oat: "access", ort: "refresh" };

export interface OAuthTokenParts {
  kind: OAuthTokenKind;
  id: string;
  secret: string;
}

export function newOAuthToken(kind: OAuthTokenKind): OAuthTokenParts & { token: string; secretHash: string } {
  const id = randomTokenId();
  const secret = randomSecret();
  return { kind, id, secret, token: `${PREFIX[kind]}${id}_${secret}`, secretHash: sha256Hex(secret) };
}

export function parseOAuthToken(value: string | null | undefined): OAuthTokenParts | null {
  const m = value ? FORMAT.exec(value.trim()) : null;
  return m ? { kind: KIND[m[1]!]!, id: m[2]!, secret: m[3]! } : null;
}

export function isOAuthAccessToken(bearer: string): boolean {
  return bearer.startsWith(PREFIX.access);
}
