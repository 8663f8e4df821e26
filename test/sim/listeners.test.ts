import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../../sim/simulator.ts";
import { DEFAULT_PASSWORD } from "./sim-client.ts";

describe("listeners and certificates", () => {
  test("with --cert-dir the CA is written once and reused by the next run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ndsim-cert-test-"));
    try {
      const first = await startSimulator({ certDir: dir });
      await first.stop();
      expect(readdirSync(dir).sort()).toEqual(["ndsim-ca.pem", "ndsim-server-key.pem", "ndsim-server.pem"]);
      const second = await startSimulator({ certDir: dir });
      try {
        expect(second.caPem).toBe(first.caPem);
        expect(second.certPath).toBe(join(dir, "ndsim-ca.pem"));
        expect((await fetch(`${second.url}/version.json`, { tls: { ca: first.caPem } })).status).toBe(200);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the optional plain-HTTP listener serves the same simulator, with a non-Secure cookie", async () => {
    const sim = await startSimulator({ httpPort: 0 });
    try {
      expect(sim.httpUrl).toStartWith("http://127.0.0.1:");
      const res = await fetch(`${sim.httpUrl}/login`, {
        method: "POST",
        body: JSON.stringify({ userName: "admin", userPasswd: DEFAULT_PASSWORD, domain: "local" }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("set-cookie")).not.toContain("Secure");
      const { token } = (await res.json()) as { token: string };
      const viaHttps = await fetch(`${sim.url}/api/v1/manage/fabrics`, {
        headers: { Authorization: `Bearer ${token}` },
        tls: { ca: sim.caPem },
      });
      expect(viaHttps.status).toBe(200);
    } finally {
      await sim.stop();
    }
  });
});
