/** Manage API switches: per fabric, one switch, the whole inventory and its summary. */
import { unifiedError } from "../http/errors.ts";
import { json } from "../http/respond.ts";
import { READ_SCOPES, type SimRoute } from "../http/route.ts";
import { envelope, listPage } from "../list/list-query.ts";
import { switchesSummary } from "../data/summaries.ts";
import type { Switch } from "../data/model.ts";
import type { CoreDeps } from "./core-deps.ts";

const BASE = "/api/v1/manage";

export function switchRoutes({ state }: CoreDeps): SimRoute[] {
  return [
    {
      method: "GET",
      path: `${BASE}/fabrics/{fabricName}/switches`,
      family: "unified",
      scopes: READ_SCOPES,
      handle: ({ url, params, query }) => {
        state.requireFabric(params.fabricName as string);
        const switches = byQuery(state.switchesOf(params.fabricName as string), query);
        const page = listPage(switches, url);
        return page instanceof Response ? page : json(envelope("switches", page));
      },
    },
    {
      method: "GET",
      path: `${BASE}/fabrics/{fabricName}/switches/{switchId}`,
      family: "unified",
      scopes: READ_SCOPES,
      handle: ({ params }) => {
        state.requireFabric(params.fabricName as string);
        const sw = state.switchBySerial(params.switchId as string);
        if (!sw || sw.fabricName !== params.fabricName) {
          return unifiedError(404, `Switch ${params.switchId} not found in fabric ${params.fabricName}`);
        }
        return json(sw);
      },
    },
    {
      method: "GET",
      path: `${BASE}/inventory/switches`,
      family: "unified",
      scopes: READ_SCOPES,
      handle: ({ url, query }) => {
        const fabricName = query.get("fabricName");
        const source = fabricName ? state.switchesOf(fabricName) : state.allSwitches();
        const page = listPage(byQuery(source, query), url);
        return page instanceof Response ? page : json(envelope("switches", page));
      },
    },
    {
      method: "GET",
      path: `${BASE}/inventory/switches/summary`,
      family: "unified",
      scopes: READ_SCOPES,
      handle: () => json(state.memo("switchesSummary", () => switchesSummary(state.allSwitches()))),
    },
  ];
}

/** The dedicated query parameters Cisco declares besides `filter`: hostname and switchId. */
function byQuery(switches: readonly Switch[], query: URLSearchParams): readonly Switch[] {
  const hostname = query.get("hostname");
  const switchId = query.get("switchId");
  if (!hostname && !switchId) return switches;
  return switches.filter((s) => (!hostname || s.hostname === hostname) && (!switchId || s.switchId === switchId));
}
