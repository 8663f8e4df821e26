// Sign-in, forced password change, CSRF and origin checks, expiry and escaping on the real
// UI listener (HTTPS, real PostgreSQL, production argon2 on the server side).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createUser } from "../../app/identity/users.ts";
import { UI_CSP } from "../../app/http/security-headers.ts";
import { addUser, cli, fastHasher, PASSWORD } from "../identity/helpers.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { UiClient } from "./ui-client.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ LOGIN_MAX_FAILURES: "3" });
});
afterAll(() => srv.stop());

test("anonymous pages redirect to sign-in and back; the sign-in page has strict CSP and hashed assets", async () => {
  const c = new UiClient(srv);
  const res = await c.request("/users?x=1");
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe("/login?next=%2Fusers%3Fx%3D1");
  const { res: page, text } = await c.page("/login?next=%2Fusers");
  expect(page.headers.get("content-security-policy")).toBe(UI_CSP);
  expect(UI_CSP).toContain("frame-ancestors 'none'");
  expect(text).not.toMatch(/<script>|style=/);
  const htmx = /src="(\/assets\/htmx\.[0-9a-f]{16}\.js)"/.exec(text)![1]!;
  const asset = await c.request(htmx);
  expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  expect(await asset.text()).toContain("htmx");
  expect((await c.request("/assets/htmx.0000000000000000.js")).status).toBe(404);
});

test("first sign-in with a generated password must change it, then lands where it wanted", async () => {
  const { generatedPassword } = await createUser(
    srv.db.sql,
    cli(),
    { username: "bob", roles: ["operator"], clusters: "all" },
    { passwords: fastHasher },
  );
  const c = new UiClient(srv);
  const res = await c.post("/login", { username: "bob", password: generatedPassword!, next: "/tokens" });
  expect(res.headers.get("location")).toBe("/password?next=%2Ftokens");
  const blocked = await c.request("/tokens");
  expect(blocked.headers.get("location")).toBe("/password?next=%2Ftokens");
  await c.page("/password?next=%2Ftokens");
  const mismatch = await c.post("/password", {
    current: generatedPassword!,
    password: PASSWORD,
    repeat: PASSWORD + "x",
    next: "/tokens",
  });
  expect(await mismatch.text()).toContain("The two new passwords differ");
  const done = await c.post("/password", {
    current: generatedPassword!,
    password: PASSWORD,
    repeat: PASSWORD,
    next: "/tokens",
  });
  expect(done.status).toBe(303);
  expect(done.headers.get("location")).toBe("/tokens");
  expect((await c.request("/tokens")).status).toBe(200);
});

test("unsafe requests need the session's CSRF token and a same-origin browser", async () => {
  const u = await addUser(srv.db.sql, { username: "carol", roles: ["viewer"] });
  const c = new UiClient(srv);
  await c.login(u.username, u.password);
  await c.page("/");
  expect((await c.post("/logout", {}, { csrf: false })).status).toBe(403);
  expect((await c.post("/logout", { csrf: "forged" }, { csrf: false })).status).toBe(403);
  const crossSite = await c.post("/logout", {}, { site: "cross-site" });
  expect(crossSite.status).toBe(403);
  expect(await crossSite.text()).toContain("cross-site");
  expect((await c.post("/logout", {}, { site: null })).status).toBe(403); // neither header: refused
  expect((await c.post("/logout", {}, { site: null, headers: { origin: "https://evil.example" } })).status).toBe(403);
  expect((await c.page("/")).res.status).toBe(200); // still signed in
  const out = await c.post("/logout", {});
  expect(out.headers.get("location")).toBe("/login?out=1");
  expect(c.cookie).toBeNull();
});

test("an ended session sends the user to sign in with a note and the way back", async () => {
  const u = await addUser(srv.db.sql, { username: "dave", roles: ["viewer"] });
  const c = new UiClient(srv);
  await c.login(u.username, u.password);
  await srv.db.sql`update sessions set last_seen_at = now() - interval '2 hours'`;
  const res = await c.request("/account", { headers: { "hx-request": "true" } });
  expect(res.headers.get("hx-redirect")).toBe("/login?next=%2Faccount&ended=1");
  const page = await (await c.request("/login?next=%2Faccount&ended=1")).text();
  expect(page).toContain("Your session has ended");
});

test("hostile names are escaped and htmx gets the main column with pushed URL", async () => {
  const u = await addUser(srv.db.sql, {
    username: "eve",
    roles: ["viewer"],
    displayName: "<img src=x onerror=alert(1)>",
  });
  const c = new UiClient(srv);
  const bad = await (await c.request(`/login?next=%2F%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E`)).text();
  expect(bad).toContain('value="/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  expect(bad).not.toContain("<script>alert");
  expect(
    (await c.post("/login", { username: u.username, password: u.password, next: "//evil.example/x" })).headers.get(
      "location",
    ),
  ).toBe("/");
  const frag = await c.request("/account", { headers: { "hx-request": "true", "hx-boosted": "true" } });
  const text = await frag.text();
  expect(frag.headers.get("hx-push-url")).toBe("/account");
  expect(text).toStartWith("<title>");
  expect(text).toContain('hx-swap-oob="true"');
  expect(text).not.toContain("<html");
});

test("wrong password and unknown user get the same message; throttling shows the wait", async () => {
  const u = await addUser(srv.db.sql, { username: "alice", roles: ["viewer"] });
  const c = new UiClient(srv);
  // Each failure backs the address off briefly; wait it out so both answers are real verdicts.
  const attempt = async (name: string, password: string) => {
    for (;;) {
      const res = await c.login(name, password);
      if (res.status !== 429) return res;
      await Bun.sleep(Number(res.headers.get("retry-after")) * 1000);
    }
  };
  const wrong = await attempt(u.username, "not the password at all");
  const unknown = await attempt("nobody-here", "not the password at all");
  expect([wrong.status, unknown.status]).toEqual([401, 401]);
  const a = await wrong.text(),
    b = await unknown.text();
  expect(a).toContain("Invalid username or password.");
  expect(b.replace("nobody-here", u.username)).toBe(a);
  const throttled = await c.login(u.username, u.password);
  expect(throttled.status).toBe(429);
  expect(await throttled.text()).toMatch(/Too many failed sign-ins\. Try again in \d+ (seconds?|minutes)\./);
});
