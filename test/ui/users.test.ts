// Users and roles over the real UI listener: create with a role and cluster (one-time password,
// forced change), roles and clusters saved, disable/enable, reset, custom roles, no privilege
// escalation, the last admin kept, hostile values escaped — every change audited with the IP.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { addCluster } from "../../app/clusters/clusters.ts";
import { createRole } from "../../app/identity/roles.ts";
import { addUser, cli } from "../identity/helpers.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { UiClient } from "./ui-client.ts";

let srv: TestServer;
let clusterId: string;
let admin: UiClient;
beforeAll(async () => {
  srv = await startTestServer({ CLUSTER_ALLOW_LOOPBACK: "true" });
  const s = srv.server.services;
  const c = await addCluster(
    srv.db.sql,
    cli(),
    {
      name: "dc1-east",
      url: "https://127.0.0.1:9",
      credentials: { mode: "password", username: "admin", password: "pw", domain: "local" },
    },
    { keyring: s.keyring, urlPolicy: s.urlPolicy },
  );
  clusterId = c.id;
  const a = await addUser(srv.db.sql, { username: "boss", roles: ["admin"] });
  admin = new UiClient(srv);
  await admin.login(a.username, a.password);
  await admin.page("/users");
});
afterAll(() => srv.stop());

const oneTime = (text: string) => /id="one-time-password">([^<]+)</.exec(text)?.[1];

test("create a user with a role and a cluster; the one-time password must be changed at first sign-in", async () => {
  const res = await admin.post("/users", {
    username: "nina",
    displayName: `<script>x</script>"N"`,
    email: "nina@example.com",
    roles: ["operator"],
    clusters: [clusterId],
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  const password = oneTime(text)!;
  expect(password.length).toBeGreaterThan(11);
  expect(text).toContain("&lt;script&gt;x&lt;/script&gt;&quot;N&quot;");
  expect(text).toContain("dc1-east");
  expect(text).not.toContain("<script>x");
  const nina = new UiClient(srv);
  const login = await nina.login("nina", password);
  expect(login.headers.get("location")).toBe("/password?next=%2F");
  const [row] = await srv.db.sql<
    { client_ip: string; username: string; details: { roles: string[] } }[]
  >`select client_ip, username, details from audit_events where action = 'user.create' and details->>'username' = 'nina'`;
  expect(row).toMatchObject({ client_ip: "127.0.0.1", username: "boss", details: { roles: ["operator"] } });
  const dup = await admin.post("/users", { username: "NINA", roles: ["viewer"] });
  expect(dup.status).toBe(409);
  expect(await dup.text()).toContain("Username NINA is taken");
});

test("roles and clusters are saved, a user disabled and enabled, a password reset shown once", async () => {
  await addUser(srv.db.sql, { username: "omar", roles: ["viewer"], clusters: [] });
  const page = await admin.page("/users/omar");
  expect(page.res.status).toBe(200);
  const roles = await admin.post("/users/omar/roles", { roles: ["operator"] });
  expect(await roles.text()).toContain("granted operator, revoked viewer");
  const clusters = await admin.post("/users/omar/clusters", { allClusters: "1" });
  expect(await clusters.text()).toContain("Cluster access saved.");
  const list = await admin.page("/users");
  expect(list.text).toMatch(/omar<\/a>[\s\S]*?operator[\s\S]*?all clusters/);
  const off = await admin.post("/users/omar/active", { active: "0" });
  expect(await off.text()).toContain("omar is disabled");
  expect((await admin.post("/users/omar/active", { active: "1" })).status).toBe(200);
  const reset = await admin.post("/users/omar/reset-password", {});
  const pw = oneTime(await reset.text())!;
  const o = new UiClient(srv);
  expect((await o.login("omar", pw)).headers.get("location")).toStartWith("/password");
  expect((await admin.page("/users/nobody-here")).res.status).toBe(404);
});

test("the last admin cannot be disabled or lose the admin role", async () => {
  const lone = await startTestServer();
  try {
    const a = await addUser(lone.db.sql, { username: "only", roles: ["admin"] });
    await addUser(lone.db.sql, { username: "helper", roles: ["admin"] });
    const c = new UiClient(lone);
    await c.login(a.username, a.password);
    await c.page("/users");
    // Remove "admin" (the first-start admin) and "helper" so "only" is the last one.
    for (const name of ["helper", "admin"]) await c.post(`/users/${name}/active`, { active: "0" });
    const demote = await c.post("/users/only/roles", { roles: ["viewer"] });
    expect(demote.status).toBe(409);
    expect(await demote.text()).toContain("would leave no active admin");
  } finally {
    await lone.stop();
  }
});

test("no privilege escalation: a user manager cannot grant or hand out what they lack", async () => {
  await createRole(srv.db.sql, cli(), { name: "usermgr", permissions: ["users:manage", "roles:manage", "tokens:own"] });
  const m = await addUser(srv.db.sql, { username: "mgr", roles: ["usermgr"] });
  const c = new UiClient(srv);
  await c.login(m.username, m.password);
  const page = await c.page("/users");
  expect(page.text).toMatch(/value="admin" disabled/);
  const grant = await c.post("/users", { username: "sneaky", roles: ["admin"] });
  expect(grant.status).toBe(403);
  expect(await grant.text()).toContain("Granting role admin needs");
  const role = await c.post("/roles", { name: "superish", permissions: ["users:manage", "settings:manage"] });
  expect(role.status).toBe(403);
  expect(await role.text()).toContain("settings:manage");
  const reset = await c.post("/users/boss/reset-password", {});
  expect(reset.status).toBe(403);
});

test("custom roles: create from the permission list, change, delete; built-in roles are fixed", async () => {
  await admin.page("/roles");
  const created = await admin.post("/roles", {
    name: "auditor",
    description: `reads <b>audit</b>`,
    permissions: ["audit:read", "audit:export"],
  });
  const text = await created.text();
  expect(text).toContain("Role auditor was created with 2 permission(s)");
  expect(text).not.toContain("<b>audit</b>");
  const bad = await admin.post("/roles", { name: "x", permissions: ["root:all"] });
  expect(await bad.text()).toContain("Unknown permission(s): root:all");
  const saved = await admin.post("/roles/auditor", { description: "auditors", permissions: ["audit:read"] });
  expect(await saved.text()).toContain("Role saved.");
  const sys = await admin.page("/roles/admin");
  expect(sys.text).toContain("The permissions of a built-in role are fixed");
  const del = await admin.post("/roles/auditor/delete", {});
  expect(del.status).toBe(303);
  expect((await admin.page("/roles/auditor")).res.status).toBe(404);
});
