// `bun run cli catalog …`: import documents, search the catalog, show one operation.
// Handlers take the database, the arguments after the command words and a line printer, and
// return the exit code (0 ok, 1 failure, 2 usage); app/cli.ts wires them in.

import type { Sql } from "postgres";
import { parseArgs } from "./cli-context.ts";
import { listVersions, loadActiveOperation, loadActiveSearchable } from "../catalog/catalog.sql.ts";
import { renderOneLine, renderOperation } from "../catalog/compact.ts";
import { readCoreDocument } from "../catalog/core-document.ts";
import { importDocuments, type ImportOutcome } from "../catalog/import.ts";
import type { Caller } from "../identity/caller.ts";
import { readPathInputs, type ImportInput } from "../catalog/import-inputs.ts";
import { RISK_CLASSES, type RiskClass } from "../catalog/operation.ts";
import { buildSearchIndex, searchCatalog, type SearchFilter } from "../catalog/search.ts";

export type Out = (line: string) => void;
export type CatalogCommand = (db: Sql, args: string[], out: Out, caller?: Caller) => Promise<number>;

const OK = 0;
const FAILED = 1;
const USAGE = 2;

/** `catalog import DIR|FILE… [--core]` — imports documents; exit 1 if any file failed. */
export const importCommand: CatalogCommand = async (db, args, out, caller) => {
  if (!caller) throw new Error("catalog import needs the operator (a Caller)");
  const { positional, options } = parseArgs(args);
  const inputs: ImportInput[] = [];
  if (options.core) {
    const core = await readCoreDocument();
    if (core) inputs.push(core);
    else out("no core document (app/catalog/core.openapi.json); skipped");
  }
  for (const path of positional) inputs.push(...(await readPathInputs(path)));
  if (inputs.length === 0) {
    out("usage: catalog import DIR|FILE… [--core]");
    return USAGE;
  }
  const report = await importDocuments(db, caller, inputs);
  for (const outcome of report.outcomes) out(outcomeLine(outcome));
  out(
    `${report.imported} imported, ${report.unchanged} unchanged, ${report.failed} failed in ${(report.durationMs / 1000).toFixed(2)} s`,
  );
  return report.failed > 0 ? FAILED : OK;
};

function outcomeLine(o: ImportOutcome): string {
  if (o.status === "failed") return `failed     ${o.error}`;
  const warnings = o.warnings && o.warnings.length > 0 ? `, ${o.warnings.length} warnings` : "";
  return `${o.status.padEnd(10)} ${o.fileName} → ${o.source} v${o.version} (${o.operations} operations${warnings})`;
}

/** `catalog search WORDS… [--limit N] [--api a,b] [--risk read,write]` */
export const searchCommand: CatalogCommand = async (db, args, out) => {
  const { positional, options } = parseArgs(args);
  const query = positional.join(" ").trim();
  const risks = listOption(options.risk);
  if (query === "" || (risks && risks.some((r) => !RISK_CLASSES.includes(r as RiskClass)))) {
    out(`usage: catalog search WORDS… [--limit N] [--api API,…] [--risk ${RISK_CLASSES.join(",")}]`);
    return USAGE;
  }
  const filter: SearchFilter = {};
  const apis = listOption(options.api);
  if (apis) filter.apis = apis;
  if (risks) filter.risks = risks as RiskClass[];
  const index = buildSearchIndex(await loadActiveSearchable(db));
  const limit = Math.max(1, Math.min(100, Number(options.limit) || 10));
  const hits = searchCatalog(index, query, { limit, filter });
  if (hits.length === 0) out("no matching operations");
  for (const hit of hits) out(renderOneLine(hit.operation));
  return OK;
};

/** `catalog show ID` — everything needed to call one operation. */
export const showCommand: CatalogCommand = async (db, args, out) => {
  const id = parseArgs(args).positional[0];
  if (!id) {
    out("usage: catalog show ID");
    return USAGE;
  }
  const op = await loadActiveOperation(db, id);
  if (op) {
    for (const line of renderOperation(op).split("\n")) out(line);
    return OK;
  }
  out(`no operation ${id} in the active catalog`);
  const similar = searchCatalog(buildSearchIndex(await loadActiveSearchable(db)), id, { limit: 3 });
  if (similar.length > 0) out(`did you mean: ${similar.map((h) => h.id).join(", ")}`);
  return FAILED;
};

/** `catalog versions [SOURCE]` — imported versions, the active one marked. */
export const versionsCommand: CatalogCommand = async (db, args, out) => {
  const versions = await listVersions(db, parseArgs(args).positional[0]);
  if (versions.length === 0) out("the catalog is empty");
  for (const v of versions) {
    const mark = v.active ? "*" : " ";
    out(
      `${mark} ${v.source} v${v.version}  ${v.title} ${v.apiVersion}  ${v.operationCount} ops  ${v.origin}:${v.originDetail}  ${v.importedAt.toISOString()}`,
    );
  }
  return OK;
};

/** Command words → handler, for the dispatcher in app/cli.ts. */
export const CATALOG_COMMANDS: Readonly<Record<string, CatalogCommand>> = {
  "catalog import": importCommand,
  "catalog search": searchCommand,
  "catalog show": showCommand,
  "catalog versions": versionsCommand,
};

function listOption(value: string | true | undefined): string[] | undefined {
  return typeof value === "string"
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
    : undefined;
}
