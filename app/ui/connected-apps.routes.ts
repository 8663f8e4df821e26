/** Connected apps (issue 14): the user's OAuth grants, everybody's for administrators, revocation. */
import { connectedAppsPage } from "../../views/connected-apps.ts";
import { authorize } from "../identity/authorize.ts";
import { listOAuthClients, revokeOAuthClient } from "../oauth/oauth-clients.ts";
import { listAllGrants, listMyGrants, revokeGrant } from "../oauth/oauth-grants.ts";
import { resourceFor } from "../oauth/oauth-resource.ts";
import { hostnameOf } from "../oauth/oauth-resource.ts";
import { get, post, type SignedInRequest, type UiRoute } from "./ui-route.ts";

async function page(req: SignedInRequest, message: string | null = null) {
  const caller = req.session.caller;
  const admin = authorize(caller.principal, "tokens:manage").allowed;
  const host = hostnameOf(req.request.headers.get("host") ?? "") || "localhost";
  return {
    title: "Connected apps",
    main: connectedAppsPage({
      csrf: req.session.csrf,
      mine: await listMyGrants(req.deps.sql, caller),
      all: admin ? await listAllGrants(req.deps.sql, caller) : null,
      clients: admin ? await listOAuthClients(req.deps.sql, caller) : null,
      mcpUrl: resourceFor(req.deps.oauthNames, host),
      message,
    }),
  };
}

export function connectedAppsRoutes(): UiRoute[] {
  return [
    get("/apps", "tokens:own", (req) => page(req)),
    post("/apps/:id/revoke", "tokens:own", async (req) => {
      const grant = await revokeGrant(req.deps.sql, req.session.caller, req.params.id ?? "");
      return page(req, `Access of ${grant.clientName} was revoked.`);
    }),
    post("/apps/clients/:id/revoke", "tokens:manage", async (req) => {
      await revokeOAuthClient(req.deps.sql, req.session.caller, req.params.id ?? "");
      return page(req, "The application was blocked; all of its grants ended.");
    }),
  ];
}
