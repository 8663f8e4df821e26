/**
 * The forwarder: streams sealed audit events to every enabled SIEM destination, in chain order,
 * at least once.
 *
 * Guarantees:
 *   * Order and completeness come from the audit table itself: each destination has a cursor on
 *     the chain sequence; the forwarder reads the sealed rows after it, oldest first. A restart,
 *     an outage or a node change resumes from the cursor; nothing is skipped.
 *   * `sent_seq` is written before a batch leaves and `delivered_seq` after it was accepted, so
 *     rows between the two are sent again after a failure marked as replays and counted
 *     (`replayed_count`) — the only duplicates a receiver can see.
 *   * Stream transports (syslog over TLS/TCP) have no acknowledgement: a batch counts as
 *     delivered once the connection stayed healthy for `confirmMs` after it was written (or was
 *     closed cleanly); a connection that breaks earlier sends it again as a replay.
 *   * One forwarder per destination across all nodes (a lease in siem_cursors, renewed while it
 *     runs); failures back off exponentially (bounded) and are recorded on the cursor.
 */
import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import type { Keyring } from "../secrets/keyring.ts";
import { parseTarget, type SiemDestination } from "./siem-destination.ts";
import { openToken } from "./siem-destinations.ts";
import { createSender, type Sender } from "./siem-sender.ts";
import {
  claimLease,
  markDelivered,
  markError,
  markSent,
  releaseLease,
  sealedAfter,
  selectCursor,
  selectDestinations,
} from "./siem.sql.ts";

export interface ForwarderOptions {
  sql: Sql;
  keyring: Keyring;
  hostname: string;
  version: string;
  onError?: (destination: string, err: Error) => void;
  pollMs?: number;
  confirmMs?: number;
  batchSize?: number;
  timeoutMs?: number;
  maxBackoffMs?: number;
}

export interface SiemForwarder {
  stop(): Promise<void>;
}

interface Written {
  seq: string;
  count: number;
  replayed: number;
  at: number;
}

const LEASE_SECONDS = 15;

export function startSiemForwarder(opts: ForwarderOptions): SiemForwarder {
  const owner = `${opts.hostname}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pollMs = opts.pollMs ?? 500;
  const workers = new Map<string, Worker>();
  let stopped = false;

  const refresh = async () => {
    const destinations = (await selectDestinations(opts.sql)).filter((d) => d.enabled);
    const wanted = new Set(destinations.map((d) => d.id));
    for (const [id, worker] of workers) {
      if (!wanted.has(id)) {
        workers.delete(id);
        await worker.stop();
      }
    }
    for (const d of destinations) {
      if (!workers.has(d.id)) workers.set(d.id, new Worker(d, opts, owner));
    }
  };

  const loop = (async () => {
    while (!stopped) {
      await refresh().catch((err) => opts.onError?.("(list)", err as Error));
      await Promise.all([...workers.values()].map((w) => w.tick()));
      await sleep(pollMs);
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
      await Promise.all([...workers.values()].map((w) => w.stop()));
      workers.clear();
    },
  };
}

class Worker {
  private sender: Sender | null = null;
  private position: string | null = null;
  private replayUpTo = "0";
  private written: Written[] = [];
  private failures = 0;
  private retryAt = 0;
  private leased = false;

  constructor(
    private readonly d: SiemDestination,
    private readonly opts: ForwarderOptions,
    private readonly owner: string,
  ) {}

  /** One round: confirm what has aged, then send what is new. Never throws. */
  async tick(): Promise<void> {
    if (Date.now() < this.retryAt) return;
    try {
      this.leased = await claimLease(this.opts.sql, this.d.id, this.owner, LEASE_SECONDS);
      if (!this.leased) return this.forget();
      await this.confirm(false);
      await this.drain();
      this.failures = 0;
    } catch (err) {
      await this.fail(err as Error);
    }
  }

  private async drain(): Promise<void> {
    const { sql } = this.opts;
    if (this.position === null) {
      const cursor = await selectCursor(sql, this.d.id);
      if (!cursor) return;
      this.position = cursor.deliveredSeq;
      this.replayUpTo = cursor.sentSeq;
    }
    for (let round = 0; round < 20; round++) {
      const rows = await sealedAfter(sql, this.position, this.opts.batchSize ?? 200);
      if (rows.length === 0) return;
      this.sender ??= await this.openSender();
      const batch = rows.map((row) => ({ row, replay: BigInt(row.seq!) <= BigInt(this.replayUpTo) }));
      const last = rows[rows.length - 1]!.seq!;
      await markSent(sql, this.d.id, last);
      await this.sender.send(batch);
      this.position = last;
      this.written.push({
        seq: last,
        count: batch.length,
        replayed: batch.filter((b) => b.replay).length,
        at: Date.now(),
      });
      if (!this.sender.streaming) await this.confirm(true);
    }
  }

  /** Moves delivered_seq over batches that are safe: all (`all`) or those older than confirmMs on a healthy stream. */
  private async confirm(all: boolean): Promise<void> {
    if (this.written.length === 0) return;
    if (this.sender?.broken()) throw new Error("the connection broke after sending");
    const horizon = all ? Infinity : Date.now() - (this.opts.confirmMs ?? 3000);
    const safe = this.written.filter((w) => w.at <= horizon);
    if (safe.length === 0) return;
    const last = safe[safe.length - 1]!;
    await markDelivered(this.opts.sql, this.d.id, last.seq, sum(safe, "count"), sum(safe, "replayed"));
    this.written = this.written.slice(safe.length);
  }

  private async openSender(): Promise<Sender> {
    return createSender({
      target: parseTarget(this.d.url),
      format: this.d.format,
      caPem: this.d.caPem,
      token: await openToken(this.opts.sql, this.opts.keyring, this.d),
      hostname: this.opts.hostname,
      version: this.opts.version,
      timeoutMs: this.opts.timeoutMs ?? 10_000,
    });
  }

  private async fail(err: Error): Promise<void> {
    this.failures++;
    const backoff = Math.min(this.opts.maxBackoffMs ?? 30_000, 250 * 2 ** Math.min(this.failures, 10));
    this.retryAt = Date.now() + backoff;
    this.opts.onError?.(this.d.name, err);
    await markError(this.opts.sql, this.d.id, err.message).catch(() => {});
    await this.forget();
  }

  /** Drops the connection and what was written on it unconfirmed: the cursor decides what comes next. */
  private async forget(): Promise<void> {
    const sender = this.sender;
    this.sender = null;
    this.position = null;
    this.written = [];
    await sender?.close().catch(() => {});
  }

  async stop(): Promise<void> {
    const sender = this.sender;
    try {
      if (sender?.streaming && !sender.broken() && this.written.length) {
        // A clean close hands everything written to the receiver: confirm it all.
        await sender.close();
        await this.confirmClosed();
      }
    } catch {
      // the cursor still says what to replay
    }
    await this.forget();
    if (this.leased) await releaseLease(this.opts.sql, this.d.id, this.owner).catch(() => {});
  }

  private async confirmClosed(): Promise<void> {
    const last = this.written[this.written.length - 1];
    if (!last) return;
    await markDelivered(this.opts.sql, this.d.id, last.seq, sum(this.written, "count"), sum(this.written, "replayed"));
    this.written = [];
  }
}

const sum = (items: Written[], key: "count" | "replayed") => items.reduce((n, w) => n + w[key], 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
