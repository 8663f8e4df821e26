import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../app/config.ts";
import { StartupError } from "../../app/errors.ts";
import { startListener } from "../../app/http/listener.ts";
import { createLogger } from "../../app/log.ts";
import { startServer } from "../../app/server.ts";
import { ensureCertificate } from "../../app/tls/certificate.ts";
import { freshDatabase } from "../support/db.ts";
import { freePort } from "../support/ports.ts";
import { startTestServer, testEnv } from "../support/server.ts";

const gw = await startTestServer();
afterAll(() => gw.stop());

describe("the two HTTPS listeners", () => {
  test("both answer /healthz with status, version, database and uptime", async () => {
    for (const fetchIt of [gw.fetchUi, gw.fetchApi]) {
      const res = await fetchIt("/healthz");
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({
        status: "ok",
        version: "0.1.0",
        database: { reachable: true, engine: "postgresql" },
      });
      expect(typeof body.uptimeSeconds).toBe("number");
    }
  });

  test("every response carries the security headers; the UI a strict CSP", async () => {
    const ui = await gw.fetchUi("/healthz");
    const api = await gw.fetchApi("/no-such-route");
    for (const res of [ui, api]) {
      expect(res.headers.get("strict-transport-security")).toContain("max-age=");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(ui.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(ui.headers.get("content-security-policy")).not.toContain("unsafe");
  });

  test("plain HTTP is not served on the HTTPS ports", async () => {
    const port = gw.server.api.port;
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch((e) => e);
    expect(res instanceof Response ? res.status : 0).not.toBe(200);
  });

  test("a forced renewal reloads both listeners; new connections see the new certificate", async () => {
    const before = gw.server.tls.info.fingerprint256;
    expect(await gw.server.refreshCertificate({ force: true })).toBe(true);
    const after = gw.server.tls.info.fingerprint256;
    expect(after).not.toBe(before);
    const res = await fetch(`${gw.server.api.url}/healthz`, { tls: { ca: gw.server.tls.cert } } as RequestInit);
    expect(res.status).toBe(200);
  });
});

const tls = await ensureCertificate({
  dataDir: mkdtempSync(join(tmpdir(), "nmg-gs-")),
  sans: ["127.0.0.1"],
  extraNames: [],
  commonName: "t",
  organization: "t",
  validityDays: 10,
  renewDays: 1,
});

describe("graceful shutdown", () => {
  const slowListener = (ms: number) =>
    startListener({
      name: "api",
      hostname: "127.0.0.1",
      port: 0,
      portKey: "API_PORT",
      tls: tls.material,
      handler: async () => {
        await Bun.sleep(ms);
        return new Response("done");
      },
    });
  const get = (url: string) => fetch(url, { tls: { ca: tls.material.cert } } as RequestInit);

  test("in-flight requests finish; new connections are refused", async () => {
    const l = slowListener(300);
    const inflight = get(`${l.url}/`);
    await Bun.sleep(50);
    const stopped = l.stop(5000);
    await Bun.sleep(20);
    const refused = await get(`${l.url}/`).then(
      () => "answered",
      () => "refused",
    );
    const res = await inflight;
    expect(await res.text()).toBe("done");
    await stopped;
    expect(refused).toBe("refused");
  });

  test("requests running past the grace period are cut so shutdown is bounded", async () => {
    const l = slowListener(10_000);
    const inflight = get(`${l.url}/`).then(
      () => "answered",
      () => "cut",
    );
    await Bun.sleep(50);
    const t0 = performance.now();
    await l.stop(300);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await inflight).toBe("cut");
  });
});

describe("start-up failures give one clear line and leave nothing running", () => {
  test("a port in use names the key and the fix, and the other listener is closed again", async () => {
    const db = await freshDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), "nmg-port-"));
    const busy = String(gw.server.api.port);
    const uiPort = await freePort();
    const config = loadConfig(testEnv(dataDir, db.url, { API_PORT: busy, UI_PORT: String(uiPort) }));
    const err = await startServer(config, createLogger("silent")).catch((e) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect(err.message).toBe(
      `API_PORT ${busy} on 127.0.0.1 is in use by another process; stop it or choose another API_PORT`,
    );
    // The UI listener that did start was closed again: its port is free.
    const probe = Bun.serve({ hostname: "127.0.0.1", port: uiPort, reusePort: false, fetch: () => new Response() });
    await probe.stop(true);
    await db.close();
  });

  test("an unwritable data directory", async () => {
    const config = loadConfig(testEnv("/proc/nmg-cannot-exist", "postgres://x@localhost/y"));
    const err = await startServer(config, createLogger("silent")).catch((e) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect(err.message).toContain("is not writable");
    expect(err.message).toContain("give the gateway user write access");
  });

  test("an unreachable database: bounded retries, then a message without the URL's secrets", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "nmg-nodb-"));
    const url = "postgres://gw:hunter2@localhost:9/nexus?host=/nonexistent-socket-dir";
    const config = loadConfig(testEnv(dataDir, url, { DB_CONNECT_ATTEMPTS: "2" }));
    const err = await startServer(config, createLogger("silent")).catch((e) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect(err.message).toContain("cannot reach PostgreSQL at DATABASE_URL after 2 attempts");
    expect(err.message).not.toContain("hunter2");
  });
});
