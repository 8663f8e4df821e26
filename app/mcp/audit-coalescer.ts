/**
 * Audit events for requests refused before they reach a tool — a 429 from the rate limit, a 401
 * for a revoked or expired token — without letting a client in a retry loop fill the audit log.
 *
 * Guarantees: the first refusal of a kind (per credential) is written at once; further identical
 * refusals within the window are counted, and when the window ends one more event records how
 * many there were (`details.repeated`), so every refusal is accounted for in the log. Writing is
 * best effort (the request was refused either way); failures go to the operational log. The
 * windows are per node and in memory: they only shape how refusals are summarised, they decide
 * nothing.
 */
import type { AuditEventInput } from "../audit/audit-event.ts";

interface Window {
  event: AuditEventInput;
  repeated: number;
  timer: ReturnType<typeof setTimeout>;
}

export class AuditCoalescer {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly write: (event: AuditEventInput) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    private readonly windowMs = 10_000,
    private readonly maxKeys = 10_000,
  ) {}

  record(key: string, event: AuditEventInput): void {
    const open = this.windows.get(key);
    if (open) {
      open.repeated++;
      return;
    }
    if (this.windows.size >= this.maxKeys) this.flush(this.windows.keys().next().value!);
    this.emit(event);
    this.windows.set(key, { event, repeated: 0, timer: setTimeout(() => this.flush(key), this.windowMs).unref() });
  }

  /** Writes the pending summaries now (shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.windows.keys()].map((key) => this.flush(key)));
  }

  private flush(key: string): Promise<void> {
    const open = this.windows.get(key);
    if (!open) return Promise.resolve();
    this.windows.delete(key);
    clearTimeout(open.timer);
    if (!open.repeated) return Promise.resolve();
    return this.emit({
      ...open.event,
      details: { ...open.event.details, repeated: open.repeated, windowMs: this.windowMs },
    });
  }

  private emit(event: AuditEventInput): Promise<void> {
    return this.write(event).then(() => undefined, this.onError);
  }
}
