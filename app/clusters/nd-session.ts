/**
 * The ND session of one client: one token shared by all its requests.
 *
 * Guarantees: at most one login is in flight at a time (single-flight) — concurrent requests
 * that need a token, or that were all rejected with the same expired token, share it; a token is
 * replaced proactively at half its lifetime; after a failed login (wrong password, unknown
 * domain) the failure is answered from memory for `failureHoldMs`, so a burst of calls cannot
 * lock the ND account by hammering /login.
 */
import type { NdToken } from "./nd-login.ts";

export class NdSession {
  private current: NdToken | undefined;
  private pending: Promise<NdToken> | undefined;
  private failure: { error: unknown; until: number } | undefined;

  constructor(
    private readonly login: () => Promise<NdToken>,
    private readonly now: () => number,
    private readonly failureHoldMs: number,
  ) {}

  /** A usable token, logging in if there is none or it is due for renewal. */
  async token(): Promise<NdToken> {
    if (this.current && this.now() < this.current.renewAt) return this.current;
    return this.refresh();
  }

  /** After ND rejected `stale`: log in again, unless another request already did. */
  async renewAfterRejection(stale: NdToken): Promise<NdToken> {
    if (this.current && this.current !== stale) return this.current;
    this.current = undefined;
    return this.refresh();
  }

  /** A fresh login regardless of the current token (connection tests). */
  async renew(): Promise<NdToken> {
    this.current = undefined;
    this.failure = undefined;
    return this.refresh();
  }

  /** The token to log out with, forgetting it. */
  take(): NdToken | undefined {
    const token = this.current;
    this.current = undefined;
    return token;
  }

  peek(): NdToken | undefined {
    return this.current;
  }

  private refresh(): Promise<NdToken> {
    if (this.failure && this.now() < this.failure.until) return Promise.reject(this.failure.error);
    this.pending ??= this.login()
      .then((token) => {
        this.current = token;
        this.failure = undefined;
        return token;
      })
      .catch((error: unknown) => {
        if (this.failureHoldMs > 0 && isCredentialFailure(error))
          this.failure = { error, until: this.now() + this.failureHoldMs };
        throw error;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

function isCredentialFailure(error: unknown): boolean {
  return (error as { kind?: unknown })?.kind === "auth";
}
