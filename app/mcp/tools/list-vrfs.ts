/** list_vrfs: the VRFs of one fabric and whether they are deployed. */
import { curatedRead } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const listVrfs = curatedRead({
  name: "list_vrfs",
  title: "List VRFs",
  description: "VRFs of a fabric with VRF id, template, tenant and deployment status.",
  properties: { fabric: { type: "string", description: "Fabric name" }, ...PAGING_ARGS },
  required: ["fabric"],
  route: (a) => ({ operationId: "ndfc.listVrfs", params: { fabric: a.fabric } }),
  defaultFields: ["vrfName", "vrfId", "tenantName", "vrfStatus"],
});
