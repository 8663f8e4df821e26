/**
 * The shape of one audit event as callers hand it to `recordAudit()` (app/audit/audit-log.ts).
 * Every state change and every MCP call produces one. Callers pass parameters as they were
 * received; the audit module redacts secrets before anything is stored.
 */
export type AuditStatus = "ok" | "denied" | "failed" | "pending" | "unknown";
export type AuditDecision = "allow" | "deny" | "needs_approval";

export interface AuditActor {
  userId?: string | null;
  username?: string | null;
  /** API token name (MCP calls) or "session" / "cli" / "system". */
  via?: string | null;
  tokenName?: string | null;
  clientIp?: string | null;
  /** Browser user agent, or MCP client "name/version". */
  userAgent?: string | null;
}

export interface AuditEventInput {
  /** Dotted verb: "auth.login", "user.create", "token.revoke", "mcp.call", "settings.update", … */
  action: string;
  status: AuditStatus;
  actor?: AuditActor;
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
