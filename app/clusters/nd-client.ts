/**
 * The Nexus Dashboard client: one per cluster (and credential version), used by the MCP gateway
 * for every call. `request()` → NdResponse, or throws NdError / NdRequestRejected (or the
 * caller's own abort reason when its signal fires).
 *
 * Guarantees:
 *   - The URL is built by template under the operation's base path, every path parameter
 *     encoded and checked (nd-url.ts): a traversal attempt is rejected before anything is sent.
 *   - The cluster's URL policy (SSRF guard) is re-checked before requests leave (urlGuard).
 *   - TLS verified by default with the cluster's CA bundle; no redirects followed (nd-http.ts).
 *   - Password mode: one login shared by concurrent requests; on a 401 the client logs in again
 *     once and sends that request once more — safe even for writes, because ND authenticates
 *     before it routes, so a 401'd request was never executed. A second 401 is an auth error.
 *   - Only idempotent requests are retried (nd-retry.ts); writes are sent exactly once.
 *   - At most `maxConcurrency` requests in flight per client; more wait in a bounded queue.
 *   - Caller-supplied headers cannot replace authentication or framing headers.
 *   - Errors never contain the password, API key or session token.
 */
import { NdError, type NdErrorDetails } from "./nd-errors.ts";
import { TransportError, exchange, type RawResponse } from "./nd-http.ts";
import type { NdCredentials, PasswordCredentials } from "./nd-credentials.ts";
import { credentialSecret } from "./nd-credentials.ts";
import { LOGIN_PATH, authHeaders, loginBody, readLoginResponse, type NdToken } from "./nd-login.ts";
import { errorFromResponse, publicHeaders, successBody } from "./nd-response.ts";
import {
  DEFAULT_RETRY,
  isIdempotent,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  type RetryPolicy,
} from "./nd-retry.ts";
import { NdSession } from "./nd-session.ts";
import { NdRequestRejected, buildNdUrl, type ParamValue, type QueryValue } from "./nd-url.ts";
import { Semaphore, SemaphoreFull, SemaphoreTimeout } from "./semaphore.ts";

export type NdMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface NdRequest {
  method: NdMethod;
  /** The operation's path, e.g. `/fabrics/{fabricName}/switches`. */
  pathTemplate: string;
  /** The operation's API base, e.g. `/api/v1/manage`; the final URL must stay under it. */
  basePath?: string;
  pathParams?: Readonly<Record<string, ParamValue>>;
  query?: Readonly<Record<string, QueryValue>>;
  /** Extra headers (e.g. `ticketId` style headers); authentication headers are refused. */
  headers?: Readonly<Record<string, string>>;
  /** JSON-serialised unless it is a string (sent as-is). Not allowed on GET. */
  body?: unknown;
  /** Marks a POST as a read (preview, query) so it may be retried; GET always is. */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** Overrides the cluster's timeout for this request (e.g. long deploys). */
  timeoutMs?: number;
  /** Send without credentials (public endpoints such as /version.json; connection tests). */
  anonymous?: boolean;
}

export interface NdResponse {
  status: number;
  /** Lower-case names; set-cookie removed. */
  headers: Record<string, string>;
  /** Parsed JSON, text, or null when empty. */
  body: unknown;
  /** Size of the body as received. */
  bytes: number;
  durationMs: number;
  /** HTTP attempts made for this request (retries and the post-401 replay included). */
  attempts: number;
}

export interface NdClientOptions {
  cluster: { id: string; name: string };
  /** Origin, https://host[:port] (already checked against the URL policy). */
  baseUrl: string;
  credentials: NdCredentials;
  tls: { verify: boolean; caPem?: string };
  timeoutMs: number;
  maxConcurrency: number;
  /** Requests allowed to wait for a slot (default 100). */
  maxQueue?: number;
  /** Longest wait for a slot (default: timeoutMs). */
  queueTimeoutMs?: number;
  /** Largest response body accepted (default 32 MiB). */
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** How long a failed login is answered from memory (default 30 s). */
  loginFailureHoldMs?: number;
  /** Re-checks the SSRF policy (DNS may have changed) before requests leave. */
  urlGuard?: () => Promise<void>;
  /**
   * Called (not awaited) after every successful login, and in API-key mode after the first
   * successful authenticated request: the moment to record facts of the cluster, such as its
   * version. Errors it throws are ignored.
   */
  onLogin?: (client: NdClient) => Promise<void> | void;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
}

export interface NdClient {
  readonly clusterId: string;
  readonly clusterName: string;
  /** TLS verification is off for this cluster (explicit insecure mode). */
  readonly insecure: boolean;
  request(req: NdRequest): Promise<NdResponse>;
  /** Password mode: log in now with a fresh session (connection test). API-key mode: no-op. */
  login(): Promise<void>;
  /** Best-effort logout; the client stays usable (it logs in again when needed). */
  close(): Promise<void>;
}

const METHODS = new Set<string>(["GET", "POST", "PUT", "PATCH", "DELETE"]);
const RESERVED_HEADERS = new Set([
  "authorization",
  "cookie",
  "x-nd-username",
  "x-nd-apikey",
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "proxy-authorization",
  "proxy-connection",
]);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const LOGOUT_TIMEOUT_MS = 3_000;

export function createNdClient(options: NdClientOptions): NdClient {
  return new Client(options);
}

interface Prepared {
  url: URL;
  method: NdMethod;
  headers: Headers;
  body?: string;
  idempotent: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  anonymous?: boolean;
}

class Client implements NdClient {
  readonly clusterId: string;
  readonly clusterName: string;
  readonly insecure: boolean;
  private readonly slots: Semaphore;
  private readonly session: NdSession;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly maxBytes: number;
  /** Set by close(): the cluster changed; no new request and no re-login from this client. */
  private closed = false;
  /** API-key mode has no login: onLogin runs once, after the first authenticated success. */
  private apiKeyAnnounced = false;

  constructor(private readonly o: NdClientOptions) {
    this.clusterId = o.cluster.id;
    this.clusterName = o.cluster.name;
    this.insecure = !o.tls.verify;
    this.slots = new Semaphore(o.maxConcurrency, o.maxQueue ?? 100, o.queueTimeoutMs ?? o.timeoutMs);
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.fetchImpl = o.fetch ?? fetch;
    this.maxBytes = o.maxResponseBytes ?? DEFAULT_MAX_BYTES;
    this.session = new NdSession(() => this.performLogin(), this.now, o.loginFailureHoldMs ?? 30_000);
  }

  async request(req: NdRequest): Promise<NdResponse> {
    const started = this.now();
    const prepared = this.prepare(req);
    this.assertOpen();
    const release = await this.acquire(req.signal);
    try {
      this.assertOpen();
      await this.o.urlGuard?.();
      const { raw, attempts } = await this.authenticated(prepared);
      if (raw.status < 200 || raw.status >= 300)
        throw this.withAttempts(errorFromResponse(raw, this.clusterName, this.secrets()), attempts);
      const body = successBody(raw, this.clusterName);
      if (!req.anonymous && this.o.credentials.mode !== "password" && !this.apiKeyAnnounced) {
        this.apiKeyAnnounced = true;
        this.announceLogin();
      }
      return {
        status: raw.status,
        headers: publicHeaders(raw.headers),
        body,
        bytes: raw.bytes.byteLength,
        durationMs: this.now() - started,
        attempts,
      };
    } finally {
      release();
    }
  }

  async login(): Promise<void> {
    if (this.o.credentials.mode !== "password") return;
    await this.o.urlGuard?.();
    await this.session.renew();
  }

  async close(): Promise<void> {
    this.closed = true;
    const token = this.session.take();
    if (!token || this.o.credentials.mode !== "password") return;
    const headers = new Headers({ ...authHeaders(this.o.credentials, token), "Content-Type": "application/json" });
    await this.send({
      url: new URL("/logout", this.o.baseUrl),
      method: "POST",
      headers,
      body: "{}",
      idempotent: false,
      timeoutMs: LOGOUT_TIMEOUT_MS,
    }).catch(() => {});
  }

  /** Everything that can be refused is refused here, before a slot is taken or a byte sent. */
  private prepare(req: NdRequest): Prepared {
    const method = String(req.method).toUpperCase();
    if (!METHODS.has(method)) throw new NdRequestRejected(`unsupported method ${JSON.stringify(req.method)}`);
    const url = buildNdUrl({
      baseUrl: this.o.baseUrl,
      basePath: req.basePath,
      pathTemplate: req.pathTemplate,
      pathParams: req.pathParams,
      query: req.query,
    });
    const headers = callerHeaders(req.headers ?? {});
    headers.set("Accept", "application/json");
    let body: string | undefined;
    if (req.body !== undefined) {
      if (method === "GET") throw new NdRequestRejected("a GET request cannot have a body");
      body = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
      if (!headers.has("content-type")) headers.set("Content-Type", "application/json");
    }
    const timeoutMs = req.timeoutMs ?? this.o.timeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000)
      throw new NdRequestRejected("timeoutMs: from 1 ms to 1 hour");
    return {
      url,
      method: method as NdMethod,
      headers,
      body,
      idempotent: isIdempotent(method, req.idempotent),
      timeoutMs,
      signal: req.signal,
      anonymous: req.anonymous,
    };
  }

  private async acquire(signal: AbortSignal | undefined) {
    try {
      return await this.slots.acquire(signal);
    } catch (err) {
      if (err instanceof SemaphoreFull) {
        throw new NdError(
          "rate_limited",
          { cluster: this.clusterName },
          `too many requests are waiting for this cluster (at most ${this.slots.limit} in flight)`,
        );
      }
      if (err instanceof SemaphoreTimeout) {
        throw new NdError(
          "timeout",
          { cluster: this.clusterName },
          `no free request slot within ${err.waitedMs} ms (at most ${this.slots.limit} in flight)`,
        );
      }
      throw err;
    }
  }

  /** Sends with the session's token; after a 401 logs in again once and sends once more. */
  private async authenticated(p: Prepared): Promise<{ raw: RawResponse; attempts: number }> {
    if (p.anonymous) return this.sendWithRetries(p);
    let attempts = 0;
    for (let replayed = false; ; replayed = true) {
      const token = this.o.credentials.mode === "password" ? await this.session.token() : undefined;
      const headers = new Headers(p.headers);
      for (const [name, value] of Object.entries(authHeaders(this.o.credentials, token))) headers.set(name, value);
      const sent = await this.sendWithRetries({ ...p, headers });
      attempts += sent.attempts;
      if (sent.raw.status !== 401 || !token || replayed || this.closed) return { raw: sent.raw, attempts };
      await this.session.renewAfterRejection(token);
    }
  }

  private async sendWithRetries(p: Prepared): Promise<{ raw: RawResponse; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      let raw: RawResponse;
      try {
        raw = await this.send(p);
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        const delay =
          p.idempotent && err.failure === "unreachable" && attempt < this.retry.maxAttempts
            ? retryDelayMs(attempt, undefined, this.retry, this.random)
            : undefined;
        if (delay === undefined) throw this.transportError(err, p, attempt);
        await sleep(delay, p.signal);
        continue;
      }
      if (!p.idempotent || !isRetryableStatus(raw.status) || attempt >= this.retry.maxAttempts)
        return { raw, attempts: attempt };
      const delay = retryDelayMs(
        attempt,
        parseRetryAfter(raw.headers.get("retry-after"), this.now()),
        this.retry,
        this.random,
      );
      if (delay === undefined) return { raw, attempts: attempt };
      await sleep(delay, p.signal);
    }
  }

  private send(p: Prepared): Promise<RawResponse> {
    return exchange({
      url: p.url,
      method: p.method,
      headers: p.headers,
      body: p.body,
      tls: this.o.tls,
      timeoutMs: p.timeoutMs,
      maxBytes: this.maxBytes,
      signal: p.signal,
      fetch: this.fetchImpl,
    });
  }

  private async performLogin(): Promise<NdToken> {
    const credentials = this.o.credentials as PasswordCredentials;
    const headers = new Headers({ "Content-Type": "application/json", Accept: "application/json" });
    // Logging in changes nothing on ND, so it is retried like a read.
    const p: Prepared = {
      url: new URL(LOGIN_PATH, this.o.baseUrl),
      method: "POST",
      headers,
      body: loginBody(credentials),
      idempotent: true,
      timeoutMs: this.o.timeoutMs,
    };
    const { raw } = await this.sendWithRetries(p);
    const token = readLoginResponse(raw, {
      cluster: this.clusterName,
      credentials,
      secrets: this.secrets(),
      now: this.now(),
    });
    this.announceLogin();
    return token;
  }

  private announceLogin(): void {
    const hook = this.o.onLogin;
    if (!hook) return;
    // After the current request has its token: the hook may itself send requests.
    setTimeout(() => {
      Promise.resolve()
        .then(() => hook(this))
        .catch(() => {});
    }, 0);
  }

  private transportError(err: TransportError, p: Prepared, attempts: number): NdError {
    const details: NdErrorDetails = { cluster: this.clusterName, ndMessage: err.detail, attempts };
    if (!p.idempotent && mayHaveArrived(err)) details.outcomeUnknown = true;
    switch (err.failure) {
      case "tls":
        return new NdError("tls", details);
      case "timeout":
        return new NdError("timeout", details);
      case "too_large":
        return new NdError("bad_response", details, "Nexus Dashboard sent a response over the size limit");
      case "unreachable":
        return new NdError("unreachable", details);
    }
  }

  private assertOpen(): void {
    if (this.closed)
      throw new NdError(
        "unreachable",
        { cluster: this.clusterName },
        "the cluster's settings changed while this request was queued; send it again",
      );
  }

  private withAttempts(error: NdError, attempts: number): NdError {
    error.details.attempts = attempts;
    return error;
  }

  private secrets(): string[] {
    const token = this.session?.peek();
    return [credentialSecret(this.o.credentials), ...(token ? [token.value] : [])];
  }
}

/** A refused connection never reached ND; a timeout or reset after sending may have. */
function mayHaveArrived(err: TransportError): boolean {
  if (err.failure === "timeout") return true;
  return err.failure === "unreachable" && !/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(err.detail);
}

function callerHeaders(given: Readonly<Record<string, string>>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(given)) {
    if (
      !HEADER_NAME.test(name) ||
      RESERVED_HEADERS.has(name.toLowerCase()) ||
      name.toLowerCase().startsWith("proxy-")
    ) {
      throw new NdRequestRejected(`header ${JSON.stringify(name)} cannot be set by the caller`);
    }
    if (typeof value !== "string" || /[\u0000-\u001f\u007f]/.test(value))
      throw new NdRequestRejected(`header ${name} has an invalid value`);
    headers.set(name, value);
  }
  return headers;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
