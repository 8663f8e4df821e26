/**
 * Sending messages to one destination: syslog over TLS, TCP or UDP, or HTTPS to an HEC endpoint.
 *
 * Guarantees: TLS verifies the receiver's certificate (the destination's CA, else the system
 * store) and its name, TLS 1.2 at least; every operation has a deadline, so a receiver that stops
 * reading makes `send` fail instead of hanging; the HEC token goes only into the Authorization
 * header and never into an error message.
 *
 * What "sent" means: for HTTPS the receiver's 200 answer; for a stream, the bytes were handed to
 * the kernel — syslog has no acknowledgement (RFC 5425, 6587), so the forwarder confirms a stream
 * batch only after the connection stayed healthy for a while and replays the rest after a break.
 * UDP is fire and forget (for labs).
 */
import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";
import type { AuditRecord } from "../audit/audit.sql.ts";
import type { MessageFormat, SiemTarget } from "./siem-destination.ts";
import { hecEvent, octetFrame, syslogLine, type MessageContext } from "./siem-message.ts";

export interface SenderOptions {
  target: SiemTarget;
  format: MessageFormat;
  caPem: string | null;
  token: string | null;
  hostname: string;
  version: string;
  timeoutMs: number;
}

export interface Sender {
  /** True for stream transports: a successful send is confirmed later (see above). */
  readonly streaming: boolean;
  send(rows: { row: AuditRecord; replay: boolean }[]): Promise<void>;
  /** The connection broke since the last send (stream transports). */
  broken(): boolean;
  close(): Promise<void>;
}

export class DeliveryError extends Error {}

export function createSender(opts: SenderOptions): Sender {
  if (opts.target.transport === "https") return hecSender(opts);
  if (opts.target.transport === "syslog+udp") return udpSender(opts);
  return streamSender(opts);
}

const ctxOf = (opts: SenderOptions, replay: boolean): MessageContext => ({
  hostname: opts.hostname,
  version: opts.version,
  replay,
});

function streamSender(opts: SenderOptions): Sender {
  let socket: net.Socket | null = null;
  let failure: Error | null = null;
  const { host, port } = opts.target;

  const connect = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const onError = (err: Error) => {
        s.destroy();
        reject(new DeliveryError(`cannot connect to ${host}:${port}: ${err.message}`));
      };
      const s =
        opts.target.transport === "syslog+tls"
          ? tls.connect(
              {
                host,
                port,
                servername: net.isIP(host) ? undefined : host,
                ca: opts.caPem ?? undefined,
                minVersion: "TLSv1.2",
              },
              () => ready(),
            )
          : net.connect({ host, port }, () => ready());
      const timer = setTimeout(() => onError(new Error(`no connection within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      const ready = () => {
        clearTimeout(timer);
        s.off("error", onError);
        s.setKeepAlive(true, 10_000);
        s.on("error", (err) => (failure ??= err));
        s.on("close", () => (failure ??= new Error("the receiver closed the connection")));
        // A syslog receiver sends nothing; reading keeps the close/reset visible.
        s.on("data", () => {});
        resolve(s);
      };
      s.once("error", onError);
    });

  return {
    streaming: true,
    broken: () => failure !== null,
    async send(rows) {
      if (failure) throw new DeliveryError(`connection to ${host}:${port} broke: ${failure.message}`);
      socket ??= await connect();
      const frames = Buffer.concat(
        rows.map(({ row, replay }) => octetFrame(syslogLine(row, opts.format, ctxOf(opts, replay)))),
      );
      const s = socket;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new DeliveryError(`${host}:${port} did not take the data within ${opts.timeoutMs} ms`)),
          opts.timeoutMs,
        );
        s.write(frames, (err) => {
          clearTimeout(timer);
          if (err) reject(new DeliveryError(`sending to ${host}:${port} failed: ${err.message}`));
          else resolve();
        });
      });
      if (failure) throw new DeliveryError(`connection to ${host}:${port} broke: ${(failure as Error).message}`);
    },
    async close() {
      const s = socket;
      socket = null;
      if (!s || s.destroyed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          s.destroy();
          resolve();
        }, 2000);
        s.end(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

function udpSender(opts: SenderOptions): Sender {
  const { host, port } = opts.target;
  const socket = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
  return {
    streaming: false,
    broken: () => false,
    async send(rows) {
      for (const { row, replay } of rows) {
        const line = Buffer.from(syslogLine(row, opts.format, ctxOf(opts, replay)), "utf8");
        await new Promise<void>((resolve, reject) =>
          socket.send(line, port, host, (err) =>
            err ? reject(new DeliveryError(`sending to ${host}:${port} failed: ${err.message}`)) : resolve(),
          ),
        );
      }
    },
    async close() {
      socket.close();
    },
  };
}

function hecSender(opts: SenderOptions): Sender {
  const { host, port, path } = opts.target;
  const url = `https://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
  return {
    streaming: false,
    broken: () => false,
    async send(rows) {
      const body = rows.map(({ row, replay }) => hecEvent(row, ctxOf(opts, replay))).join("\n");
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(opts.token ? { authorization: `Splunk ${opts.token}` } : {}),
          },
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(opts.timeoutMs),
          tls: opts.caPem ? { ca: opts.caPem } : undefined,
        } as RequestInit);
      } catch (err) {
        throw new DeliveryError(`cannot reach ${url}: ${(err as Error).message}`);
      }
      const text = (await response.text().catch(() => "")).slice(0, 200);
      if (!response.ok) {
        const hint = response.status === 401 || response.status === 403 ? " (check the HEC token)" : "";
        throw new DeliveryError(
          `${url} answered HTTP ${response.status}${hint}: ${text.replaceAll(opts.token ?? "\u0000", "…")}`,
        );
      }
    },
    async close() {},
  };
}
