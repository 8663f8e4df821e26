/**
 * The legacy shared MCP token (MCP_API_TOKEN).
 *
 * Guarantees: accepted only when one is configured; compared in constant time (both sides are
 * hashed to equal-length digests first, so neither content nor length leaks); it acts as the
 * configured service user — that user's roles, clusters and active flag apply, never "full
 * access"; a person's account can never be the target.
 */
import type { Sql } from "./db-handle.ts";
import type { Principal } from "./principal.ts";
import { loadPrincipal } from "./principal-loader.ts";
import { digestsEqual } from "./secret-tokens.ts";
import { findUserByName } from "./users.sql.ts";

/** Shorter shared tokens are guessable; main refuses to start with one (see legacyTokenProblem). */
export const MIN_LEGACY_TOKEN_LENGTH = 32;

/** A start-up check for the configured token: a message, or null when acceptable or unset. */
export function legacyTokenProblem(configured: string | undefined): string | null {
  if (!configured) return null;
  if (configured.length < MIN_LEGACY_TOKEN_LENGTH)
    return `MCP_API_TOKEN: must be at least ${MIN_LEGACY_TOKEN_LENGTH} characters; generate one with: openssl rand -hex 32`;
  return null;
}

export async function resolveLegacyToken(
  sql: Sql,
  bearer: string | null | undefined,
  configuredToken: string | undefined,
  serviceUsername: string,
): Promise<Principal | null> {
  if (!configuredToken || !bearer) return null;
  const presented = bearer.replace(/^Bearer\s+/i, "").trim();
  if (!digestsEqual(presented, configuredToken)) return null;
  const user = await findUserByName(sql, serviceUsername);
  if (!user || user.kind !== "service") return null;
  const principal = await loadPrincipal(sql, user.id, "legacy-token");
  return principal?.active ? principal : null;
}
