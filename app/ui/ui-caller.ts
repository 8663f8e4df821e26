/**
 * The Caller a UI request hands to the domain: who (the session's principal), from where (client
 * address, user agent, via "ui"), which request, and the clock. Same shape as the house-wide
 * Caller (issue 9); `actionContext` adapts it for the identity functions of today.
 */
import type { ActionContext } from "../identity/actor.ts";
import type { Principal } from "../identity/principal.ts";

export interface UiActor {
  ip: string | null;
  userAgent: string | null;
  via: "ui";
}

export interface Caller {
  principal: Principal;
  actor: UiActor;
  requestId: string;
  now: Date;
}

export function actionContext(caller: Caller): ActionContext {
  return { by: caller.principal, now: caller.now, clientIp: caller.actor.ip, userAgent: caller.actor.userAgent, requestId: caller.requestId };
}
