// Importing OpenAPI documents into the catalog.
//
// Guarantees: documents are parsed before the transaction opens (the CPU work never holds
// locks); one bad document is reported and the others still import; all writes of one call and
// its audit event commit together or not at all; a source is locked while its next version
// number is chosen, so concurrent imports on several nodes cannot collide; bytes identical to
// the active version change nothing and are reported as "unchanged". An import by a Caller
// needs settings:manage and is audited with that caller; only the app's own start ("bootstrap",
// the bundled document) imports without one.

import type { Sql, TransactionSql } from "postgres";
import { recordAudit } from "../audit/audit-log.ts";
import { requirePermission } from "../identity/authorize.ts";
import { callerName, type Caller } from "../identity/caller.ts";
import {
  activeVersionOf,
  deactivateSource,
  ensureSource,
  insertOperations,
  insertVersion,
  lockSource,
  nextVersionNumber,
} from "./catalog.sql.ts";
import { fetchClusterInput, isFailedInput, type FetchDocument, type ImportInput } from "./import-inputs.ts";
import { apiIdentity } from "./api-name.ts";
import { loadOpenApi, type OpenApiDocument } from "./openapi-load.ts";
import { extractOperations, type ExtractedDocument } from "./operations.ts";
import type { RiskOverrides } from "./risk-overrides.ts";

export interface CatalogAuditEvent {
  action: "catalog.import";
  details: {
    files: Array<{
      file: string;
      status: ImportStatus;
      source?: string;
      version?: number;
      operations?: number;
      error?: string;
    }>;
    imported: number;
    unchanged: number;
    failed: number;
  };
}

export interface ImportDeps {
  /** Writes the audit row inside the import's transaction; default: recordAudit with the caller. */
  audit?(tx: TransactionSql, event: CatalogAuditEvent): Promise<void>;
  /** The cluster the documents came from (named in the default audit row). */
  cluster?: string;
  /** Risk overrides; defaults to the reviewed table in risk-overrides.ts. */
  overrides?: RiskOverrides;
}

export type ImportStatus = "imported" | "unchanged" | "failed";

export interface ImportOutcome {
  fileName: string;
  status: ImportStatus;
  source?: string;
  version?: number;
  operations?: number;
  /** Parse or structure error naming the file (and line/column for syntax errors). */
  error?: string;
  warnings?: string[];
}

export interface ImportReport {
  outcomes: ImportOutcome[];
  imported: number;
  unchanged: number;
  failed: number;
  /** Wall time of the whole import, parse included. */
  durationMs: number;
}

/** A document that parsed; its operations are extracted only if it differs from the active one. */
interface Loaded {
  input: Exclude<ImportInput, { error: string }>;
  sha256: string;
  document: OpenApiDocument;
  api: string;
}

interface Parsed extends Loaded {
  extracted: ExtractedDocument;
}

/** Who imports: a Caller, or the app itself at start ("bootstrap": the bundled document only). */
export type Importer = Caller | "bootstrap";

export async function importDocuments(
  db: Sql,
  by: Importer,
  inputs: readonly ImportInput[],
  deps: ImportDeps = {},
): Promise<ImportReport> {
  if (by !== "bootstrap") requirePermission(by.principal, "settings:manage");
  const actor = by === "bootstrap" ? "bootstrap" : callerName(by);
  const audit = deps.audit ?? (by === "bootstrap" ? undefined : defaultAudit(by, deps.cluster));
  const started = performance.now();
  const outcomes = new Map<number, ImportOutcome>();
  const loaded = new Map<number, Loaded>();
  inputs.forEach((input, i) => {
    const result = loadInput(input);
    if ("error" in result) outcomes.set(i, { fileName: input.fileName, status: "failed", error: result.error });
    else loaded.set(i, result);
  });
  rejectDuplicateSources(loaded, outcomes);
  const parsed = await extractChanged(db, loaded, outcomes, deps.overrides);

  // Lock sources in name order so that two concurrent imports cannot deadlock.
  const order = [...parsed.entries()].sort(([, a], [, b]) => a.api.localeCompare(b.api));
  await db.begin(async (tx) => {
    for (const [i, doc] of order) outcomes.set(i, await storeDocument(tx, doc, actor));
    if (audit) await audit(tx, auditEvent(inputs.map((_, i) => outcomes.get(i)!)));
  });
  return { ...summarise(inputs.map((_, i) => outcomes.get(i)!)), durationMs: performance.now() - started };
}

/** Fetches one document per callback from a cluster and imports them together. */
export async function importFromCluster(
  db: Sql,
  by: Importer,
  cluster: string,
  fetchDocuments: readonly FetchDocument[],
  deps: ImportDeps = {},
): Promise<ImportReport> {
  if (by !== "bootstrap") requirePermission(by.principal, "settings:manage");
  const inputs = await Promise.all(fetchDocuments.map((fetchDocument) => fetchClusterInput(cluster, fetchDocument)));
  return importDocuments(db, by, inputs, { cluster, ...deps });
}

function defaultAudit(caller: Caller, cluster: string | undefined) {
  return async (tx: TransactionSql, event: CatalogAuditEvent) => {
    await recordAudit(tx, { ...event, status: "ok", caller, ...(cluster ? { cluster: { name: cluster } } : {}) });
  };
}

function loadInput(input: ImportInput): Loaded | { error: string } {
  if (isFailedInput(input)) return { error: input.error };
  const result = loadOpenApi({ name: input.fileName, bytes: input.bytes });
  if (!result.ok) return { error: result.error };
  return {
    input,
    sha256: result.sha256,
    document: result.document,
    api: apiIdentity(result.document, input.fileName).api,
  };
}

/**
 * Extraction is most of the CPU time, so documents whose bytes equal the active version are
 * reported unchanged without it. (storeDocument checks again under the source lock.)
 */
async function extractChanged(
  db: Sql,
  loaded: Map<number, Loaded>,
  outcomes: Map<number, ImportOutcome>,
  overrides: RiskOverrides | undefined,
): Promise<Map<number, Parsed>> {
  const parsed = new Map<number, Parsed>();
  for (const [i, doc] of loaded) {
    const active = await activeVersionOf(db, doc.api);
    if (active?.sha256 === doc.sha256) {
      outcomes.set(i, {
        fileName: doc.input.fileName,
        status: "unchanged",
        source: doc.api,
        version: active.version,
        operations: active.operationCount,
      });
      continue;
    }
    const result = extract(doc, overrides);
    if ("error" in result)
      outcomes.set(i, { fileName: doc.input.fileName, status: "failed", source: doc.api, error: result.error });
    else parsed.set(i, result);
  }
  return parsed;
}

function extract(doc: Loaded, overrides: RiskOverrides | undefined): Parsed | { error: string } {
  const name = doc.input.fileName;
  try {
    const extracted = extractOperations(doc.document, name, overrides);
    if (extracted.operations.length === 0) return { error: `${name}: defines no operations` };
    return { ...doc, extracted };
  } catch (e) {
    // Extraction is lenient by design; reaching this is a bug, but one file must not sink the rest.
    return { error: `${name}: cannot extract operations: ${(e as Error).message}` };
  }
}

/** Two files of one import describing the same API would fight over one active version. */
function rejectDuplicateSources(loaded: Map<number, Loaded>, outcomes: Map<number, ImportOutcome>): void {
  const firstFile = new Map<string, string>();
  for (const [i, doc] of loaded) {
    const first = firstFile.get(doc.api);
    if (first === undefined) {
      firstFile.set(doc.api, doc.input.fileName);
      continue;
    }
    loaded.delete(i);
    outcomes.set(i, {
      fileName: doc.input.fileName,
      status: "failed",
      source: doc.api,
      error: `${doc.input.fileName}: describes API "${doc.api}" like ${first} in the same import; import one of them`,
    });
  }
}

async function storeDocument(tx: TransactionSql, doc: Parsed, actor: string | null): Promise<ImportOutcome> {
  const { extracted, input } = doc;
  const source = doc.api;
  await ensureSource(tx, source);
  await lockSource(tx, source);
  const active = await activeVersionOf(tx, source);
  const base = {
    fileName: input.fileName,
    source,
    operations: extracted.operations.length,
    warnings: extracted.warnings,
  };
  if (active?.sha256 === doc.sha256) return { ...base, status: "unchanged", version: active.version };
  const version = await nextVersionNumber(tx, source);
  await deactivateSource(tx, source);
  const versionId = await insertVersion(tx, {
    source,
    version,
    sha256: doc.sha256,
    origin: input.origin,
    originDetail: input.originDetail,
    fileName: input.fileName,
    title: extracted.title,
    apiVersion: extracted.version,
    openapi: doc.document.openapi,
    basePath: extracted.basePath,
    operationCount: extracted.operations.length,
    warnings: extracted.warnings,
    importedBy: actor,
  });
  await insertOperations(tx, versionId, extracted.operations);
  return { ...base, status: "imported", version };
}

function summarise(outcomes: ImportOutcome[]): Omit<ImportReport, "durationMs"> {
  const count = (status: ImportStatus) => outcomes.filter((o) => o.status === status).length;
  return { outcomes, imported: count("imported"), unchanged: count("unchanged"), failed: count("failed") };
}

function auditEvent(outcomes: ImportOutcome[]): CatalogAuditEvent {
  const files = outcomes.map(({ fileName, status, source, version, operations, error }) => ({
    file: fileName,
    status,
    ...(source !== undefined && { source }),
    ...(version !== undefined && { version }),
    ...(operations !== undefined && { operations }),
    ...(error !== undefined && { error }),
  }));
  const { imported, unchanged, failed } = summarise(outcomes);
  return { action: "catalog.import", details: { files, imported, unchanged, failed } };
}
