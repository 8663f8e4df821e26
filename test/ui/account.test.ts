// My account: change the password (other sessions end, this one stays), list my sessions,
// sign out the others — audited with the browser's address and user agent.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { addUser, PASSWORD } from "../identity/helpers.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { UiClient } from "./ui-client.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.stop());

test("my sessions are listed and the others can be signed out", async () => {
  const u = await addUser(srv.db.sql, { username: "sam", roles: ["viewer"], displayName: 'Sam <b>"Q"</b>' });
  const laptop = new UiClient(srv);
  const phone = new UiClient(srv);
  await laptop.login(u.username, u.password);
  await phone.request("/login", {
    method: "POST",
    form: { username: u.username, password: u.password, next: "/" },
    headers: { "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1" },
  });
  const { res, text } = await laptop.page("/account");
  expect(res.status).toBe(200);
  expect(text).toContain("Sam &lt;b&gt;&quot;Q&quot;&lt;/b&gt;");
  expect(text).toContain("this browser");
  expect(text).toContain("Safari on iOS");
  expect(text).toContain("Sign out 1 other session");
  const ended = await laptop.post("/account/sessions/end-others", {}, { headers: { "hx-request": "true" } });
  expect(ended.status).toBe(200);
  const fragment = await ended.text();
  expect(fragment).toStartWith('<section class="panel" id="sessions"');
  expect(fragment).toContain("Signed out 1 other session.");
  expect((await phone.request("/")).status).toBe(303); // the phone is signed out
  expect((await laptop.request("/")).status).toBe(200);
  const [row] = await srv.db.sql<{ username: string; details: { ended: number } }[]>`
    select username, details from audit_events where action = 'auth.sessions.end_others'`;
  expect(row).toMatchObject({ username: "sam", details: { ended: 1 } });
});

test("changing my password keeps this browser signed in and says what was wrong", async () => {
  const u = await addUser(srv.db.sql, { username: "tess", roles: ["viewer"] });
  const c = new UiClient(srv);
  const other = new UiClient(srv);
  await c.login(u.username, u.password);
  await other.login(u.username, u.password);
  await c.page("/account");
  const wrong = await c.post("/account/password", {
    current: "nope",
    password: "a fresh long passphrase",
    repeat: "a fresh long passphrase",
  });
  expect(wrong.status).toBe(401);
  expect(await wrong.text()).toContain("The current password is wrong.");
  const differ = await c.post("/account/password", {
    current: PASSWORD,
    password: "a fresh long passphrase",
    repeat: "a fresh long passphrasX",
  });
  expect(await differ.text()).toContain("The two new passwords differ");
  const done = await c.post("/account/password", {
    current: PASSWORD,
    password: "a fresh long passphrase",
    repeat: "a fresh long passphrase",
  });
  expect(done.status).toBe(303);
  expect(done.headers.get("location")).toBe("/account?changed=1");
  const { text } = await c.page("/account?changed=1");
  expect(text).toContain("Your password was changed");
  expect((await other.request("/")).status).toBe(303);
});
