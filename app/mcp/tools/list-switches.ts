/** list_switches: the switches of one fabric or of all, with what engineers check first. */
import { curatedRead, str } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const listSwitches = curatedRead({
  name: "list_switches",
  description:
    "Switches of a fabric (or all): serial, hostname, model, role, NX-OS version, anomaly level, config sync, discovery status.",
  properties: { fabric: { type: "string" }, ...PAGING_ARGS },
  route: (a) =>
    str(a.fabric)
      ? { operationId: "manage.listFabricSwitches", params: { fabricName: a.fabric } }
      : { operationId: "manage.listAllSwitches", params: {} },
  defaultFields: [
    "switchId",
    "hostname",
    "fabricName",
    "model",
    "switchRole",
    "softwareVersion",
    "anomalyLevel",
    "additionalData.configSyncStatus",
    "additionalData.discoveryStatus",
  ],
});
