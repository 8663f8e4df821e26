// The catalog page through the real HTTPS UI listener: documents and versions, the operation
// browser (search fragment, risk filter), one operation with its risk and why, parameters and
// schemas; import by upload (multipart) with the importer's clear error for a broken file, and a
// document's hostile description escaped. Cisco's documents are read at run time, never copied.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { addUser } from "../identity/helpers.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { UiClient } from "./ui-client.ts";

const ND = "/work/shared/nd-openapi";
let srv: TestServer;
let admin: UiClient;
beforeAll(async () => {
  srv = await startTestServer();
  const u = await addUser(srv.db.sql, { username: "cat", roles: ["admin"] });
  admin = new UiClient(srv);
  await admin.login(u.username, u.password);
  await admin.page("/catalog");
});
afterAll(() => srv.stop());

function upload(files: { name: string; text: string }[]): Promise<Response> {
  const f = new FormData();
  f.set("csrf", admin.csrf!);
  for (const file of files) f.append("files", new File([file.text], file.name, { type: "application/json" }));
  return admin.request("/catalog/import", { method: "POST", body: f });
}

test("browse: search as a fragment, filter by risk, an operation with risk, parameters and body schema", async () => {
  const page = await admin.page("/catalog");
  expect(page.text).toContain("<code>core</code>");
  const hits = await (
    await admin.request("/catalog/operations?q=create+vrf", { headers: { "hx-request": "true" } })
  ).text();
  expect(hits).toStartWith(`<div id="catalog-results"`);
  expect(hits).toContain(`href="/catalog/operations/ndfc.createVrf"`);
  const writes = await (
    await admin.request("/catalog/operations?risk=write", { headers: { "hx-request": "true" } })
  ).text();
  expect(writes).toContain("ndfc.createVrf");
  expect(writes).not.toMatch(/badge ok">read</);
  const op = await admin.page("/catalog/operations/ndfc.createVrf");
  expect(op.text).toMatch(/badge warn">write<\/span> \S/);
  expect(op.text).toContain("Request body");
  expect(op.text).toContain("<code>fabric</code>");
  expect((await admin.request("/catalog/operations/ndfc.noSuch")).status).toBe(404);
  // Viewers browse too (clusters:use) but get no import form.
  const v = await addUser(srv.db.sql, { username: "catv", roles: ["viewer"] });
  const viewer = new UiClient(srv);
  await viewer.login(v.username, v.password);
  const seen = await viewer.page("/catalog");
  expect(seen.res.status).toBe(200);
  expect(seen.text).not.toContain(`action="/catalog/import"`);
  expect((await viewer.post("/catalog/import", {})).status).toBe(403);
});

test("import by upload: a broken file gets the importer's error with its position; a hostile description is escaped", async () => {
  const bad = await upload([
    { name: "orchestrator-truncated.json", text: readFileSync(`${ND}/bad/orchestrator-truncated.json`, "utf8") },
  ]);
  expect(bad.status).toBe(400);
  expect(await bad.text()).toMatch(/orchestrator-truncated\.json: invalid JSON at line 51343, column 6/);

  const doc = JSON.parse(readFileSync(`${ND}/onemanage.json`, "utf8"));
  const [path, item] = Object.entries(
    doc.paths as Record<string, Record<string, { operationId?: string; description?: string; summary?: string }>>,
  )[0]!;
  const [method, op] = Object.entries(item).find(([, o]) => typeof o === "object" && o && "operationId" in o)!;
  op.description = `<script>alert(1)</script><img src=x onerror=alert(2)>`;
  op.summary = `Hostile <b>summary</b>`;
  const ok = await upload([{ name: "onemanage.json", text: JSON.stringify(doc) }]);
  const text = await ok.text();
  expect(ok.status).toBe(200);
  expect(text).toMatch(/onemanage\.json<\/strong>: imported as onemanage version 1, 16 operations/);
  const hits = await (
    await admin.request("/catalog/operations?q=hostile+summary", { headers: { "hx-request": "true" } })
  ).text();
  const id = /href="\/catalog\/operations\/([^"]+)"/.exec(hits)![1]!;
  const detail = await admin.page(`/catalog/operations/${id}`);
  expect(detail.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  expect(detail.text).toContain("Hostile &lt;b&gt;summary&lt;/b&gt;");
  expect(detail.text).not.toContain("<script>alert");
  expect(detail.text).not.toContain("<img src=x");
  expect(detail.text).toContain(`${method.toUpperCase()} `);
  expect(path.length).toBeGreaterThan(1);
});
