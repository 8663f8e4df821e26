// Where documents come from: a directory or file on the appliance, a browser upload, or a
// cluster (through a callback, so this module knows nothing about the ND client). A source that
// cannot even be read becomes a FailedInput, reported next to the others rather than thrown.

import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ImportOrigin } from "./catalog.sql.ts";

export interface DocumentInput {
  /** Shown in messages and stored with the version: "manage.json", "bad/orchestrator-truncated.json". */
  fileName: string;
  bytes: Uint8Array;
  origin: ImportOrigin;
  /** Directory path, file path, uploader's file name or cluster name. */
  originDetail: string;
}

export interface FailedInput {
  fileName: string;
  error: string;
  origin: ImportOrigin;
  originDetail: string;
}

export type ImportInput = DocumentInput | FailedInput;

/** What a cluster hands back for one document (the ND client implements the callback). */
export interface FetchedDocument {
  name: string;
  bytes: Uint8Array;
}

export type FetchDocument = () => Promise<FetchedDocument>;

const DOCUMENT_FILE = /\.(json|ya?ml)$/i;

export function isFailedInput(input: ImportInput): input is FailedInput {
  return "error" in input;
}

/** The OpenAPI files directly in `dir` (not recursive), in name order. */
export async function readDirectoryInputs(dir: string): Promise<ImportInput[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && DOCUMENT_FILE.test(e.name))
      .map((e) => e.name);
  } catch (e) {
    return [
      {
        fileName: dir,
        error: `${dir}: cannot read directory (${(e as NodeJS.ErrnoException).code ?? "error"})`,
        origin: "directory",
        originDetail: dir,
      },
    ];
  }
  names.sort();
  return Promise.all(names.map((name) => readOne(join(dir, name), name, "directory", dir)));
}

/** One file; `displayName` defaults to the file's base name. */
export async function readFileInput(path: string, displayName = basename(path)): Promise<ImportInput> {
  return readOne(path, displayName, "file", path);
}

/** A directory or a file, whichever `path` is (the CLI's `import DIR|FILE`). */
export async function readPathInputs(path: string): Promise<ImportInput[]> {
  try {
    return (await stat(path)).isDirectory() ? readDirectoryInputs(path) : [await readFileInput(path)];
  } catch (e) {
    return [
      {
        fileName: path,
        error: `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? "error"})`,
        origin: "file",
        originDetail: path,
      },
    ];
  }
}

export function uploadInput(fileName: string, bytes: Uint8Array): DocumentInput {
  const name = basename(fileName.replace(/\\/g, "/")) || "upload.json";
  return { fileName: name, bytes, origin: "upload", originDetail: name };
}

/** Runs the cluster's fetch callback; a network or HTTP failure becomes a FailedInput. */
export async function fetchClusterInput(cluster: string, fetchDocument: FetchDocument): Promise<ImportInput> {
  try {
    const { name, bytes } = await fetchDocument();
    return { fileName: name, bytes, origin: "cluster", originDetail: cluster };
  } catch (e) {
    return {
      fileName: `${cluster}`,
      error: `${cluster}: could not fetch the document: ${(e as Error).message}`,
      origin: "cluster",
      originDetail: cluster,
    };
  }
}

async function readOne(
  path: string,
  fileName: string,
  origin: ImportOrigin,
  originDetail: string,
): Promise<ImportInput> {
  try {
    return { fileName, bytes: new Uint8Array(await readFile(path)), origin, originDetail };
  } catch (e) {
    return {
      fileName,
      error: `${fileName}: cannot read file (${(e as NodeJS.ErrnoException).code ?? "error"})`,
      origin,
      originDetail,
    };
  }
}
