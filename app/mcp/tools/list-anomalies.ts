/** list_anomalies: the problems ND detected, by fabric and severity. */
import { curatedRead, str } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const listAnomalies = curatedRead({
  name: "list_anomalies",
  title: "List anomalies",
  description: "Active anomalies (problems ND detected): severity, category, title, affected nodes, start time. Filter by fabric and severity.",
  properties: {
    fabric: { type: "string", description: "Fabric name" },
    severity: { type: "string", enum: ["critical", "major", "minor", "warning"] },
    ...PAGING_ARGS,
  },
  route: (a) => ({
    operationId: "analyze.getAnomalyDetails",
    params: {
      ...(str(a.fabric) ? { fabricName: a.fabric } : {}),
      ...(str(a.severity) ? { filter: `severity:${a.severity}` } : {}),
    },
  }),
  defaultFields: ["anomalyId", "severity", "category", "mnemonicTitle", "title", "fabricName", "nodeNames", "startDate"],
});
