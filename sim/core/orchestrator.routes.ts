/** Orchestrator (NDO) sites. Cisco's document declares no security, so any signed-in user may read. */
import { unifiedError } from "../http/errors.ts";
import { json } from "../http/respond.ts";
import type { SimRoute } from "../http/route.ts";
import type { CoreDeps } from "./core-deps.ts";

export function orchestratorRoutes({ state }: CoreDeps): SimRoute[] {
  return [
    { method: "GET", path: "/mso/api/v1/sites", family: "orchestrator", handle: () => json({ sites: state.sites }) },
    {
      method: "GET",
      path: "/mso/api/v1/sites/{id}",
      family: "orchestrator",
      handle: ({ params }) => {
        const site = state.sites.find((s) => s.id === params.id);
        return site ? json(site) : unifiedError(404, `Site ${params.id} not found`);
      },
    },
  ];
}
