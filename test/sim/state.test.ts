import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bearer, simClient, type SimClient } from "./sim-client.ts";

let c: SimClient;
let token: string;
let vxlan: string;
beforeAll(async () => {
  c = await simClient({ fabrics: 3, switches: 12, asyncPollsToComplete: 2 });
  token = await c.login();
  vxlan = [...c.sim.state.fabrics.values()].find((f) => f.management.type === "vxlanIbgp")!.name;
});
afterAll(() => c.sim.stop());

const send = (method: string, path: string, body?: unknown) =>
  c.call(path, {
    method,
    headers: bearer(token, { "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const NDFC = "/appcenter/cisco/ndfc/api/v1/lan-fabric/rest/top-down/fabrics";

describe("fabric create and delete", () => {
  test("POST answers 202 with a statusUrl whose progress completes; the fabric is then listed", async () => {
    const res = await send("POST", "/api/v1/manage/fabrics", {
      name: "lab-new",
      management: { type: "vxlanEbgp", bgpAsn: "65123" },
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; statusUrl: string };
    expect(accepted).toEqual({ id: "lab-new", statusUrl: "/api/v1/manage/fabrics/lab-new/acceptedStatus" });
    const first = await c.getJson(accepted.statusUrl, token);
    expect(first.body).toMatchObject({ id: "lab-new", status: "inProgress" });
    const second = await c.getJson(accepted.statusUrl, token);
    expect(second.body).toMatchObject({ status: "completed", progress: 100 });

    const list = await c.getJson("/api/v1/manage/fabrics?filter=name:lab-new", token);
    expect(list.body.fabrics).toHaveLength(1);
    const detail = await c.getJson("/api/v1/manage/fabrics/lab-new", token);
    expect(detail.body.management).toMatchObject({ type: "vxlanEbgp", bgpAsn: "65123" });
    const summary = await c.getJson("/api/v1/manage/fabricsSummary?filter=name:lab-new", token);
    expect(summary.body.fabrics[0].management.configSyncStatus.syncStatus).toBe("notApplicable");
  });

  test("duplicates are a 409, bad names a 400, both in the unified shape", async () => {
    const dup = await send("POST", "/api/v1/manage/fabrics", { name: vxlan });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ code: 409, message: "Conflict" });
    const bad = await send("POST", "/api/v1/manage/fabrics", { name: "9 bad name" });
    expect(bad.status).toBe(400);
    const badType = await send("POST", "/api/v1/manage/fabrics", {
      name: "okname",
      management: { type: "token-ring" },
    });
    expect(badType.status).toBe(400);
  });

  test("DELETE removes the fabric, its switches and its overlay from every later read", async () => {
    const victim = [...c.sim.state.fabrics.keys()][2] as string;
    const serial = c.sim.state.switchesOf(victim)[0]!.switchId;
    const before = await c.getJson("/api/v1/manage/inventory/switches?max=1000", token);
    const res = await send("DELETE", `/api/v1/manage/fabrics/${victim}`);
    expect(res.status).toBe(204);
    expect((await c.getJson(`/api/v1/manage/fabrics/${victim}`, token)).status).toBe(404);
    expect((await c.getJson(`/api/v1/manage/fabrics/${victim}/switches`, token)).status).toBe(404);
    const after = await c.getJson("/api/v1/manage/inventory/switches?max=1000", token);
    expect(after.body.meta.counts.total).toBe(before.body.meta.counts.total - 12);
    expect(after.body.switches.some((s: any) => s.switchId === serial)).toBe(false);
    expect((await send("DELETE", `/api/v1/manage/fabrics/${victim}`)).status).toBe(404);
  });
});

describe("VRFs and networks (legacy NDFC)", () => {
  test("VRF lists are bare arrays with vrfTemplateConfig as JSON in a string", async () => {
    const { status, body } = await c.getJson(`${NDFC}/${vxlan}/vrfs`, token);
    expect(status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    expect(body.length).toBeGreaterThan(0);
    for (const vrf of body) {
      expect(typeof vrf.vrfTemplateConfig).toBe("string");
      expect(JSON.parse(vrf.vrfTemplateConfig).vrfName).toBe(vrf.vrfName);
    }
  });

  test("create, update and delete a VRF; each change shows in later reads", async () => {
    const created = await send("POST", `${NDFC}/${vxlan}/vrfs`, {
      fabric: vxlan,
      vrfName: "blue-vrf",
      vrfTemplateConfig: JSON.stringify({ vrfName: "blue-vrf", vrfVlanId: "2999" }),
    });
    expect(created.status).toBe(200);
    const vrf = (await created.json()) as any;
    expect(vrf).toMatchObject({ vrfName: "blue-vrf", vrfStatus: "NA" });
    expect(vrf.vrfId).toBeGreaterThan(50000);

    const listed = await c.getJson(`${NDFC}/${vxlan}/vrfs`, token);
    expect(listed.body.map((v: any) => v.vrfName)).toContain("blue-vrf");

    const updated = await send("PUT", `${NDFC}/${vxlan}/vrfs/blue-vrf`, {
      vrfName: "blue-vrf",
      vrfTemplateConfig: { vrfName: "blue-vrf", vrfVlanId: "3001" },
    });
    expect(updated.status).toBe(200);
    const one = await c.getJson(`${NDFC}/${vxlan}/vrfs/blue-vrf`, token);
    expect(JSON.parse(one.body.vrfTemplateConfig).vrfVlanId).toBe("3001");

    expect((await send("DELETE", `${NDFC}/${vxlan}/vrfs/blue-vrf`)).status).toBe(200);
    const gone = await c.getJson(`${NDFC}/${vxlan}/vrfs/blue-vrf`, token);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ status: 404, error: "Not Found" });
    expect(gone.body.timestamp).toBeNumber();
  });

  test("updating a deployed VRF leaves it PENDING", async () => {
    const deployed = c.sim.state.vrfsOf(vxlan).find((v) => v.vrfStatus === "DEPLOYED")!;
    const res = await send("PUT", `${NDFC}/${vxlan}/vrfs/${deployed.vrfName}`, {
      vrfTemplateConfig: deployed.vrfTemplateConfig,
    });
    expect(((await res.json()) as any).vrfStatus).toBe("PENDING");
  });

  test("invalid VRF bodies are Spring-style 400s; duplicates 409", async () => {
    const noName = await send("POST", `${NDFC}/${vxlan}/vrfs`, { vrfTemplateConfig: "{}" });
    expect(noName.status).toBe(400);
    expect(await noName.json()).toMatchObject({ status: 400, error: "Bad Request" });
    const badConfig = await send("POST", `${NDFC}/${vxlan}/vrfs`, { vrfName: "x-vrf", vrfTemplateConfig: "{not json" });
    expect(badConfig.status).toBe(400);
    const existing = c.sim.state.vrfsOf(vxlan)[0]!.vrfName;
    expect((await send("POST", `${NDFC}/${vxlan}/vrfs`, { vrfName: existing })).status).toBe(409);
  });

  test("a VRF used by networks cannot be deleted until its networks are gone", async () => {
    const network = c.sim.state.networksOf(vxlan)[0]!;
    const blocked = await send("DELETE", `${NDFC}/${vxlan}/vrfs/${network.vrf}`);
    expect(blocked.status).toBe(409);
    for (const n of c.sim.state.networksOf(vxlan).filter((x) => x.vrf === network.vrf)) {
      expect((await send("DELETE", `${NDFC}/${vxlan}/networks/${n.networkName}`)).status).toBe(200);
    }
    expect((await send("DELETE", `${NDFC}/${vxlan}/vrfs/${network.vrf}`)).status).toBe(200);
    const networks = await c.getJson(`${NDFC}/${vxlan}/networks`, token);
    expect(networks.body.some((n: any) => n.vrf === network.vrf)).toBe(false);
  });

  test("networks are created against an existing VRF only", async () => {
    const vrf = c.sim.state.vrfsOf(vxlan)[0]!.vrfName;
    const ok = await send("POST", `${NDFC}/${vxlan}/networks`, {
      networkName: "new-net",
      vrf,
      networkTemplateConfig: { vlanId: "2500" },
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(((await ok.json()) as any).networkTemplateConfig).vlanId).toBe("2500");
    expect(
      (await send("POST", `${NDFC}/${vxlan}/networks`, { networkName: "orphan-net", vrf: "no-such-vrf" })).status,
    ).toBe(404);
  });

  test("observers cannot write VRFs", async () => {
    const observer = await c.login("observer");
    const res = await c.call(`${NDFC}/${vxlan}/vrfs`, {
      method: "POST",
      headers: bearer(observer),
      body: JSON.stringify({ vrfName: "sneaky-vrf" }),
    });
    expect(res.status).toBe(403);
    expect(c.sim.state.vrfsOf(vxlan).some((v) => v.vrfName === "sneaky-vrf")).toBe(false);
  });
});

describe("roll-ups agree with the details", () => {
  test("switch summary counts match the switch list", async () => {
    const all = await c.getJson("/api/v1/manage/inventory/switches?max=10000", token);
    const summary = await c.getJson("/api/v1/manage/inventory/switches/summary", token);
    for (const [key, pick] of [
      ["anomalyLevel", (s: any) => s.anomalyLevel],
      ["role", (s: any) => s.switchRole],
      ["configSyncStatus", (s: any) => s.additionalData.configSyncStatus],
    ] as const) {
      for (const { name, count } of summary.body[key]) {
        expect(all.body.switches.filter((s: any) => pick(s) === name).length).toBe(count);
      }
    }
  });

  test("anomaly summary equals the anomaly details; switch levels reflect their anomalies", async () => {
    const details = await c.getJson(`/api/v1/analyze/anomalies/details?fabricName=${vxlan}&max=1000`, token);
    const summary = await c.getJson(`/api/v1/analyze/anomalies/summary?fabricName=${vxlan}`, token);
    expect(summary.body.totalAnomalyCount).toBe(details.body.anomalies.length);
    for (const row of summary.body.anomalies) {
      expect(details.body.anomalies.filter((a: any) => a.severity === row.severity).length).toBe(row.anomalyCount);
    }
    const critical = details.body.anomalies.find((a: any) => a.severity === "critical");
    if (critical) {
      const sw = await c.getJson(`/api/v1/manage/fabrics/${vxlan}/switches/${critical.switchId}`, token);
      expect(sw.body.anomalyLevel).toBe("critical");
    }
    const fabricSummary = await c.getJson(`/api/v1/manage/fabricsSummary?filter=name:${vxlan}`, token);
    const rank = ["critical", "major", "minor", "warning", "healthy"];
    const worst = details.body.anomalies
      .map((a: any) => rank.indexOf(a.severity))
      .reduce((a: number, b: number) => Math.min(a, b), 4);
    expect(fabricSummary.body.fabrics[0].anomalyLevel).toBe(rank[worst]);
  });

  test("a switch asked for under the wrong fabric is a 404", async () => {
    const other = [...c.sim.state.fabrics.keys()].find((f) => f !== vxlan)!;
    const serial = c.sim.state.switchesOf(vxlan)[0]!.switchId;
    expect((await c.getJson(`/api/v1/manage/fabrics/${other}/switches/${serial}`, token)).status).toBe(404);
    expect((await c.getJson(`/api/v1/manage/fabrics/${vxlan}/switches/${serial}`, token)).body.switchId).toBe(serial);
  });

  test("legacy interface list by serial number matches the Analyze interfaces of that switch", async () => {
    const serial = c.sim.state.switchesOf(vxlan)[3]!.switchId;
    const legacy = await c.getJson(
      `/appcenter/cisco/ndfc/api/v1/lan-fabric/rest/interface?serialNumber=${serial}`,
      token,
    );
    const unified = await c.getJson(
      `/api/v1/analyze/interfaces?fabricName=${vxlan}&switchId=${serial}&max=1000`,
      token,
    );
    expect(legacy.body.map((i: any) => i.ifName)).toEqual(unified.body.interfaces.map((i: any) => i.interfaceName));
  });
});

describe("data for redaction and injection tests", () => {
  test("sites, nodes and legacy fabrics carry secrets; free text carries injection attempts", async () => {
    const sites = await c.getJson("/mso/api/v1/sites", token);
    expect(sites.body.sites[0].password).toMatch(/^Site-/);
    const nodes = await c.getJson("/api/v1/infra/cluster/nodes", token);
    expect(nodes.body.nodes[0].nodeController.authentication.password).toMatch(/^Cimc-/);
    const legacy = await c.getJson("/appcenter/cisco/ndfc/api/v1/lan-fabric/rest/control/fabrics", token);
    expect(legacy.body[0].nvPairs.BGP_AUTH_KEY).toMatch(/^[0-9a-f]{32}$/);
    const everything = JSON.stringify([
      sites.body,
      (await c.getJson(`/api/v1/analyze/anomalies/details?max=1000`, token)).body,
      (await c.getJson(`${NDFC}/${vxlan}/vrfs`, token)).body,
      (await c.getJson(`/api/v1/analyze/interfaces?fabricName=${vxlan}&max=10000`, token)).body,
    ]);
    expect(everything).toContain("Ignore previous instructions");
  });
});
