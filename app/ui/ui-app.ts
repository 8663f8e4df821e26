/**
 * Turns the declared UI routes into the Elysia app of the UI listener and enforces, for every
 * route, in this order: origin check on unsafe requests; the session (cookie → principal, expired
 * or missing → sign-in with a way back); a forced password change before anything else; the
 * route's declared access; the CSRF token on unsafe requests. Then the handler runs and its view
 * is rendered as a full page, or for htmx as the main column (boosted) or a fragment. Errors
 * become a page or fragment with a safe message and the request id.
 */
import { Elysia } from "elysia";
import { Forbidden, Unauthorized } from "../errors.ts";
import { resolveSession } from "../identity/sessions.ts";
import { clearSessionCookie, readSessionCookie } from "../identity/session-cookie.ts";
import { csrfTokenFor } from "../identity/session-token.ts";
import { safeError } from "../http/error-map.ts";
import { requestMeta } from "../http/request-meta.ts";
import { documentHtml, html } from "../../views/html.ts";
import { bare, frame, mainSwap, notice } from "../../views/layout.ts";
import { ASSET_PREFIX, assetResponse } from "./assets.ts";
import { allows, linksFor } from "./pages.ts";
import type { UiDeps } from "./ui-deps.ts";
import type { SignedInRequest, UiRequest, UiRoute, UiSession, UiView } from "./ui-route.ts";
import { crossSiteReason, csrfValid, isUnsafe, safeNext } from "./ui-security.ts";

/** Routes the UI app serves that are not UiRoutes (plugins), with the access they declare. */
export const PLUGIN_ROUTES: { method: string; path: string; access: "public" }[] = [
  { method: "GET", path: "/healthz", access: "public" },
  { method: "GET", path: `${ASSET_PREFIX}:file`, access: "public" },
];

export function buildUiApp(routes: UiRoute[], deps: UiDeps, health: Elysia<any, any, any, any, any, any, any>) {
  const seen = new Set<string>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) throw new Error(`UI route ${key} is declared twice`);
    if (!r.access) throw new Error(`UI route ${key} declares no access`);
    seen.add(key);
  }
  let app: Elysia<any, any, any, any, any, any, any> = new Elysia({ name: "ui" })
    .onError({ as: "global" }, ({ error, code, request }) => frameworkError(error, String(code), request, deps))
    .use(health);
  app = app.get(`${ASSET_PREFIX}:file`, ({ request }) => {
    const asset = deps.assets.byUrl.get(new URL(request.url).pathname);
    return asset ? assetResponse(asset) : new Response("no such asset", { status: 404 });
  });
  for (const route of routes) {
    const handler = (ctx: { [k: string]: any }) =>
      serve(route, ctx.request as Request, (ctx.params ?? {}) as Record<string, string>, deps);
    app = route.method === "GET" ? app.get(route.path, handler) : app.post(route.path, handler, { parse: "none" });
  }
  return app;
}

async function serve(
  route: UiRoute,
  request: Request,
  params: Record<string, string>,
  deps: UiDeps,
): Promise<Response> {
  const url = new URL(request.url);
  const meta = requestMeta(request);
  const htmx = {
    request: request.headers.get("hx-request") === "true",
    boosted: request.headers.get("hx-boosted") === "true",
    target: request.headers.get("hx-target"),
  };
  const base: UiRequest = {
    request,
    url,
    params,
    form: new FormData(),
    htmx,
    session: null,
    requestId: meta.requestId,
    deps,
  };
  try {
    if (isUnsafe(request.method)) {
      const reason = crossSiteReason(request);
      if (reason) throw new Forbidden(`refused: ${reason} (cross-site request)`);
      base.form = await readForm(request);
    }
    const token = readSessionCookie(request.headers.get("cookie"));
    const now = new Date();
    const principal = token
      ? await resolveSession(deps.sql, token, now, {
          absoluteMs: deps.config.sessionAbsoluteMs,
          idleMs: deps.config.sessionIdleMs,
        })
      : null;
    if (principal && token) {
      base.session = {
        token,
        csrf: csrfTokenFor(token)!,
        caller: {
          principal,
          actor: { ip: meta.clientIp, userAgent: request.headers.get("user-agent"), via: "ui" },
          requestId: meta.requestId,
          now,
        },
      } satisfies UiSession;
    }
    if (route.access !== "public") {
      if (!base.session) return toLogin(base, token !== null);
      const p = base.session.caller.principal;
      if (p.mustChangePassword && route.access !== "password-change")
        return redirect(base, `/password?next=${encodeURIComponent(safeNext(url.pathname + url.search))}`, true);
      if (!allows(p, route.access)) throw new Forbidden(`your roles do not allow this page (it needs ${route.access})`);
      if (isUnsafe(request.method) && !csrfValid(base.session.token, request, base.form)) {
        throw new Forbidden("the form's security token is missing or stale; reload the page and try again");
      }
    }
    const result = await route.handle(base as SignedInRequest);
    return result instanceof Response ? result : render(base, result);
  } catch (err) {
    return render(base, errorView(err, base, deps));
  }
}

async function readForm(request: Request): Promise<FormData> {
  const type = request.headers.get("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data"))
    return request.formData();
  return new FormData();
}

/** Missing or ended session: to the sign-in page, and back here afterwards (GET only). */
function toLogin(req: UiRequest, hadCookie: boolean): Response {
  const back =
    req.request.method === "GET"
      ? req.url.pathname + req.url.search
      : req.request.headers.get("hx-current-url")
        ? new URL(req.request.headers.get("hx-current-url")!).pathname
        : "/";
  const target = `/login?next=${encodeURIComponent(safeNext(back))}${hadCookie ? "&ended=1" : ""}`;
  const res = redirect(req, target, true);
  if (hadCookie) res.headers.append("set-cookie", clearSessionCookie());
  return res;
}

/**
 * A redirect. `full` leaves the page frame (sign-in, password change): htmx gets HX-Redirect
 * (a real navigation), a browser 303. Otherwise htmx follows the 303 inside the frame.
 */
export function redirect(req: UiRequest, to: string, full = false): Response {
  if (full && req.htmx.request) return new Response(null, { status: 200, headers: { "hx-redirect": to } });
  return new Response(null, { status: 303, headers: { location: to } });
}

function render(req: UiRequest, view: UiView): Response {
  const session = req.session;
  const headers = new Headers({ "content-type": "text/html; charset=utf-8", ...view.headers });
  const status = view.status ?? 200;
  const principal = session && !session.caller.principal.mustChangePassword ? session.caller.principal : null;
  if (req.htmx.request && !view.bare && principal) {
    if (view.fragment && !req.htmx.boosted) return new Response(view.fragment.value, { status, headers });
    if (req.request.method === "GET" && status < 400) headers.set("hx-push-url", req.url.pathname + req.url.search);
    return new Response(
      mainSwap({ title: view.title, current: req.url.pathname, links: linksFor(principal), main: view.main }).value,
      { status, headers },
    );
  }
  if (req.htmx.request && view.bare && req.htmx.boosted) {
    // A sign-in page reached from inside the frame: navigate for real.
    return new Response(null, { status: 200, headers: { "hx-redirect": req.url.pathname + req.url.search } });
  }
  const assets = req.deps.assets;
  const body =
    principal && !view.bare
      ? frame({
          title: view.title,
          current: req.url.pathname,
          links: linksFor(principal),
          username: principal.username,
          csrf: session!.csrf,
          assets,
          main: view.main,
        })
      : bare({ title: view.title, assets, csrf: session?.csrf ?? null, main: view.main });
  return new Response(documentHtml(body), { status, headers });
}

/**
 * What `onError` answers for an error outside a route's own handling (no such page, a body that
 * does not parse, a failure before `serve` runs): a plain page with a safe message and the
 * request id, mapped by error-map.ts.
 */
function frameworkError(err: unknown, code: string, request: Request, deps: UiDeps): Response {
  const { requestId } = requestMeta(request);
  const e = safeError(err, requestId, deps.log, code);
  const title = e.status === 404 ? "Not found" : e.status >= 500 ? "Error" : "Cannot do that";
  const main = html`<h1>${title}</h1>${notice("bad", e.message)}<p class="muted">Request id ${requestId}.</p><p><a href="/">Back to the dashboard</a></p>`;
  const headers = new Headers({ "content-type": "text/html; charset=utf-8", ...e.headers });
  return new Response(documentHtml(bare({ title, assets: deps.assets, csrf: null, main })), {
    status: e.status,
    headers,
  });
}

function errorView(err: unknown, req: UiRequest, deps: UiDeps): UiView {
  if (err instanceof Unauthorized)
    return {
      title: "Sign in",
      status: 401,
      bare: true,
      main: html`<h1>Sign in required</h1>${notice("bad", err.message)}<p><a href="/login">Sign in</a></p>`,
    };
  const { status, message } = safeError(err, req.requestId, deps.log);
  const title =
    status === 403
      ? "Not allowed"
      : status === 404
        ? "Not found"
        : status === 429
          ? "Too many requests"
          : status >= 500
            ? "Error"
            : "Cannot do that";
  const box = html`<div class="notice bad" role="alert"><strong>${title}.</strong> ${message} <span class="muted">Request id ${req.requestId}.</span></div>`;
  return {
    title,
    status,
    main: html`<h1>${title}</h1>${box}<p><a href="/">Back to the dashboard</a></p>`,
    fragment: box,
  };
}
