import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, parseDuration, redactedConfig } from "../../app/config.ts";

const tmp = mkdtempSync(join(tmpdir(), "nmg-config-"));

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("configuration", () => {
  test("defaults give the documented ports and lifetimes", () => {
    const c = loadConfig({});
    expect(c.uiPort).toBe(7443);
    expect(c.apiPort).toBe(8444);
    expect(c.sessionIdleMs).toBe(3_600_000);
    expect(c.sessionAbsoluteMs).toBe(8 * 3_600_000);
    expect(c.tls.renewDays).toBe(30);
    expect(c.databaseUrl).toBeUndefined();
  });

  test("every invalid value is reported at once, each naming the key and the fix", () => {
    const found = problems({ UI_PORT: "abc", LOG_LEVEL: "loud", SESSION_IDLE: "9x", CLUSTER_ALLOW_LOOPBACK: "maybe" });
    expect(found).toHaveLength(4);
    expect(found.join("\n")).toContain("UI_PORT");
    expect(found.join("\n")).toContain("one of fatal, error");
    expect(found.join("\n")).toContain("use e.g. 30s");
    expect(found.join("\n")).toContain("use true or false");
  });

  test("cross-field rules: same port twice, half a certificate, idle above absolute", () => {
    const found = problems({ UI_PORT: "9000", API_PORT: "9000", TLS_CERT_FILE: "/x.pem", SESSION_IDLE: "9h" });
    expect(found.some((p) => p.startsWith("UI_PORT and API_PORT"))).toBe(true);
    expect(found.some((p) => p.startsWith("TLS_CERT_FILE and TLS_KEY_FILE"))).toBe(true);
    expect(found.some((p) => p.startsWith("SESSION_IDLE"))).toBe(true);
  });

  test("an env file is read, and the environment overrides it", () => {
    const file = join(tmp, "gateway.env");
    writeFileSync(file, "# comment\nUI_PORT=9443\nAPI_PORT='9444'\nexport LOG_LEVEL=debug\n");
    const c = loadConfig({ ENV_FILE: file, API_PORT: "9555" });
    expect(c.uiPort).toBe(9443);
    expect(c.apiPort).toBe(9555);
    expect(c.logLevel).toBe("debug");
  });

  test("a missing env file is an error, not silently ignored", () => {
    expect(problems({ ENV_FILE: join(tmp, "nope.env") })[0]).toContain("does not exist");
  });

  test("secrets accept KEY_FILE, but not both forms at once", () => {
    const file = join(tmp, "admin-password");
    writeFileSync(file, "correct horse battery staple\n");
    expect(loadConfig({ ADMIN_PASSWORD_FILE: file }).adminPassword).toBe("correct horse battery staple");
    expect(problems({ ADMIN_PASSWORD_FILE: file, ADMIN_PASSWORD: "x" })[0]).toContain("not both");
    expect(problems({ ADMIN_PASSWORD_FILE: join(tmp, "missing") })[0]).toContain("cannot read");
  });

  test("non-secret keys do not accept KEY_FILE", () => {
    const file = join(tmp, "port");
    writeFileSync(file, "1234");
    expect(loadConfig({ UI_PORT_FILE: file }).uiPort).toBe(7443);
  });

  test("the printed configuration never shows a secret", () => {
    const lines = redactedConfig({
      DATABASE_URL: "postgres://u:hunter2@db/x",
      ENCRYPTION_KEY: "c2VjcmV0",
      UI_PORT: "7000",
    });
    const text = lines.join("\n");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("c2VjcmV0");
    expect(text).toContain("DATABASE_URL=<redacted>");
    expect(text).toContain("UI_PORT=7000");
  });

  test("durations", () => {
    expect(parseDuration("90d")).toBe(90 * 86_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1 hour")).toBeUndefined();
  });
});
