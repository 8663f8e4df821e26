// The clusters page through the real HTTPS UI listener against the ND simulator: add with a CA
// upload (multipart), credentials write-only, the connection test as a fragment, insecure mode
// only with an explicit confirmation, edit keeping the secret, removal with confirmation.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { getCluster, listClusters } from "../../app/clusters/clusters.ts";
import { addUser } from "../identity/helpers.ts";
import { auditSince, lastAuditId } from "../mcp/mcp-test-kit.ts";
import { startMcpWorld, type McpWorld } from "../support/mcp-world.ts";
import { UiClient } from "./ui-client.ts";

let world: McpWorld;
let ui: UiClient;
const SECRET = "nd-sim-password";

beforeAll(async () => {
  world = await startMcpWorld();
  const u = await addUser(world.gw.db.sql, { username: "cia", roles: ["admin"] });
  ui = new UiClient(world.gw);
  expect((await ui.login(u.username, u.password)).status).toBe(303);
  await ui.page("/clusters");
});
afterAll(() => world?.stop());

function multipart(fields: Record<string, string>, ca?: string): FormData {
  const f = new FormData();
  f.set("csrf", ui.csrf!);
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  if (ca !== undefined) f.set("ca", new File([ca], "ca.pem", { type: "application/x-pem-file" }));
  return f;
}
const send = (path: string, body: FormData) => ui.request(path, { method: "POST", body });

test("add with a CA upload, test as a fragment; the secret never comes back", async () => {
  const res = await send(
    "/clusters/new",
    multipart(
      { name: "sim2", url: world.sim.url, mode: "password", user: "admin", secret: SECRET, domain: "local" },
      world.sim.caPem,
    ),
  );
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe("/clusters?saved=added");
  const c = await getCluster(world.gw.db.sql, "sim2");
  expect(c.tlsVerify).toBe(true);
  expect(c.caPem).toContain("BEGIN CERTIFICATE");

  const list = await ui.page("/clusters?saved=added");
  expect(list.text).toContain("sim2");
  expect(list.text).not.toContain(SECRET);
  const edit = await ui.page(`/clusters/${c.id}`);
  expect(edit.text).toContain("<strong>set</strong>");
  expect(edit.text).not.toContain(SECRET);
  expect(edit.text).toMatch(/name="secret" autocomplete="new-password">/);

  const mark = await lastAuditId(world.gw.db.sql);
  const tested = await ui.post(`/clusters/${c.id}/test`, {}, { headers: { "hx-request": "true" } });
  const fragment = await tested.text();
  expect(fragment).toStartWith(`<div class="test-result"`);
  expect(fragment).toContain("connection works.");
  expect(fragment).toContain(`<span class="badge ok">verified</span> TLS`);
  expect(fragment).toMatch(/latency: <strong>\d+ ms<\/strong>/);
  const audit = (await auditSince(world.gw.db.sql, mark)).find((r) => r.action === "cluster.test")!;
  expect(audit.username).toBe("cia");
  expect(audit.status).toBe("ok");
});

test("a wrong password shows the failed login step; bad input is answered on the form, escaped", async () => {
  expect(
    (
      await send(
        "/clusters/new",
        multipart(
          { name: "simbad", url: world.sim.url, mode: "password", user: "admin", secret: "wrong", domain: "local" },
          world.sim.caPem,
        ),
      )
    ).status,
  ).toBe(303);
  const bad = await getCluster(world.gw.db.sql, "simbad");
  const fragment = await (await ui.post(`/clusters/${bad.id}/test`, {}, { headers: { "hx-request": "true" } })).text();
  expect(fragment).toContain("connection failed.");
  expect(fragment).toContain(`<span class="badge bad">failed</span> login`);

  const res = await send(
    "/clusters/new",
    multipart({
      name: `<img src=x onerror=alert(1)>`,
      url: world.sim.url,
      mode: "password",
      user: "admin",
      secret: SECRET,
    }),
  );
  expect(res.status).toBe(400);
  const text = await res.text();
  expect(text).toContain("cluster name: 1–64 letters");
  expect(text).toContain(`value="&lt;img src=x onerror=alert(1)&gt;"`);
  expect(text).not.toContain("<img src=x");
  expect(text).not.toContain(SECRET);
});

test("insecure mode only with the explicit confirmation; edit keeps the secret; remove needs the name", async () => {
  const refused = await send(
    "/clusters/new",
    multipart({
      name: "lab",
      url: world.sim.url,
      mode: "password",
      user: "admin",
      secret: SECRET,
      domain: "local",
      insecure: "1",
    }),
  );
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain("I understand the risk");
  expect(
    (
      await send(
        "/clusters/new",
        multipart({
          name: "lab",
          url: world.sim.url,
          mode: "password",
          user: "admin",
          secret: SECRET,
          domain: "local",
          insecure: "1",
          insecureConfirm: "1",
        }),
      )
    ).status,
  ).toBe(303);
  const lab = await getCluster(world.gw.db.sql, "lab");
  expect(lab.tlsVerify).toBe(false);
  expect((await ui.page("/clusters")).text).toMatch(/badge bad">insecure</);

  // Rename, secret left empty: the credentials stay.
  const version = lab.credentialVersion;
  expect(
    (
      await send(
        `/clusters/${lab.id}`,
        multipart({
          name: "lab-renamed",
          url: lab.baseUrl,
          mode: "password",
          user: "admin",
          secret: "",
          domain: "local",
          insecure: "1",
          insecureConfirm: "1",
        }),
      )
    ).status,
  ).toBe(303);
  const renamed = await getCluster(world.gw.db.sql, lab.id);
  expect(renamed.name).toBe("lab-renamed");
  expect(renamed.hasCredentials).toBe(true);
  expect(renamed.credentialVersion).toBe(version);

  const confirm = await ui.page(`/clusters/${lab.id}/remove`);
  expect(confirm.text).toContain("Remove lab-renamed?");
  expect((await ui.post(`/clusters/${lab.id}/remove`, { confirm: "lab" })).status).toBe(400);
  expect((await ui.post(`/clusters/${lab.id}/remove`, { confirm: "lab-renamed" })).status).toBe(303);
  expect((await listClusters(world.gw.db.sql)).some((c) => c.id === lab.id)).toBe(false);
});
