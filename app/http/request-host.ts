/**
 * Strict parsing of the Host header, before anything else looks at the request.
 *
 * Guarantees: a request whose Host is empty, holds whitespace, userinfo (`x@localhost`), a path,
 * or anything but a DNS name, an IPv4 address or a bracketed IPv6 address with an optional port
 * is malformed — the handler answers it 400 before routing, authentication or `new URL()` run.
 * So a Host such as `x@localhost` can never pass the MCP Host allow-list as "localhost".
 */

export interface RequestHost {
  /** Lower case, IPv6 without brackets. */
  hostname: string;
  port: number | null;
}

// A DNS name (labels of letters, digits, hyphens; an optional trailing dot), IPv4, or [IPv6].
const NAME =
  /^(?=.{1,253}\.?$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^\[([0-9A-Fa-f:.]{2,45})\]$/;

/** The host and port of a Host header value, or null when it is malformed. */
export function parseHost(value: string | null | undefined): RequestHost | null {
  if (value === null || value === undefined || value === "") return null;
  const v6 = /^(\[[^\]]*\])(?::(\d{1,5}))?$/.exec(value);
  const [host, port] = v6 ? [v6[1]!, v6[2]] : splitPort(value);
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) > 65_535)) return null;
  if (v6) {
    const inner = IPV6.exec(host)?.[1];
    if (!inner || !inner.includes(":")) return null;
    return { hostname: inner.toLowerCase(), port: port === undefined ? null : Number(port) };
  }
  if (!NAME.test(host)) return null;
  return { hostname: host.toLowerCase().replace(/\.$/, ""), port: port === undefined ? null : Number(port) };
}

function splitPort(value: string): [string, string | undefined] {
  const colon = value.lastIndexOf(":");
  return colon < 0 ? [value, undefined] : [value.slice(0, colon), value.slice(colon + 1)];
}

/** The path of a request URL without trusting it to parse (a bad Host makes `new URL` throw). */
export function pathOf(url: string): string {
  const afterScheme = url.indexOf("://");
  const start = url.indexOf("/", afterScheme < 0 ? 0 : afterScheme + 3);
  if (start < 0) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}
