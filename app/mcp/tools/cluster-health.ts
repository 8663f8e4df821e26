/** cluster_health: the health of the Nexus Dashboard cluster itself. */
import { curatedRead } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const clusterHealth = curatedRead({
  name: "cluster_health",
  description: "Health of the ND cluster itself: services, Kubernetes, nodes.",
  properties: { fields: PAGING_ARGS.fields },
  route: () => ({ operationId: "infra.getClusterHealtStatus", params: {} }),
});
