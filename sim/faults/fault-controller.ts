/**
 * Run-wide fault knobs (latency, error rate) and a queue of faults for the next N requests,
 * optionally only those whose method/path match. Tests and the demo drive it through the
 * programmatic API or the `/__sim/faults` control endpoint.
 */
import { createRng, hashKey, type Rng } from "../prng.ts";
import { FaultSyntaxError, parseFault, type FaultSpec } from "./fault-spec.ts";

export interface QueueOptions {
  /** How many matching requests get the fault (default 1). */
  count?: number;
  /** Only requests whose path starts with this. */
  path?: string;
  method?: string;
}

interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
  path?: string;
  method?: string;
}

const RANDOM_ERRORS = [500, 502, 503];

export class FaultController {
  private readonly queued: QueuedFault[] = [];
  private readonly rng: Rng;

  constructor(
    public latencyMs: number,
    public errorRate: number,
    seed: number,
  ) {
    this.rng = createRng(hashKey(seed, "faults"));
  }

  queue(fault: string | FaultSpec, options: QueueOptions = {}): void {
    const spec = typeof fault === "string" ? parseFault(fault) : fault;
    const count = options.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new FaultSyntaxError("count must be a positive integer");
    this.queued.push({ spec, remaining: count, path: options.path, method: options.method?.toUpperCase() });
  }

  clear(): void {
    this.queued.length = 0;
  }

  /** Faults still to be served, summed over queue entries. */
  pending(): number {
    return this.queued.reduce((sum, q) => sum + q.remaining, 0);
  }

  /** The first queued fault matching this request, consumed. */
  take(method: string, path: string): FaultSpec | undefined {
    const index = this.queued.findIndex(
      (q) => (!q.method || q.method === method) && (!q.path || path.startsWith(q.path)),
    );
    if (index < 0) return undefined;
    const entry = this.queued[index] as QueuedFault;
    entry.remaining--;
    if (entry.remaining <= 0) this.queued.splice(index, 1);
    return entry.spec;
  }

  /** The run-level part: fixed latency plus, at the configured rate, a random 5xx. */
  runLevel(): FaultSpec | undefined {
    const spec: FaultSpec = {};
    if (this.latencyMs > 0) spec.latencyMs = this.latencyMs;
    if (this.errorRate > 0 && this.rng.next() < this.errorRate) spec.status = this.rng.pick(RANDOM_ERRORS);
    return Object.keys(spec).length > 0 ? spec : undefined;
  }
}
