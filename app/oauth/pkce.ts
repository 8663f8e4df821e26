/**
 * PKCE (RFC 7636) as OAuth 2.1 and the MCP authorization spec require it.
 *
 * Guarantees: only S256 is accepted (`plain` and a missing method are refused at the
 * authorization endpoint); a challenge is exactly 43 base64url characters (a SHA-256); a
 * verifier must have 43–128 unreserved characters, so an empty or short verifier never matches;
 * the comparison is constant-time.
 */
import { createHash } from "node:crypto";
import { digestsEqual } from "../identity/secret-tokens.ts";

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Null when the challenge is acceptable, else why not (for the client's error_description). */
export function challengeProblem(challenge: string | null, method: string | null): string | null {
  if (!challenge) return "code_challenge is required (PKCE with S256)";
  if (method !== "S256")
    return method === "plain" || method === null || method === ""
      ? "code_challenge_method must be S256; plain is not accepted"
      : `code_challenge_method ${method} is not supported; use S256`;
  if (!CHALLENGE.test(challenge)) return "code_challenge must be the base64url SHA-256 of the verifier (43 characters)";
  return null;
}

export function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** Does this verifier prove the challenge? False for a malformed (also empty) verifier. */
export function verifierMatches(verifier: string | null | undefined, challenge: string): boolean {
  if (!verifier || !VERIFIER.test(verifier)) return false;
  return digestsEqual(s256(verifier), challenge);
}
