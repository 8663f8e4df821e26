/**
 * Who is calling: a session token (Bearer header or AuthCookie) or an API-key pair.
 * Anything else is a 401 in the unified shape; an expired session's 401 says "token has expired",
 * the exact string Cisco's go-nd client keys its re-login on.
 */
import { unifiedError } from "../http/errors.ts";
import type { Principal } from "../http/route.ts";
import type { ApiKeyStore } from "./api-keys.ts";
import type { SessionStore } from "./sessions.ts";
import type { UserDirectory } from "./users.ts";

export interface AuthDeps {
  sessions: SessionStore;
  users: UserDirectory;
  apiKeys: ApiKeyStore;
}

export const TOKEN_EXPIRED = "Authentication failed: token has expired";

export function tokenFromRequest(req: Request): string | undefined {
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (bearer) return bearer[1];
  }
  return cookieValue(req.headers.get("cookie"), "AuthCookie");
}

export function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function authenticate(req: Request, deps: AuthDeps): Principal | Response {
  const apiKeyUser = req.headers.get("x-nd-username");
  const apiKey = req.headers.get("x-nd-apikey");
  if (apiKeyUser !== null || apiKey !== null) return byApiKey(apiKeyUser ?? "", apiKey ?? "", deps);

  const token = tokenFromRequest(req);
  if (!token) return unifiedError(401);
  const found = deps.sessions.lookup(token);
  if (found.kind === "expired") return unifiedError(401, TOKEN_EXPIRED);
  if (found.kind === "unknown") return unifiedError(401, "Authentication failed: invalid token");
  return { userName: found.session.userName, roles: found.session.roles, via: "token", token };
}

function byApiKey(userName: string, key: string, deps: AuthDeps): Principal | Response {
  const user = deps.users.get(userName);
  if (!user || !deps.apiKeys.matches(userName, key)) return unifiedError(401, "Authentication failed: invalid API key");
  return { userName, roles: user.roles, via: "api-key" };
}

export function isAllowed(principal: Principal, scopes: readonly string[] | undefined): boolean {
  if (!scopes || scopes.length === 0) return true;
  if (principal.roles.includes("super-admin")) return true;
  return principal.roles.some((role) => scopes.includes(role));
}
