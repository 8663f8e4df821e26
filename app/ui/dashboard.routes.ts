/** Page 1: the dashboard. */
import { dashboardPage } from "../../views/dashboard.ts";
import { get, type UiRoute } from "./ui-route.ts";

export function dashboardRoutes(): UiRoute[] {
  return [
    get("/", "signed-in", (req) => {
      const p = req.session.caller.principal;
      return { title: "Dashboard", main: dashboardPage({ username: p.username, roles: p.roles }) };
    }),
  ];
}
