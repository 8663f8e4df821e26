// Sealing and opening one value: binding to its owner, versions, tampering, wrong keys.
import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { Keyring } from "../../app/secrets/keyring.ts";
import { keyId } from "../../app/secrets/master-key.ts";
import { open, seal, sealedVersion } from "../../app/secrets/seal.ts";
import { SecretUnavailable } from "../../app/secrets/secret-errors.ts";

function keyring(versions = 1): Keyring {
  const key = randomBytes(32);
  const k = new Keyring({ key, id: keyId(key), source: "env", generated: false, warnings: [] });
  for (let v = 1; v <= versions; v++) k.adoptNew(v, randomBytes(32));
  return k;
}

const here = { table: "clusters", column: "secret_sealed", rowId: "11111111-1111-4111-8111-111111111111" };

function failure(fn: () => unknown): SecretUnavailable {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretUnavailable);
    return err as SecretUnavailable;
  }
  throw new Error("expected SecretUnavailable");
}

describe("seal/open", () => {
  test("round trip; the sealed text names its key version and hides the plaintext", () => {
    const k = keyring(2);
    const sealed = seal(k, "pässwörd with spaces", here);
    expect(sealed).toStartWith("nmg1.2.");
    expect(sealed).not.toContain("pässwörd");
    expect(sealedVersion(sealed)).toBe(2);
    expect(open(k, sealed, here)).toBe("pässwörd with spaces");
  });

  test("each sealing uses a fresh nonce", () => {
    const k = keyring();
    expect(seal(k, "same", here)).not.toBe(seal(k, "same", here));
  });

  test("a ciphertext moved to another row, column or table does not open", () => {
    const k = keyring();
    const sealed = seal(k, "secret", here);
    for (const elsewhere of [
      { ...here, rowId: "22222222-2222-4222-8222-222222222222" },
      { ...here, column: "other_sealed" },
      { ...here, table: "settings" },
    ]) {
      expect(failure(() => open(k, sealed, elsewhere)).failure).toBe("tampered");
    }
  });

  test("any altered byte fails authentication (never garbage)", () => {
    const k = keyring();
    const sealed = seal(k, "secret-value", here);
    const bytes = Buffer.from(sealed.split(".")[2]!, "base64url");
    for (const i of [0, 11, 12, 20, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[i] = altered[i]! ^ 0x01;
      expect(failure(() => open(k, `nmg1.1.${altered.toString("base64url")}`, here)).failure).toBe("tampered");
    }
  });

  test("relabelling the key version fails", () => {
    const k = keyring(2);
    const sealed = seal(k, "x", here).replace(/^nmg1\.2\./, "nmg1.1.");
    expect(failure(() => open(k, sealed, here)).failure).toBe("tampered");
  });

  test("a different keyring (wrong key) cannot open it", () => {
    const sealed = seal(keyring(), "x", here);
    const e = failure(() => open(keyring(), sealed, here));
    expect(e.failure).toBe("tampered");
  });

  test("an unknown version and garbage are named clearly", () => {
    const k = keyring();
    const sealed = seal(k, "x", here).replace(/^nmg1\.1\./, "nmg1.7.");
    const unknown = failure(() => open(k, sealed, here));
    expect(unknown.failure).toBe("unknown_version");
    expect(unknown.message).toContain("key version 7");
    expect(failure(() => open(k, "plaintext-password", here)).failure).toBe("malformed");
  });

  test("a version whose data key could not be unwrapped says the key does not match", () => {
    const k = keyring();
    const sealed = seal(k, "x", here);
    const other = keyring(0);
    other.adoptWrapped({ version: 1, wrapped: "AAAA", kekId: "0123456789abcdef" });
    const e = failure(() => open(other, sealed, here));
    expect(e.failure).toBe("key_mismatch");
    expect(e.about("cannot open the stored credentials of cluster X").message).toBe(
      "cannot open the stored credentials of cluster X: the encryption key does not match (key version 1) — restore ENCRYPTION_KEY (or DATA_DIR/encryption.key) and the database from the same backup",
    );
  });
});
