/** Infra API: cluster health, cluster status and the ND nodes (with their CIMC passwords). */
import { json } from "../http/respond.ts";
import { READ_SCOPES, type SimRoute } from "../http/route.ts";
import type { CoreDeps } from "./core-deps.ts";

const BASE = "/api/v1/infra";

export function infraRoutes({ state }: CoreDeps): SimRoute[] {
  const read = (path: string, handle: SimRoute["handle"]): SimRoute => ({
    method: "GET",
    path,
    family: "unified",
    scopes: READ_SCOPES,
    handle,
  });
  return [
    read(`${BASE}/clusterhealth/status`, () => json(state.clusterHealth())),
    read(`${BASE}/cluster/status`, () => json(state.clusterStatus())),
    read(`${BASE}/cluster/nodes`, ({ query }) => {
      const name = query.get("nodeName");
      const role = query.get("nodeRole");
      const nodes = state.nodes.filter((n) => (!name || n.name === name) && (!role || n.role === role));
      return json({ nodes });
    }),
  ];
}
