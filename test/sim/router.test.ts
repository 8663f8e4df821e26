import { describe, expect, test } from "bun:test";
import { Router } from "../../sim/http/router.ts";

describe("path-template router", () => {
  const router = new Router<string>();
  router.add("GET", "/api/v1/manage/fabrics/{fabricName}", "fabric");
  router.add("GET", "/api/v1/manage/fabrics/{fabricName}/switches/{switchId}", "switch");
  router.add("GET", "/api/v1/manage/fabrics/summary", "literal");
  router.add("DELETE", "/api/v1/manage/fabrics/{name}", "delete");
  router.add("GET", "/mso/api/v2/sites/", "sites");

  test("literal segments win over parameters; parameters are captured and decoded", () => {
    expect(router.match("GET", "/api/v1/manage/fabrics/summary")).toMatchObject({
      kind: "found",
      match: { route: "literal" },
    });
    expect(router.match("GET", "/api/v1/manage/fabrics/a%20b")).toEqual({
      kind: "found",
      match: { route: "fabric", params: { fabricName: "a b" } },
    });
    expect(router.match("GET", "/api/v1/manage/fabrics/f1/switches/S1")).toEqual({
      kind: "found",
      match: { route: "switch", params: { fabricName: "f1", switchId: "S1" } },
    });
  });

  test("each method keeps its own parameter names", () => {
    expect(router.match("DELETE", "/api/v1/manage/fabrics/f9")).toEqual({
      kind: "found",
      match: { route: "delete", params: { name: "f9" } },
    });
  });

  test("an encoded slash stays inside one parameter and cannot reach another route", () => {
    const match = router.match("GET", "/api/v1/manage/fabrics/..%2Fswitches");
    expect(match).toEqual({ kind: "found", match: { route: "fabric", params: { fabricName: "../switches" } } });
  });

  test("unknown paths, empty segments and wrong methods", () => {
    expect(router.match("GET", "/api/v1/manage/nothing")).toEqual({ kind: "not-found" });
    expect(router.match("GET", "/api/v1/manage/fabrics/")).toEqual({ kind: "not-found" });
    expect(router.match("POST", "/api/v1/manage/fabrics/f1")).toEqual({
      kind: "method-not-allowed",
      allowed: ["GET", "DELETE"],
    });
  });

  test("a trailing slash in either the template or the request still matches", () => {
    expect(router.match("GET", "/mso/api/v2/sites")).toMatchObject({ kind: "found", match: { route: "sites" } });
    expect(router.match("GET", "/api/v1/manage/fabrics/f1/")).toMatchObject({
      kind: "found",
      match: { route: "fabric" },
    });
  });

  test("the first registration of a (method, template) wins", () => {
    const r = new Router<string>();
    expect(r.add("GET", "/a/{x}", "core")).toBe(true);
    expect(r.add("GET", "/a/{y}", "generated")).toBe(false);
    expect(r.match("GET", "/a/1")).toMatchObject({ match: { route: "core" } });
  });
});
