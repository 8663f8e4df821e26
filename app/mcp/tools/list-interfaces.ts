/**
 * list_interfaces: the interfaces of a fabric, one switch (by host name) or those up or down.
 * ND filters by any field (Lucene `filter`), so a switch's host name is enough: the model does
 * not need a second call to learn its serial.
 */
import { curatedRead, str } from "./curated-read.ts";
import { PAGING_ARGS } from "./schema-parts.ts";

/** A value inside a Lucene term: quoted, so a host name with '-' or ':' stays one term. */
const term = (v: string) => `"${v.replace(/["\\]/g, "\\$&")}"`;

export const listInterfaces = curatedRead({
  name: "list_interfaces",
  description: "Interfaces of a fabric or one switch (host name): admin/oper status, speed, description.",
  properties: {
    fabric: { type: "string" },
    switch: { type: "string" },
    status: { type: "string", enum: ["up", "down"] },
    ...PAGING_ARGS,
  },
  required: ["fabric"],
  route: (a) => {
    const filter = [
      str(a.switch) && `switchName:${term(a.switch as string)}`,
      str(a.status) && `operationalStatus:${a.status}`,
    ]
      .filter(Boolean)
      .join(" AND ");
    return {
      operationId: "analyze.listFabricInterfaces",
      params: { fabricName: a.fabric, ...(filter ? { filter } : {}) },
    };
  },
  defaultFields: ["switchName", "interfaceName", "adminStatus", "operationalStatus", "speed", "description"],
});
