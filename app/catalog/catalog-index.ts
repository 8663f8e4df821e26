// The search index of the active catalog, rebuilt only when the active catalog changes. The
// database decides what is active (a stamp of active version ids, one cheap query per use), so
// every node of a cluster sees a new import on its next search without any messaging.

import { activeCatalogStamp, loadActiveSearchable, type Db } from "./catalog.sql.ts";
import { buildSearchIndex, searchCatalog, type SearchHit, type SearchIndex, type SearchOptions } from "./search.ts";

export interface CatalogIndexCache {
  /** The index of the active catalog, rebuilt when the stamp changed. */
  index(db: Db): Promise<SearchIndex>;
  search(db: Db, query: string, options?: SearchOptions): Promise<SearchHit[]>;
}

export function createCatalogIndexCache(stampOf: (db: Db) => Promise<string> = activeCatalogStamp): CatalogIndexCache {
  let current: { stamp: string; index: SearchIndex } | null = null;
  let building: { stamp: string; promise: Promise<SearchIndex> } | null = null;

  const index = async (db: Db): Promise<SearchIndex> => {
    const stamp = await stampOf(db);
    if (current?.stamp === stamp) return current.index;
    // Concurrent callers share one rebuild instead of each loading the catalog.
    if (building?.stamp !== stamp) {
      const promise = loadActiveSearchable(db).then((ops) => {
        const built = buildSearchIndex(ops);
        current = { stamp, index: built };
        return built;
      });
      building = { stamp, promise };
      promise
        .finally(() => {
          if (building?.promise === promise) building = null;
        })
        .catch(() => {});
    }
    return building.promise;
  };

  return {
    index,
    async search(db, query, options) {
      return searchCatalog(await index(db), query, options);
    },
  };
}
