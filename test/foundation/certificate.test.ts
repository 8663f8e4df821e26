import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StartupError } from "../../app/errors.ts";
import { ensureCertificate, generatedPaths, type TlsSettings } from "../../app/tls/certificate.ts";

function settings(overrides: Partial<TlsSettings> = {}): TlsSettings {
  return {
    dataDir: mkdtempSync(join(tmpdir(), "nmg-tls-")),
    sans: ["gw.example.net", "192.0.2.10", "::1"],
    extraNames: [],
    commonName: "gw.example.net",
    organization: "Example Ops",
    validityDays: 397,
    renewDays: 30,
    ...overrides,
  };
}

describe("TLS certificate", () => {
  test("first start generates one with the configured names, CN and O; the key is 0600", async () => {
    const s = settings();
    const { material, renewed } = await ensureCertificate(s);
    expect(renewed).toBe("missing");
    expect(material.info.sans).toEqual(["gw.example.net", "192.0.2.10", "0:0:0:0:0:0:0:1"]);
    expect(material.info.subject).toContain("CN=gw.example.net");
    expect(material.info.subject).toContain("O=Example Ops");
    expect(statSync(generatedPaths(s.dataDir).key).mode & 0o777).toBe(0o600);
    expect(material.info.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  test("a restart reuses the certificate", async () => {
    const s = settings();
    const first = await ensureCertificate(s);
    const second = await ensureCertificate(s);
    expect(second.renewed).toBeNull();
    expect(second.material.info.fingerprint256).toBe(first.material.info.fingerprint256);
  });

  test("a certificate inside the renewal window is renewed; one outside is kept", async () => {
    const s = settings();
    const short = await ensureCertificate(s, { validityDays: 10 });
    const again = await ensureCertificate(s);
    expect(again.renewed).toBe("expiring");
    expect(again.material.info.fingerprint256).not.toBe(short.material.info.fingerprint256);
    expect(again.material.info.notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    const later = await ensureCertificate(s, { now: new Date(Date.now() + 100 * 86_400_000) });
    expect(later.renewed).toBeNull();
  });

  test("a new configured name (e.g. the wizard's address) renews it", async () => {
    const s = settings();
    await ensureCertificate(s);
    const { renewed, material } = await ensureCertificate({ ...s, sans: [...s.sans, "198.51.100.7"] });
    expect(renewed).toBe("names-changed");
    expect(material.info.sans).toContain("198.51.100.7");
  });

  test("an admin-provided certificate is used as is and never overwritten, even when expiring", async () => {
    const gen = settings();
    const { material } = await ensureCertificate(gen, { validityDays: 5 });
    const dir = mkdtempSync(join(tmpdir(), "nmg-provided-"));
    copyFileSync(generatedPaths(gen.dataDir).cert, join(dir, "c.pem"));
    copyFileSync(generatedPaths(gen.dataDir).key, join(dir, "k.pem"));
    const s = settings({ certFile: join(dir, "c.pem"), keyFile: join(dir, "k.pem") });
    const provided = await ensureCertificate(s);
    expect(provided.material.source).toBe("provided");
    expect(provided.renewed).toBeNull();
    expect(readFileSync(join(dir, "c.pem"), "utf8")).toBe(material.cert);
  });

  test("corrupt or mismatched files stop the start with the fix", async () => {
    const a = settings();
    const b = settings();
    await ensureCertificate(a);
    await ensureCertificate(b);
    copyFileSync(generatedPaths(b.dataDir).key, generatedPaths(a.dataDir).key);
    await expect(ensureCertificate(a)).rejects.toThrow(
      /does not match its private key; delete .* to generate a new certificate/,
    );
    writeFileSync(generatedPaths(b.dataDir).cert, "-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n");
    await expect(ensureCertificate(b)).rejects.toBeInstanceOf(StartupError);
    const missing = settings({ certFile: "/nonexistent/c.pem", keyFile: "/nonexistent/k.pem" });
    await expect(ensureCertificate(missing)).rejects.toThrow("check TLS_CERT_FILE");
  });
});
