// Connect an assistant and API tokens over the real UI listener: a token shown once inside
// ready configurations, narrowing, revoking, the administrators' view, hostile names escaped.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { resolveApiToken } from "../../app/identity/api-tokens.ts";
import { addUser } from "../identity/helpers.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { UiClient } from "./ui-client.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.stop());

const HOSTILE = `<script>alert("x")</script> 'q'`;

test("Connect creates a token shown once inside the Claude Desktop config; a reload shows it no more", async () => {
  const u = await addUser(srv.db.sql, { username: "ana", roles: ["viewer"] });
  const c = new UiClient(srv);
  await c.login(u.username, u.password);
  const before = await c.page("/connect");
  expect(before.text).toContain("PASTE-YOUR-TOKEN-HERE");
  expect(before.text).toContain(srv.server.tls.info.fingerprint256);
  const res = await c.post("/connect", { name: HOSTILE, expiry: "30", readOnly: "1" });
  expect(res.status).toBe(200);
  const text = await res.text();
  const token = /<code class="secret" id="new-token">(nmg_[0-9a-f]{24}_[A-Za-z0-9_-]+)<\/code>/.exec(text)![1]!;
  expect(text).toContain(`&quot;NEXUS_AUTH&quot;: &quot;Bearer ${token}&quot;`);
  expect(text).toContain("--transport");
  expect(text).toContain("sse-only");
  expect(text).toContain(`https://127.0.0.1:${srv.server.api.port}/mcp/sse`);
  expect(text).not.toContain("<script>alert");
  expect(text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;q&#39;");
  const p = await resolveApiToken(srv.db.sql, token);
  expect(p?.token?.readOnly).toBe(true);
  const again = await c.page("/connect");
  expect(again.text).not.toContain(token);
  const pem = await c.request("/connect/gateway.pem");
  expect(await pem.text()).toBe(srv.server.tls.cert);
  const [row] = await srv.db.sql<
    { client_ip: string; user_agent: string | null }[]
  >`select client_ip, user_agent from audit_events where action = 'token.create' and username = 'ana'`;
  expect(row?.client_ip).toBe("127.0.0.1");
});

test("my tokens: create, narrow, revoke; errors are shown on the page", async () => {
  const u = await addUser(srv.db.sql, { username: "ben", roles: ["operator"] });
  const c = new UiClient(srv);
  await c.login(u.username, u.password);
  await c.page("/tokens");
  const created = await (await c.post("/tokens", { name: "laptop", expiry: "7" })).text();
  const token = /id="new-token">([^<]+)</.exec(created)![1]!;
  const id = token.split("_")[1]!;
  expect(created).toContain("Copy the token now");
  const dup = await c.post("/tokens", { name: "laptop", expiry: "7" });
  expect(dup.status).toBe(409);
  expect(await dup.text()).toContain("already has a token named");
  const badExpiry = await c.post("/tokens", { name: "x", expiry: "1000" });
  expect(await badExpiry.text()).toContain("Pick an expiry from the list");
  const list = await c.page("/tokens");
  expect(list.text).toContain("laptop");
  expect(list.text).toContain("read-write");
  const narrowed = await c.post(`/tokens/${id}/narrow`, { readOnly: "1" });
  expect(await narrowed.text()).toContain("is now read-only");
  expect((await resolveApiToken(srv.db.sql, token))?.token?.readOnly).toBe(true);
  const revoked = await c.post(`/tokens/${id}/revoke`, {});
  expect(await revoked.text()).toContain("The token was revoked");
  expect(await resolveApiToken(srv.db.sql, token)).toBeNull();
  const twice = await c.post(`/tokens/${id}/revoke`, {});
  expect(twice.status).toBe(409);
  const actions = await srv.db.sql<
    { action: string }[]
  >`select action from audit_events where username = 'ben' and action like 'token.%' order by id`;
  expect(actions.map((a) => a.action)).toEqual(["token.create", "token.narrow", "token.revoke"]);
});

test("administrators see and revoke everybody's tokens; others cannot touch them", async () => {
  const owner = await addUser(srv.db.sql, { username: "cleo", roles: ["viewer"] });
  const other = await addUser(srv.db.sql, { username: "dan", roles: ["viewer"] });
  const admin = await addUser(srv.db.sql, { username: "root2", roles: ["admin"] });
  const oc = new UiClient(srv);
  await oc.login(owner.username, owner.password);
  await oc.page("/tokens");
  const token = /id="new-token">([^<]+)</.exec(
    await (await oc.post("/tokens", { name: "cleo-box", expiry: "30" })).text(),
  )![1]!;
  const id = token.split("_")[1]!;
  const dc = new UiClient(srv);
  await dc.login(other.username, other.password);
  const viewerPage = await dc.page("/tokens");
  expect(viewerPage.text).not.toContain("All tokens");
  const refused = await dc.post(`/tokens/${id}/revoke`, {});
  expect(refused.status).toBe(403);
  const ac = new UiClient(srv);
  await ac.login(admin.username, admin.password);
  const adminPage = await ac.page("/tokens");
  expect(adminPage.text).toContain("All tokens");
  expect(adminPage.text).toContain("cleo-box");
  expect((await ac.post(`/tokens/${id}/revoke`, {})).status).toBe(200);
  expect(await resolveApiToken(srv.db.sql, token)).toBeNull();
});
