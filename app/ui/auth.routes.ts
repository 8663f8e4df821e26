/**
 * Sign-in, sign-out and password change on the UI listener.
 *
 * Guarantees: the sign-in page never says whether a user exists (one message for every failed
 * login; throttling and lockout show the wait time, for known and unknown names alike); a login
 * sets a fresh `__Host-` session cookie and sends the user to the page they came for (same-site
 * paths only); a session whose password must change reaches nothing but /password and /logout;
 * changing the password ends every session and starts one new one for this browser.
 */
import { Invalid, TooManyRequests, Unauthorized, Unavailable } from "../errors.ts";
import { DIRECTORY_DOWN, login, NO_DIRECTORY_ROLE } from "../identity/login.ts";
import { changePassword } from "../identity/password-change.ts";
import { MIN_PASSWORD_LENGTH } from "../identity/password-policy.ts";
import { logout } from "../identity/sessions.ts";
import { clearSessionCookie, readSessionCookie, sessionCookie } from "../identity/session-cookie.ts";
import { requestMeta } from "../http/request-meta.ts";
import { loginPage, passwordChangePage } from "../../views/sign-in.ts";
import { field, get, post, rawField, type UiRequest, type UiRoute, sentence } from "./ui-route.ts";
import { safeNext } from "./ui-security.ts";

function seeOther(to: string, cookie?: string): Response {
  const headers = new Headers({ location: to });
  if (cookie) headers.append("set-cookie", cookie);
  return new Response(null, { status: 303, headers });
}

function sessionSettings(req: UiRequest) {
  return { absoluteMs: req.deps.config.sessionAbsoluteMs, idleMs: req.deps.config.sessionIdleMs };
}

export function authRoutes(): UiRoute[] {
  return [
    get("/login", "public", (req) => {
      const next = safeNext(req.url.searchParams.get("next"));
      if (req.session && !req.session.caller.principal.mustChangePassword) return seeOther(next);
      const ended = req.url.searchParams.has("ended");
      const out = req.url.searchParams.has("out");
      const message = ended
        ? {
            kind: "warn" as const,
            text: "Your session has ended (idle or at its time limit). Sign in again to continue.",
          }
        : out
          ? { kind: "ok" as const, text: "You are signed out." }
          : null;
      return { title: "Sign in", bare: true, main: loginPage({ next, message }) };
    }),

    post("/login", "public", async (req) => {
      const username = field(req.form, "username");
      const next = safeNext(field(req.form, "next"));
      const meta = requestMeta(req.request);
      try {
        const result = await login(
          req.deps.sql,
          {
            username,
            password: rawField(req.form, "password"),
            clientIp: meta.clientIp,
            userAgent: req.request.headers.get("user-agent"),
          },
          {
            passwords: req.deps.services.passwords,
            sessions: sessionSettings(req),
            throttle: { maxFailures: req.deps.config.loginMaxFailures, lockoutMs: req.deps.config.loginLockoutMs },
            requestId: req.requestId,
            directory: { keyring: req.deps.services.keyring },
          },
        );
        const to = result.mustChangePassword ? `/password?next=${encodeURIComponent(next)}` : next;
        return seeOther(to, sessionCookie(result.token));
      } catch (err) {
        if (err instanceof TooManyRequests) {
          const minutes = Math.ceil(err.retryAfterSeconds / 60);
          const wait =
            err.retryAfterSeconds >= 120
              ? `${minutes} minutes`
              : `${err.retryAfterSeconds} second${err.retryAfterSeconds === 1 ? "" : "s"}`;
          return {
            title: "Sign in",
            bare: true,
            status: 429,
            headers: { "retry-after": String(err.retryAfterSeconds) },
            main: loginPage({
              next,
              username,
              message: { kind: "bad", text: `Too many failed sign-ins. Try again in ${wait}.` },
            }),
          };
        }
        if (err instanceof Unauthorized) {
          const text =
            err.message === NO_DIRECTORY_ROLE
              ? `${NO_DIRECTORY_ROLE[0]!.toUpperCase()}${NO_DIRECTORY_ROLE.slice(1)}.`
              : "Invalid username or password.";
          return {
            title: "Sign in",
            bare: true,
            status: 401,
            main: loginPage({ next, username, message: { kind: "bad", text } }),
          };
        }
        if (err instanceof Unavailable) {
          return {
            title: "Sign in",
            bare: true,
            status: 503,
            main: loginPage({ next, username, message: { kind: "bad", text: `The ${DIRECTORY_DOWN.slice(4)}.` } }),
          };
        }
        throw err;
      }
    }),

    post("/logout", "password-change", async (req) => {
      const meta = requestMeta(req.request);
      await logout(req.deps.sql, readSessionCookie(req.request.headers.get("cookie")), {
        clientIp: meta.clientIp,
        userAgent: req.request.headers.get("user-agent"),
        requestId: req.requestId,
      });
      return seeOther("/login?out=1", clearSessionCookie());
    }),

    get("/password", "password-change", (req) => {
      const p = req.session.caller.principal;
      const next = safeNext(req.url.searchParams.get("next"));
      return {
        title: "Change password",
        bare: true,
        main: passwordChangePage({
          username: p.username,
          forced: !!p.mustChangePassword,
          next,
          csrf: req.session.csrf,
          minLength: MIN_PASSWORD_LENGTH,
        }),
      };
    }),

    post("/password", "password-change", async (req) => {
      const p = req.session.caller.principal;
      const next = safeNext(field(req.form, "next"));
      const page = (error: string, status: number) => ({
        title: "Change password",
        bare: true,
        status,
        main: passwordChangePage({
          username: p.username,
          forced: !!p.mustChangePassword,
          next,
          csrf: req.session.csrf,
          minLength: MIN_PASSWORD_LENGTH,
          error,
        }),
      });
      const password = rawField(req.form, "password");
      if (password !== rawField(req.form, "repeat"))
        return page("The two new passwords differ; type the same one twice.", 400);
      try {
        const meta = requestMeta(req.request);
        const result = await changePassword(
          req.deps.sql,
          {
            userId: p.userId,
            currentPassword: rawField(req.form, "current"),
            newPassword: password,
            clientIp: meta.clientIp,
            userAgent: req.request.headers.get("user-agent"),
            startNewSession: true,
          },
          { passwords: req.deps.services.passwords, sessions: sessionSettings(req), requestId: req.requestId },
        );
        return seeOther(next, sessionCookie(result.session!.token));
      } catch (err) {
        if (err instanceof Invalid || err instanceof Unauthorized)
          return page(sentence(err.message), err instanceof Invalid ? 400 : 401);
        throw err;
      }
    }),
  ];
}
