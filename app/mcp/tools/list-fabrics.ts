/**
 * list_fabrics: the fabrics of a cluster with their state — where most questions start. ND's
 * summary list, not its plain one: only the summary carries reachability, configuration sync
 * and the worst anomaly and advisory level, so "which fabrics, and are they healthy" is one call.
 */
import { curatedRead } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const listFabrics = curatedRead({
  name: "list_fabrics",
  description:
    "Fabrics with type, reachability, config sync, worst anomaly and advisory level, NX-OS versions. Start here.",
  properties: { ...PAGING_ARGS },
  route: () => ({ operationId: "manage.listFabricsSummary", params: {} }),
  defaultFields: [
    "name",
    "management.type",
    "connectivityStatus",
    "management.configSyncStatus.syncStatus",
    "anomalyLevel",
    "advisoryLevel",
    "softwareVersions",
  ],
});
