/**
 * A counting semaphore with a bounded wait queue: at most `limit` holders at once; up to
 * `maxQueue` callers wait in FIFO order, each for at most `timeoutMs` (or until its signal
 * aborts). Used to cap concurrent requests per ND cluster so a burst of MCP calls queues here
 * instead of piling onto ND.
 */

export class SemaphoreFull extends Error {
  constructor() {
    super("too many requests are already waiting");
  }
}

export class SemaphoreTimeout extends Error {
  constructor(readonly waitedMs: number) {
    super(`no free slot within ${waitedMs} ms`);
  }
}

interface Waiter {
  grant: () => void;
}

export type Release = () => void;

export class Semaphore {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly limit: number,
    readonly maxQueue: number,
    readonly timeoutMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("semaphore limit must be a positive integer");
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  acquire(signal?: AbortSignal): Promise<Release> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new SemaphoreFull());
    return this.wait(signal);
  }

  private wait(signal?: AbortSignal): Promise<Release> {
    return new Promise<Release>((resolve, reject) => {
      const leave = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve(this.releaser());
        },
      };
      const timer = setTimeout(() => {
        leave();
        reject(new SemaphoreTimeout(this.timeoutMs));
      }, this.timeoutMs);
      const onAbort = () => {
        leave();
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** A release function that works once: a double release must not free someone else's slot. */
  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting[0];
      // Hand the slot straight to the next waiter: the count never dips, so no one can jump the queue.
      if (next) next.grant();
      else this.active--;
    };
  }
}
