/**
 * One HTTPS listener. Bun cannot swap the TLS context of a running server (`server.reload`
 * only replaces handlers), so a certificate reload starts listening anew with the new context
 * right after the old server stops accepting; requests and streams already in flight finish on
 * the old server. The gap in which a new connection could be refused is the time between two
 * syscalls (see docs/decisions.md).
 */
import type { Server } from "bun";
import { applySecurityHeaders } from "./security-headers.ts";
import { StartupError } from "../errors.ts";
import type { Handler, ListenerName } from "./handler.ts";

export interface ListenerOptions {
  name: ListenerName;
  hostname: string;
  port: number;
  portKey: string;
  tls: { cert: string; key: string };
  handler: Handler;
}

export interface Listener {
  readonly name: ListenerName;
  readonly port: number;
  readonly url: string;
  reloadTls(tls: { cert: string; key: string }): Promise<void>;
  /** Stops accepting new connections; requests and streams already open continue. */
  stopAccepting(): void;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  stop(graceMs: number): Promise<void>;
}

/**
 * TLS 1.2 suites offered: forward-secret AEAD only (no CBC/SHA-1). TLS 1.3 suites are all AEAD
 * and unaffected by this list. Every client we serve negotiates one of these or TLS 1.3.
 */
export const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

function serve(opts: ListenerOptions, port: number): Server<unknown> {
  try {
    return Bun.serve({
      hostname: opts.hostname,
      port,
      reusePort: false,
      // SSE routes lift this per request; everything else is cut after 60 s of silence.
      idleTimeout: 60,
      maxRequestBodySize: 16 * 1024 * 1024,
      tls: { ...opts.tls, ciphers: TLS12_CIPHERS },
      // Never Bun's development error page (stack and source paths), whatever NODE_ENV says.
      development: false,
      fetch: (request, server) =>
        opts.handler(request, { clientIp: server.requestIP(request)?.address ?? "unknown", server }),
      // The handler does not throw; should anything still escape it, a bare safe 500.
      error: () => lastResort(opts.name),
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EADDRINUSE") {
      throw new StartupError(
        `${opts.portKey} ${port} on ${opts.hostname} is in use by another process; stop it or choose another ${opts.portKey}`,
      );
    }
    if (code === "EACCES")
      throw new StartupError(
        `${opts.portKey} ${port}: permission denied; use a port above 1023 or grant the capability`,
      );
    throw new StartupError(
      `${opts.name} listener cannot start on ${opts.hostname}:${port} (${(err as Error).message})`,
    );
  }
}

export function startListener(opts: ListenerOptions): Listener {
  let server = serve(opts, opts.port);
  const port = server.port ?? opts.port;
  const retired: Server<unknown>[] = [];
  const draining: Promise<void>[] = [];
  const host = opts.hostname.includes(":") ? `[${opts.hostname}]` : opts.hostname;
  return {
    name: opts.name,
    port,
    url: `https://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${port}`,
    async reloadTls(tls) {
      retired.push(server);
      draining.push(server.stop(false));
      server = serve({ ...opts, tls }, port);
    },
    stopAccepting() {
      draining.push(server.stop(false));
      retired.push(server);
    },
    async stop(graceMs) {
      const stopping = [server.stop(false), ...draining];
      const timer = new Promise<"timeout">((r) => setTimeout(r, graceMs, "timeout").unref());
      if ((await Promise.race([Promise.all(stopping), timer])) === "timeout") {
        await Promise.all([server, ...retired].map((s) => s.stop(true)));
      }
    },
  };
}

function lastResort(listener: ListenerName): Response {
  const headers = new Headers({ "content-type": "application/json" });
  applySecurityHeaders(headers, listener);
  return new Response(JSON.stringify({ error: { code: "internal", message: "internal error" } }), {
    status: 500,
    headers,
  });
}
