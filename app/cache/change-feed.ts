/**
 * The change feed: what tells this process's caches (app/cache/*) that PostgreSQL changed.
 *
 * Guarantees:
 * - Every change to what the call path caches is announced on channel `nmg_changes` by a
 *   trigger (sql/0010_change_feed.sql) in the changing transaction, so every node hears it once
 *   the change commits — whoever made it (this gateway, another node, the CLI, plain SQL).
 * - The node that made a change sees it on its very next call: a state change audited in this
 *   process (recordAudit of anything but an MCP call) first drops every cache here and switches
 *   them to read-through, and also sends a `sync:` notification in the same transaction; caching
 *   resumes when that notification comes back (so the change has committed) or after
 *   `syncTimeoutMs` (the transaction rolled back).
 * - While the LISTEN connection is down — lost, or never up (the embedded engine has no second
 *   connection) — caches are dropped and every lookup reads from PostgreSQL; loss and recovery
 *   are logged. After it is back, caches start empty (changes made meanwhile were not heard).
 */
import type { Sql } from "postgres";
import { connect, type Db } from "../db.ts";
import { errorMessage } from "../errors.ts";
import { cacheInvalidations, gauge } from "../metrics/metrics.ts";

export const CHANNEL = "nmg_changes";

export interface FeedLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface ChangeFeed {
  /** Caches may serve from memory (the feed is up and no local change awaits its commit). */
  usable(): boolean;
  /** Called on every invalidation (with what changed). */
  onInvalidate(fn: (reason: string) => void): void;
  /** Whether LISTEN is currently established. */
  listening(): boolean;
  close(): Promise<void>;
}

export interface FeedOptions {
  /** Delay before re-establishing LISTEN after it was lost. */
  retryMs?: number;
  /** How long a local change may stay unconfirmed before caching resumes. */
  syncTimeoutMs?: number;
  /** How often the LISTEN connection is checked with a query. */
  pingMs?: number;
}

// Feeds of this process: a local state change reaches each of them synchronously.
const localFeeds = new Set<{ beginLocalChange(): string }>();

/**
 * Called by recordAudit for every state change before it is written: drops this process's caches
 * and sends the `sync:` notification in the same transaction (`db`). A no-op in a process
 * without a feed (the CLI), whose changes reach gateways through the triggers.
 */
export async function announceLocalChange(db: Db): Promise<void> {
  if (!localFeeds.size) return;
  const tags = [...localFeeds].map((f) => f.beginLocalChange());
  for (const tag of tags) await db`select pg_notify(${CHANNEL}, ${tag})`;
}

let feedCount = 0;

/** A feed that never listens: every cache reads through (the embedded engine, tests). */
export function readThroughFeed(): ChangeFeed {
  return { usable: () => false, onInvalidate: () => {}, listening: () => false, close: async () => {} };
}

export function startChangeFeed(databaseUrl: string, log: FeedLog, opts: FeedOptions = {}): ChangeFeed {
  const retryMs = opts.retryMs ?? 1000;
  const syncTimeoutMs = opts.syncTimeoutMs ?? 2000;
  const pingMs = opts.pingMs ?? 5000;
  const id = `${process.pid}.${++feedCount}`;
  const listeners: ((reason: string) => void)[] = [];
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  let up = false;
  let closed = false;
  let seq = 0;
  let retry: ReturnType<typeof setTimeout> | null = null;

  const invalidate = (reason: string) => {
    cacheInvalidations.inc({ reason });
    for (const fn of listeners) fn(reason);
  };

  const onNotify = (payload: string) => {
    if (payload.startsWith("sync:")) {
      const timer = pending.get(payload);
      if (!timer) return; // another node's local change: its trigger notifications did the work
      clearTimeout(timer);
      pending.delete(payload);
      invalidate("local");
      return;
    }
    invalidate(payload.slice(0, 64) || "unknown");
  };

  const listener: Sql = connect(databaseUrl, {
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    fetch_types: false,
    connection: { application_name: `nmg-listen/${id}` },
    onnotify: (_channel: string, payload: string) => onNotify(payload),
    onclose: () => lost("the LISTEN connection closed"),
  } as never);

  function lost(why: string): void {
    if (!up || closed) return;
    up = false;
    invalidate("feed-lost");
    log.warn({ reason: why }, "change feed lost: caches are off, every call reads from PostgreSQL until it is back");
    scheduleListen();
  }

  function scheduleListen(): void {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void establish();
    }, retryMs);
    retry.unref?.();
  }

  async function establish(): Promise<void> {
    try {
      // The channel is an identifier (LISTEN takes no parameters): quoted by the driver, from a constant.
      await listener`listen ${listener(CHANNEL)}`;
      if (closed) return;
      const wasDown = !up;
      up = true;
      invalidate("feed-up");
      if (wasDown && started) log.info({}, "change feed is back: caches are on again");
      started = true;
    } catch (err) {
      if (!closed) {
        if (!started)
          log.warn({ reason: errorMessage(err) }, "change feed not established yet: caches are off until it is");
        started = true;
        scheduleListen();
      }
    }
  }
  let started = false;

  const ping = setInterval(() => {
    if (!up || closed) return;
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref?.(),
    );
    Promise.race([listener`select 1`, deadline]).catch((err) =>
      lost(`the LISTEN connection did not answer (${errorMessage(err)})`),
    );
  }, pingMs);
  ping.unref?.();

  const local = {
    beginLocalChange(): string {
      const tag = `sync:${id}:${++seq}`;
      pending.set(tag, setTimeout(() => pending.delete(tag), syncTimeoutMs).unref());
      invalidate("local");
      return tag;
    },
  };
  localFeeds.add(local);
  void establish();
  gauge("nmg_change_feed_up", "1 when this node's LISTEN connection for cache invalidation is up", () => (up ? 1 : 0));

  return {
    usable: () => up && pending.size === 0,
    onInvalidate: (fn) => void listeners.push(fn),
    listening: () => up,
    async close() {
      closed = true;
      localFeeds.delete(local);
      clearInterval(ping);
      if (retry) clearTimeout(retry);
      for (const t of pending.values()) clearTimeout(t);
      up = false;
      await listener.end({ timeout: 1 }).catch(() => {});
    },
  };
}
