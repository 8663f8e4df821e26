// The system page through the real HTTPS UI listener: certificate facts and renew now (the
// listener then serves the new certificate), key rotation (audited, secrets re-sealed), an
// encrypted backup download (temporary file removed), database health, secrets never shown.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { addUser } from "../identity/helpers.ts";
import { auditSince, lastAuditId } from "../mcp/mcp-test-kit.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { UiClient } from "./ui-client.ts";

let srv: TestServer;
let ui: UiClient;
beforeAll(async () => {
  srv = await startTestServer();
  const u = await addUser(srv.db.sql, { username: "sys", roles: ["admin"] });
  ui = new UiClient(srv);
  expect((await ui.login(u.username, u.password)).status).toBe(303);
});
afterAll(() => srv.stop());

test("shows the certificate, database and configuration without secrets", async () => {
  const { res, text } = await ui.page("/system");
  expect(res.status).toBe(200);
  expect(text).toContain(srv.server.tls.info.fingerprint256);
  expect(text).toContain("localhost, 127.0.0.1");
  expect(text).toContain("healthy");
  expect(text).toMatch(/<code>DATABASE_URL<\/code><\/td><td class="mono">set</);
  expect(text).not.toContain(srv.server.config.databaseUrl!);
  expect(text).not.toContain(srv.db.url);
});

test("rotate keys: a new active version, audited with the user", async () => {
  const before = srv.server.services.keyring.describe().activeVersion;
  const mark = await lastAuditId(srv.db.sql);
  const res = await ui.post("/system/keys/rotate", {});
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe("/system?saved=rotated");
  expect(srv.server.services.keyring.describe().activeVersion).toBe(before + 1);
  const rows = (await auditSince(srv.db.sql, mark)).filter((r) => r.action === "keys.rotate");
  expect(rows.map((r) => [r.status, r.username])).toEqual([["ok", "sys"]]);
  expect((await ui.page("/system?saved=rotated")).text).toContain(`version ${before + 1}`);
});

test("renew now: the listener serves a new certificate", async () => {
  const old = srv.server.tls.info.fingerprint256;
  await ui.page("/system");
  expect((await ui.post("/system/certificate/renew", {})).status).toBe(303);
  expect(srv.server.tls.info.fingerprint256).not.toBe(old);
  // ui-client trusts server.tls.cert, which is now the new one: the next request proves it is served.
  const { text } = await ui.page("/system?saved=renewed");
  expect(text).toContain(srv.server.tls.info.fingerprint256);
});

test("backup download: encrypted archive, temporary file gone, short passphrase refused", async () => {
  await ui.page("/system");
  const short = await ui.post("/system/backup", { passphrase: "short" });
  expect(short.status).toBe(400);
  expect(await short.text()).toContain("at least 12 characters");
  const res = await ui.post("/system/backup", { passphrase: "a long enough passphrase" });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-disposition")).toMatch(
    /^attachment; filename="nexus-mcp-gateway-\d{8}-\d{6}\.nmgbak"$/,
  );
  const body = Buffer.from(await res.arrayBuffer());
  expect(body.subarray(0, 13).toString()).toBe("NMG-BACKUP 1\n");
  expect(body.toString("latin1")).toContain('"encryption"');
  await Bun.sleep(50);
  expect(readdirSync(srv.dataDir).filter((f) => f.startsWith("ui-backup-"))).toEqual([]);
});
