// Turns the bytes of an uploaded or fetched file into an OpenAPI 3 document, or into one
// error message that names the file and, for syntax errors, the line and column. Never throws:
// one bad document must not stop the others from importing.

import { createHash } from "node:crypto";
import { locateJsonError } from "./json-position.ts";

export interface SourceFile {
  /** File name as the user knows it (e.g. "bad/orchestrator-truncated.json"); used in messages. */
  name: string;
  bytes: Uint8Array;
}

export interface OpenApiDocument {
  openapi: string;
  info?: { title?: string; version?: string; [key: string]: unknown };
  servers?: Array<{ url?: string; [key: string]: unknown }>;
  paths: Record<string, unknown>;
  components?: Record<string, unknown>;
  security?: unknown;
  [key: string]: unknown;
}

export type LoadResult = { ok: true; document: OpenApiDocument; sha256: string } | { ok: false; error: string };

/** Uploads beyond this are refused before parsing (the largest ND document is ~2 MB). */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

export function loadOpenApi(file: SourceFile): LoadResult {
  if (file.bytes.byteLength > MAX_DOCUMENT_BYTES) {
    return {
      ok: false,
      error: `${file.name}: too large (${file.bytes.byteLength} bytes, limit ${MAX_DOCUMENT_BYTES})`,
    };
  }
  const text = decodeUtf8(file.bytes);
  if (text === null) return { ok: false, error: `${file.name}: not valid UTF-8 text` };
  const parsed = looksLikeYaml(file.name, text) ? parseYaml(file.name, text) : parseJson(file.name, text);
  if (!parsed.ok) return parsed;
  const problem = structuralProblem(parsed.value);
  if (problem) return { ok: false, error: `${file.name}: ${problem}` };
  return { ok: true, document: parsed.value as OpenApiDocument, sha256: sha256Hex(file.bytes) };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return null;
  }
}

function looksLikeYaml(name: string, text: string): boolean {
  if (/\.ya?ml$/i.test(name)) return true;
  if (/\.json$/i.test(name)) return false;
  const first = text.trimStart()[0];
  return first !== "{" && first !== "[";
}

function parseJson(name: string, text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const at = locateJsonError(text);
    if (!at) return { ok: false, error: `${name}: invalid JSON: ${(e as Error).message}` };
    // Report the byte offset: that is what `wc -c`, `dd` and hex editors count.
    const byteOffset = Buffer.byteLength(text.slice(0, at.offset), "utf8");
    return {
      ok: false,
      error: `${name}: invalid JSON at line ${at.line}, column ${at.column} (offset ${byteOffset}): ${at.message}`,
    };
  }
}

function parseYaml(name: string, text: string): Parsed {
  try {
    return { ok: true, value: Bun.YAML.parse(text) };
  } catch (e) {
    return { ok: false, error: `${name}: invalid YAML: ${(e as Error).message}` };
  }
}

/** Checks only what the importer relies on; everything else is parsed leniently. */
function structuralProblem(value: unknown): string | null {
  if (!isRecord(value)) return "not an OpenAPI document (the top level is not an object)";
  const version = value.openapi;
  if (version === undefined) {
    return value.swagger !== undefined
      ? `Swagger ${String(value.swagger)} is not supported, only OpenAPI 3.x`
      : 'not an OpenAPI 3 document (no "openapi" field)';
  }
  if (typeof version !== "string" || !/^3\.\d+(\.\d+)?/.test(version)) {
    return `unsupported OpenAPI version ${JSON.stringify(version)} (only 3.x)`;
  }
  if (!isRecord(value.paths)) return 'not an OpenAPI 3 document (no "paths" object)';
  if (Object.keys(value.paths).length === 0) return 'the "paths" object is empty: no operations to import';
  if (value.components !== undefined && !isRecord(value.components)) return '"components" is not an object';
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
