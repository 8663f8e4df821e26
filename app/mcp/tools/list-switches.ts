/** list_switches: the switches of one fabric or of all, with what engineers check first. */
import { curatedRead, str } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const listSwitches = curatedRead({
  name: "list_switches",
  title: "List switches",
  description:
    "Switches with serial (switchId), hostname, model, role, software version, anomaly level and sync status. Give fabric for one fabric; omit it for all.",
  properties: { fabric: { type: "string", description: "Fabric name" }, ...PAGING_ARGS },
  route: (a) =>
    str(a.fabric)
      ? { operationId: "manage.listFabricSwitches", params: { fabricName: a.fabric } }
      : { operationId: "manage.listAllSwitches", params: {} },
  defaultFields: [
    "switchId", "hostname", "fabricName", "model", "switchRole", "softwareVersion", "anomalyLevel",
    "additionalData.configSyncStatus", "additionalData.discoveryStatus",
  ],
});
