/**
 * Who acts, from where, in which request, at what time — the one value every state change is
 * made with. Built in exactly three places, the three front doors: MCP admission
 * (app/mcp/mcp-admission.ts), the UI session (app/ui/ui-app.ts) and the CLI (`cliCaller`, used by
 * app/cli/cli-context.ts). Every state-changing domain function takes `(db, caller, input)`,
 * checks `caller.principal` itself (requirePermission) and writes the audit row from the caller,
 * so "who did it" is recorded the same way whichever door the change came through.
 */
import { PERMISSIONS } from "./permissions.ts";
import type { Principal } from "./principal.ts";

/** The front door a request came through, or the gateway's own background work; stored as the audit row's `via`. */
export type Via = "mcp" | "ui" | "cli" | "system";

export interface Actor {
  /** Client address (MCP, UI); null at the console. */
  ip: string | null;
  /** Browser user agent or MCP client "name/version"; null at the console. */
  userAgent: string | null;
  via: Via;
  /** The API token an MCP request authenticated with. */
  tokenName?: string | null;
}

export interface Caller {
  principal: Principal;
  actor: Actor;
  /** Ties the audit rows and log lines of one request together. */
  requestId: string;
  /** The request's clock: one instant for everything the request does (injectable in tests). */
  now: Date;
}

/**
 * The operator at the console: the OS user who ran `bun run cli`, holding every permission
 * (whoever can run the CLI on the appliance can read its key and database anyway).
 */
export function cliCaller(osUser: string, opts: { now?: Date; requestId?: string } = {}): Caller {
  const principal: Principal = {
    userId: "",
    username: osUser || "cli",
    active: true,
    roles: [],
    permissions: new Set(PERMISSIONS),
    clusterAccess: "all",
    toolProfile: null,
    via: "cli",
  };
  return {
    principal,
    actor: { ip: null, userAgent: null, via: "cli" },
    requestId: opts.requestId ?? `cli-${crypto.randomUUID()}`,
    now: opts.now ?? new Date(),
  };
}

/**
 * The gateway itself, acting on its own schedule (the directory check): every permission,
 * recorded under the job's name with `via: system`.
 */
export function systemCaller(job: string, now = new Date()): Caller {
  const caller = cliCaller(job, { now, requestId: `${job}-${crypto.randomUUID()}` });
  return { ...caller, principal: { ...caller.principal, via: "system" }, actor: { ...caller.actor, via: "system" } };
}

/** The name recorded in `*_by` columns (updated_by, added_by, …). */
export function callerName(caller: Caller): string {
  return caller.principal.username;
}
