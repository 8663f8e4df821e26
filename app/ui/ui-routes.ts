/**
 * Every route of the admin UI, in one list. Adding a page: write `views/<page>.ts` (the page and
 * its fragments) and `app/ui/<page>.routes.ts` (routes with their access), add it here and to
 * PAGES in pages.ts. A route without declared access fails at start and in the route test.
 */
import { approvalsRoutes } from "./approvals.routes.ts";
import { auditRoutes } from "./audit.routes.ts";
import { authRoutes } from "./auth.routes.ts";
import { catalogRoutes } from "./catalog.routes.ts";
import { clustersRoutes } from "./clusters.routes.ts";
import { accountRoutes } from "./account.routes.ts";
import { connectRoutes } from "./connect.routes.ts";
import { dashboardRoutes } from "./dashboard.routes.ts";
import { connectedAppsRoutes } from "./connected-apps.routes.ts";
import { oauthUiRoutes } from "./oauth.routes.ts";
import { pendingRoutes } from "./pending.routes.ts";
import { settingsRoutes } from "./settings.routes.ts";
import { systemRoutes } from "./system.routes.ts";
import { rolesRoutes } from "./roles.routes.ts";
import { tokensRoutes } from "./tokens.routes.ts";
import { usersRoutes } from "./users.routes.ts";
import type { UiRoute } from "./ui-route.ts";

export function uiRoutes(): UiRoute[] {
  const built = [
    ...authRoutes(),
    ...dashboardRoutes(),
    ...oauthUiRoutes(),
    ...connectedAppsRoutes(),
    ...approvalsRoutes(),
    ...settingsRoutes(),
    ...auditRoutes(),
    ...clustersRoutes(),
    ...systemRoutes(),
    ...catalogRoutes(),
    ...accountRoutes(),
    ...tokensRoutes(),
    ...connectRoutes(),
    ...usersRoutes(),
    ...rolesRoutes(),
  ];
  const keys = new Set(built.map((r) => `${r.method} ${r.path}`));
  return [...built, ...pendingRoutes(keys)];
}
