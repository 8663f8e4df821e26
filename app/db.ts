/**
 * The database connection. PostgreSQL through the `postgres` driver; without DATABASE_URL an
 * embedded engine (PGlite) is served to the same driver over a private unix socket in a 0700
 * directory, so the rest of the app never knows the difference.
 */
import postgres, { type Sql, type TransactionSql } from "postgres";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StartupError, errorMessage } from "./errors.ts";

export type { Sql, TransactionSql };
/** A pool or a transaction: query functions (`*.sql.ts`) run on either. */
export type Db = Sql | TransactionSql;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids from outside (URLs, CLI arguments, tool arguments) are checked before they reach a uuid column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** PostgreSQL's unique_violation, optionally on one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint_name?: string };
  return e?.code === "23505" && (constraint === undefined || e.constraint_name === constraint);
}
export type Engine = "postgresql" | "embedded";

export interface Database {
  sql: Sql;
  engine: Engine;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  poolMax: number;
  connectAttempts: number;
  onRetry?: (attempt: number, delayMs: number, reason: string) => void;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts);
  return openEmbedded(opts);
}

/**
 * Connects with libpq URL conventions the driver lacks: `?host=/run/postgresql` (a unix socket
 * directory, as on the appliance) is honoured. Nothing else in the app calls `postgres()`.
 */
export function connect(url: string | undefined, options: postgres.Options<{}> = {}): Sql {
  const common: postgres.Options<{}> = { onnotice: () => {}, connect_timeout: 10, idle_timeout: 60, ...options };
  if (!url) return postgres(common);
  const parsed = new URL(url);
  const socketDir = parsed.searchParams.get("host");
  if (socketDir?.startsWith("/")) {
    parsed.searchParams.delete("host");
    return postgres(parsed.toString(), { ...common, host: socketDir, port: Number(parsed.port || 5432) });
  }
  return postgres(url, common);
}

async function openPostgres(url: string, opts: DatabaseOptions): Promise<Database> {
  const sql = connect(url, { max: opts.poolMax });
  await connectWithRetry(sql, opts, "PostgreSQL at DATABASE_URL");
  return wrap(sql, "postgresql", async () => {
    await sql.end({ timeout: 5 });
  });
}

async function openEmbedded(opts: DatabaseOptions): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const dir = join(opts.dataDir, "pglite");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let lite;
  try {
    lite = await PGlite.create(dir);
  } catch (err) {
    throw new StartupError(`embedded database at ${dir} cannot be opened (${errorMessage(err)}); is another gateway using this DATA_DIR?`);
  }
  // A private socket directory: only this process (and its user) can connect.
  const socketDir = mkdtempSync(join(tmpdir(), "nmg-pg-"));
  const port = 5432;
  // PGlite is one backend: the socket server's multiplexer interleaves the extended-protocol
  // messages of concurrent connections ("portal does not exist"), so the embedded engine gets
  // exactly one connection and queries queue in the driver. Fine for a demo; production uses
  // PostgreSQL.
  const server = new PGLiteSocketServer({ db: lite, path: join(socketDir, `.s.PGSQL.${port}`), maxConnections: 1 });
  await server.start();
  const sql = connect(undefined, { host: socketDir, port, database: "postgres", username: "postgres", max: 1 });
  await connectWithRetry(sql, { ...opts, connectAttempts: 3 }, "the embedded database");
  return wrap(sql, "embedded", async () => {
    await sql.end({ timeout: 5 });
    await server.stop();
    await lite.close();
    rmSync(socketDir, { recursive: true, force: true });
  });
}

async function connectWithRetry(sql: Sql, opts: DatabaseOptions, what: string): Promise<void> {
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`;
      return;
    } catch (err) {
      if (attempt >= opts.connectAttempts) {
        await sql.end({ timeout: 1 }).catch(() => {});
        throw new StartupError(`cannot reach ${what} after ${attempt} attempts (${safeDbError(err)}); check that it runs and DATABASE_URL is right`);
      }
      opts.onRetry?.(attempt, delay, safeDbError(err));
      await Bun.sleep(delay);
      delay = Math.min(delay * 2, 8000);
    }
  }
}

/** Driver errors can quote the connection string; keep only the code and a short reason. */
export function safeDbError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = (e.message ?? String(err)).replace(/postgres(ql)?:\/\/\S+/g, "<url>");
  return e.code ? `${e.code}: ${message}` : message;
}

function wrap(sql: Sql, engine: Engine, close: () => Promise<void>): Database {
  let closed = false;
  return {
    sql,
    engine,
    async ping() {
      try {
        await sql`select 1`;
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}
