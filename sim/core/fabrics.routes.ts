/**
 * Manage API fabrics: list, details, summaries, create (202 + statusUrl) and delete.
 */
import { unifiedError } from "../http/errors.ts";
import { json, noContent } from "../http/respond.ts";
import { READ_SCOPES, WRITE_SCOPES, readJsonBody, type SimRoute } from "../http/route.ts";
import { envelope, listPage } from "../list/list-query.ts";
import { fabricSummary } from "../data/summaries.ts";
import type { CoreDeps } from "./core-deps.ts";

const BASE = "/api/v1/manage";

export function fabricRoutes({ state, jobs }: CoreDeps): SimRoute[] {
  return [
    {
      method: "GET",
      path: `${BASE}/fabrics`,
      family: "unified",
      scopes: READ_SCOPES,
      handle: ({ url, query }) => {
        const category = query.get("category");
        // Only plain fabrics exist in the simulator; a fabricGroup filter therefore selects none.
        const fabrics = [...state.fabrics.values()].filter((f) => !category || f.category === category);
        const page = listPage(fabrics, url);
        return page instanceof Response ? page : json(envelope("fabrics", page));
      },
    },
    {
      method: "POST",
      path: `${BASE}/fabrics`,
      family: "unified",
      scopes: WRITE_SCOPES,
      handle: async ({ req }) => {
        const body = await readJsonBody(req);
        const fabric = state.createFabric(body);
        jobs.start(fabric.name, "createFabric");
        return json({ id: fabric.name, statusUrl: acceptedStatusUrl(fabric.name) }, 202, { modified: "true" });
      },
    },
    {
      method: "GET",
      path: `${BASE}/fabrics/{fabricName}`,
      family: "unified",
      scopes: READ_SCOPES,
      handle: ({ params }) => json(state.requireFabric(params.fabricName as string)),
    },
    {
      method: "DELETE",
      path: `${BASE}/fabrics/{fabricName}`,
      family: "unified",
      scopes: WRITE_SCOPES,
      handle: ({ params }) => {
        state.deleteFabric(params.fabricName as string);
        jobs.forget(params.fabricName as string);
        return noContent(204, { modified: "true" });
      },
    },
    {
      method: "GET",
      path: `${BASE}/fabrics/{fabricName}/acceptedStatus`,
      family: "unified",
      scopes: READ_SCOPES,
      handle: ({ params }) => {
        const status = jobs.poll(params.fabricName as string);
        return status ? json(status) : unifiedError(404, `No pending request for fabric ${params.fabricName}`);
      },
    },
    {
      method: "GET",
      path: `${BASE}/fabricsSummary`,
      family: "unified",
      scopes: READ_SCOPES,
      handle: ({ url, query }) => {
        const category = query.get("category");
        const all = state.memo("fabricSummaries", () =>
          [...state.fabrics.values()].map((f) => fabricSummary(f, state.switchesOf(f.name))),
        );
        const summaries = all.filter((f) => !category || f.category === category);
        const page = listPage(summaries, url);
        return page instanceof Response ? page : json(envelope("fabrics", page));
      },
    },
  ];
}

export function acceptedStatusUrl(fabricName: string): string {
  return `${BASE}/fabrics/${encodeURIComponent(fabricName)}/acceptedStatus`;
}
