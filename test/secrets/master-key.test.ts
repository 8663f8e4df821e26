// The key-encryption key: generated once (0600), reused, ENCRYPTION_KEY validated.
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { KEY_FILE_NAME, generatedKeyWarning, loadMasterKey, parseKey } from "../../app/secrets/master-key.ts";

const dir = () => mkdtempSync(join(tmpdir(), "nmg-kek-"));

describe("generated key file", () => {
  test("created on first use with mode 0600, reused afterwards", () => {
    const dataDir = join(dir(), "data");
    const first = loadMasterKey({ dataDir });
    expect(first.generated).toBe(true);
    expect(first.source).toBe("file");
    const path = join(dataDir, KEY_FILE_NAME);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, "utf8").trim(), "base64").length).toBe(32);
    const second = loadMasterKey({ dataDir });
    expect(second.generated).toBe(false);
    expect(second.id).toBe(first.id);
    expect(second.key.equals(first.key)).toBe(true);
  });

  test("a key file readable by others is tightened, with a warning", () => {
    const dataDir = dir();
    loadMasterKey({ dataDir });
    chmodSync(join(dataDir, KEY_FILE_NAME), 0o644);
    const again = loadMasterKey({ dataDir });
    expect(again.warnings[0]).toContain("changed to 0600");
    expect(statSync(join(dataDir, KEY_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  test("the warning says backups need it", () => {
    expect(generatedKeyWarning("/data/encryption.key")).toContain("Back it up");
  });
});

describe("ENCRYPTION_KEY", () => {
  test("base64 and base64url of 32 bytes are accepted; no file is written", () => {
    const raw = randomBytes(32);
    const dataDir = dir();
    const k = loadMasterKey({ dataDir, encryptionKey: raw.toString("base64") });
    expect(k.source).toBe("env");
    expect(k.key.equals(raw)).toBe(true);
    expect(loadMasterKey({ dataDir, encryptionKey: raw.toString("base64url") }).id).toBe(k.id);
    expect(() => statSync(join(dataDir, KEY_FILE_NAME))).toThrow();
  });

  test.each([
    ["too short", randomBytes(16).toString("base64"), "16 bytes"],
    ["not base64", "this is not a key!", "not base64"],
    ["constant", Buffer.alloc(32).toString("base64"), "constant byte pattern"],
  ])("%s is refused with the fix", (_, value, reason) => {
    expect(() => parseKey(value, "ENCRYPTION_KEY")).toThrow(reason);
    expect(() => parseKey(value, "ENCRYPTION_KEY")).toThrow("openssl rand -base64 32");
  });

  test("the key id reveals nothing and differs per key", () => {
    const a = loadMasterKey({ dataDir: dir(), encryptionKey: randomBytes(32).toString("base64") });
    const b = loadMasterKey({ dataDir: dir(), encryptionKey: randomBytes(32).toString("base64") });
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(a.id).not.toBe(b.id);
  });
});
