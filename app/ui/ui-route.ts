/**
 * How a UI route is declared. Every route names the access it needs in its definition (a
 * permission from the closed list, or one of the three session levels below); `ui-app.ts`
 * enforces it before the handler runs, and a test fails if a route of the app declares none.
 * A handler parses, makes one domain call and returns a view (or a Response).
 */
import type { Permission } from "../identity/permissions.ts";
import type { SafeHtml } from "../../views/html.ts";
import type { Caller } from "./ui-caller.ts";
import type { UiDeps } from "./ui-deps.ts";

/**
 * public: anyone, no session needed (sign-in page, assets, health);
 * password-change: any valid session, also one that must change its password first;
 * signed-in: any valid session whose password need not change;
 * a Permission: signed in and holding it.
 */
export type RouteAccess = Permission | "public" | "password-change" | "signed-in";

export type Method = "GET" | "POST";

export interface UiSession {
  /** The cookie value (never rendered). */
  token: string;
  csrf: string;
  caller: Caller;
}

export interface UiRequest {
  request: Request;
  url: URL;
  params: Record<string, string>;
  /** Parsed body of a POST (urlencoded or multipart), empty for GET. */
  form: FormData;
  htmx: { request: boolean; boosted: boolean; target: string | null };
  session: UiSession | null;
  requestId: string;
  deps: UiDeps;
}

/** A request on a route that is not public: the session is there. */
export interface SignedInRequest extends UiRequest {
  session: UiSession;
}

export interface UiView {
  title: string;
  /** Content of <main>. */
  main: SafeHtml;
  /** What an htmx (non-boosted) request gets instead of the whole main column. */
  fragment?: SafeHtml;
  status?: number;
  /** Sign-in pages: centred card, no navigation. */
  bare?: boolean;
  headers?: Record<string, string>;
}

export type UiResult = Response | UiView;

export interface UiRoute {
  method: Method;
  path: string;
  access: RouteAccess;
  handle(req: SignedInRequest | UiRequest): UiResult | Promise<UiResult>;
}

export function get<A extends RouteAccess>(
  path: string,
  access: A,
  handle: (req: A extends "public" ? UiRequest : SignedInRequest) => UiResult | Promise<UiResult>,
): UiRoute {
  return { method: "GET", path, access, handle: handle as UiRoute["handle"] };
}

export function post<A extends RouteAccess>(
  path: string,
  access: A,
  handle: (req: A extends "public" ? UiRequest : SignedInRequest) => UiResult | Promise<UiResult>,
): UiRoute {
  return { method: "POST", path, access, handle: handle as UiRoute["handle"] };
}

/** The string value of a form field, trimmed; "" when absent. */
/** A domain error's message (safe to show, lower-case, no full stop) as a sentence for a page. */
export function sentence(message: string): string {
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

export function field(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === "string" ? v.trim() : "";
}

/** Password fields are never trimmed. */
export function rawField(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
}

export function fields(form: FormData, name: string): string[] {
  return form
    .getAll(name)
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.trim())
    .filter(Boolean);
}
