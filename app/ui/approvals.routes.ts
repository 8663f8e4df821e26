/**
 * Page 7: approvals. Thin routes: read through the approvals domain, decide through
 * `decideApproval` (which enforces approvals:decide, four eyes, expiry, and audits with the
 * session's user, address and user agent).
 */
import { AppError, Invalid } from "../errors.ts";
import {
  decideApproval,
  getApproval,
  getApprovalSettings,
  listApprovals,
  type ApprovalRow,
} from "../policy/approvals.ts";
import { approvalDetail, approvalsPage, pendingList, type ApprovalView } from "../../views/approvals.ts";
import { redirect } from "./ui-app.ts";
import { field, get, post, type SignedInRequest, type UiRoute } from "./ui-route.ts";

async function toView(req: SignedInRequest, row: ApprovalRow): Promise<ApprovalView> {
  const op = await req.deps.services.operationCache.get(req.deps.sql, row.operation_id);
  return {
    id: row.id,
    username: row.username,
    operationId: row.operation_id,
    clusterName: row.cluster_name,
    args: row.args,
    status: row.status,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    note: row.decision_note,
    own: row.user_id === req.session.caller.principal.userId,
    operation: op
      ? { summary: op.summary, method: op.method, path: op.path, risk: op.risk, riskReason: op.riskReason }
      : null,
  };
}

async function detail(
  req: SignedInRequest,
  id: string,
  message: { kind: "ok" | "bad"; text: string } | null = null,
  status = 200,
) {
  const [row, settings] = await Promise.all([getApproval(req.deps.sql, id), getApprovalSettings(req.deps.sql)]);
  const main = approvalDetail({
    approval: await toView(req, row),
    csrf: req.session.csrf,
    now: new Date(),
    allowSelfApproval: settings.allowSelfApproval,
    message,
  });
  return { title: "Approval request", main, status };
}

export function approvalsRoutes(): UiRoute[] {
  return [
    get("/approvals", "approvals:decide", async (req) => {
      const sql = req.deps.sql;
      const [pendingRows, decidedRows, settings] = await Promise.all([
        listApprovals(sql, "pending"),
        listApprovals(sql, "decided", 20),
        getApprovalSettings(sql),
      ]);
      const pending = await Promise.all(pendingRows.map((r) => toView(req, r)));
      const decided = await Promise.all(decidedRows.map((r) => toView(req, r)));
      const now = new Date();
      return {
        title: "Approvals",
        main: approvalsPage({
          pending,
          decided,
          now,
          ttlMinutes: settings.ttlMinutes,
          allowSelfApproval: settings.allowSelfApproval,
        }),
        fragment: pendingList({ pending, now }),
      };
    }),

    get("/approvals/:id", "approvals:decide", (req) => {
      const decided = req.url.searchParams.get("decided");
      const message =
        decided === "approve"
          ? {
              kind: "ok" as const,
              text: "Approved. The requester may now repeat the call once with the same arguments.",
            }
          : decided === "deny"
            ? { kind: "ok" as const, text: "Denied." }
            : null;
      return detail(req, req.params.id!, message);
    }),

    post("/approvals/:id/decide", "approvals:decide", async (req) => {
      const id = req.params.id!;
      const decision = field(req.form, "decision");
      const reason = field(req.form, "reason").slice(0, 500);
      try {
        if (decision !== "approve" && decision !== "deny") throw new Invalid("choose Approve or Deny");
        if (decision === "deny" && !reason)
          throw new Invalid("say why you deny the request (the requester and the audit log see the reason)");
        await decideApproval(req.deps.sql, req.session.caller, id, decision === "approve", reason);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return detail(req, id, { kind: "bad", text: err.message }, err.status);
      }
      return redirect(req, `/approvals/${encodeURIComponent(id)}?decided=${decision}`);
    }),
  ];
}
