/**
 * Full operations (with their schema closures) for the call path, cached per active catalog.
 * Loading an operation assembles its component schemas — 141 of them for Cisco's
 * manage.listFabrics, ~23 ms — so repeating that per call dominated the gateway's cost.
 * The active-catalog stamp (one cheap query) is checked on every use, so an import on any
 * node is seen by the next call here. Bounded, least recently used first out.
 */
import { activeCatalogStamp, loadActiveOperation, type Db } from "./catalog.sql.ts";
import type { Operation } from "./operation.ts";

export interface OperationCache {
  get(db: Db, id: string): Promise<Operation | null>;
}

export function createOperationCache(
  maxEntries = 256,
  stampOf: (db: Db) => Promise<string> = activeCatalogStamp,
): OperationCache {
  let stamp = "";
  const entries = new Map<string, Promise<Operation | null>>();
  return {
    async get(db, id) {
      const current = await stampOf(db);
      if (current !== stamp) {
        entries.clear();
        stamp = current;
      }
      let entry = entries.get(id);
      if (entry) {
        entries.delete(id);
      } else {
        entry = loadActiveOperation(db, id);
        // A failed load must not stay cached.
        entry.catch(() => entries.delete(id));
      }
      entries.set(id, entry);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return entry;
    },
  };
}
