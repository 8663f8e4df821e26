/**
 * Turning ND's raw answer into a result or an NdError.
 *
 * Guarantees: a 2xx body is parsed as JSON when it is labelled or shaped as JSON, and invalid
 * JSON or an HTML page (a proxy or SSO login page in front of ND) is a bad_response, never
 * passed on as data; a 3xx is an upstream_error (redirects are not followed); error statuses
 * keep ND's own message, scrubbed of secrets; `set-cookie` never leaves this module.
 */
import { NdError, kindForStatus } from "./nd-errors.ts";
import type { RawResponse } from "./nd-http.ts";
import { looksLikeHtml, ndMessageOf, scrubSecrets } from "./nd-redact.ts";
import { parseRetryAfter } from "./nd-retry.ts";

const decoder = new TextDecoder();

export function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function contentType(raw: RawResponse): string {
  return (raw.headers.get("content-type") ?? "").toLowerCase();
}

/** The body of a successful answer: parsed JSON, text, or null when empty. */
export function successBody(raw: RawResponse, cluster: string): unknown {
  const text = decoder.decode(raw.bytes);
  if (text.trim() === "") return null;
  const type = contentType(raw);
  if (type.includes("html") || looksLikeHtml(text)) {
    throw new NdError(
      "bad_response",
      { cluster, upstreamStatus: raw.status },
      "Nexus Dashboard sent an HTML page where JSON was expected (a proxy or login page in front of ND?)",
    );
  }
  const labelledJson = type.includes("json");
  const shapedJson = /^\s*[[{]/.test(text);
  if (!labelledJson && !shapedJson) return text;
  try {
    return JSON.parse(text);
  } catch {
    if (!labelledJson && !type.includes("*/*") && type !== "") return text;
    throw new NdError("bad_response", { cluster, upstreamStatus: raw.status }, "Nexus Dashboard sent invalid JSON");
  }
}

export function errorFromResponse(raw: RawResponse, cluster: string, secrets: readonly string[]): NdError {
  const status = raw.status;
  if (status >= 300 && status < 400) {
    return new NdError(
      "upstream_error",
      { cluster, upstreamStatus: status },
      `Nexus Dashboard answered with a redirect${redirectTarget(raw)}, which is not followed`,
    );
  }
  const text = decoder.decode(raw.bytes);
  const found = looksLikeHtml(text) ? undefined : ndMessageOf(parseLenient(text));
  const ndMessage = found ? scrubSecrets(found, secrets) : undefined;
  const kind = kindForStatus(status);
  const retryAfterMs = kind === "rate_limited" ? parseRetryAfter(raw.headers.get("retry-after")) : undefined;
  return new NdError(kind, {
    cluster,
    upstreamStatus: status,
    ndMessage,
    retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
  });
}

/** Only the target's host is named: a path or query could carry anything. */
function redirectTarget(raw: RawResponse): string {
  const location = raw.headers.get("location");
  if (!location) return "";
  try {
    return ` to ${new URL(location, "https://unknown.invalid").host}`;
  } catch {
    return "";
  }
}

/** Response headers as a plain object, minus anything that carries a credential. */
export function publicHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name !== "set-cookie" && name !== "authorization") out[name] = value;
  });
  return out;
}
