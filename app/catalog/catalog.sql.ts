// Queries of the operation catalog (sql/0006_catalog.sql). Every value is a bind parameter;
// columns are listed explicitly and mapped to camelCase here, nowhere else. The functions take
// `db` first and work on a pool or inside a transaction alike; callers that write several rows
// (import.ts) own the transaction.

import type postgres from "postgres";
import type { JsonSchema, Operation, RiskClass } from "./operation.ts";
import type { SearchableOperation } from "./search.ts";

/** A pool or a transaction: the queries below run on either. */
export type { Db } from "../db.ts";
import type { Db } from "../db.ts";

export type ImportOrigin = "directory" | "file" | "upload" | "cluster";

export interface NewVersion {
  source: string;
  version: number;
  sha256: string;
  origin: ImportOrigin;
  originDetail: string;
  fileName: string;
  title: string;
  apiVersion: string;
  openapi: string;
  basePath: string;
  operationCount: number;
  warnings: string[];
  importedBy: string | null;
}

export interface CatalogVersion extends NewVersion {
  id: number;
  active: boolean;
  importedAt: Date;
}

export interface ActiveVersionRef {
  id: number;
  version: number;
  sha256: string;
  operationCount: number;
}

export async function ensureSource(db: Db, name: string): Promise<void> {
  await db`insert into catalog_sources (name) values (${name}) on conflict (name) do nothing`;
}

/** Serialises imports of one source across nodes until the transaction ends. */
export async function lockSource(db: Db, name: string): Promise<void> {
  await db`select name from catalog_sources where name = ${name} for update`;
}

export async function activeVersionOf(db: Db, source: string): Promise<ActiveVersionRef | null> {
  const rows = await db<ActiveVersionRef[]>`
    select id, version, sha256, operation_count as "operationCount"
    from catalog_versions where source = ${source} and active`;
  return rows[0] ?? null;
}

export async function nextVersionNumber(db: Db, source: string): Promise<number> {
  const rows = await db<{ next: number }[]>`
    select coalesce(max(version), 0) + 1 as next from catalog_versions where source = ${source}`;
  return Number(rows[0]!.next);
}

export async function deactivateSource(db: Db, source: string): Promise<void> {
  await db`update catalog_versions set active = false where source = ${source} and active`;
}

/** Inserts a version as the active one; call deactivateSource first. */
export async function insertVersion(db: Db, v: NewVersion): Promise<number> {
  const rows = await db<{ id: number }[]>`
    insert into catalog_versions
      (source, version, sha256, origin, origin_detail, file_name, title, api_version, openapi,
       base_path, operation_count, warnings, active, imported_by)
    values
      (${v.source}, ${v.version}, ${v.sha256}, ${v.origin}, ${v.originDetail}, ${v.fileName},
       ${v.title}, ${v.apiVersion}, ${v.openapi}, ${v.basePath}, ${v.operationCount},
       ${json(db, v.warnings)}, true, ${v.importedBy})
    returning id`;
  return rows[0]!.id;
}

/**
 * All operations of a version in two statements: the rows travel as one JSON parameter and
 * PostgreSQL unpacks them (jsonb_to_recordset), far faster than 844 round trips. Component
 * schemas are stored once per version however many operations reach them.
 */
export async function insertOperations(db: Db, versionId: number, operations: readonly Operation[]): Promise<void> {
  if (operations.length === 0) return;
  const schemas = new Map<string, JsonSchema>();
  for (const op of operations) for (const [ref, schema] of Object.entries(op.schemas)) schemas.set(ref, schema);
  if (schemas.size > 0) {
    const rows = [...schemas].map(([ref, schema]) => ({ ref, schema }));
    await db`
      insert into catalog_schemas (version_id, ref, schema)
      select ${versionId}, r.ref, r.schema
      from jsonb_to_recordset(${json(db, rows)}) as r(ref text, schema jsonb)`;
  }
  await db`
    insert into catalog_operations
      (version_id, id, api, operation_id, method, path, summary, summary_synthesized, description,
       tags, scopes, risk, risk_reason, idempotent, parameters, request_body, response, schema_refs,
       secret_fields)
    select ${versionId}, r.id, r.api, r.operation_id, r.method, r.path, r.summary,
           r.summary_synthesized, r.description, r.tags, r.scopes, r.risk, r.risk_reason,
           r.idempotent, r.parameters, r.request_body, r.response, r.schema_refs, r.secret_fields
    from jsonb_to_recordset(${json(db, operations.map(toRecord))}) as r(
      id text, api text, operation_id text, method text, path text, summary text,
      summary_synthesized boolean, description text, tags text[], scopes text[], risk text,
      risk_reason text, idempotent boolean, parameters jsonb, request_body jsonb, response jsonb,
      schema_refs text[], secret_fields text[])`;
}

/** A JSON parameter; the driver serialises once (a pre-stringified value would arrive as a JSON string). */
function json(db: Db, value: unknown): postgres.Parameter {
  return db.json(value as postgres.JSONValue);
}

function toRecord(op: Operation): Record<string, unknown> {
  return {
    id: op.id,
    api: op.api,
    operation_id: op.operationId,
    method: op.method,
    path: op.path,
    summary: op.summary,
    summary_synthesized: op.summarySynthesized,
    description: op.description,
    tags: op.tags,
    scopes: op.scopes,
    risk: op.risk,
    risk_reason: op.riskReason,
    idempotent: op.idempotent,
    parameters: op.parameters,
    request_body: op.requestBody,
    response: op.response,
    schema_refs: Object.keys(op.schemas),
    secret_fields: op.secretFields,
  };
}

/** Versions, newest first; all sources unless one is named. */
export async function listVersions(db: Db, source?: string): Promise<CatalogVersion[]> {
  const rows = await db<CatalogVersion[]>`
    select id, source, version, sha256, origin, origin_detail as "originDetail",
           file_name as "fileName", title, api_version as "apiVersion", openapi,
           base_path as "basePath", operation_count as "operationCount", warnings, active,
           imported_at as "importedAt", imported_by as "importedBy"
    from catalog_versions
    where ${source === undefined} or source = ${source ?? ""}
    order by source, version desc`;
  return [...rows];
}

/** Makes an older (or the latest) version of a source the active one. False when it does not exist. */
export async function activateVersion(db: Db, source: string, version: number): Promise<boolean> {
  const rows = await db<{ id: number }[]>`
    select id from catalog_versions where source = ${source} and version = ${version}`;
  if (rows.length === 0) return false;
  await deactivateSource(db, source);
  await db`update catalog_versions set active = true where id = ${rows[0]!.id}`;
  return true;
}

/**
 * Identifies the active catalog: changes whenever any source gets a new active version. Cheap
 * enough to ask on every search, which keeps cached indexes correct on every node.
 */
export async function activeCatalogStamp(db: Db): Promise<string> {
  const rows = await db<{ stamp: string | null }[]>`
    select string_agg(id::text, ',' order by id) as stamp from catalog_versions where active`;
  return rows[0]?.stamp ?? "";
}

/** The fields search and listings need, for every active operation (no schemas). */
export async function loadActiveSearchable(db: Db): Promise<SearchableOperation[]> {
  const rows = await db<SearchableOperation[]>`
    select id, api, operation_id as "operationId", method, path, summary, description, tags,
           risk, parameters
    from catalog_active_operations
    order by id`;
  return [...rows];
}

/**
 * Full operations of the active catalog by id (missing ids are simply absent). Where two
 * active sources define one id, the view catalog_active_operations picks the winner.
 */
export async function loadActiveOperations(db: Db, ids: readonly string[]): Promise<Operation[]> {
  if (ids.length === 0) return [];
  const rows = await db<Operation[]>`
    select o.id, o.api, o.source, o.operation_id as "operationId", o.method, o.path, o.summary,
           o.summary_synthesized as "summarySynthesized", o.description, o.tags, o.scopes,
           o.risk, o.risk_reason as "riskReason", o.idempotent, o.parameters,
           o.request_body as "requestBody", o.response,
           coalesce((select jsonb_object_agg(s.ref, s.schema)
                     from catalog_schemas s
                     where s.version_id = o.version_id and s.ref = any(o.schema_refs)), '{}'::jsonb) as schemas,
           o.secret_fields as "secretFields"
    from catalog_active_operations o
    where o.id = any(${[...ids]}::text[])
    order by o.id`;
  return rows.map((row) => ({ ...row }));
}

export async function loadActiveOperation(db: Db, id: string): Promise<Operation | null> {
  return (await loadActiveOperations(db, [id]))[0] ?? null;
}

/** Counts per source and risk class of the active catalog, for status pages. */
export async function activeRiskCounts(db: Db): Promise<Array<{ api: string; risk: RiskClass; count: number }>> {
  const rows = await db<Array<{ api: string; risk: RiskClass; count: number }>>`
    select api, risk, count(*)::int as count
    from catalog_active_operations
    group by api, risk
    order by api, risk`;
  return [...rows];
}
