// Every UI route declares its access, and the access is enforced: a route × role matrix over
// admin, operator, viewer, a custom role, anonymous and a disabled user's old session.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { cliCaller } from "../../app/identity/caller.ts";
import { createRole } from "../../app/identity/roles.ts";
import { setUserActive } from "../../app/identity/users.ts";
import { buildUiApp, PLUGIN_ROUTES } from "../../app/ui/ui-app.ts";
import { allows } from "../../app/ui/pages.ts";
import { uiRoutes } from "../../app/ui/ui-routes.ts";
import type { UiDeps } from "../../app/ui/ui-deps.ts";
import { loadAssets } from "../../app/ui/assets.ts";
import { addUser, cli } from "../identity/helpers.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { UiClient } from "./ui-client.ts";
import { loadPrincipal } from "../../app/identity/principal-loader.ts";
import type { Principal } from "../../app/identity/principal.ts";

test("every route of the UI app declares its access", () => {
  const routes = uiRoutes();
  const declared = new Map<string, string>(
    [...routes, ...PLUGIN_ROUTES].map((r) => [`${r.method} ${r.path}`, r.access]),
  );
  const app = buildUiApp(
    routes,
    { assets: loadAssets() } as UiDeps,
    new Elysia().get("/healthz", () => "ok"),
  );
  const served = app.routes.map((r: { method: string; path: string }) => `${r.method} ${r.path}`);
  expect(served.length).toBeGreaterThan(15);
  const undeclared = served.filter((key: string) => !declared.get(key));
  expect(undeclared).toEqual([]);
  for (const page of [
    "/",
    "/connect",
    "/clusters",
    "/users",
    "/roles",
    "/tokens",
    "/settings",
    "/approvals",
    "/approvals/:id",
    "/audit",
    "/catalog",
    "/system",
    "/account",
  ]) {
    expect(served).toContain(`GET ${page}`);
  }
});

test("a route without declared access is refused at start", () => {
  const bad = [{ method: "GET" as const, path: "/x", access: undefined as never, handle: () => new Response("") }];
  expect(() => buildUiApp(bad, { assets: loadAssets() } as UiDeps, new Elysia())).toThrow(/declares no access/);
});

describe("route × role matrix", () => {
  let srv: TestServer;
  const clients = new Map<string, UiClient>();
  const principals = new Map<string, Principal | null>();

  beforeAll(async () => {
    srv = await startTestServer();
    const sql = srv.db.sql;
    await createRole(sql, cli(), { name: "auditor", permissions: ["audit:read", "tokens:own"] });
    for (const role of ["admin", "operator", "viewer", "auditor", "disabled"]) {
      const u = await addUser(sql, { username: `m-${role}`, roles: [role === "disabled" ? "operator" : role] });
      const c = new UiClient(srv);
      expect((await c.login(u.username, u.password)).status).toBe(303);
      clients.set(role, c);
      principals.set(role, await loadPrincipal(sql, u.id, "session"));
    }
    await setUserActive(sql, cli(), "m-disabled", false);
    principals.set("disabled", null);
    clients.set("anonymous", new UiClient(srv));
    principals.set("anonymous", null);
  });
  afterAll(() => srv.stop());

  test("every GET page answers by role as its declared access says", async () => {
    const rows: string[] = [];
    for (const route of uiRoutes().filter((r) => r.method === "GET" && r.access !== "public")) {
      const path = route.path.replace(":id", "00000000-0000-0000-0000-000000000000");
      for (const [role, client] of clients) {
        const res = await client.request(path);
        await res.arrayBuffer();
        const p = principals.get(role)!;
        // A detail page of a record that does not exist answers 404 to those allowed to look.
        const found = route.path.includes(":id") ? 404 : 200;
        const expected = p === null ? 303 : allows(p, route.access) ? found : 403;
        // Other pages of one record (e.g. an OAuth grant) may answer 404 for the made-up key too.
        const notFoundOk = expected === 200 && route.path.includes(":") && res.status === 404;
        if (res.status !== expected && !notFoundOk) rows.push(`${role} ${path}: ${res.status}, expected ${expected}`);
        if (p === null) expect(res.headers.get("location")).toStartWith("/login?next=");
      }
    }
    expect(rows).toEqual([]);
    // The matrix is not trivial: each role sees a different set of pages.
    expect(allows(principals.get("viewer")!, "users:manage")).toBe(false);
    expect(allows(principals.get("admin")!, "users:manage")).toBe(true);
    expect(allows(principals.get("auditor")!, "audit:read")).toBe(true);
    expect(cliCaller("cli").principal.permissions.size).toBeGreaterThan(5);
  });
});
