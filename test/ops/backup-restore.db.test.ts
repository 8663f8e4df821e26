// `bun run cli backup` / `restore` end to end through runCli on real PostgreSQL: data, tokens,
// sealed cluster credentials and the audit chain survive a wipe; wrong passphrase, missing key,
// damage, schema drift and a busy database are refused with a clear message and change nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../app/cli.ts";
import { getCluster, openClusterCredentials } from "../../app/clusters/clusters.ts";
import { connect } from "../../app/db.ts";
import { resolveApiToken } from "../../app/identity/api-tokens.ts";
import { loadKeyring } from "../../app/secrets/keyring.ts";
import { freshDatabase, testPgUrl, type TestDatabase } from "../support/db.ts";

const ND_PASSWORD = "nd-secret-Password-42";
const source = await freshDatabase();
const dir = mkdtempSync(join(tmpdir(), "nmg-ops-"));
const sourceData = join(dir, "source-data");
const passphraseFile = join(dir, "passphrase");
writeFileSync(passphraseFile, "correct horse battery staple\n", { mode: 0o600 });
const wrongPassphraseFile = join(dir, "wrong");
writeFileSync(wrongPassphraseFile, "incorrect horse battery staple\n", { mode: 0o600 });
const encrypted = join(dir, "encrypted.backup");
const plain = join(dir, "plain.backup");
const targets: TestDatabase[] = [];
let token = "";

afterAll(async () => {
  await Promise.all([source, ...targets].map((d) => d.close().catch(() => {})));
  rmSync(dir, { recursive: true, force: true });
});

type Env = Record<string, string | undefined>;
const sourceEnv: Env = { DATABASE_URL: source.url, DATA_DIR: sourceData, LOG_LEVEL: "silent" };

async function cli(env: Env, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A target database (migrated unless said otherwise) with no connections left open by us. */
async function target(opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const t = await freshDatabase(opts);
  targets.push(t);
  await t.sql.end({ timeout: 2 });
  return t;
}

async function query<T>(url: string, run: (sql: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
  const sql = connect(url, { max: 1 });
  try {
    return await run(sql);
  } finally {
    await sql.end({ timeout: 2 });
  }
}

async function clusterPassword(url: string, env: Env): Promise<string> {
  return query(url, async (sql) => {
    const { keyring } = await loadKeyring({ sql, dataDir: env.DATA_DIR!, encryptionKey: env.ENCRYPTION_KEY });
    const creds = await openClusterCredentials(sql, keyring, await getCluster(sql, "nd1"));
    return creds.mode === "password" ? creds.password : creds.apiKey;
  });
}

beforeAll(async () => {
  const pw = join(dir, "pw");
  writeFileSync(pw, "a long user password\n");
  writeFileSync(join(dir, "ndpw"), `${ND_PASSWORD}\n`);
  expect((await cli(sourceEnv, "user", "add", "alice", "--password-file", pw, "--roles", "operator")).code).toBe(0);
  const t = await cli(sourceEnv, "token", "create", "--user", "alice", "--name", "laptop");
  token = /\b(nmg_\S+)/.exec(t.out)![1]!;
  const added = await cli(
    sourceEnv,
    "cluster",
    "add",
    "nd1",
    "--url",
    "https://198.51.100.10",
    "--user",
    "admin",
    "--password-file",
    join(dir, "ndpw"),
    "--no-test",
  );
  expect(added.code).toBe(0);
  // Two data key versions: the restore must bring back the whole keyring, not just the newest key.
  expect((await cli(sourceEnv, "keys", "rotate")).code).toBe(0);
  expect(await clusterPassword(source.url, sourceEnv)).toBe(ND_PASSWORD);
  expect((await cli(sourceEnv, "audit", "verify")).code).toBe(0);
});

describe("backup", () => {
  test("with a passphrase: encrypted, carries the key, audited in the source database", async () => {
    const r = await cli(sourceEnv, "backup", "--out", encrypted, "--passphrase-file", passphraseFile);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`backup written to ${encrypted}`);
    expect(r.out).toContain("carries the encryption key");
    expect(statSync(encrypted).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
    const bytes = readFileSync(encrypted);
    const keyText = readFileSync(join(sourceData, "encryption.key"), "utf8").trim();
    expect(bytes.includes(Buffer.from(keyText))).toBe(false);
    expect(bytes.includes(Buffer.from("alice"))).toBe(false); // the dump is encrypted too
    const [event] =
      await source.sql`select status, details from audit_events where action = 'backup.create' order by id desc limit 1`;
    expect(event).toMatchObject({
      status: "ok",
      details: { encrypted: true, keyIncluded: true, schemaVersion: expect.any(Number) },
    });
  });

  test("without a passphrase: warns that the key is not in it, and it is not", async () => {
    const r = await cli(sourceEnv, "backup", "--out", plain);
    expect(r.code).toBe(0);
    expect(r.err).toContain("does NOT contain the encryption key");
    expect(r.out).toContain("NOT encrypted; does NOT carry the encryption key");
    const keyText = readFileSync(join(sourceData, "encryption.key"), "utf8").trim();
    expect(readFileSync(plain).includes(Buffer.from(keyText))).toBe(false);
  });

  test("a short passphrase is refused", async () => {
    const short = join(dir, "short");
    writeFileSync(short, "too short\n");
    const r = await cli(sourceEnv, "backup", "--out", join(dir, "x.backup"), "--passphrase-file", short);
    expect(r.code).toBe(1);
    expect(r.err).toContain("at least 12 characters");
    expect(existsSync(join(dir, "x.backup"))).toBe(false);
  });

  test("backup verify reads the whole archive and names what it is", async () => {
    const r = await cli(sourceEnv, "backup", "verify", "--in", encrypted, "--passphrase-file", passphraseFile);
    expect(r.code).toBe(0);
    expect(r.out).toContain("encrypted (AES-256-GCM");
    expect(r.out).toContain("intact: database dump");
    expect(r.out).toContain("the encryption key is inside");
    expect((await cli(sourceEnv, "backup", "verify", "--in", plain)).out).toContain("not encrypted; key not included");
  });

  test("--out - streams the archive to standard output, messages to standard error (for a root wrapper)", async () => {
    const file = join(dir, "stdout.backup");
    const child = Bun.spawnSync(
      ["bash", "-c", `bun app/cli.ts backup --out - --passphrase-file "$1" > "$2"`, "sh", passphraseFile, file],
      {
        env: { PATH: process.env.PATH ?? "", DATABASE_URL: source.url, DATA_DIR: sourceData, LOG_LEVEL: "silent" },
      },
    );
    expect(child.stderr.toString()).toContain("backup written to -");
    expect(child.exitCode).toBe(0);
    const r = await cli(sourceEnv, "backup", "verify", "--in", file, "--passphrase-file", passphraseFile);
    expect(r.code).toBe(0);
    expect(r.out).toContain("the encryption key is inside");
  });

  test("the embedded engine has no pg_dump: a clear message", async () => {
    const r = await cli(
      { DATA_DIR: join(dir, "embedded"), LOG_LEVEL: "silent" },
      "backup",
      "--out",
      join(dir, "e.backup"),
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain("need PostgreSQL (DATABASE_URL)");
  });
});

describe("restore", () => {
  test("into a new installation (fresh database, no key yet): data, token, credentials and audit chain come back", async () => {
    const t = await target();
    const env = { DATABASE_URL: t.url, DATA_DIR: join(dir, "new-install"), LOG_LEVEL: "silent" };
    const r = await cli(env, "restore", "--in", encrypted, "--passphrase-file", passphraseFile);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("encryption key (id");
    expect(r.out).toContain(`installed at ${join(env.DATA_DIR, "encryption.key")}`);
    expect(r.out).toMatch(/audit chain ok: \d+ event\(s\) verified/);
    expect(r.out).toContain("stored credentials: 1 of 1 open");
    expect(statSync(join(env.DATA_DIR, "encryption.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(env.DATA_DIR, "encryption.key"), "utf8")).toBe(
      readFileSync(join(sourceData, "encryption.key"), "utf8"),
    );

    expect(await clusterPassword(t.url, env)).toBe(ND_PASSWORD);
    await query(t.url, async (sql) => {
      expect((await resolveApiToken(sql, token))?.username).toBe("alice");
      const keys = await sql`select version from secret_keys order by version`;
      expect(keys.map((k) => k.version)).toEqual([1, 2]);
      const [event] = await sql`select status, details from audit_events where action = 'backup.restore'`;
      expect(event).toMatchObject({
        status: "ok",
        details: { encrypted: true, keyAction: "install", sealedValues: { total: 1, opened: 1 } },
      });
    });
    const verify = await cli(env, "audit", "verify");
    expect(verify.code).toBe(0);
    expect(verify.out).toContain("audit chain ok");
  });

  test("after a wipe of the same database (empty, no schema), with the key already in place", async () => {
    const t = await target();
    await query(testPgUrl(), (sql) =>
      sql`drop database ${sql(t.name)} with (force)`.then(() => sql`create database ${sql(t.name)}`),
    );
    const r = await cli(
      { DATABASE_URL: t.url, DATA_DIR: sourceData, LOG_LEVEL: "silent" },
      "restore",
      "--in",
      encrypted,
      "--passphrase-file",
      passphraseFile,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain("the configured key (id");
    expect(r.out).toContain("stored credentials: 1 of 1 open");
    expect(await clusterPassword(t.url, sourceEnv)).toBe(ND_PASSWORD);
  });

  test("a wrong passphrase is named as such and changes nothing", async () => {
    const t = await target();
    const env = { DATABASE_URL: t.url, DATA_DIR: join(dir, "wrong-pass"), LOG_LEVEL: "silent" };
    const r = await cli(env, "restore", "--in", encrypted, "--passphrase-file", wrongPassphraseFile);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: wrong passphrase: it does not open this backup (nothing was changed)");
    expect(existsSync(join(env.DATA_DIR, "encryption.key"))).toBe(false);
    await query(t.url, async (sql) => {
      expect(await sql`select 1 from users where username = 'alice'`).toHaveLength(0);
      const [event] = await sql`select status, details from audit_events where action = 'backup.restore'`;
      expect(event).toMatchObject({ status: "failed", details: { problem: "wrong_passphrase" } });
    });
    const none = await cli(env, "restore", "--in", encrypted);
    expect(none.err).toContain("this backup is encrypted: give its passphrase with --passphrase-file");
  });

  test("a backup without its key and no matching key configured: a clear error, nothing changed; with the key it works", async () => {
    const t = await target();
    const env: Env = { DATABASE_URL: t.url, DATA_DIR: join(dir, "missing-key"), LOG_LEVEL: "silent" };
    const r = await cli(env, "restore", "--in", plain);
    expect(r.code).toBe(1);
    expect(r.err).toContain("this backup does not contain the encryption key, and no encryption key is configured");
    expect(r.err).toContain("Nothing was changed");
    expect(existsSync(join(env.DATA_DIR!, "encryption.key"))).toBe(false);
    await query(t.url, async (sql) => expect(await sql`select 1 from users where username = 'alice'`).toHaveLength(0));

    const other = { ...env, ENCRYPTION_KEY: randomBytes(32).toString("base64") };
    expect((await cli(other, "restore", "--in", plain)).err).toContain("the configured key has id");

    const withKey = { ...env, ENCRYPTION_KEY: readFileSync(join(sourceData, "encryption.key"), "utf8").trim() };
    const ok = await cli(withKey, "restore", "--in", plain);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("stored credentials: 1 of 1 open");
    expect(await clusterPassword(t.url, withKey)).toBe(ND_PASSWORD);
  });

  test("--force restores without the key; the credentials are reported as not opening", async () => {
    const t = await target();
    const r = await cli(
      { DATABASE_URL: t.url, DATA_DIR: join(dir, "forced"), LOG_LEVEL: "silent" },
      "restore",
      "--in",
      plain,
      "--force",
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain("encryption key: none");
    expect(r.err).toContain("stored credentials: 0 of 1 open; cannot open the stored credentials of cluster nd1");
    expect(r.out).toMatch(/audit chain ok/);
  });

  test("ENCRYPTION_KEY set to another key: refused unless --key-out says where the backup's key goes", async () => {
    const t = await target();
    const env: Env = {
      DATABASE_URL: t.url,
      DATA_DIR: join(dir, "env-key"),
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      LOG_LEVEL: "silent",
    };
    const refused = await cli(env, "restore", "--in", encrypted, "--passphrase-file", passphraseFile);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("differs from the configured ENCRYPTION_KEY");
    const keyOut = join(dir, "restored.key");
    const r = await cli(env, "restore", "--in", encrypted, "--passphrase-file", passphraseFile, "--key-out", keyOut);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`written to ${keyOut}`);
    expect(statSync(keyOut).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyOut, "utf8").trim()).toBe(readFileSync(join(sourceData, "encryption.key"), "utf8").trim());
  });

  test("--key-out - prints only the key on standard output (for a root wrapper)", async () => {
    const t = await target();
    const r = await cli(
      { DATABASE_URL: t.url, DATA_DIR: join(dir, "stdout-key"), LOG_LEVEL: "silent" },
      "restore",
      "--in",
      encrypted,
      "--passphrase-file",
      passphraseFile,
      "--key-out",
      "-",
    );
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(join(sourceData, "encryption.key"), "utf8").trim());
    expect(r.err).toContain("written to standard output");
  });

  test("a damaged or truncated archive is refused before anything changes", async () => {
    const t = await target();
    const env = { DATABASE_URL: t.url, DATA_DIR: join(dir, "damaged"), LOG_LEVEL: "silent" };
    const bytes = readFileSync(encrypted);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 100]! ^= 0x01;
    writeFileSync(join(dir, "flipped.backup"), flipped);
    const r1 = await cli(env, "restore", "--in", join(dir, "flipped.backup"), "--passphrase-file", passphraseFile);
    expect(r1.code).toBe(1);
    expect(r1.err).toContain("damaged or was altered");
    writeFileSync(join(dir, "short.backup"), bytes.subarray(0, bytes.length - 40));
    expect(
      (await cli(env, "restore", "--in", join(dir, "short.backup"), "--passphrase-file", passphraseFile)).err,
    ).toContain("truncated");
    const plainBytes = Buffer.from(readFileSync(plain));
    plainBytes[plainBytes.length - 200]! ^= 0x01;
    writeFileSync(join(dir, "plain-flipped.backup"), plainBytes);
    expect((await cli(env, "restore", "--in", join(dir, "plain-flipped.backup"))).err).toMatch(/damaged/);
    // the header is authenticated too
    const text = bytes.toString("latin1");
    const edited = Buffer.from(text.replace(/"host":"[^"]*"/, '"host":"elsewhere"'), "latin1");
    writeFileSync(join(dir, "edited.backup"), edited);
    expect(
      (await cli(env, "restore", "--in", join(dir, "edited.backup"), "--passphrase-file", passphraseFile)).err,
    ).toContain("damaged or was altered");
    writeFileSync(join(dir, "junk.backup"), "hello\n");
    expect((await cli(env, "restore", "--in", join(dir, "junk.backup"))).err).toContain(
      "not a Nexus MCP Gateway backup",
    );
    await query(t.url, async (sql) => expect(await sql`select 1 from users where username = 'alice'`).toHaveLength(0));
  });

  test("a database at another schema version is refused unless --force", async () => {
    const t = await target();
    await query(
      t.url,
      (sql) => sql`delete from schema_migrations where version = (select max(version) from schema_migrations)`,
    );
    const env = { DATABASE_URL: t.url, DATA_DIR: join(dir, "schema"), LOG_LEVEL: "silent" };
    const r = await cli(env, "restore", "--in", encrypted, "--passphrase-file", passphraseFile);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the database is at schema version \d+, the backup at \d+\. Nothing was changed; --force/);
    const forced = await cli(env, "restore", "--in", encrypted, "--passphrase-file", passphraseFile, "--force");
    expect(forced.code).toBe(0);
    expect(forced.err).toContain("restoring anyway (--force)");
  });

  test("refused while another session uses the database (a running gateway)", async () => {
    const t = await target();
    const other = connect(t.url, { max: 1 });
    await other`select 1`;
    try {
      const r = await cli(
        { DATABASE_URL: t.url, DATA_DIR: join(dir, "busy"), LOG_LEVEL: "silent" },
        "restore",
        "--in",
        encrypted,
        "--passphrase-file",
        passphraseFile,
      );
      expect(r.code).toBe(1);
      expect(r.err).toContain("1 other session(s) are connected to the database");
    } finally {
      await other.end();
    }
  });

  test("a failing restore rolls back completely (the dump names a role this server lacks)", async () => {
    const src = await freshDatabase();
    targets.push(src);
    const role = `nmg_missing_${process.pid}`;
    await src.sql.unsafe(`create role ${role}`);
    await src.sql.unsafe(`grant select on users to ${role}`);
    const env = { DATABASE_URL: src.url, DATA_DIR: join(dir, "roles"), LOG_LEVEL: "silent" };
    const file = join(dir, "roles.backup");
    expect((await cli(env, "backup", "--out", file)).code).toBe(0);
    await src.sql.unsafe(`revoke all on users from ${role}`);
    await src.sql.unsafe(`drop role ${role}`);
    const t = await target();
    const tEnv = { DATABASE_URL: t.url, DATA_DIR: join(dir, "roles"), LOG_LEVEL: "silent" };
    const before = await query(t.url, (sql) => sql`select count(*)::int as n from audit_events`);
    const r = await cli(tEnv, "restore", "--in", file);
    expect(r.code).toBe(1);
    expect(r.err).toContain("rolled back");
    expect(r.err).toContain(`role "${role}" does not exist`);
    // unchanged: same tables, its own audit rows (+ the failure line)
    await query(t.url, async (sql) => {
      const [after] = await sql`select count(*)::int as n from audit_events`;
      expect(after!.n).toBe(before[0]!.n + 1);
      expect(await sql`select 1 from users`).toHaveLength(0);
    });
    const skip = await cli(tEnv, "restore", "--in", file, "--no-privileges");
    expect(skip.code).toBe(0);
  });
});

test("password check applies the product's policy to standard input", async () => {
  const run = (password: string, ...args: string[]) => {
    const child = Bun.spawnSync(["bun", "app/cli.ts", "password", "check", ...args], {
      stdin: Buffer.from(`${password}\n`),
      env: { PATH: process.env.PATH ?? "" },
    });
    return { code: child.exitCode, out: child.stdout.toString().trim() };
  };
  expect(run("a sufficiently long one")).toEqual({ code: 0, out: "" });
  expect(run("short")).toEqual({ code: 1, out: "the password must be at least 12 characters long" });
  expect(run(" password1234 ").code).toBe(1);
  expect(run("operator-jane", "--user", "Operator-Jane").out).toContain("must not be the username");
});
