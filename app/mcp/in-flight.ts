/**
 * Counts MCP requests being worked on, so shutdown can let them finish before it closes the
 * streams they answer on (a write cut mid-call has an outcome nobody knows).
 */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Marks one request started; the returned function marks it done (idempotent). */
  begin(): () => void {
    this.count++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.count--;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  get size(): number {
    return this.count;
  }

  /** Resolves true once nothing is in flight, false if `deadline` (epoch ms) comes first. */
  async idle(deadline: number): Promise<boolean> {
    if (this.count === 0) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>(
      (resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), false)),
    );
    const quiet = new Promise<true>((resolve) => this.waiters.push(() => resolve(true)));
    try {
      return await Promise.race([quiet, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
