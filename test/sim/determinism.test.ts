import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { simClient, SPECS_DIR, type SimClient } from "./sim-client.ts";

const PATHS = [
  "/api/v1/manage/fabrics",
  "/api/v1/manage/fabricsSummary",
  "/api/v1/manage/inventory/switches?max=1000",
  "/api/v1/manage/inventory/switches/summary",
  "/api/v1/analyze/anomalies/details?max=1000",
  "/api/v1/analyze/advisories/summary",
  "/api/v1/infra/cluster/nodes",
  "/mso/api/v1/sites",
  // generated from Cisco's schemas
  "/api/v1/infra/clusters",
  "/mso/api/v1/tenants/allowed-sites",
];

let a: SimClient;
let b: SimClient;
let other: SimClient;
beforeAll(async () => {
  [a, b, other] = await Promise.all([
    simClient({ seed: 7, specsDir: SPECS_DIR }),
    simClient({ seed: 7, specsDir: SPECS_DIR }),
    simClient({ seed: 8, specsDir: SPECS_DIR }),
  ]);
});
afterAll(() => Promise.all([a.sim.stop(), b.sim.stop(), other.sim.stop()]));

async function snapshot(c: SimClient, path: string): Promise<string> {
  const token = await c.login();
  const res = await c.getJson(path, token);
  expect(res.status).toBe(200);
  return JSON.stringify(res.body);
}

describe("seeded data", () => {
  test("the same seed serves byte-identical answers; another seed does not", async () => {
    for (const path of PATHS) {
      const [first, second, third] = await Promise.all([snapshot(a, path), snapshot(b, path), snapshot(other, path)]);
      expect(second).toBe(first);
      if (path !== "/api/v1/manage/fabrics") expect(third).not.toBe(first);
    }
  });

  test("interfaces are the same whichever fabric is asked for first", async () => {
    const [f1, f2] = [...a.sim.state.fabrics.keys()] as [string, string];
    const ta = await a.login();
    const tb = await b.login();
    const a1 = await a.getJson(`/api/v1/analyze/interfaces?fabricName=${f1}&max=5000`, ta);
    const b2 = await b.getJson(`/api/v1/analyze/interfaces?fabricName=${f2}&max=5000`, tb);
    const b1 = await b.getJson(`/api/v1/analyze/interfaces?fabricName=${f1}&max=5000`, tb);
    const a2 = await a.getJson(`/api/v1/analyze/interfaces?fabricName=${f2}&max=5000`, ta);
    expect(b1.body).toEqual(a1.body);
    expect(b2.body).toEqual(a2.body);
  });

  test("serial numbers are unique across a large inventory", async () => {
    const big = await simClient({ fabrics: 20, switches: 200 });
    try {
      const all = big.sim.state.allSwitches();
      expect(all).toHaveLength(4000);
      expect(new Set(all.map((s) => s.switchId)).size).toBe(4000);
      expect(new Set(all.map((s) => s.hostname)).size).toBe(4000);
    } finally {
      await big.sim.stop();
    }
  });
});
