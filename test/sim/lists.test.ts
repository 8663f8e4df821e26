import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { compileFilter, FilterSyntaxError } from "../../sim/list/lucene-filter.ts";
import { parseSort, sortRecords } from "../../sim/list/sort-spec.ts";
import { simClient, type SimClient } from "./sim-client.ts";

describe("Lucene filter subset", () => {
  const records = [
    { name: "ams-leaf1", role: "leaf", tier: 1, vpc: true, data: { sync: "inSync" }, tags: ["a", "b"] },
    { name: "ams-spine1", role: "spine", tier: 2, vpc: false, data: { sync: "outOfSync" }, tags: ["c"] },
    { name: "sjc-leaf2", role: "leaf", tier: 3, vpc: false, data: { sync: "pending" }, tags: [] },
  ];
  const names = (expr: string) => records.filter(compileFilter(expr)).map((r) => r.name);

  test("field:value, AND, OR, NOT, parentheses", () => {
    expect(names("role:leaf")).toEqual(["ams-leaf1", "sjc-leaf2"]);
    expect(names("role:leaf AND vpc:true")).toEqual(["ams-leaf1"]);
    expect(names("role:spine OR tier:3")).toEqual(["ams-spine1", "sjc-leaf2"]);
    expect(names("NOT role:leaf")).toEqual(["ams-spine1"]);
    expect(names("role:leaf AND NOT (name:ams* OR tier:1)")).toEqual(["sjc-leaf2"]);
    expect(names("-role:leaf")).toEqual(["ams-spine1"]);
  });

  test("wildcards, case-insensitivity, nested fields, arrays, quoted values and ranges", () => {
    expect(names("name:ams*")).toEqual(["ams-leaf1", "ams-spine1"]);
    expect(names("name:*LEAF?")).toEqual(["ams-leaf1", "sjc-leaf2"]);
    expect(names("data.sync:outOfSync")).toEqual(["ams-spine1"]);
    expect(names("tags:c")).toEqual(["ams-spine1"]);
    expect(names('name:"sjc-leaf2"')).toEqual(["sjc-leaf2"]);
    expect(names("tier:[2 TO 3]")).toEqual(["ams-spine1", "sjc-leaf2"]);
    expect(names("tier:{1 TO 3}")).toEqual(["ams-spine1"]);
    expect(names("spine")).toEqual(["ams-spine1"]);
    expect(names("ams")).toEqual([]);
    expect(names("ams-spine1")).toEqual(["ams-spine1"]);
  });

  test("malformed expressions are rejected", () => {
    for (const bad of ["role:", "(role:leaf", "role:leaf AND", ":x", 'name:"open']) {
      expect(() => compileFilter(bad)).toThrow(FilterSyntaxError);
    }
  });
});

describe("sort", () => {
  test("multiple keys with explicit directions; missing values last", () => {
    const rows = [{ a: 1, b: "x" }, { a: 2, b: "y" }, { a: 1, b: "z" }, { b: "w" }];
    expect(sortRecords(rows, parseSort("a:asc,b:desc"))).toEqual([
      { a: 1, b: "z" },
      { a: 1, b: "x" },
      { a: 2, b: "y" },
      { b: "w" },
    ]);
    expect(sortRecords(rows, parseSort("a:desc")).map((r) => r.a)).toEqual([2, 1, 1, undefined]);
    expect(() => parseSort("a:sideways")).toThrow();
  });
});

describe("unified list envelope over HTTP", () => {
  let c: SimClient;
  let token: string;
  beforeAll(async () => {
    c = await simClient({ fabrics: 3, switches: 50 });
    token = await c.login();
  });
  afterAll(() => c.sim.stop());

  test("offset/max page through all switches with consistent meta counts and links", async () => {
    const first = await c.getJson("/api/v1/manage/inventory/switches?offset=0&max=40", token);
    expect(first.status).toBe(200);
    expect(first.body.switches).toHaveLength(40);
    expect(first.body.meta.counts).toEqual({ total: 150, remaining: 110 });
    expect(first.body.meta.links.previous).toBeUndefined();
    const next = new URL(first.body.meta.links.next);
    expect(next.searchParams.get("offset")).toBe("40");
    expect(next.searchParams.get("max")).toBe("40");

    const seen = new Set<string>();
    let url: string | undefined = "/api/v1/manage/inventory/switches?max=40";
    while (url) {
      const page: { body: any } = await c.getJson(url, token);
      for (const s of page.body.switches) seen.add(s.switchId);
      url = page.body.meta.links.next
        ? new URL(page.body.meta.links.next).pathname + new URL(page.body.meta.links.next).search
        : undefined;
    }
    expect(seen.size).toBe(150);
  });

  test("without max a page holds 100 records and says how many remain", async () => {
    const { body } = await c.getJson("/api/v1/manage/inventory/switches", token);
    expect(body.switches).toHaveLength(100);
    expect(body.meta.counts.remaining).toBe(50);
  });

  test("filter and sort apply before paging", async () => {
    const { body } = await c.getJson(
      `/api/v1/manage/inventory/switches?filter=${encodeURIComponent("switchRole:spine OR switchRole:border")}&sort=${encodeURIComponent("fabricName:desc,hostname:asc")}&max=5`,
      token,
    );
    expect(body.meta.counts.total).toBe(12);
    expect(body.switches.map((s: any) => s.switchRole).every((r: string) => r === "spine" || r === "border")).toBe(
      true,
    );
    const fabrics = body.switches.map((s: any) => s.fabricName);
    expect(fabrics).toEqual([...fabrics].sort().reverse());
  });

  test("nested fields and wildcards filter the switches of one fabric", async () => {
    const fabric = [...c.sim.state.fabrics.keys()][0] as string;
    const { body } = await c.getJson(
      `/api/v1/manage/fabrics/${fabric}/switches?max=100&filter=${encodeURIComponent("additionalData.configSyncStatus:outOfSync AND hostname:*leaf*")}`,
      token,
    );
    const expected = c.sim.state
      .switchesOf(fabric)
      .filter((s) => s.additionalData.configSyncStatus === "outOfSync" && s.hostname.includes("leaf"));
    expect(body.switches.map((s: any) => s.switchId)).toEqual(expected.map((s) => s.switchId));
  });

  test("bad filter, sort or paging values are a unified 400", async () => {
    for (const query of ["filter=role%3A", "sort=hostname%3Aup", "offset=-1", "max=ten"]) {
      const { status, body } = await c.getJson(`/api/v1/manage/inventory/switches?${query}`, token);
      expect(status).toBe(400);
      expect(body).toMatchObject({ code: 400, message: "Bad Request" });
    }
  });

  test("anomalies and interfaces use the same envelope", async () => {
    const fabric = [...c.sim.state.fabrics.keys()][1] as string;
    const anomalies = await c.getJson(
      `/api/v1/analyze/anomalies/details?fabricName=${fabric}&max=2&sort=anomalyScore:desc`,
      token,
    );
    expect(anomalies.body.anomalies).toHaveLength(2);
    expect(anomalies.body.anomalies[0].anomalyScore).toBeGreaterThanOrEqual(anomalies.body.anomalies[1].anomalyScore);
    expect(anomalies.body.meta.counts.total).toBe(c.sim.state.anomaliesOf(fabric).length);
    const interfaces = await c.getJson(
      `/api/v1/analyze/interfaces?fabricName=${fabric}&filter=interfaceType:loopback&max=1000`,
      token,
    );
    expect(interfaces.body.meta.counts.total).toBe(100);
    expect((await c.getJson("/api/v1/analyze/interfaces", token)).status).toBe(400);
  });
});
