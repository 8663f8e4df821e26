/**
 * The database connection. PostgreSQL through the `postgres` driver; without DATABASE_URL an
 * embedded engine (PGlite) is served to the same driver over a private unix socket in a 0700
 * directory, so the rest of the app never knows the difference.
 */
import postgres, { type Sql, type TransactionSql } from "postgres";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostname } from "node:os";
import { StartupError, errorMessage } from "./errors.ts";
import { lockDataDir, type LockOwner } from "./data-dir-lock.ts";
import { servePglite } from "./pglite-serve.ts";
import { dbQueries } from "./metrics/metrics.ts";

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
  /** Embedded engine opened by another process (the CLI beside a running gateway): its owner. */
  sharedWith?: LockOwner;
  /** True when the database answers `select 1` within `timeoutMs` (default 1.5 s); never hangs. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  poolMax: number;
  connectAttempts: number;
  /**
   * Embedded engine only: when another process owns the data directory, use the database it
   * serves on its private socket instead of refusing (the CLI beside a running gateway).
   */
  shareEmbedded?: boolean;
  /** Count every statement in nmg_db_queries_total (the bench's round-trip count). */
  countQueries?: boolean;
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

/** How this process's connections are named in pg_stat_activity (the pool-usage metric). */
export const APPLICATION_NAME = `nmg-gateway/${hostname()}/${process.pid}`.slice(0, 63);

/**
 * The driver's debug hook sees every statement it sends. Off by default: with it on the driver
 * also makes a failed query's parameters enumerable on its error object, which a logger would
 * print — acceptable in the bench, not in production.
 */
const countingOptions = (on: boolean | undefined): postgres.Options<{}> => (on ? { debug: () => dbQueries.inc() } : {});

async function openPostgres(url: string, opts: DatabaseOptions): Promise<Database> {
  const sql = connect(url, {
    max: opts.poolMax,
    connection: { application_name: APPLICATION_NAME },
    ...countingOptions(opts.countQueries),
  });
  await connectWithRetry(sql, opts, "PostgreSQL at DATABASE_URL");
  return wrap(sql, "postgresql", async () => {
    await sql.end({ timeout: 5 });
  });
}

async function openEmbedded(opts: DatabaseOptions): Promise<Database> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const taken = lockDataDir(opts.dataDir);
  if ("owner" in taken) return openShared(opts, taken.owner);
  const { lock } = taken;
  const { PGlite } = await import("@electric-sql/pglite");
  const dir = join(opts.dataDir, "pglite");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let lite;
  try {
    lite = await PGlite.create(dir);
  } catch (err) {
    lock.release();
    throw new StartupError(`embedded database at ${dir} cannot be opened (${errorMessage(err)})`);
  }
  // A private socket directory: only this process's user can connect. The CLI finds it in the
  // lock file and connects while we run (see pglite-serve.ts for how connections share it).
  const socketDir = mkdtempSync(join(tmpdir(), "nmg-pg-"));
  const port = 5432;
  const served = await servePglite(lite, join(socketDir, `.s.PGSQL.${port}`));
  lock.announce({ socketDir, port });
  // One connection for the gateway itself: PGlite is a single backend, so more would only queue.
  const sql = connect(undefined, {
    host: socketDir,
    port,
    database: "postgres",
    username: "postgres",
    max: 1,
    ...countingOptions(opts.countQueries),
  });
  await connectWithRetry(sql, { ...opts, connectAttempts: 3 }, "the embedded database");
  return wrap(sql, "embedded", async () => {
    await sql.end({ timeout: 5 });
    await served.stop();
    await lite.close();
    rmSync(socketDir, { recursive: true, force: true });
    lock.release();
  });
}

/** The data directory is owned by another live process: refuse, or (CLI) use what it serves. */
async function openShared(opts: DatabaseOptions, owner: LockOwner | undefined): Promise<Database> {
  const who = owner ? `process ${owner.pid} (running since ${owner.startedAt})` : "another process";
  if (!opts.shareEmbedded || !owner?.socketDir) {
    throw new StartupError(
      `the embedded database in ${opts.dataDir} is in use by ${who}; stop that gateway first, use another DATA_DIR, or run admin commands with \`bun run cli\`, which works against the running gateway`,
    );
  }
  // prepare: false: unnamed statements only, so ours can never collide with the owner's names.
  const sql = connect(undefined, {
    host: owner.socketDir,
    port: owner.port ?? 5432,
    database: "postgres",
    username: "postgres",
    max: 1,
    prepare: false,
  });
  await connectWithRetry(sql, { ...opts, connectAttempts: 3 }, `the embedded database served by ${who}`);
  const db = wrap(sql, "embedded", async () => {
    await sql.end({ timeout: 5 });
  });
  return { ...db, sharedWith: owner };
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
        throw new StartupError(
          `cannot reach ${what} after ${attempt} attempts (${safeDbError(err)}); check that it runs and DATABASE_URL is right`,
        );
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
    async ping(timeoutMs = 1_500) {
      // A query on a dead pool connection can wait for the connect timeout (10 s); a health
      // check must answer within its bound, so a late answer counts as "not reachable".
      const query = sql`select 1`.then(
        () => true,
        () => false,
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
      try {
        return await Promise.race([query, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}
