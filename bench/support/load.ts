/**
 * Closed-loop load: each client sends its next call as soon as the previous one answered (as
 * an assistant waiting on a tool does). A warm-up first (connections, JIT, prepared
 * statements), then the measured window; only calls started inside it are timed.
 */
import { summarise, type LatencySummary } from "./stats.ts";

export type Call = () => Promise<void>;

export interface PhaseRun {
  summary: LatencySummary;
  /** Every call made, warm-up included (to compare with audit rows). */
  totalCalls: number;
  errors: number;
  firstError: string | null;
}

export async function runPhase(clients: Call[], opts: { warmupMs: number; durationMs: number }): Promise<PhaseRun> {
  const latencies: number[] = [];
  let totalCalls = 0;
  let errors = 0;
  let firstError: string | null = null;
  const start = performance.now();
  const measureFrom = start + opts.warmupMs;
  const end = measureFrom + opts.durationMs;
  let lastDone = measureFrom;
  await Promise.all(
    clients.map(async (call) => {
      for (let t0 = performance.now(); t0 < end; t0 = performance.now()) {
        totalCalls++;
        try {
          await call();
          const done = performance.now();
          if (t0 >= measureFrom) {
            latencies.push(done - t0);
            lastDone = Math.max(lastDone, done);
          }
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
          // A failing target must not spin: back off a little.
          await Bun.sleep(10);
        }
      }
    }),
  );
  return { summary: summarise(latencies, (lastDone - measureFrom) / 1000), totalCalls, errors, firstError };
}

/**
 * Paced (open-loop) load: `ratePerSec` calls in total, spread evenly over the clients, each
 * client calling on its own schedule. Latency counts from the scheduled moment, so a call that
 * had to wait for its client's previous one is charged the wait (no coordinated omission).
 * This is the latency people feel at a given load, short of saturation.
 */
export async function runPaced(
  clients: Call[],
  ratePerSec: number,
  opts: { warmupMs: number; durationMs: number },
): Promise<PhaseRun> {
  const latencies: number[] = [];
  let totalCalls = 0;
  let errors = 0;
  let firstError: string | null = null;
  const periodMs = (1000 * clients.length) / ratePerSec;
  const start = performance.now();
  const measureFrom = start + opts.warmupMs;
  const end = measureFrom + opts.durationMs;
  await Promise.all(
    clients.map(async (call, k) => {
      for (let due = start + (k * periodMs) / clients.length; due < end; due += periodMs) {
        const wait = due - performance.now();
        if (wait > 0) await Bun.sleep(wait);
        totalCalls++;
        try {
          await call();
          if (due >= measureFrom) latencies.push(performance.now() - due);
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  return { summary: summarise(latencies, opts.durationMs / 1000), totalCalls, errors, firstError };
}
