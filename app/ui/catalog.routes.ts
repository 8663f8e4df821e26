/**
 * Page 9: the catalog. Thin routes: versions from the catalog tables, search through the
 * catalog index (the same ranking the model's search_operations uses), one operation from the
 * active catalog, and import by upload through `importDocuments` (settings:manage, audited,
 * the same per-file errors as `catalog import`).
 */
import { activeRiskCounts, listVersions, loadActiveOperation } from "../catalog/catalog.sql.ts";
import { renderSchema } from "../catalog/compact-schema.ts";
import { uploadInput } from "../catalog/import-inputs.ts";
import { importDocuments } from "../catalog/import.ts";
import { RISK_CLASSES, type RiskClass } from "../catalog/operation.ts";
import { NotFound } from "../errors.ts";
import { catalogPage, operationDetail, operationHits, type OpHitView } from "../../views/catalog.ts";
import { allows } from "./pages.ts";
import { get, post, type SignedInRequest, type UiRoute } from "./ui-route.ts";

const MAX_FILES = 20;
const MAX_BYTES = 64 * 1024 * 1024;

async function search(req: SignedInRequest): Promise<{ q: string; risk: string; hits: OpHitView[] }> {
  const q = (req.url.searchParams.get("q") ?? "").trim().slice(0, 200);
  const riskParam = req.url.searchParams.get("risk") ?? "";
  const risk = (RISK_CLASSES as readonly string[]).includes(riskParam) ? riskParam : "";
  if (!q && !risk) return { q, risk, hits: [] };
  const filter = risk ? { risks: [risk as RiskClass] } : {};
  let ops;
  if (q)
    ops = (await req.deps.services.catalogIndex.search(req.deps.sql, q, { limit: 25, filter })).map((h) => h.operation);
  else
    ops = (await req.deps.services.catalogIndex.index(req.deps.sql)).operations
      .filter((o) => o.risk === risk)
      .slice(0, 50);
  return {
    q,
    risk,
    hits: ops.map((o) => ({ id: o.id, summary: o.summary, method: o.method, path: o.path, risk: o.risk })),
  };
}

async function page(req: SignedInRequest, imported: Parameters<typeof catalogPage>[0]["imported"] = null) {
  const [versions, counts, s] = await Promise.all([
    listVersions(req.deps.sql),
    activeRiskCounts(req.deps.sql),
    search(req),
  ]);
  const byRisk = new Map<string, number>();
  for (const c of counts) byRisk.set(c.risk, (byRisk.get(c.risk) ?? 0) + c.count);
  return catalogPage({
    csrf: req.session.csrf,
    versions,
    counts: RISK_CLASSES.map((r) => ({ risk: r, count: byRisk.get(r) ?? 0 })),
    canImport: allows(req.session.caller.principal, "settings:manage"),
    ...s,
    risks: RISK_CLASSES,
    imported,
  });
}

export function catalogRoutes(): UiRoute[] {
  return [
    get("/catalog", "clusters:use", async (req) => ({ title: "Catalog", main: await page(req) })),

    get("/catalog/operations", "clusters:use", async (req) => {
      const s = await search(req);
      const results = operationHits(s.q, s.risk, s.hits);
      return { title: "Catalog search", main: results, fragment: results };
    }),

    get("/catalog/operations/:id", "clusters:use", async (req) => {
      const op = await loadActiveOperation(req.deps.sql, req.params.id!);
      if (!op) throw new NotFound(`no operation ${req.params.id!.slice(0, 80)} in the active catalog`);
      return {
        title: op.summary,
        main: operationDetail({
          id: op.id,
          summary: op.summary,
          description: op.description,
          method: op.method,
          path: op.path,
          risk: op.risk,
          riskReason: op.riskReason,
          idempotent: op.idempotent,
          scopes: op.scopes,
          tags: op.tags,
          secretFields: op.secretFields,
          params: op.parameters.map((p) => ({
            name: p.name,
            in: p.in,
            required: p.required,
            type: p.type,
            description: p.description ?? "",
            enumText: p.enum ? `one of ${p.enum.slice(0, 12).join(", ")}${p.enum.length > 12 ? ", …" : ""}` : "",
          })),
          body: op.requestBody
            ? {
                contentType: op.requestBody.contentType,
                required: op.requestBody.required,
                multipart: op.requestBody.multipart,
                schema: renderSchema(op.requestBody.schema, op.schemas, { maxChars: 4000 }),
              }
            : null,
          response: op.response?.schema
            ? {
                status: op.response.status,
                schema: renderSchema(op.response.schema, op.schemas, { maxChars: 3000, maxDepth: 3 }),
              }
            : null,
        }),
      };
    }),

    post("/catalog/import", "settings:manage", async (req) => {
      const files = req.form.getAll("files").filter((f): f is File => typeof f !== "string" && f.size > 0);
      if (!files.length)
        return {
          title: "Catalog",
          status: 400,
          main: await page(req, [
            { fileName: "(none)", status: "failed", error: "choose one or more OpenAPI JSON files to import" },
          ]),
        };
      if (files.length > MAX_FILES || files.reduce((n, f) => n + f.size, 0) > MAX_BYTES) {
        return {
          title: "Catalog",
          status: 400,
          main: await page(req, [
            {
              fileName: `${files.length} files`,
              status: "failed",
              error: `import at most ${MAX_FILES} files and 64 MiB at a time`,
            },
          ]),
        };
      }
      const inputs = await Promise.all(
        files.map(async (f) => uploadInput(f.name, new Uint8Array(await f.arrayBuffer()))),
      );
      const report = await importDocuments(req.deps.sql, req.session.caller, inputs);
      return { title: "Catalog", status: report.failed ? 400 : 200, main: await page(req, report.outcomes) };
    }),
  ];
}
