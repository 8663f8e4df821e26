/**
 * The OAuth authorization endpoint on the UI listener (it needs the browser session): the
 * client's request is checked and parked, the user signs in if needed (and comes back), sees the
 * consent page, and approves or denies.
 *
 * Guarantees: /oauth/authorize changes nothing a user owns and never redirects to an unregistered
 * URI (oauth-authorize.ts); the consent form is a POST behind the UI's origin check and CSRF
 * token like every form; the decision is the signed-in user's, recorded once, audited.
 */
import { authorizationErrorPage, consentPage, returnPage } from "../../views/oauth-consent.ts";
import {
  AuthorizationPageError,
  consentFor,
  decideAuthorization,
  startAuthorization,
} from "../oauth/oauth-authorize.ts";
import { Invalid } from "../errors.ts";
import { field, fields, get, post, type SignedInRequest, type UiRoute } from "./ui-route.ts";

function seeOther(to: string): Response {
  return new Response(null, { status: 303, headers: { location: to } });
}

async function consentView(req: SignedInRequest, error?: string) {
  const p = req.session.caller.principal;
  const props = await consentFor(req.deps.sql, req.params.id ?? "", p);
  return {
    title: `Connect ${props.clientName}`,
    bare: true,
    status: error ? 400 : 200,
    main: consentPage({ ...props, csrf: req.session.csrf, username: p.username, error }),
  };
}

export function oauthUiRoutes(): UiRoute[] {
  return [
    get("/oauth/authorize", "public", async (req) => {
      try {
        const started = await startAuthorization(
          req.deps.sql,
          req.deps.oauthNames,
          req.request.headers.get("host") ?? "",
          req.url.searchParams,
        );
        return seeOther("redirect" in started ? started.redirect : `/oauth/consent/${started.requestId}`);
      } catch (err) {
        if (err instanceof AuthorizationPageError)
          return { title: "Cannot connect", bare: true, status: 400, main: authorizationErrorPage(err.message) };
        throw err;
      }
    }),

    get("/oauth/consent/:id", "signed-in", (req) => consentView(req)),

    post("/oauth/consent/:id", "signed-in", async (req) => {
      const approve = field(req.form, "decision") === "approve";
      const some = field(req.form, "scope_clusters") === "some";
      const clusters = some ? fields(req.form, "cluster") : null;
      if (approve && some && clusters!.length === 0)
        return consentView(req, "Choose at least one cluster, or every cluster.");
      const caller = req.session.caller;
      try {
        const { location, clientName } = await decideAuthorization(req.deps.sql, caller, req.params.id ?? "", {
          approve,
          readOnly: field(req.form, "access") !== "write",
          clusters,
        });
        return {
          title: approve ? "Access allowed" : "Access denied",
          bare: true,
          main: returnPage({ clientName, location, approved: approve }),
        };
      } catch (err) {
        if (err instanceof Invalid && /cluster/.test(err.message)) return consentView(req, err.message);
        throw err;
      }
    }),
  ];
}
