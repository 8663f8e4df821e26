/**
 * Page 11: my account. Changing the password here ends every session of the user and starts a
 * fresh one for this browser (password-change.ts); "sign out the others" ends every session but
 * this one. Both are audited by the domain with this browser's address and user agent.
 */
import { Invalid, Unauthorized } from "../errors.ts";
import { changePassword } from "../identity/password-change.ts";
import { MIN_PASSWORD_LENGTH } from "../identity/password-policy.ts";
import { sessionCookie } from "../identity/session-cookie.ts";
import { endMyOtherSessions, listMySessions } from "../identity/sessions.ts";
import { requireUser } from "../identity/users.ts";
import { accountPage, sessionsPanel } from "../../views/account.ts";
import type { NoticeKind } from "../../views/layout.ts";
import { get, post, rawField, type SignedInRequest, type UiRoute, type UiView, sentence } from "./ui-route.ts";

function settings(req: SignedInRequest) {
  return { absoluteMs: req.deps.config.sessionAbsoluteMs, idleMs: req.deps.config.sessionIdleMs };
}

interface PageState {
  message?: { kind: NoticeKind; text: string } | null;
  passwordError?: string | null;
  status?: number;
}

async function page(req: SignedInRequest, state: PageState = {}): Promise<UiView> {
  const caller = req.session.caller;
  const p = caller.principal;
  const [user, sessions] = await Promise.all([
    requireUser(req.deps.sql, p.username),
    listMySessions(req.deps.sql, caller, settings(req)),
  ]);
  const props = {
    username: p.username,
    displayName: user.displayName,
    roles: p.roles,
    csrf: req.session.csrf,
    currentSessionId: p.sessionId,
    sessions,
    minLength: MIN_PASSWORD_LENGTH,
    now: caller.now,
  };
  return {
    title: "My account",
    status: state.status,
    main: accountPage({ ...props, message: state.message ?? null, passwordError: state.passwordError ?? null }),
    fragment: sessionsPanel(props, state.message),
  };
}

export function accountRoutes(): UiRoute[] {
  return [
    get("/account", "signed-in", (req) =>
      page(
        req,
        req.url.searchParams.has("changed")
          ? { message: { kind: "ok", text: "Your password was changed. Every other session was signed out." } }
          : {},
      ),
    ),

    post("/account/password", "signed-in", async (req) => {
      const caller = req.session.caller;
      const password = rawField(req.form, "password");
      if (password !== rawField(req.form, "repeat"))
        return page(req, { passwordError: "The two new passwords differ; type the same one twice.", status: 400 });
      try {
        const result = await changePassword(
          req.deps.sql,
          {
            userId: caller.principal.userId,
            currentPassword: rawField(req.form, "current"),
            newPassword: password,
            clientIp: caller.actor.ip,
            userAgent: caller.actor.userAgent,
            startNewSession: true,
          },
          { passwords: req.deps.services.passwords, sessions: settings(req), requestId: caller.requestId },
        );
        // A real navigation, also for htmx: the new session brings a new CSRF token in <head>.
        const to = "/account?changed=1";
        const headers = new Headers({ "set-cookie": sessionCookie(result.session!.token) });
        if (req.htmx.request) headers.set("hx-redirect", to);
        else headers.set("location", to);
        return new Response(null, { status: req.htmx.request ? 200 : 303, headers });
      } catch (err) {
        if (err instanceof Invalid || err instanceof Unauthorized) {
          return page(req, {
            passwordError: sentence(err.message),
            status: err instanceof Invalid ? 400 : 401,
          });
        }
        throw err;
      }
    }),

    post("/account/sessions/end-others", "signed-in", async (req) => {
      const ended = await endMyOtherSessions(req.deps.sql, req.session.caller);
      return page(req, {
        message: { kind: "ok", text: `Signed out ${ended} other session${ended === 1 ? "" : "s"}.` },
      });
    }),
  ];
}
