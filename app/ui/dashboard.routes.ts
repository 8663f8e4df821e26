/** Page 1: the dashboard — one read of the overview (ops/overview.ts), gated by permission inside. */
import { dashboardPage } from "../../views/dashboard.ts";
import { authorize } from "../identity/authorize.ts";
import { loadOverview } from "../ops/overview.ts";
import { get, type UiRoute } from "./ui-route.ts";

export function dashboardRoutes(): UiRoute[] {
  return [
    get("/", "signed-in", async (req) => {
      const caller = req.session.caller;
      const p = caller.principal;
      const overview = await loadOverview(req.deps.sql, caller);
      const cert = req.deps.certificate();
      return {
        title: "Dashboard",
        main: dashboardPage({
          username: p.username,
          roles: p.roles,
          overview,
          certificate: { notAfter: cert.notAfter, fingerprint256: cert.fingerprint256 },
          canConnect: authorize(p, "tokens:own").allowed,
        }),
      };
    }),
  ];
}
