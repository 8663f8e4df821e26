/**
 * Legacy NDFC top-down VRFs and networks — on ND 4.1 the only API for them (reference §2.1).
 * Lists are bare arrays; errors are Spring-style; writes change the state for later reads.
 */
import { json } from "../http/respond.ts";
import { READ_SCOPES, WRITE_SCOPES, readJsonBody, type RequestContext, type SimRoute } from "../http/route.ts";
import { invalid } from "../data/state-errors.ts";
import type { CoreDeps } from "./core-deps.ts";

export const NDFC_BASE = "/appcenter/cisco/ndfc/api/v1";
const TOP_DOWN = `${NDFC_BASE}/lan-fabric/rest/top-down/fabrics/{fabric}`;

const ok = () => new Response(null, { status: 200 });

export function ndfcOverlayRoutes({ state }: CoreDeps): SimRoute[] {
  const fabricOf = (ctx: RequestContext) => ctx.params.fabric as string;
  /** Writes need a VXLAN fabric; reads of other fabrics just list nothing. */
  const writableFabric = (ctx: RequestContext) => {
    const fabric = fabricOf(ctx);
    if (!state.overlayCapable(fabric))
      throw invalid(`Fabric ${fabric} is not a VXLAN fabric and has no VRFs or networks`);
    return fabric;
  };
  const read = (path: string, handle: SimRoute["handle"]): SimRoute => ({
    method: "GET",
    path,
    family: "ndfc",
    scopes: READ_SCOPES,
    handle,
  });
  const write = (method: string, path: string, handle: SimRoute["handle"]): SimRoute => ({
    method,
    path,
    family: "ndfc",
    scopes: WRITE_SCOPES,
    handle,
  });

  return [
    read(`${TOP_DOWN}/vrfs`, (ctx) => json(state.vrfsOf(fabricOf(ctx)))),
    read(`${TOP_DOWN}/vrfs/{vrfName}`, (ctx) => {
      state.requireFabric(fabricOf(ctx));
      return json(state.overlay.vrf(fabricOf(ctx), ctx.params.vrfName as string));
    }),
    write("POST", `${TOP_DOWN}/vrfs`, async (ctx) =>
      json(state.overlay.createVrf(writableFabric(ctx), await body(ctx))),
    ),
    write("PUT", `${TOP_DOWN}/vrfs/{vrfName}`, async (ctx) =>
      json(state.overlay.updateVrf(writableFabric(ctx), ctx.params.vrfName as string, await body(ctx))),
    ),
    write("DELETE", `${TOP_DOWN}/vrfs/{vrfName}`, (ctx) => {
      state.overlay.deleteVrf(writableFabric(ctx), ctx.params.vrfName as string);
      return ok();
    }),
    write("DELETE", `${TOP_DOWN}/bulk-delete/vrfs`, (ctx) => {
      const fabric = writableFabric(ctx);
      const names = listParam(ctx, "vrf-names");
      for (const name of names) state.overlay.vrf(fabric, name);
      for (const name of names) state.overlay.deleteVrf(fabric, name);
      return ok();
    }),

    read(`${TOP_DOWN}/networks`, (ctx) => json(state.networksOf(fabricOf(ctx)))),
    read(`${TOP_DOWN}/networks/{networkName}`, (ctx) => {
      state.requireFabric(fabricOf(ctx));
      return json(state.overlay.network(fabricOf(ctx), ctx.params.networkName as string));
    }),
    write("POST", `${TOP_DOWN}/networks`, async (ctx) =>
      json(state.overlay.createNetwork(writableFabric(ctx), await body(ctx))),
    ),
    write("PUT", `${TOP_DOWN}/networks/{networkName}`, async (ctx) =>
      json(state.overlay.updateNetwork(writableFabric(ctx), ctx.params.networkName as string, await body(ctx))),
    ),
    write("DELETE", `${TOP_DOWN}/networks/{networkName}`, (ctx) => {
      state.overlay.deleteNetwork(writableFabric(ctx), ctx.params.networkName as string);
      return ok();
    }),
    write("DELETE", `${TOP_DOWN}/bulk-delete/networks`, (ctx) => {
      const fabric = writableFabric(ctx);
      const names = listParam(ctx, "network-names");
      for (const name of names) state.overlay.network(fabric, name);
      for (const name of names) state.overlay.deleteNetwork(fabric, name);
      return ok();
    }),
  ];
}

async function body(ctx: RequestContext): Promise<unknown> {
  const parsed = await readJsonBody(ctx.req);
  if (parsed === undefined) throw invalid("Request body must be JSON");
  return parsed;
}

function listParam(ctx: RequestContext, name: string): string[] {
  const names = (ctx.query.get(name) ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) throw invalid(`query parameter ${name} is required`);
  return names;
}
