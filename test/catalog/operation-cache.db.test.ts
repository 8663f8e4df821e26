import { afterAll, expect, test } from "bun:test";
import { createOperationCache } from "../../app/catalog/operation-cache.ts";
import { importDocuments } from "../../app/catalog/import.ts";
import { readCoreDocument } from "../../app/catalog/core-document.ts";
import type { DocumentInput } from "../../app/catalog/import-inputs.ts";
import { activateVersion } from "../../app/catalog/catalog.sql.ts";
import { freshDatabase } from "../support/db.ts";

const db = await freshDatabase();
afterAll(() => db.close());

test("cached operations are served until the active catalog changes, then reloaded", async () => {
  const core = (await readCoreDocument()) as DocumentInput;
  await importDocuments(db.sql, "bootstrap", [core]);
  const cache = createOperationCache(2);
  const first = await cache.get(db.sql, "manage.listFabrics");
  expect(first?.path).toBe("/api/v1/manage/fabrics");
  expect(await cache.get(db.sql, "manage.listFabrics")).toBe(first);
  expect(await cache.get(db.sql, "no.suchOperation")).toBeNull();

  // A new import (any node) changes the stamp: the next call sees the new catalog.
  const changed = {
    ...core,
    bytes: new TextEncoder().encode(new TextDecoder().decode(core.bytes).replace("List fabrics", "List all fabrics")),
  };
  await importDocuments(db.sql, "bootstrap", [changed]);
  const reloaded = await cache.get(db.sql, "manage.listFabrics");
  expect(reloaded).not.toBe(first);
  expect(reloaded?.summary).not.toBe(first?.summary);

  await activateVersion(db.sql, "core", 1);
  expect((await cache.get(db.sql, "manage.listFabrics"))?.summary).toBe(first?.summary);
});
