/**
 * One HTTP exchange with ND: send, read the whole (bounded) body, or fail with a transport-level
 * reason. No retries, no auth, no interpretation — nd-client.ts does those.
 *
 * Guarantees: TLS is verified unless the cluster is explicitly insecure, against the cluster's
 * CA bundle when it has one (Bun's fetch `tls.ca`, no NODE_EXTRA_CA_CERTS needed) and the host
 * name is checked; redirects are never followed (`redirect: "manual"`), so credentials cannot
 * be carried to another host; the timeout covers connecting, headers and the whole body; a body
 * over `maxBytes` (declared or streamed, after decompression) is abandoned as soon as the limit
 * is passed, never buffered in full.
 */

export type TransportFailure = "unreachable" | "tls" | "timeout" | "too_large";

export class TransportError extends Error {
  constructor(
    readonly failure: TransportFailure,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "TransportError";
  }
}

export interface Exchange {
  url: URL;
  method: string;
  headers: Headers;
  body?: string;
  tls: { verify: boolean; caPem?: string };
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
  fetch: typeof fetch;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|HOSTNAME|HANDSHAKE/i;

export async function exchange(x: Exchange): Promise<RawResponse> {
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new TransportError("timeout", `no complete answer within ${x.timeoutMs} ms`)),
    x.timeoutMs,
  );
  const signal = x.signal ? AbortSignal.any([timeout.signal, x.signal]) : timeout.signal;
  try {
    const response = await x.fetch(x.url, {
      method: x.method,
      headers: x.headers,
      body: x.body,
      redirect: "manual",
      signal,
      tls: { rejectUnauthorized: x.tls.verify, ...(x.tls.verify && x.tls.caPem ? { ca: x.tls.caPem } : {}) },
    });
    const bytes = await readBounded(response, x.maxBytes);
    return { status: response.status, headers: response.headers, bytes };
  } catch (err) {
    throw classify(err, timeout.signal, x.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    total += chunk.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk.value);
  }
  return concat(chunks, total);
}

function tooLarge(maxBytes: number): TransportError {
  return new TransportError("too_large", `the response is larger than the ${maxBytes}-byte limit`);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * A caller's own abort is passed through untouched (it is not ND's failure); everything else
 * becomes a TransportError.
 */
function classify(err: unknown, timeout: AbortSignal, caller: AbortSignal | undefined): unknown {
  if (err instanceof TransportError) return err;
  if (timeout.aborted) return timeout.reason;
  if (caller?.aborted) return caller.reason;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message.split(". For more information")[0]! : String(err);
  if (TLS_CODE.test(code))
    return new TransportError("tls", `${code}: ${message.replace(/^.*?fetching "[^"]*"\.?\s*/, "") || code}`);
  return new TransportError("unreachable", code ? `${code}: ${message}` : message);
}
