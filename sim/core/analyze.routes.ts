/** Analyze API: interfaces of a fabric, anomalies and advisories (details and summaries). */
import { unifiedError } from "../http/errors.ts";
import { json } from "../http/respond.ts";
import { READ_SCOPES, type SimRoute } from "../http/route.ts";
import { listPage } from "../list/list-query.ts";
import { advisoriesSummary, anomaliesSummary } from "../data/summaries.ts";
import type { SimState } from "../data/sim-state.ts";
import type { CoreDeps } from "./core-deps.ts";

const BASE = "/api/v1/analyze";

export function analyzeRoutes({ state }: CoreDeps): SimRoute[] {
  const read = (path: string, handle: SimRoute["handle"]): SimRoute => ({
    method: "GET",
    path,
    family: "unified",
    scopes: READ_SCOPES,
    handle,
  });
  return [
    read(`${BASE}/interfaces`, ({ url, query }) => {
      const fabricName = query.get("fabricName");
      if (!fabricName) return unifiedError(400, "Query parameter fabricName is required");
      state.requireFabric(fabricName);
      const switchId = query.get("switchId");
      const all = state.interfacesOf(fabricName);
      const page = listPage(switchId ? all.filter((i) => i.switchId === switchId) : all, url);
      return page instanceof Response ? page : json({ interfaces: page.items, meta: page.meta });
    }),
    read(`${BASE}/anomalies/details`, ({ url, query }) => {
      const anomalies = scoped(state, query, (f) => state.anomaliesOf(f));
      const page = listPage(anomalies, url);
      return page instanceof Response ? page : json({ anomalies: page.items, offset: page.offset, meta: page.meta });
    }),
    read(`${BASE}/anomalies/summary`, ({ query }) =>
      json(anomaliesSummary(scoped(state, query, (f) => state.anomaliesOf(f)))),
    ),
    read(`${BASE}/advisories/details`, ({ url, query }) => {
      const advisories = scoped(state, query, (f) => state.advisoriesOf(f));
      const page = listPage(advisories, url);
      return page instanceof Response ? page : json({ advisories: page.items, offset: page.offset, meta: page.meta });
    }),
    read(`${BASE}/advisories/summary`, ({ query }) =>
      json(advisoriesSummary(scoped(state, query, (f) => state.advisoriesOf(f)))),
    ),
  ];
}

/** Alerts of one fabric (`fabricName`) or all, optionally narrowed to one switch (`nodeName`). */
function scoped<T extends { nodeNames: string[] }>(
  state: SimState,
  query: URLSearchParams,
  of: (fabric?: string) => T[],
): T[] {
  const fabricName = query.get("fabricName") ?? undefined;
  if (fabricName !== undefined) state.requireFabric(fabricName);
  const nodeName = query.get("nodeName");
  const records = of(fabricName);
  return nodeName ? records.filter((r) => r.nodeNames.includes(nodeName)) : records;
}
