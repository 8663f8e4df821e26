import { describe, expect, test } from "bun:test";
import {
  assignCatalogIds,
  catalogId,
  sanitizeApiName,
  sanitizeIdPart,
  TOOL_NAME_PATTERN,
} from "../../app/catalog/operation-id.ts";

describe("catalog ids", () => {
  test("operationIds that are not identifiers are sanitised", () => {
    expect(catalogId("orchestrator", "list version history")).toBe("orchestrator.list_version_history");
    expect(catalogId("orchestrator", "newSyncTriggerWith-resync-user-triggeredAsName")).toBe(
      "orchestrator.newSyncTriggerWith-resync-user-triggeredAsName",
    );
    expect(sanitizeIdPart("  ")).toBe("op");
    expect(sanitizeIdPart("a/b{c}")).toBe("a_b_c");
    expect(sanitizeApiName("oneManage")).toBe("onemanage");
  });

  test("long ids are shortened deterministically to 64 characters with a hash of the original", () => {
    const long = "listComplianceAnomalyRuleObjectSelectorPreviewResultTemplate";
    const id = catalogId("manage", long);
    expect(id.length).toBe(64);
    expect(id).toMatch(TOOL_NAME_PATTERN);
    expect(id).toStartWith("manage.listComplianceAnomalyRuleObjectSelectorPreview");
    expect(catalogId("manage", long)).toBe(id);
    expect(catalogId("manage", `${long}X`)).not.toBe(id);
  });

  test("collisions after sanitising get distinct ids independent of document order", () => {
    const a = assignCatalogIds("x", ["a b", "a_b", "c"]);
    const b = assignCatalogIds("x", ["c", "a_b", "a b"]);
    expect(new Set(a.values()).size).toBe(3);
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    expect(a.get("a b")).toBe("x.a_b");
    expect(a.get("a_b")).toMatch(/^x\.a_b-[0-9a-f]{6}$/);
  });
});
