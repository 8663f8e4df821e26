// Who performs an identity change and from where: every domain function that changes state
// takes an ActionContext, checks `by` with `authorize`, and writes `auditActor(ctx)` into the
// audit row of the same transaction.
import type { AuditActor } from "../audit/audit-event.ts";
import { PERMISSIONS } from "./permissions.ts";
import type { Principal } from "./principal.ts";

export interface ActionContext {
  by: Principal;
  /** Injected clock; defaults to the current time. */
  now?: Date;
  clientIp?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

/** The operator at the console (`bun run cli`) or the app itself (first start): every permission. */
export function systemPrincipal(via: "cli" | "system", name: string = via): Principal {
  return {
    userId: "",
    username: name,
    active: true,
    roles: [],
    permissions: new Set(PERMISSIONS),
    clusterAccess: "all",
    toolProfile: null,
    via,
  };
}

export function auditActor(ctx: Pick<ActionContext, "by" | "clientIp" | "userAgent">): AuditActor {
  const by = ctx.by;
  return {
    userId: by.userId || null,
    username: by.username,
    via: by.token ? by.token.name : by.via,
    tokenName: by.token?.name ?? null,
    clientIp: ctx.clientIp ?? null,
    userAgent: ctx.userAgent ?? null,
  };
}

export function nowOf(ctx: { now?: Date }): Date {
  return ctx.now ?? new Date();
}
