/**
 * Open legacy-SSE sessions of this node. Each belongs to the user whose credential opened it;
 * only that user's POSTs reach it. Per-user cap (the least recently used session is closed to
 * make room — mcp-remote leaves probe streams open), idle eviction, and sessions that never
 * receive a message are closed after `unusedMs`. A session whose opening credential is refused
 * later (revoked, expired) is closed when that credential next knocks. SSE streams are
 * inherently bound to the node that holds them; everything else about a session (who, what is
 * allowed) is re-checked per message.
 */
import type { Server } from "@modelcontextprotocol/server";
import type { SseServerTransport } from "./sse-transport.ts";

export interface SseSession {
  transport: SseServerTransport;
  server: Server;
  userId: string;
  /** SHA-256 of the bearer that opened the session. */
  credential: string;
  openedAt: number;
  lastSeen: number;
  messages: number;
  clientName?: string;
}

export interface SessionLimits {
  perUser: number;
  idleMs: number;
  /** A stream that never receives a message is closed after this long. */
  unusedMs: number;
  /** How often idle and unused sessions are looked for (default: the smaller limit, at most 30 s). */
  sweepMs?: number;
}

export class SseSessions {
  private readonly sessions = new Map<string, SseSession>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly limits: SessionLimits,
    private readonly now: () => number = Date.now,
  ) {
    const every = limits.sweepMs ?? Math.min(30_000, limits.unusedMs, limits.idleMs);
    this.sweeper = setInterval(() => this.sweep(this.now()), every).unref();
  }

  add(session: SseSession): void {
    const mine = [...this.sessions.values()]
      .filter((s) => s.userId === session.userId)
      .sort((a, b) => a.lastSeen - b.lastSeen);
    while (mine.length >= this.limits.perUser) void mine.shift()!.transport.close();
    this.sessions.set(session.transport.sessionId, session);
    // Chain, not replace: the SDK's own onclose (set by server.connect) aborts the session's
    // in-flight requests, so a tool call whose client went away stops waiting on ND.
    const sdkOnClose = session.transport.onclose;
    session.transport.onclose = () => {
      this.sessions.delete(session.transport.sessionId);
      sdkOnClose?.();
    };
  }

  /**
   * The session, only for the credential that opened it (and its user): another token of the
   * same user — or the same user after that token expired — cannot post into it, so a stream
   * opened with a credential since revoked or expired never receives answers for another one.
   * Unknown and foreign sessions look the same.
   */
  get(sessionId: string, userId: string, credential: string): SseSession | undefined {
    const s = this.sessions.get(sessionId);
    return s && s.userId === userId && s.credential === credential ? s : undefined;
  }

  /** Closes the session if the refused credential is the one that opened it; true if it did. */
  closeIfOpenedBy(sessionId: string, credential: string): boolean {
    const s = this.sessions.get(sessionId);
    if (!s || s.credential !== credential) return false;
    void s.transport.close();
    return true;
  }

  touch(session: SseSession): void {
    session.lastSeen = this.now();
    session.messages++;
  }

  countFor(userId: string): number {
    return [...this.sessions.values()].filter((s) => s.userId === userId).length;
  }

  get size(): number {
    return this.sessions.size;
  }

  sweep(now: number): void {
    for (const s of this.sessions.values()) {
      const unused = s.messages === 0 && now - s.openedAt > this.limits.unusedMs;
      if (unused || now - s.lastSeen > this.limits.idleMs) void s.transport.close();
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => s.transport.close()));
  }
}
