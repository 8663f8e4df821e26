/**
 * Group commit for the audit events of MCP calls: many callers' rows, one INSERT, one commit.
 *
 * Guarantees: `write(event)` resolves only after the event's row has committed, and rejects if
 * it could not be written — so a caller that answers only after `write` resolved never answers
 * a call the audit log does not show, even if the process is killed right after (a row is
 * acknowledged only by PostgreSQL's commit). A batch that fails is retried row by row, so one
 * bad row cannot take the others with it; only the callers whose own row failed are rejected
 * (they answer fail-closed, as before). Rows go through the same redaction and bounds as
 * recordAudit (toRow). What must be on record *before* ND is called — a write's intent, with
 * its approval — is not written here but synchronously in its own transaction (call-operation.ts).
 *
 * When: a batch starts at once when fewer than `maxInFlight` batches are being written (a lone
 * call waits for nothing but its own insert), otherwise as soon as one finishes; rows that arrive
 * meanwhile wait together, at most `maxRows` to a batch. Under load the wait is one batch's
 * commit, about the 2 ms the design allows; at idle it is zero.
 */
import type { Sql } from "postgres";
import { errorMessage } from "../errors.ts";
import { auditBatchFailures, auditBatchSize, auditFlushDuration } from "../metrics/metrics.ts";
import type { AuditEventInput } from "./audit-event.ts";
import { toRow, wakeSealers } from "./audit-log.ts";
import { insertAuditEvent, insertAuditEvents, type NewAuditRow } from "./audit.sql.ts";

interface Waiting {
  row: NewAuditRow;
  queuedAt: number;
  done(err?: unknown): void;
}

export interface AuditBatcherOptions {
  maxRows?: number;
  maxInFlight?: number;
  /** A failed batch (before its row-by-row retry), for the operational log. */
  onBatchError?: (message: string, rows: number) => void;
}

export class AuditBatcher {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly flushing = new Set<Promise<void>>();
  private readonly maxRows: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly sql: Sql,
    private readonly opts: AuditBatcherOptions = {},
  ) {
    this.maxRows = opts.maxRows ?? 256;
    this.maxInFlight = opts.maxInFlight ?? 2;
  }

  /** Resolves once the event is committed; rejects when it could not be written. */
  write(event: AuditEventInput): Promise<void> {
    const row = toRow(event);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        row,
        queuedAt: performance.now(),
        done: (err) => (err === undefined ? resolve() : reject(err)),
      });
      this.schedule();
    });
  }

  /** Writes everything queued and waits for batches in flight (shutdown). */
  async close(): Promise<void> {
    while (this.queue.length || this.flushing.size) {
      if (this.queue.length && this.inFlight < this.maxInFlight) this.startBatch();
      await Promise.race([...this.flushing]);
    }
  }

  private schedule(): void {
    if (this.queue.length >= this.maxRows && this.inFlight < this.maxInFlight) {
      this.startBatch();
      return;
    }
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    // Rows queued in the same turn of the event loop go together.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.queue.length && this.inFlight < this.maxInFlight) this.startBatch();
    });
  }

  private startBatch(): void {
    const batch = this.queue.splice(0, this.maxRows);
    this.inFlight++;
    const flush = this.flush(batch).finally(() => {
      this.inFlight--;
      this.flushing.delete(flush);
      if (this.queue.length) this.schedule();
    });
    this.flushing.add(flush);
  }

  private async flush(batch: Waiting[]): Promise<void> {
    try {
      await insertAuditEvents(
        this.sql,
        batch.map((w) => w.row),
      );
      this.settled(batch);
      for (const w of batch) w.done();
    } catch (err) {
      auditBatchFailures.inc();
      this.opts.onBatchError?.(errorMessage(err), batch.length);
      // One by one: a bad row fails alone; the others still commit and their callers answer.
      await Promise.all(
        batch.map(async (w) => {
          try {
            await insertAuditEvent(this.sql, w.row);
            w.done();
          } catch (rowErr) {
            w.done(rowErr ?? new Error("audit insert failed"));
          }
        }),
      );
      this.settled(batch);
    }
  }

  private settled(batch: Waiting[]): void {
    auditBatchSize.observe(batch.length);
    auditFlushDuration.observe((performance.now() - batch[0]!.queuedAt) / 1000);
    wakeSealers();
  }
}
