/**
 * Random identifiers and secrets for sessions and API tokens, and how they are compared.
 *
 * Guarantees: secrets come from the CSPRNG (256 bits); only their SHA-256 digest is ever stored
 * (a fast hash is right for high-entropy secrets: nothing to brute-force); digests are compared
 * with `timingSafeEqual` on equal-length buffers, so a comparison never leaks how many leading
 * characters matched.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 32 random bytes, base64url (43 characters). */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** 16 random bytes, base64url (22 characters): a lookup key, not a secret. */
export function randomSessionId(): string {
  return randomBytes(16).toString("base64url");
}

/** 12 random bytes, hex (24 characters): a lookup key, not a secret; no `_` so it can sit between separators. */
export function randomTokenId(): string {
  return randomBytes(12).toString("hex");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Constant-time equality of two hex digests (or any strings: both are hashed first, so lengths match). */
export function digestsEqual(a: string, b: string): boolean {
  const x = createHash("sha256").update(a, "utf8").digest();
  const y = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(x, y);
}

/** Constant-time check that `secret` hashes to `storedDigest`. */
export function secretMatches(secret: string, storedDigest: string): boolean {
  return digestsEqual(sha256Hex(secret), storedDigest);
}
