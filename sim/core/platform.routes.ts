/** Platform endpoints outside the unified APIs: `/version.json` (public on every ND release). */
import { json } from "../http/respond.ts";
import type { SimRoute } from "../http/route.ts";
import { PLATFORM_VERSION } from "../data/cluster.ts";

export function platformRoutes(): SimRoute[] {
  return [
    { method: "GET", path: "/version.json", family: "platform", public: true, handle: () => json(PLATFORM_VERSION) },
  ];
}
