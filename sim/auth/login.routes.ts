/**
 * ND platform authentication endpoints (reference §1): POST /login, POST /logout and the API
 * gateway config that tells clients the token lifetime. Status codes and bodies follow what
 * Cisco's clients observe: 401 for bad credentials, 200 with an EMPTY body for an unknown login
 * domain, `{"error","statusCode":500}` when the remote AAA server is down.
 */
import { json } from "../http/respond.ts";
import { unifiedError } from "../http/errors.ts";
import { isRecord, readJsonBody, type SimRoute } from "../http/route.ts";
import { issueJwt } from "./jwt.ts";
import type { SessionStore } from "./sessions.ts";
import { tokenFromRequest } from "./authenticate.ts";
import type { UserDirectory } from "./users.ts";

export interface LoginDeps {
  sessions: SessionStore;
  users: UserDirectory;
  clusterName: string;
  now: () => number;
}

export function loginRoutes(deps: LoginDeps): SimRoute[] {
  return [
    {
      method: "POST",
      path: "/login",
      family: "platform",
      public: true,
      handle: ({ req, url }) => login(req, url, deps),
    },
    { method: "POST", path: "/logout", family: "platform", public: true, handle: ({ req }) => logout(req, deps) },
    {
      method: "GET",
      path: "/api/config/dn/apigwcfg/default",
      family: "platform",
      handle: () =>
        json({
          config: {
            jwt_session_timeout_sec: deps.sessions.lifetimeSeconds,
            idle_session_timeout_sec: 3600,
            log_level: "info",
          },
        }),
    },
  ];
}

async function login(req: Request, url: URL, deps: LoginDeps): Promise<Response> {
  const body = await readJsonBody(req);
  const fields = isRecord(body) ? body : {};
  const { userName, userPasswd, domain } = fields;
  if (typeof userName !== "string" || typeof userPasswd !== "string" || typeof domain !== "string") {
    return unifiedError(400, "userName, userPasswd and domain are required");
  }
  const outcome = deps.users.login(userName, userPasswd, domain);
  switch (outcome.kind) {
    case "unknown-domain":
      return new Response("", { status: 200 });
    case "domain-unreachable":
      return json({ error: outcome.error, statusCode: 500 }, 500);
    case "bad-credentials":
      return unifiedError(401, "Login failed: invalid username or password");
    case "ok":
      return issueSession(outcome.user.userName, outcome.user.roles, outcome.userType, domain, url, deps);
  }
}

function issueSession(
  userName: string,
  roles: string[],
  userType: "local" | "remote",
  domain: string,
  url: URL,
  deps: LoginDeps,
): Response {
  const issuedAtMs = deps.now();
  const expiresAtMs = deps.sessions.expiryFor(issuedAtMs);
  const token = issueJwt({ userName, roles, issuedAtMs, expiresAtMs, clusterName: deps.clusterName });
  deps.sessions.add({ token, userName, roles: [...roles], domain, issuedAtMs, expiresAtMs });
  const secure = url.protocol === "https:" ? "; Secure" : "";
  return json(
    {
      jwttoken: token,
      token,
      username: userName,
      usertype: userType,
      rbac: [
        {
          domain: "all",
          rolesR: 16777216,
          rolesW: 1,
          roles: roles.map((r) => [r, r === "observer" ? "ReadPriv" : "WritePriv"]),
        },
      ],
      statusCode: 200,
    },
    200,
    { "Set-Cookie": `AuthCookie=${token}; Path=/; HttpOnly${secure}; SameSite=Strict` },
  );
}

async function logout(req: Request, deps: LoginDeps): Promise<Response> {
  const token = tokenFromRequest(req);
  if (token) deps.sessions.remove(token);
  return json({}, 200, { "Set-Cookie": "AuthCookie=; Path=/; Max-Age=0" });
}
