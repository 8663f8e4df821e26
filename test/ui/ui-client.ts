/**
 * A browser-like client of the UI listener for HTTP-level tests: keeps the session cookie,
 * reads the CSRF token from the page's <meta>, sends same-origin headers like a browser would.
 */
import type { TestServer } from "../support/server.ts";

export class UiClient {
  cookie: string | null = null;
  csrf: string | null = null;
  constructor(readonly srv: TestServer) {}

  get origin(): string {
    return this.srv.server.ui.url.replace(/\/$/, "");
  }

  async request(
    path: string,
    init: RequestInit & { form?: Record<string, string | string[]>; site?: string | null } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set("cookie", this.cookie);
    let body = init.body;
    if (init.form) {
      const f = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const x of Array.isArray(v) ? v : [v]) f.append(k, x);
      body = f;
      headers.set("content-type", "application/x-www-form-urlencoded");
    }
    if (init.site !== null && (init.method ?? "GET") !== "GET")
      headers.set("sec-fetch-site", init.site ?? "same-origin");
    const res = await this.srv.fetchUi(path, { ...init, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [name, value] = pair!.split("=");
      if (name === "__Host-nmg_session") this.cookie = value ? `${name}=${value}` : null;
    }
    return res;
  }

  /** GET a page and remember its CSRF token. */
  async page(path: string): Promise<{ res: Response; text: string }> {
    const res = await this.request(path);
    const text = await res.text();
    const m = /<meta name="csrf-token" content="([^"]+)">/.exec(text);
    if (m) this.csrf = m[1]!;
    return { res, text };
  }

  async post(
    path: string,
    form: Record<string, string | string[]>,
    opts: { csrf?: boolean; site?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const withCsrf = opts.csrf === false || !this.csrf ? form : { csrf: this.csrf, ...form };
    return this.request(path, { method: "POST", form: withCsrf, site: opts.site, headers: opts.headers });
  }

  async login(username: string, password: string): Promise<Response> {
    return this.post("/login", { username, password, next: "/" });
  }
}
