/**
 * What reached the simulator, for tests to inspect ("no request left the gateway" is proven by
 * the absence of an entry). Credentials are redacted on the way in; the log is a bounded ring so
 * a benchmark run cannot grow it without limit.
 */

export interface LoggedRequest {
  seq: number;
  time: string;
  method: string;
  path: string;
  /** Raw query string without the leading "?". */
  query: string;
  headers: Record<string, string>;
  /** Request body text (first 64 KiB) for writes; login passwords are redacted. */
  body?: string;
  /** Filled in when the answer is ready; undefined for dropped connections. */
  status?: number;
}

const SECRET_HEADERS = new Set(["authorization", "cookie", "x-nd-apikey"]);
const BODY_LIMIT = 64 * 1024;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(private readonly limit: number) {}

  async record(req: Request, url: URL): Promise<LoggedRequest> {
    const entry: LoggedRequest = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      method: req.method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ""),
      headers: redactHeaders(req.headers),
    };
    if (req.method !== "GET" && req.method !== "HEAD" && req.body) {
      entry.body = redactBody(url.pathname, (await req.clone().text()).slice(0, BODY_LIMIT));
    }
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return entry;
  }

  all(): LoggedRequest[] {
    return [...this.entries];
  }

  /** Entries whose path starts with the prefix (or all). */
  find(pathPrefix = "", method?: string): LoggedRequest[] {
    return this.entries.filter((e) => e.path.startsWith(pathPrefix) && (!method || e.method === method.toUpperCase()));
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
  }
}

function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADERS.has(name) ? "<redacted>" : value;
  });
  return out;
}

function redactBody(path: string, body: string): string {
  if (path !== "/login") return body;
  return body.replace(/("(?:userPasswd|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"<redacted>"');
}
