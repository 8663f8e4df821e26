// Callers for tests: the console operator, or any principal acting through the UI.
import type { Caller } from "../../app/identity/caller.ts";
import type { Principal } from "../../app/identity/principal.ts";

export { cliCaller } from "../../app/identity/caller.ts";

export function callerFor(principal: Principal, now: Date = new Date()): Caller {
  return {
    principal,
    actor: { ip: "127.0.0.1", userAgent: "test", via: "ui" },
    requestId: `test-${crypto.randomUUID()}`,
    now,
  };
}
