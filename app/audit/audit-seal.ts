/**
 * The sealer: links committed audit events into the hash chain.
 *
 * Guarantees: every committed event is sealed soon after it commits (a debounced run after each
 * insert in this process, a poll for other nodes' inserts); sealing is serialised across nodes by
 * an advisory lock and the database derives sequence numbers and links from the chain head
 * (audit_seal() in sql/0003_audit.sql), so the chain stays contiguous however many nodes seal;
 * `sealNow()` returns only after every event committed before the call is sealed.
 *
 * Order: events join the chain in the order the sealer sees them committed (by id within a
 * batch). An event whose transaction commits late simply gets a later sequence number than
 * events inserted after it; its `occurred_at` still says when it happened.
 */
import type { Sql } from "postgres";
import { errorMessage } from "../errors.ts";
import { onAuditWritten } from "./audit-log.ts";
import { chainHash } from "./audit-canonical.ts";
import { applySeal, lockChain, readChainHead, unsealedBatch } from "./audit.sql.ts";

export interface SealerOptions {
  /** Delay after an insert before sealing, so a burst is sealed in one batch. */
  debounceMs?: number;
  /** How often to look for events written by other nodes or processes. */
  pollMs?: number;
  /** Events sealed per transaction. */
  batchSize?: number;
  /** Sealing failures (database down, …); the sealer keeps trying at the poll interval. */
  onError?: (message: string) => void;
}

export interface AuditSealer {
  /** Seals everything committed so far; resolves with the number of events sealed. */
  sealNow(): Promise<number>;
  /** Stops the background runs after a last seal of what is pending. */
  stop(): Promise<void>;
}

const DEFAULTS = { debounceMs: 150, pollMs: 2000, batchSize: 1000 };

/** Seals one batch in one transaction; returns how many events it sealed. */
export async function sealBatch(sql: Sql, batchSize = DEFAULTS.batchSize): Promise<number> {
  return sql.begin(async (tx) => {
    await lockChain(tx);
    const head = await readChainHead(tx);
    const rows = await unsealedBatch(tx, batchSize);
    if (rows.length === 0) return 0;
    const hashes: string[] = [];
    let seq = BigInt(head.seq);
    let prev = head.hash;
    for (const row of rows) {
      seq += 1n;
      prev = chainHash(row, seq.toString(), prev);
      hashes.push(prev);
    }
    return applySeal(
      tx,
      rows.map((r) => r.id),
      hashes,
      head.seq,
    );
  });
}

/** Seals batches until none is left. */
export async function sealPending(sql: Sql, batchSize = DEFAULTS.batchSize): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await sealBatch(sql, batchSize);
    total += n;
    if (n < batchSize) return total;
  }
}

export function startAuditSealer(sql: Sql, opts: SealerOptions = {}): AuditSealer {
  const { debounceMs, pollMs, batchSize } = { ...DEFAULTS, ...opts };
  const onError = opts.onError ?? (() => {});
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let dueAt = Infinity;
  // Runs in this process go one after another; the advisory lock handles other processes.
  let tail: Promise<unknown> = Promise.resolve();
  const run = (): Promise<number> => {
    const next = tail.then(() => sealPending(sql, batchSize));
    tail = next.catch(() => {});
    return next;
  };

  const schedule = (ms: number): void => {
    if (stopped) return;
    const at = Date.now() + ms;
    if (timer && dueAt <= at) return; // an earlier run is already due: that is the debounce
    if (timer) clearTimeout(timer);
    dueAt = at;
    timer = setTimeout(tick, ms);
    timer.unref?.();
  };

  const tick = async (): Promise<void> => {
    timer = null;
    dueAt = Infinity;
    try {
      const sealed = await run();
      schedule(sealed > 0 ? debounceMs : pollMs);
    } catch (err) {
      onError(`audit sealing failed: ${errorMessage(err)}`);
      schedule(pollMs);
    }
  };

  const unsubscribe = onAuditWritten(() => schedule(debounceMs));
  schedule(0);

  return {
    sealNow: run,
    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      await run().catch((err) => onError(`audit sealing failed: ${errorMessage(err)}`));
    },
  };
}
