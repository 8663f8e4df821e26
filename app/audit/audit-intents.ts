/**
 * Write intents left without an outcome: the process making the call stopped (crash, kill -9,
 * power loss) between recording the intent and the outcome. Whether ND applied the change is
 * unknown, so each gets an outcome row with status `unknown` that tells a human to check ND,
 * instead of staying `pending` forever. Reported at start-up and by `audit verify`.
 *
 * An intent younger than `minAgeMs` may still be in flight on another node; it is left alone.
 */
import { recordAudit } from "./audit-log.ts";
import { selectOpenIntents, type OpenIntentRow } from "./audit-intents.sql.ts";
import type { Db } from "./audit.sql.ts";

/** Longer than any ND call may take (cluster timeouts are seconds), so no live call is closed. */
export const OPEN_INTENT_MIN_AGE_MS = 5 * 60_000;

export const UNKNOWN_OUTCOME_REASON =
  "no outcome was recorded: the gateway stopped during this call, so whether Nexus Dashboard applied the change is unknown; check it on Nexus Dashboard";

export function findOpenIntents(db: Db, minAgeMs = OPEN_INTENT_MIN_AGE_MS): Promise<OpenIntentRow[]> {
  return selectOpenIntents(db, minAgeMs);
}

/** Records an `unknown` outcome for every open intent; returns the intents it closed. */
export async function closeOpenIntents(db: Db, minAgeMs = OPEN_INTENT_MIN_AGE_MS): Promise<OpenIntentRow[]> {
  const open = await selectOpenIntents(db, minAgeMs);
  for (const intent of open) {
    await recordAudit(db, {
      action: "mcp.call",
      status: "unknown",
      callId: intent.call_id,
      requestId: intent.request_id,
      actor: { username: intent.username, via: "system" },
      target: { operationId: intent.operation_id },
      cluster: { id: intent.cluster_id, name: intent.cluster_name },
      reason: UNKNOWN_OUTCOME_REASON,
      details: { phase: "outcome", intentId: intent.id, intentAt: intent.occurred_at.toISOString() },
    });
  }
  return open;
}

export function describeIntent(i: OpenIntentRow): string {
  return `intent ${i.id} at ${i.occurred_at.toISOString()}: ${i.username ?? "?"} ran ${i.operation_id ?? "?"} on ${i.cluster_name ?? "?"} (call ${i.call_id})`;
}
