// `bun run cli cluster …` and `keys …` end to end through runCli, on real PostgreSQL and the simulator.
import { afterAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../app/cli.ts";
import { freshDatabase } from "../support/db.ts";
import { DEFAULT_PASSWORD, startSim } from "./nd-harness.ts";

const db = await freshDatabase();
const sim = await startSim();
afterAll(async () => {
  await sim.stop();
  await db.close();
});

const dir = mkdtempSync(join(tmpdir(), "nmg-cli-"));
const dataDir = join(dir, "data");
const passwordFile = join(dir, "pw");
writeFileSync(passwordFile, `${DEFAULT_PASSWORD}\n`, { mode: 0o600 });
const caFile = join(dir, "ca.pem");
writeFileSync(caFile, sim.caPem);
const env = { DATABASE_URL: db.url, DATA_DIR: dataDir, CLUSTER_ALLOW_LOOPBACK: "true", LOG_LEVEL: "silent" };

async function cli(...argv: string[]) {
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

test("cluster add stores, tests and reports; the generated key file is announced", async () => {
  const r = await cli(
    "cluster",
    "add",
    "sim",
    "--url",
    sim.url,
    "--user",
    "admin",
    "--password-file",
    passwordFile,
    "--ca-file",
    caFile,
    "--timeout",
    "10s",
    "--max-concurrency",
    "2",
  );
  expect(r.code).toBe(0);
  expect(r.out).toContain("added cluster sim");
  expect(r.out).toContain("tls:        verified");
  expect(r.out).toContain("login:      ok");
  expect(r.out).toContain("version:    4.1.1g");
  expect(r.out).toContain("result:     ok");
  expect(r.err).toContain("generated a new encryption key");
  expect(statSync(join(dataDir, "encryption.key")).mode & 0o777).toBe(0o600);
});

test("a password on the command line is not an option; exactly one secret source is required", async () => {
  const r = await cli("cluster", "add", "x", "--url", sim.url, "--user", "admin");
  expect(r.code).toBe(2);
  expect(r.err).toContain("--password-file");
});

test("cluster add --insecure warns loudly", async () => {
  const r = await cli(
    "cluster",
    "add",
    "sim-insecure",
    "--url",
    sim.url,
    "--user",
    "admin",
    "--password-file",
    passwordFile,
    "--insecure",
    "--no-test",
  );
  expect(r.code).toBe(0);
  expect(r.err).toContain("TLS verification is OFF");
});

test("cluster list shows TLS mode, version and last test; never a secret", async () => {
  const r = await cli("cluster", "list");
  expect(r.code).toBe(0);
  expect(r.out).toMatch(
    /sim\thttps:\/\/127\.0\.0\.1:\d+\tpassword@DefaultAuth\tadmin\tverified \(own CA\)\t4\.1\.1g\tok /,
  );
  expect(r.out).toContain("INSECURE");
  expect(r.out).not.toContain(DEFAULT_PASSWORD);
});

test("cluster test of an unknown cluster fails with a clear message", async () => {
  const r = await cli("cluster", "test", "nope");
  expect(r.code).toBe(1);
  expect(r.err).toContain("no cluster named nope");
});

test("keys rotate re-seals; keys status lists the versions; the cluster still logs in", async () => {
  const rotate = await cli("keys", "rotate");
  expect(rotate.code).toBe(0);
  expect(rotate.out).toContain("data key version 1 → 2; re-sealed 2 in clusters.secret_sealed");
  const status = await cli("keys", "status");
  expect(status.out).toContain("active data key:    version 2");
  expect(status.out).toContain("version 1: ok");
  expect((await cli("cluster", "test", "sim")).code).toBe(0);
});

test("keys rewrap replaces the generated key file; the cluster still logs in with the new key", async () => {
  const keyPath = join(dataDir, "encryption.key");
  const before = readFileSync(keyPath, "utf8");
  const newKeyFile = join(dir, "new.key");
  const newKey = randomBytes(32).toString("base64");
  writeFileSync(newKeyFile, `${newKey}\n`, { mode: 0o600 });
  const r = await cli("keys", "rewrap", "--new-key-file", newKeyFile);
  expect(r.code).toBe(0);
  expect(r.out).toContain("now holds the new key");
  expect(readFileSync(keyPath, "utf8").trim()).toBe(newKey);
  expect(readFileSync(keyPath, "utf8")).not.toBe(before);
  expect(statSync(keyPath).mode & 0o777).toBe(0o600);
  expect((await cli("cluster", "test", "sim")).code).toBe(0);
});

test("a wrong ENCRYPTION_KEY: the test fails naming the cluster and the key version", async () => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ["cluster", "test", "sim"],
    { ...env, ENCRYPTION_KEY: Buffer.alloc(32, 7).fill(9, 0, 1).toString("base64") },
    (l) => out.push(l),
    (l) => err.push(l),
  );
  expect(code).toBe(1);
  expect(out.join("\n")).toContain(
    "cannot open the stored credentials of cluster sim: the encryption key does not match (key version 2)",
  );
  expect(err.join("\n")).toContain("does not open key version(s) 1, 2");
});

test("cluster update --url clears credentials and says how to re-enter them; remove deletes", async () => {
  const moved = await cli("cluster", "update", "sim", "--url", sim.url.replace("127.0.0.1", "localhost"));
  expect(moved.code).toBe(0);
  expect(moved.err).toContain("stored credentials were removed");
  const again = await cli("cluster", "update", "sim", "--user", "admin", "--password-file", passwordFile);
  expect(again.code).toBe(0);
  expect((await cli("cluster", "test", "sim")).code).toBe(0);
  expect((await cli("cluster", "remove", "sim")).out).toContain("removed cluster sim");
  expect((await cli("cluster", "list")).out).not.toMatch(/^sim\t/m);
});
