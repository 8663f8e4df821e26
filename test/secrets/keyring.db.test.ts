// The keyring on real PostgreSQL: first start, other nodes, wrong keys, rotation.
import { cliCaller } from "../support/callers.ts";
import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addCluster, getCluster, openClusterCredentials, type ClusterDeps } from "../../app/clusters/clusters.ts";
import { parseUrlPolicy } from "../../app/clusters/cluster-url-policy.ts";
import { loadKeyring, prepareToSeal, type Keyring } from "../../app/secrets/keyring.ts";
import { seal } from "../../app/secrets/seal.ts";
import { masterKeyFrom } from "../../app/secrets/master-key.ts";
import { rewrapKeys } from "../../app/secrets/rewrap.ts";
import { rotateKeys } from "../../app/secrets/rotate.ts";
import { SecretUnavailable } from "../../app/secrets/secret-errors.ts";
import { freshDatabase } from "../support/db.ts";

const db = await freshDatabase();
afterAll(() => db.close());

const ENCRYPTION_KEY = randomBytes(32).toString("base64");
const dataDir = () => mkdtempSync(join(tmpdir(), "nmg-keyring-"));
const tester = cliCaller("tester");
const policy = parseUrlPolicy(["*"], true);

function deps(keyring: Keyring): ClusterDeps {
  return { keyring, urlPolicy: policy };
}

async function addWithPassword(keyring: Keyring, name: string, password: string) {
  return addCluster(
    db.sql,
    cliCaller("cli"),
    { name, url: "https://127.0.0.1:9", credentials: { mode: "password", username: "admin", password } },
    deps(keyring),
  );
}

async function passwordOf(keyring: Keyring, name: string): Promise<string> {
  const creds = await openClusterCredentials(db.sql, keyring, await getCluster(db.sql, name));
  if (creds.mode !== "password") throw new Error("expected password credentials");
  return creds.password;
}

async function failureOf(promise: Promise<unknown>): Promise<SecretUnavailable> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SecretUnavailable) return err;
    throw err;
  }
  throw new Error("expected SecretUnavailable");
}

describe("first start", () => {
  test("without ENCRYPTION_KEY a key file is generated (with a warning) and data key 1 is created", async () => {
    const other = await freshDatabase();
    try {
      const warnings: string[] = [];
      const loaded = await loadKeyring({ sql: other.sql, dataDir: dataDir(), warn: (w) => warnings.push(w) });
      expect(loaded.generated).toBe(true);
      expect(warnings.join("\n")).toContain("Back it up together with the database");
      expect(loaded.keyring.activeVersion).toBe(1);
      const rows = await other.sql`select version, kek_id from secret_keys`;
      expect([...rows]).toEqual([{ version: 1, kek_id: loaded.keyring.kekId }]);
    } finally {
      await other.close();
    }
  });

  test("two nodes starting at once agree on one data key", async () => {
    const other = await freshDatabase();
    try {
      const [a, b] = await Promise.all([
        loadKeyring({ sql: other.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY }),
        loadKeyring({ sql: other.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY }),
      ]);
      expect((await other.sql`select count(*)::int as n from secret_keys`)[0]!.n).toBe(1);
      expect(a.keyring.dataKey(1).equals(b.keyring.dataKey(1))).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe("sealed credentials in the database", () => {
  test("the stored value is sealed: no plaintext anywhere in the row", async () => {
    const { keyring } = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY });
    const cluster = await addWithPassword(keyring, "plain-check", "Very-Secret-Password-1");
    const [row] = await db.sql`select row_to_json(c)::text as json from clusters c where id = ${cluster.id}`;
    expect(row!.json).not.toContain("Very-Secret-Password-1");
    expect(row!.json).toMatch(/"secret_sealed":"nmg1\.\d+\./);
    const audit =
      await db.sql`select row_to_json(a)::text as json from audit_events a where cluster_id = ${cluster.id}`;
    expect(audit.length).toBe(1);
    expect(audit[0]!.json).not.toContain("Very-Secret-Password-1");
    expect(await passwordOf(keyring, "plain-check")).toBe("Very-Secret-Password-1");
  });

  test("a ciphertext copied to another row does not open there", async () => {
    const { keyring } = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY });
    await addWithPassword(keyring, "victim", "victim-password");
    await addWithPassword(keyring, "attacker", "attacker-password");
    await db.sql`update clusters set secret_sealed = (select secret_sealed from clusters where name = 'victim') where name = 'attacker'`;
    const e = await failureOf(passwordOf(keyring, "attacker"));
    expect(e.failure).toBe("tampered");
    expect(e.message).toStartWith(
      "cannot open the stored credentials of cluster attacker: the sealed value was altered or does not belong here",
    );
    await db.sql`delete from clusters where name in ('victim', 'attacker')`;
  });

  test("a wrong ENCRYPTION_KEY: a warning at load, and a clear error naming cluster and key version", async () => {
    const { keyring } = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY });
    await addWithPassword(keyring, "wrong-key", "pw-wrong-key");
    const warnings: string[] = [];
    const wrong = await loadKeyring({
      sql: db.sql,
      dataDir: dataDir(),
      encryptionKey: randomBytes(32).toString("base64"),
      warn: (w) => warnings.push(w),
    });
    expect(wrong.unavailableVersions).toContain(keyring.activeVersion);
    expect(warnings.join("\n")).toContain("does not open key version(s)");
    const e = await failureOf(passwordOf(wrong.keyring, "wrong-key"));
    expect(e.failure).toBe("key_mismatch");
    expect(e.message).toBe(
      `cannot open the stored credentials of cluster wrong-key: the encryption key does not match (key version ${keyring.activeVersion}) — restore ENCRYPTION_KEY (or DATA_DIR/encryption.key) and the database from the same backup`,
    );
    await db.sql`delete from clusters where name = 'wrong-key'`;
  });
});

describe("rotation", () => {
  test("rotated twice, every secret still reads back, now under the newest key", async () => {
    const { keyring } = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY });
    // Another node loaded before the rotations: it must keep working without a restart.
    const stale = (await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY })).keyring;
    const passwords = Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [`rot-${i}`, `password-${i}-${randomBytes(6).toString("hex")}`]),
    );
    for (const [name, pw] of Object.entries(passwords)) await addWithPassword(keyring, name, pw);
    await addCluster(
      db.sql,
      cliCaller("cli"),
      {
        name: "rot-key",
        url: "https://127.0.0.1:9",
        credentials: { mode: "api_key", username: "svc", apiKey: "api-key-rot-123" },
      },
      deps(keyring),
    );
    const start = keyring.activeVersion;

    const first = await rotateKeys(db.sql, tester, keyring);
    const second = await rotateKeys(db.sql, tester, keyring);
    expect([first.fromVersion, first.toVersion, second.toVersion]).toEqual([start, start + 1, start + 2]);
    expect(second.resealed["clusters.secret_sealed"]).toBeGreaterThanOrEqual(6);
    expect(keyring.activeVersion).toBe(start + 2);

    const sealed = await db.sql`select secret_sealed from clusters where secret_sealed is not null`;
    expect(sealed.every((r) => String(r.secret_sealed).startsWith(`nmg1.${start + 2}.`))).toBe(true);
    for (const [name, pw] of Object.entries(passwords)) {
      expect(await passwordOf(keyring, name)).toBe(pw);
      expect(await passwordOf(stale, name)).toBe(pw);
    }
    const key = await openClusterCredentials(db.sql, keyring, await getCluster(db.sql, "rot-key"));
    expect(key).toEqual({ mode: "api_key", username: "svc", apiKey: "api-key-rot-123" });
  });

  test("rotation is audited with versions and counts only", async () => {
    const rows =
      await db.sql`select status, resource_id, details::text as details from audit_events where action = 'keys.rotate' and status = 'ok' order by id`;
    expect(rows.length).toBe(2);
    const keyRows = await db.sql`select wrapped from secret_keys`;
    for (const row of rows) {
      expect(row.details).toContain('"toVersion"');
      expect(row.details).toContain('"table": "clusters"');
      for (const k of keyRows) expect(row.details).not.toContain(String(k.wrapped).slice(0, 16));
      expect(row.details).not.toContain(ENCRYPTION_KEY);
    }
  });

  test("a value that cannot be opened aborts the whole rotation (nothing changes) and names its owner", async () => {
    const { keyring } = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY });
    await db.sql`update clusters set secret_sealed = (select secret_sealed from clusters where name = 'rot-0') where name = 'rot-1'`;
    const versionsBefore = (await db.sql`select max(version)::int as v from secret_keys`)[0]!.v;
    const before = await db.sql`select name, secret_sealed from clusters order by name`;
    const e = await failureOf(rotateKeys(db.sql, tester, keyring));
    expect(e.message).toContain("cannot open the stored credentials of cluster rot-1");
    expect((await db.sql`select max(version)::int as v from secret_keys`)[0]!.v).toBe(versionsBefore);
    expect(await db.sql`select name, secret_sealed from clusters order by name`).toEqual(before);
    expect(keyring.activeVersion).toBe(versionsBefore);
    const [failed] = await db.sql`select error from audit_events where action = 'keys.rotate' and status = 'failed'`;
    expect(failed!.error).toContain("rot-1");
  });

  test("a value sealed while a rotation waits is re-sealed by it (the keyring lock orders them)", async () => {
    const { keyring } = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY });
    const writer = (await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY })).keyring;
    await db.sql`delete from clusters where name = 'rot-1'`;
    const id = crypto.randomUUID();
    let rotation: Promise<unknown> | undefined;
    await db.sql.begin(async (tx) => {
      await prepareToSeal(tx, writer);
      const sealedBefore = seal(writer, "sealed-during-rotation", {
        table: "clusters",
        column: "secret_sealed",
        rowId: id,
      });
      await tx`insert into clusters (id, name, base_url, auth_mode, username, secret_sealed) values (${id}, 'racer', 'https://127.0.0.1:9', 'password', 'admin', ${sealedBefore})`;
      rotation = rotateKeys(db.sql, tester, keyring);
      await Bun.sleep(200); // the rotation is now waiting for this transaction
    });
    const result = (await rotation) as { toVersion: number };
    const [row] = await db.sql`select secret_sealed from clusters where id = ${id}`;
    expect(String(row!.secret_sealed)).toStartWith(`nmg1.${result.toVersion}.`);
    expect(await passwordOf(writer, "racer")).toBe("sealed-during-rotation");
  });

  test("rotation with a wrong key fails cleanly instead of sealing under a key nobody can open", async () => {
    const { keyring } = await loadKeyring({
      sql: db.sql,
      dataDir: dataDir(),
      encryptionKey: randomBytes(32).toString("base64"),
    });
    await db.sql`delete from clusters where name = 'rot-1'`;
    const e = await failureOf(rotateKeys(db.sql, tester, keyring));
    expect(e.failure).toBe("key_mismatch");
  });
});

describe("replacing the key-encryption key", () => {
  test("rewrap: the new key opens everything, the old one nothing; sealed values untouched; audited", async () => {
    const { keyring } = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY });
    await addWithPassword(keyring, "rewrap-me", "rewrap-password");
    const sealedBefore = await db.sql`select secret_sealed from clusters order by id`;
    const nextKey = randomBytes(32).toString("base64");
    const result = await rewrapKeys(db.sql, tester, keyring, masterKeyFrom(nextKey, "new key"));
    expect(result.versions.length).toBeGreaterThanOrEqual(3);
    expect(await db.sql`select secret_sealed from clusters order by id`).toEqual(sealedBefore);
    expect(await passwordOf(keyring, "rewrap-me")).toBe("rewrap-password");

    const fresh = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: nextKey });
    expect(fresh.unavailableVersions).toEqual([]);
    expect(await passwordOf(fresh.keyring, "rewrap-me")).toBe("rewrap-password");
    const old = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY });
    expect(old.unavailableVersions.length).toBe(result.versions.length);
    expect((await failureOf(passwordOf(old.keyring, "rewrap-me"))).failure).toBe("key_mismatch");

    // Later rotations wrap their new key under the new KEK.
    await rotateKeys(db.sql, tester, keyring);
    expect(
      (await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: nextKey })).unavailableVersions,
    ).toEqual([]);
    const [event] = await db.sql`select details from audit_events where action = 'keys.rewrap'`;
    expect(event!.details).toMatchObject({ fromKeyId: result.fromKeyId, toKeyId: result.toKeyId });
    expect(JSON.stringify(event)).not.toContain(nextKey);
  });

  test("a key that cannot open every version may not rewrap (versions would be lost)", async () => {
    const { keyring } = await loadKeyring({ sql: db.sql, dataDir: dataDir(), encryptionKey: ENCRYPTION_KEY });
    const e = await failureOf(
      rewrapKeys(db.sql, tester, keyring, masterKeyFrom(randomBytes(32).toString("base64"), "x")),
    );
    expect(e.failure).toBe("key_mismatch");
  });
});
