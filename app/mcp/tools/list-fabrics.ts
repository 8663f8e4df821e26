/** list_fabrics: the fabrics of a cluster — where most questions start. */
import { curatedRead } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

export const listFabrics = curatedRead({
  name: "list_fabrics",
  title: "List fabrics",
  description: "Fabrics of a Nexus Dashboard cluster: name, type, category, licence tier. Start here to learn fabric names.",
  properties: { ...PAGING_ARGS },
  route: () => ({ operationId: "manage.listFabrics", params: {} }),
  defaultFields: ["name", "category", "management.type", "licenseTier"],
});
