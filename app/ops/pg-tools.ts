/**
 * PostgreSQL's own client tools (pg_dump, pg_restore, psql) pointed at DATABASE_URL.
 *
 * Guarantees: the connection goes to the tools through libpq environment variables (PGHOST,
 * PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE …), never on the command line, where other
 * users could read a password in the process list. `?host=/dir` (a unix socket directory, as on
 * the appliance) works as it does for the app (app/db.ts `connect()`). Variables not given by the
 * URL (PGUSER on the appliance) are inherited. A tool's stderr is kept (bounded) for the error
 * message; DATABASE_URL itself never appears in one.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BackupError } from "./backup-error.ts";

/** libpq parameters that may come as URL query parameters, and their environment variables. */
const QUERY_ENV: Record<string, string> = {
  host: "PGHOST",
  port: "PGPORT",
  sslmode: "PGSSLMODE",
  sslrootcert: "PGSSLROOTCERT",
  sslcert: "PGSSLCERT",
  sslkey: "PGSSLKEY",
  sslcrl: "PGSSLCRL",
  connect_timeout: "PGCONNECT_TIMEOUT",
  application_name: "PGAPPNAME",
  target_session_attrs: "PGTARGETSESSIONATTRS",
};

/** The libpq environment for a postgres:// URL, on top of `base` (which it overrides). */
export function libpqEnv(databaseUrl: string, base: Record<string, string | undefined>): Record<string, string> {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new BackupError("unsupported", "DATABASE_URL is not a valid postgres:// URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw new BackupError("unsupported", "DATABASE_URL is not a postgres:// URL");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !k.startsWith("PG")) env[k] = v;
  // PG* variables of the caller stay unless the URL says otherwise (the appliance sets PGUSER).
  for (const k of [
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSSLMODE",
    "PGPASSFILE",
    "PGSERVICEFILE",
  ]) {
    if (base[k] !== undefined) env[k] = base[k]!;
  }
  if (url.hostname) env.PGHOST = decodeURIComponent(url.hostname.replace(/^\[|\]$/g, ""));
  if (url.port) env.PGPORT = url.port;
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database) env.PGDATABASE = database;
  for (const [param, value] of url.searchParams) {
    const name = QUERY_ENV[param];
    if (name) env[name] = value;
  }
  env.PGAPPNAME ??= "nexus-mcp-ops";
  return env;
}

/** A client tool: on PATH (Debian's pg_wrapper picks a suitable version), else the newest installed. */
export function pgTool(name: "pg_dump" | "pg_restore" | "psql"): string {
  const onPath = Bun.which(name);
  if (onPath) return onPath;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const path = join(root, v, "bin", name);
    if (existsSync(path)) return path;
  }
  throw new BackupError(
    "tool_failed",
    `${name} not found; install PostgreSQL's client tools (Debian: apt-get install postgresql-client)`,
  );
}

/** The chunks of a web stream (a child's stdout or stderr), in order. */
export async function* chunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) yield next.value;
  } finally {
    reader.releaseLock();
  }
}

/** Collects a child's stderr, keeping the last 8 KiB. */
export async function collectStderr(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of chunks(stream)) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length > 16_384) text = text.slice(-8192);
  }
  return text.trim();
}

/** A tool's failure as one safe line: its last stderr lines, URLs masked. */
export function toolFailure(tool: string, code: number | null, stderr: string): BackupError {
  const lines = stderr
    .replace(/postgres(ql)?:\/\/\S+/g, "<url>")
    .split("\n")
    .filter(Boolean)
    .slice(-3)
    .join(" | ");
  return new BackupError("tool_failed", `${tool} failed (exit ${code ?? "signal"})${lines ? `: ${lines}` : ""}`);
}

/** `pg_dump --version` → "pg_dump (PostgreSQL) 15.14" */
export async function toolVersion(path: string): Promise<string> {
  const child = Bun.spawn([path, "--version"], { stdout: "pipe", stderr: "ignore" });
  const text = (await new Response(child.stdout).text()).trim();
  await child.exited;
  return text;
}
