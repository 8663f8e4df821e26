/**
 * The Caller a UI request hands to the domain: who (the session's principal), from where (client
 * address, user agent, via "ui"), which request, and the clock. Built once per request in
 * ui-app.ts from the session; the house-wide type lives in app/identity/caller.ts.
 */
export type { Caller } from "../identity/caller.ts";
