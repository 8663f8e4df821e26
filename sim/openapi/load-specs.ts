/**
 * Reads Cisco's OpenAPI documents from a directory (and its subdirectories) at run time — they
 * are never bundled. A file that is not valid JSON (the published, truncated Orchestrator file)
 * is skipped with a log line naming the file and where its input ends; the others still load.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import type { OpenApiDocument } from "./openapi-types.ts";

export interface LoadedSpec {
  /** API name derived from the file name: analyze, infra, manage, onemanage, orchestrator. */
  api: string;
  file: string;
  doc: OpenApiDocument;
}

export interface SkippedSpec {
  file: string;
  reason: string;
}

export function loadSpecs(dir: string, log: (line: string) => void): { specs: LoadedSpec[]; skipped: SkippedSpec[] } {
  const specs: LoadedSpec[] = [];
  const skipped: SkippedSpec[] = [];
  for (const file of jsonFiles(dir)) {
    const name = relative(dir, file);
    const text = readFileSync(file, "utf8");
    try {
      const doc = JSON.parse(text) as OpenApiDocument;
      if (!doc.paths || !doc.openapi) throw new SyntaxError("not an OpenAPI 3 document (no openapi/paths)");
      specs.push({ api: basename(file, ".json").toLowerCase(), file: name, doc });
    } catch (error) {
      const reason = `${(error as Error).message}; ${describeEnd(text)}`;
      skipped.push({ file: name, reason });
      log(`ndsim: skipping OpenAPI document ${name}: ${reason}`);
    }
  }
  return { specs, skipped };
}

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    const stat = statSync(full);
    if (stat.isDirectory()) out.push(...jsonFiles(full));
    else if (entry.endsWith(".json")) out.push(full);
  }
  return out;
}

/** Where the input ends and how many brackets are still open: enough to spot a truncated file. */
export function describeEnd(text: string): string {
  let depth = 0;
  let inString = false;
  let line = 1;
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    column++;
    if (ch === "\n") {
      line++;
      column = 0;
    }
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
  }
  const where = `input ends at line ${line} column ${column + 1} (character ${text.length})`;
  return depth > 0 ? `${where} with ${depth} unclosed bracket(s): the document is truncated` : where;
}
