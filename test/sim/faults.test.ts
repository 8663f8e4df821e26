import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { parseFault } from "../../sim/faults/fault-spec.ts";
import { bearer, simClient, type SimClient } from "./sim-client.ts";

let c: SimClient;
let token: string;
beforeAll(async () => {
  c = await simClient();
  token = await c.login();
});
afterAll(() => c.sim.stop());
beforeEach(() => {
  c.sim.faults.clear();
  c.sim.faults.latencyMs = 0;
  c.sim.faults.errorRate = 0;
});

const FABRICS = "/api/v1/manage/fabrics";
const withFault = (fault: string, path = FABRICS) => c.call(path, { headers: bearer(token, { "X-Sim-Fault": fault }) });

describe("X-Sim-Fault header", () => {
  test("status=503 answers in the unified error shape; NDFC paths in Spring shape", async () => {
    const res = await withFault("status=503");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 503, message: "Service Unavailable" });
    const legacy = await withFault("status=500", "/appcenter/cisco/ndfc/api/v1/fm/about/version");
    expect(legacy.status).toBe(500);
    expect(await legacy.json()).toMatchObject({ status: 500, error: "Internal Server Error" });
  });

  test("latency=N delays the answer by at least N ms", async () => {
    const started = performance.now();
    const res = await withFault("latency=300");
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  test("drop closes the connection without any response", async () => {
    await expect(withFault("drop")).rejects.toThrow();
    const entry = c.sim.requestLog.find(FABRICS).at(-1);
    expect(entry?.headers["x-sim-fault"]).toBe("drop");
    expect(entry?.status).toBeUndefined();
  });

  test("slow-body sends headers promptly and the body over the given time", async () => {
    const started = performance.now();
    const res = await withFault("slow-body=600");
    const headersAt = performance.now() - started;
    const body = (await res.json()) as { fabrics: unknown[] };
    const bodyAt = performance.now() - started;
    expect(res.status).toBe(200);
    expect(body.fabrics.length).toBe(2);
    expect(headersAt).toBeLessThan(300);
    expect(bodyAt).toBeGreaterThanOrEqual(550);
  });

  test("retry-after=N is a 429 with a Retry-After header and ND's 429 body", async () => {
    const res = await withFault("retry-after=2");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toMatchObject({ code: 429, message: "Too Many Requests" });
  });

  test("expire-token expires the caller's session: this and later calls say 'token has expired'", async () => {
    const own = await c.login();
    const res = await c.call(FABRICS, { headers: bearer(own, { "X-Sim-Fault": "expire-token" }) });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("token has expired");
    expect((await c.call(FABRICS, { headers: bearer(own) })).status).toBe(401);
    expect((await c.call(FABRICS, { headers: bearer(token) })).status).toBe(200);
  });

  test("html answers an HTML page, with the status given alongside", async () => {
    const page = await withFault("html");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toStartWith("text/html");
    expect(await page.text()).toStartWith("<!DOCTYPE html>");
    const gateway = await withFault("status=502; html");
    expect(gateway.status).toBe(502);
    expect(await gateway.text()).toContain("502 Bad Gateway");
  });

  test("invalid-json keeps the JSON content type but the body does not parse", async () => {
    const res = await withFault("invalid-json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const text = await res.text();
    expect(text.startsWith('{"fabrics":')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  test("huge=N sends a valid JSON body of exactly N bytes", async () => {
    const res = await withFault("huge=3mb");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(3 * 1024 * 1024);
    expect(() => JSON.parse(new TextDecoder().decode(bytes))).not.toThrow();
  });

  test("a malformed fault header is a 400 rather than silently ignored", async () => {
    const res = await withFault("explode");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { description: string }).description).toContain("unknown fault");
  });

  test("directives combine", () => {
    expect(parseFault("status=502, html; latency=10")).toEqual({ status: 502, html: true, latencyMs: 10 });
    expect(parseFault("huge=512kb").hugeBytes).toBe(512 * 1024);
    expect(() => parseFault("status=abc")).toThrow();
  });
});

describe("queued and run-level faults", () => {
  test("a queued fault hits exactly the next N matching requests", async () => {
    c.sim.faults.queue("status=503", { count: 2, path: "/api/v1/manage/fabricsSummary" });
    expect((await c.call(FABRICS, { headers: bearer(token) })).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await c.call("/api/v1/manage/fabricsSummary", { headers: bearer(token) })).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(c.sim.faults.pending()).toBe(0);
  });

  test("the control endpoint queues faults and reports the queue", async () => {
    const queued = await c.call("/__sim/faults", {
      method: "POST",
      body: JSON.stringify({ fault: "retry-after=5", count: 1, method: "GET" }),
    });
    expect(queued.status).toBe(201);
    expect(await queued.json()).toMatchObject({ pending: 1 });
    const res = await c.call(FABRICS, { headers: bearer(token) });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await (await c.call("/__sim/faults")).json()).toMatchObject({ pending: 0 });
    const bad = await c.call("/__sim/faults", { method: "POST", body: JSON.stringify({ fault: "nonsense" }) });
    expect(bad.status).toBe(400);
  });

  test("the control endpoint expires tokens and changes run-level settings", async () => {
    const own = await c.login();
    expect((await c.call("/__sim/expire-tokens", { method: "POST" })).status).toBe(200);
    expect(await (await c.call(FABRICS, { headers: bearer(own) })).text()).toContain("token has expired");
    token = await c.login();

    const settings = await c.call("/__sim/settings", {
      method: "PUT",
      body: JSON.stringify({ remoteDomainReachable: false }),
    });
    expect(await settings.json()).toMatchObject({ remoteDomainReachable: false });
    const radius = await c.call("/login", {
      method: "POST",
      body: JSON.stringify({ userName: "admin", userPasswd: "nd-sim-password", domain: "radius" }),
    });
    expect(radius.status).toBe(500);
    await c.call("/__sim/settings", { method: "PUT", body: JSON.stringify({ remoteDomainReachable: true }) });
  });

  test("run-level error rate 1 fails every request with a 5xx; 0 fails none", async () => {
    c.sim.faults.errorRate = 1;
    for (let i = 0; i < 5; i++) {
      const status = (await c.call(FABRICS, { headers: bearer(token) })).status;
      expect([500, 502, 503]).toContain(status);
    }
    c.sim.faults.errorRate = 0;
    expect((await c.call(FABRICS, { headers: bearer(token) })).status).toBe(200);
  });

  test("run-level error rate is seeded: the same seed fails the same requests", async () => {
    const runs = await Promise.all([1, 2].map(() => simClient({ seed: 3, errorRate: 0.5 })));
    try {
      const patterns = await Promise.all(
        runs.map(async (run) => {
          const statuses: number[] = [];
          for (let i = 0; i < 20; i++) statuses.push((await run.call("/version.json")).status);
          return statuses;
        }),
      );
      expect(patterns[1]).toEqual(patterns[0]!);
      expect(new Set(patterns[0])).toContain(200);
      expect(patterns[0]!.some((s) => s >= 500)).toBe(true);
    } finally {
      await Promise.all(runs.map((r) => r.sim.stop()));
    }
  });

  test("run-level latency applies to every request", async () => {
    c.sim.faults.latencyMs = 150;
    const started = performance.now();
    await c.call("/version.json");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("request log", () => {
  test("records method, path, query and redacted headers; control calls are not logged", async () => {
    c.sim.requestLog.clear();
    await c.call(`${FABRICS}?max=1`, { headers: bearer(token, { "X-Custom": "yes" }) });
    await c.call("/__sim/faults");
    const entries = c.sim.requestLog.all();
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({ method: "GET", path: FABRICS, query: "max=1", status: 200 });
    expect(entry!.headers.authorization).toBe("<redacted>");
    expect(entry!.headers["x-custom"]).toBe("yes");
    expect(JSON.stringify(entries)).not.toContain(token);
    const viaHttp = (await (await c.call("/__sim/requests")).json()) as { requests: unknown[] };
    expect(viaHttp.requests).toHaveLength(1);
  });

  test("a traversal attempt is logged as the raw path that arrived (and answered 404)", async () => {
    c.sim.requestLog.clear();
    const res = await c.call("/api/v1/manage/fabrics/..%2F..%2Finfra/switches", { headers: bearer(token) });
    expect(res.status).toBe(404);
    expect(c.sim.requestLog.find("/api/v1/manage/fabrics/..")).toHaveLength(1);
    expect(c.sim.requestLog.find("/api/v1/infra")).toHaveLength(0);
  });

  test("the log is bounded", async () => {
    const small = await simClient({ requestLogLimit: 3 });
    try {
      for (let i = 0; i < 5; i++) await small.call(`/version.json?i=${i}`);
      expect(small.sim.requestLog.all().map((e) => e.query)).toEqual(["i=2", "i=3", "i=4"]);
    } finally {
      await small.sim.stop();
    }
  });
});
