/**
 * The shape of one audit event as callers hand it to `recordAudit()` (app/audit/audit-log.ts).
 * Every state change and every MCP call produces one. Callers pass parameters as they were
 * received; the audit module redacts secrets before anything is stored.
 */
import type { Caller } from "../identity/caller.ts";
import type { AuditAction } from "./audit-actions.ts";

export type AuditStatus = "ok" | "denied" | "failed" | "pending" | "unknown";
export type AuditDecision = "allow" | "deny" | "needs_approval";

/**
 * Who acted when there is no Caller yet: a sign-in attempt, a refused MCP credential, the app's
 * own start ("system"). Every other event names its Caller instead.
 */
export interface AnonymousActor {
  userId?: string | null;
  username?: string | null;
  /** "mcp" / "ui" / "cli" (the front door) or "system". */
  via?: string | null;
  tokenName?: string | null;
  clientIp?: string | null;
  /** Browser user agent, or MCP client "name/version". */
  userAgent?: string | null;
}

export interface AuditEventInput {
  /** One of the closed list in audit-actions.ts (each with its meaning). */
  action: AuditAction;
  status: AuditStatus;
  /** Who acted (principal, address, user agent, front door, request id). */
  caller?: Caller;
  /** Only when there is no Caller (see AnonymousActor); ignored when `caller` is set. */
  actor?: AnonymousActor;
  /** What was acted on: operation id and name, HTTP method; or a user/role/token id. */
  target?: {
    operationId?: string | null;
    operationName?: string | null;
    method?: string | null;
    resourceType?: string | null;
    resourceId?: string | null;
  };
  cluster?: { id?: string | null; name?: string | null };
  decision?: AuditDecision | null;
  reason?: string | null;
  error?: string | null;
  /** Upstream (ND) HTTP status, when a call reached ND. */
  upstreamStatus?: number | null;
  durationMs?: number | null;
  requestId?: string | null;
  /** Links a write's intent row to its outcome row. */
  callId?: string | null;
  /** Request parameters and other context; secrets are redacted by the audit module. */
  details?: Record<string, unknown>;
}
