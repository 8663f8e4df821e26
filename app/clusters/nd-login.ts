/**
 * Logging in to ND as ND documents it (reference §1): `POST /login` with
 * `{"userName","userPasswd","domain"}`; the JWT is `token ?? jwttoken`; an HTTP 200 with an empty
 * body means the login domain is unknown. Later requests carry the token both as
 * `Authorization: Bearer` and as cookie `AuthCookie`; API-key mode sends `X-Nd-Username` and
 * `X-Nd-Apikey` on every request and never logs in.
 *
 * Guarantees: the password only ever appears in the login request body; error messages are
 * built from ND's answer after scrubbing every secret the client holds.
 */
import type { RawResponse } from "./nd-http.ts";
import type { NdCredentials, PasswordCredentials } from "./nd-credentials.ts";
import { NdError } from "./nd-errors.ts";
import { errorFromResponse, parseLenient } from "./nd-response.ts";

export interface NdToken {
  value: string;
  obtainedAt: number;
  /** When to log in again proactively: half the token's lifetime (reference §1.5). */
  renewAt: number;
}

/** Without a readable `exp`, assume ND's usual 1200 s lifetime and renew at half of it. */
const DEFAULT_RENEW_MS = 600_000;
const MIN_RENEW_MS = 1_000;

export const LOGIN_PATH = "/login";

export function loginBody(credentials: PasswordCredentials): string {
  return JSON.stringify({
    userName: credentials.username,
    userPasswd: credentials.password,
    domain: credentials.domain,
  });
}

export interface LoginContext {
  cluster: string;
  credentials: PasswordCredentials;
  secrets: readonly string[];
  now: number;
}

export function readLoginResponse(raw: RawResponse, ctx: LoginContext): NdToken {
  if (raw.status !== 200) throw loginFailure(raw, ctx);
  const text = new TextDecoder().decode(raw.bytes).trim();
  if (text === "") {
    throw new NdError(
      "auth",
      { cluster: ctx.cluster, upstreamStatus: 200 },
      `login failed: ND answered with an empty body, which means the login domain "${ctx.credentials.domain}" does not exist on this cluster`,
    );
  }
  const body = parseLenient(text);
  const record = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const token = typeof record.token === "string" && record.token ? record.token : record.jwttoken;
  if (typeof token !== "string" || token === "") {
    throw new NdError(
      "bad_response",
      { cluster: ctx.cluster, upstreamStatus: 200 },
      "the login answer carries no token",
    );
  }
  return { value: token, obtainedAt: ctx.now, renewAt: ctx.now + renewAfterMs(token, ctx.now) };
}

function loginFailure(raw: RawResponse, ctx: LoginContext): NdError {
  if (raw.status === 401 || raw.status === 403) {
    const d = errorFromResponse(raw, ctx.cluster, ctx.secrets).details;
    const who = `${ctx.credentials.username}@${ctx.credentials.domain}`;
    return new NdError("auth", d, `login as ${who} failed (wrong user name, password or login domain)`);
  }
  const error = errorFromResponse(raw, ctx.cluster, ctx.secrets);
  if (error.kind === "upstream_error")
    return new NdError("upstream_error", error.details, "login failed: Nexus Dashboard answered with an error");
  return error;
}

/** Half the lifetime from the JWT's `exp` (not verified — ND verifies; this only schedules). */
export function renewAfterMs(token: string, now: number): number {
  const payload = token.split(".")[1];
  if (!payload) return DEFAULT_RENEW_MS;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    if (typeof exp !== "number") return DEFAULT_RENEW_MS;
    return Math.max(MIN_RENEW_MS, Math.floor((exp * 1000 - now) / 2));
  } catch {
    return DEFAULT_RENEW_MS;
  }
}

/** Headers that authenticate one request. */
export function authHeaders(credentials: NdCredentials, token: NdToken | undefined): Record<string, string> {
  if (credentials.mode === "api_key")
    return { "X-Nd-Username": credentials.username, "X-Nd-Apikey": credentials.apiKey };
  if (!token) return {};
  return { Authorization: `Bearer ${token.value}`, Cookie: `AuthCookie=${token.value}` };
}
