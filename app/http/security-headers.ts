/** Security headers on every response. The UI gets a strict CSP: scripts only from us, no eval. */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const COMMON: Record<string, string> = {
  "strict-transport-security": "max-age=63072000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export function applySecurityHeaders(headers: Headers, listener: "ui" | "api"): void {
  for (const [name, value] of Object.entries(COMMON)) headers.set(name, value);
  headers.set("content-security-policy", listener === "ui" ? UI_CSP : "default-src 'none'; frame-ancestors 'none'");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
}
