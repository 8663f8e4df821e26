/** cluster_health: the health of the Nexus Dashboard cluster itself. */
import { curatedRead } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const clusterHealth = curatedRead({
  name: "cluster_health",
  title: "Cluster health",
  description: "Health of the Nexus Dashboard cluster itself: core services, Kubernetes, per-node checks.",
  properties: { fields: PAGING_ARGS.fields },
  route: () => ({ operationId: "infra.getClusterHealtStatus", params: {} }),
});
