/**
 * A SIEM destination: where sealed audit events are streamed, and how.
 *
 * Guarantees: only the transports below exist; a URL is parsed once, here, into host, port and
 * path, and anything else (userinfo, fragments, a query on syslog, a path on syslog, a port
 * outside 1–65535) is refused with the reason; the HEC token is never part of a destination as it
 * is shown (only `hasToken`).
 */
import { Invalid } from "../errors.ts";

export const TRANSPORTS = ["syslog+tls", "syslog+tcp", "syslog+udp", "https"] as const;
export type Transport = (typeof TRANSPORTS)[number];
export const FORMATS = ["json", "cef"] as const;
export type MessageFormat = (typeof FORMATS)[number];

/** Default ports: RFC 5425 (syslog over TLS), RFC 5424/6587 (syslog), Splunk HEC. */
const DEFAULT_PORT: Record<Transport, number> = {
  "syslog+tls": 6514,
  "syslog+tcp": 514,
  "syslog+udp": 514,
  https: 8088,
};
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface SiemDestination {
  id: string;
  name: string;
  transport: Transport;
  url: string;
  format: MessageFormat;
  caPem: string | null;
  hasToken: boolean;
  enabled: boolean;
  createdAt: Date;
  createdBy: string | null;
}

export interface SiemTarget {
  transport: Transport;
  host: string;
  port: number;
  /** HTTPS only: the path (and query) to POST to. */
  path: string;
}

export interface NewDestination {
  name: string;
  url: string;
  format?: string;
  caPem?: string | null;
  token?: string | null;
}

/** Plain TCP and UDP carry audit data unencrypted: accepted for labs, flagged where shown. */
export function isUnencrypted(transport: Transport): boolean {
  return transport === "syslog+tcp" || transport === "syslog+udp";
}

export function validateName(name: string): string {
  if (!NAME.test(name))
    throw new Invalid(
      `destination name "${name}" is not valid: use 1–63 letters, digits, dot, dash or underscore, starting with a letter or digit`,
    );
  return name;
}

export function parseFormat(value: string | undefined, transport: Transport): MessageFormat {
  const format = (value ?? "json").toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format))
    throw new Invalid(`format "${value}" is not known: use json or cef`);
  if (transport === "https" && format !== "json")
    throw new Invalid("an https (HEC) destination takes JSON events; cef is for syslog destinations");
  return format as MessageFormat;
}

/**
 * `syslog+tls://siem.example.net:6514`, `syslog+tcp://…`, `syslog+udp://…` or
 * `https://splunk.example.net:8088/services/collector/event`.
 */
export function parseTarget(raw: string): SiemTarget {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Invalid(
      `"${raw}" is not a URL: use syslog+tls://HOST[:PORT], syslog+tcp://…, syslog+udp://… or https://HOST[:PORT]/services/collector/event`,
    );
  }
  const transport = url.protocol.slice(0, -1) as Transport;
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    throw new Invalid(
      `transport "${url.protocol.slice(0, -1)}" is not supported: use syslog+tls, syslog+tcp, syslog+udp or https`,
    );
  }
  if (url.username || url.password)
    throw new Invalid("the URL must not carry a user or password; give an HEC token with --token-file");
  if (url.hash) throw new Invalid("the URL must not have a #fragment");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!host) throw new Invalid("the URL names no host");
  const port = url.port ? Number(url.port) : DEFAULT_PORT[transport];
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Invalid(`port ${url.port} is not valid`);
  if (transport !== "https" && ((url.pathname && url.pathname !== "/") || url.search)) {
    throw new Invalid("a syslog URL has no path or query: syslog+tls://HOST[:PORT]");
  }
  const path =
    transport === "https" ? `${url.pathname === "/" ? "/services/collector/event" : url.pathname}${url.search}` : "";
  return { transport, host, port, path };
}

/** The canonical URL stored and shown (default port made explicit). */
export function targetUrl(t: SiemTarget): string {
  const host = t.host.includes(":") ? `[${t.host}]` : t.host;
  return `${t.transport}://${host}:${t.port}${t.path}`;
}
