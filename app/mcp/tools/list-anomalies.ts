/** list_anomalies: the problems ND detected, by fabric and severity. */
import { curatedRead, str } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const listAnomalies = curatedRead({
  name: "list_anomalies",
  description: "Active anomalies (problems ND found): id, severity, category, title, nodes, start.",
  properties: {
    fabric: { type: "string" },
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
  defaultFields: ["anomalyId", "severity", "category", "title", "fabricName", "nodeNames", "startDate"],
});
