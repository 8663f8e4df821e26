import { cliCaller } from "../support/callers.ts";
// Import, versioning, queries and CLI against a real PostgreSQL (run with `bun run test`).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TransactionSql } from "postgres";
import {
  activateVersion,
  activeCatalogStamp,
  listVersions,
  loadActiveOperation,
  loadActiveSearchable,
} from "../../app/catalog/catalog.sql.ts";
import { createCatalogIndexCache } from "../../app/catalog/catalog-index.ts";
import { importCommand, searchCommand, showCommand, versionsCommand } from "../../app/cli/catalog.ts";
import { importDocuments, importFromCluster, type CatalogAuditEvent } from "../../app/catalog/import.ts";
import { readDirectoryInputs, readFileInput, uploadInput } from "../../app/catalog/import-inputs.ts";
import { readCoreDocument } from "../../app/catalog/core-document.ts";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { BAD_FILE, ND_OPENAPI_DIR, operation, readNdFile } from "./nd-documents.ts";

const hasPostgres = Boolean(process.env.NMG_TEST_PG_URL);

describe.skipIf(!hasPostgres)("catalog import on PostgreSQL", () => {
  let db: TestDatabase;
  const audited: Array<{ event: CatalogAuditEvent; inTransaction: boolean }> = [];
  const audit = async (tx: TransactionSql, event: CatalogAuditEvent) => {
    // The import's inserts assigned a transaction id: visible only inside that transaction.
    const [row] = await tx<{ xid: string | null }[]>`select txid_current_if_assigned()::text as xid`;
    audited.push({ event, inTransaction: row!.xid !== null });
  };

  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  const count = async (table: "catalog_versions" | "catalog_operations") => {
    const [row] =
      table === "catalog_versions"
        ? await db.sql<{ n: number }[]>`select count(*)::int as n from catalog_versions`
        : await db.sql<{ n: number }[]>`select count(*)::int as n from catalog_operations`;
    return row!.n;
  };

  test("the five documents import (844 operations); the truncated one is rejected with its position", async () => {
    const inputs = [
      ...(await readDirectoryInputs(ND_OPENAPI_DIR)),
      await readFileInput(`${ND_OPENAPI_DIR}/${BAD_FILE}`, BAD_FILE),
    ];
    const report = await importDocuments(db.sql, cliCaller("tester"), inputs, { audit });
    expect([report.imported, report.unchanged, report.failed]).toEqual([5, 0, 1]);
    const failed = report.outcomes.find((o) => o.status === "failed")!;
    expect(failed.error).toStartWith(
      "bad/orchestrator-truncated.json: invalid JSON at line 51343, column 6 (offset 1931054)",
    );
    expect(
      report.outcomes.filter((o) => o.status === "imported").map((o) => [o.source, o.version, o.operations]),
    ).toEqual([
      ["analyze", 1, 212],
      ["infra", 1, 208],
      ["manage", 1, 202],
      ["onemanage", 1, 16],
      ["orchestrator", 1, 206],
    ]);
    expect(await count("catalog_operations")).toBe(844);
    expect((await loadActiveSearchable(db.sql)).length).toBe(844);
    expect(audited.length).toBe(1);
    expect(audited[0]!.inTransaction).toBe(true);
    expect(audited[0]!.event.action).toBe("catalog.import");
    expect(audited[0]!.event.details).toMatchObject({ imported: 5, unchanged: 0, failed: 1 });
    expect(audited[0]!.event.details.files.find((f) => f.status === "failed")?.file).toBe(BAD_FILE);
  });

  test("stored operations round-trip exactly", async () => {
    for (const id of [
      "manage.createFabric",
      "analyze.getAnomalyDetails",
      "orchestrator.list_version_history",
      "manage.listComplianceAnomalyRuleObjectSelectorPreviewResultTemplate",
    ]) {
      const expected = operation(id);
      expect(await loadActiveOperation(db.sql, expected.id)).toEqual(expected);
    }
    expect(await loadActiveOperation(db.sql, "manage.noSuchThing")).toBeNull();
  });

  test("re-importing identical bytes is a no-op reported as unchanged", async () => {
    const stamp = await activeCatalogStamp(db.sql);
    const report = await importDocuments(db.sql, "bootstrap", await readDirectoryInputs(ND_OPENAPI_DIR));
    expect([report.imported, report.unchanged, report.failed]).toEqual([0, 5, 0]);
    expect(report.outcomes.every((o) => o.version === 1)).toBe(true);
    expect(await count("catalog_versions")).toBe(5);
    expect(await activeCatalogStamp(db.sql)).toBe(stamp);
  });

  test("a changed document becomes a new active version; older versions can be re-activated", async () => {
    const original = new TextDecoder().decode(readNdFile("onemanage.json"));
    const changed = original.replace('"version": "1.0.53"', '"version": "1.0.54"');
    expect(changed).not.toBe(original);
    const stampBefore = await activeCatalogStamp(db.sql);
    const report = await importDocuments(db.sql, "bootstrap", [
      uploadInput("C:\\fakepath\\onemanage-1.0.54.json", new TextEncoder().encode(changed)),
    ]);
    expect(report.outcomes[0]).toMatchObject({
      status: "imported",
      source: "onemanage",
      version: 2,
      fileName: "onemanage-1.0.54.json",
    });
    const versions = await listVersions(db.sql, "onemanage");
    expect(versions.map((v) => [v.version, v.active, v.apiVersion, v.origin])).toEqual([
      [2, true, "1.0.54", "upload"],
      [1, false, "1.0.53", "directory"],
    ]);
    expect((await loadActiveSearchable(db.sql)).length).toBe(844);
    expect(await activeCatalogStamp(db.sql)).not.toBe(stampBefore);

    expect(await activateVersion(db.sql, "onemanage", 1)).toBe(true);
    expect(await activateVersion(db.sql, "onemanage", 9)).toBe(false);
    expect((await listVersions(db.sql, "onemanage")).map((v) => v.active)).toEqual([false, true]);
    expect(await activeCatalogStamp(db.sql)).toBe(stampBefore);
  });

  test("a failing audit write rolls the whole import back", async () => {
    const before = await count("catalog_versions");
    const changed = new TextDecoder()
      .decode(readNdFile("onemanage.json"))
      .replace('"version": "1.0.53"', '"version": "9.9.9"');
    const failing = async () => {
      throw new Error("audit store down");
    };
    await expect(
      importDocuments(db.sql, cliCaller("tester"), [uploadInput("onemanage.json", new TextEncoder().encode(changed))], {
        audit: failing,
      }),
    ).rejects.toThrow("audit store down");
    expect(await count("catalog_versions")).toBe(before);
  });

  test("two files for the same API in one import: the second is refused", async () => {
    const bytes = readNdFile("infra.json");
    const report = await importDocuments(db.sql, "bootstrap", [
      uploadInput("a.json", bytes),
      uploadInput("b.json", bytes),
    ]);
    expect(report.outcomes.map((o) => o.status)).toEqual(["unchanged", "failed"]);
    expect(report.outcomes[1]!.error).toBe(
      'b.json: describes API "infra" like a.json in the same import; import one of them',
    );
  });

  test("documents fetched from a cluster; a failed fetch is reported, not thrown", async () => {
    const report = await importFromCluster(db.sql, cliCaller("tester"), "sim", [
      async () => ({ name: "manage.json", bytes: readNdFile("manage.json") }),
      async () => {
        throw new Error("HTTP 503");
      },
    ]);
    expect(report.outcomes.map((o) => o.status)).toEqual(["unchanged", "failed"]);
    expect(report.outcomes[1]!.error).toBe("sim: could not fetch the document: HTTP 503");
  });

  test("the index cache rebuilds only when the active catalog changes", async () => {
    const cache = createCatalogIndexCache();
    const first = await cache.index(db.sql);
    expect(await cache.index(db.sql)).toBe(first);
    expect((await cache.search(db.sql, "switches in fabric", { limit: 3 })).map((h) => h.id)).toContain(
      "manage.listFabricSwitches",
    );
    await activateVersion(db.sql, "onemanage", 2);
    const second = await cache.index(db.sql);
    expect(second).not.toBe(first);
    await activateVersion(db.sql, "onemanage", 1);
  });

  test("the core document imports as one source; a document dedicated to an API wins shared ids", async () => {
    const core = await readCoreDocument();
    if (!core) return; // written by the simulator; optional
    const report = await importDocuments(db.sql, "bootstrap", [core]);
    expect(report.outcomes[0]).toMatchObject({ status: "imported", source: "core" });
    expect((await loadActiveOperation(db.sql, "manage.listFabrics"))?.source).toBe("manage");
    expect((await loadActiveOperation(db.sql, "ndfc.listVrfs"))?.source).toBe("core");
    const ids = (await loadActiveSearchable(db.sql)).map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("ndfc.listVrfs");
  });

  describe("CLI handlers", () => {
    const run = async (handler: typeof importCommand, args: string[]) => {
      const lines: string[] = [];
      const code = await handler(db.sql, args, (line) => lines.push(line), cliCaller("tester"));
      return { code, lines };
    };

    test("import DIR reports every file; a bad FILE exits 1 with its position", async () => {
      const dir = await run(importCommand, [ND_OPENAPI_DIR]);
      expect(dir.code).toBe(0);
      expect(dir.lines.slice(0, 5).every((l) => l.startsWith("unchanged"))).toBe(true);
      expect(dir.lines.at(-1)).toMatch(/^0 imported, 5 unchanged, 0 failed in \d+\.\d\d s$/);
      const bad = await run(importCommand, [`${ND_OPENAPI_DIR}/${BAD_FILE}`]);
      expect(bad.code).toBe(1);
      expect(bad.lines[0]).toStartWith("failed     orchestrator-truncated.json: invalid JSON at line 51343, column 6");
      expect((await run(importCommand, [])).code).toBe(2);
    });

    test("search and show", async () => {
      const search = await run(searchCommand, ["switches", "in", "fabric", "--limit", "3", "--risk", "read"]);
      expect(search.code).toBe(0);
      expect(search.lines.length).toBe(3);
      expect(
        search.lines.some((l) =>
          l.startsWith("manage.listFabricSwitches  GET /api/v1/manage/fabrics/{fabricName}/switches — "),
        ),
      ).toBe(true);
      expect((await run(searchCommand, ["x", "--risk", "harmless"])).code).toBe(2);

      const show = await run(showCommand, ["analyze.getAnomalyDetails"]);
      expect(show.code).toBe(0);
      expect(show.lines[0]).toStartWith("analyze.getAnomalyDetails  GET /api/v1/analyze/anomalies/details");
      expect(show.lines.join("\n")).toContain("offset: integer (query)");

      const missing = await run(showCommand, ["manage.listFabrik"]);
      expect(missing.code).toBe(1);
      expect(missing.lines[1]).toContain("manage.listFabrics");
    });

    test("versions", async () => {
      const { code, lines } = await run(versionsCommand, []);
      expect(code).toBe(0);
      expect(lines.filter((l) => l.startsWith("*")).length).toBeGreaterThanOrEqual(5);
    });
  });
});
