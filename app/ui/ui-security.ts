/**
 * Request checks of the UI listener, in one place.
 *
 * Guarantees: an unsafe request (anything but GET/HEAD) is refused unless the browser says it is
 * same-origin (Sec-Fetch-Site) or, without that header, its Origin is this host over https; a
 * request with neither is refused (fail closed). On a session, an unsafe request must also carry
 * the session's CSRF token (X-CSRF-Token header from the <meta> tag for htmx, the `csrf` field
 * for plain forms), compared in constant time; the token is an HMAC of the session secret, so it
 * changes with every login and needs no storage. `next` targets are same-site paths only.
 */
import { verifyCsrfToken } from "../identity/session-token.ts";

export function isUnsafe(method: string): boolean {
  return method !== "GET" && method !== "HEAD";
}

/** Null when the request may change state as far as its origin goes, else the reason. */
export function crossSiteReason(request: Request): string | null {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin" ? null : `a ${site} request may not change anything here`;
  const origin = request.headers.get("origin");
  const host = request.headers.get("host");
  if (!origin || !host) return "the request carries neither Sec-Fetch-Site nor Origin";
  return origin === `https://${host}` ? null : `origin ${origin} is not this site`;
}

export function csrfValid(sessionToken: string, request: Request, form: FormData): boolean {
  const submitted =
    request.headers.get("x-csrf-token") ?? (typeof form.get("csrf") === "string" ? (form.get("csrf") as string) : null);
  return verifyCsrfToken(sessionToken, submitted);
}

/** A path on this site to return to after sign-in, or "/" for anything else. */
export function safeNext(value: string | null | undefined): string {
  if (
    !value ||
    !value.startsWith("/") ||
    value.startsWith("//") ||
    value.startsWith("/\\") ||
    /[\u0000-\u001f]/.test(value)
  )
    return "/";
  if (value.startsWith("/login") || value.startsWith("/logout")) return "/";
  return value.slice(0, 512);
}
