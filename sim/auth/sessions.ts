/**
 * Login sessions. A token is valid only while its session exists here: logging out removes it,
 * expiry (the configured lifetime, or expireAll) keeps it but marks it expired so the client gets
 * ND's "token has expired" 401 rather than a generic one.
 */

export interface Session {
  token: string;
  userName: string;
  roles: string[];
  domain: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

export type SessionLookup = { kind: "valid"; session: Session } | { kind: "expired" } | { kind: "unknown" };

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private lifetimeSec: number,
    private readonly now: () => number = Date.now,
  ) {}

  get lifetimeSeconds(): number {
    return this.lifetimeSec;
  }

  setLifetime(seconds: number): void {
    this.lifetimeSec = seconds;
  }

  expiryFor(issuedAtMs: number): number {
    return issuedAtMs + this.lifetimeSec * 1000;
  }

  add(session: Session): void {
    this.sessions.set(session.token, session);
    this.pruneExpired();
  }

  lookup(token: string): SessionLookup {
    const session = this.sessions.get(token);
    if (!session) return { kind: "unknown" };
    if (session.expiresAtMs <= this.now()) return { kind: "expired" };
    return { kind: "valid", session };
  }

  remove(token: string): boolean {
    return this.sessions.delete(token);
  }

  expire(token: string): void {
    const session = this.sessions.get(token);
    if (session) session.expiresAtMs = 0;
  }

  expireAll(): void {
    for (const session of this.sessions.values()) session.expiresAtMs = 0;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Expired sessions are kept for a while (so clients see "expired"), then forgotten. */
  private pruneExpired(): void {
    if (this.sessions.size < 10_000) return;
    const cutoff = this.now() - 3_600_000;
    for (const [token, session] of this.sessions) {
      if (session.expiresAtMs < cutoff) this.sessions.delete(token);
    }
  }
}
