/** list_networks: the overlay networks of one fabric, with their VRF and deployment status. */
import { curatedRead } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const listNetworks = curatedRead({
  name: "list_networks",
  description: "Networks of a fabric: name, network id, VRF, deployment status.",
  properties: { fabric: { type: "string" }, ...PAGING_ARGS },
  required: ["fabric"],
  route: (a) => ({ operationId: "ndfc.listNetworks", params: { fabric: a.fabric } }),
  defaultFields: ["networkName", "networkId", "vrf", "networkStatus"],
});
