/** list_vrfs: the VRFs of one fabric and whether they are deployed. */
import { curatedRead } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const listVrfs = curatedRead({
  name: "list_vrfs",
  description: "VRFs of a fabric: name, VRF id, tenant, deployment status.",
  properties: { fabric: { type: "string" }, ...PAGING_ARGS },
  required: ["fabric"],
  route: (a) => ({ operationId: "ndfc.listVrfs", params: { fabric: a.fabric } }),
  defaultFields: ["vrfName", "vrfId", "tenantName", "vrfStatus"],
});
