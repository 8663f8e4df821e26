/**
 * Where ND clusters may live: the SSRF guard for every URL the gateway will send credentials to.
 *
 * Guarantees:
 *   - Only `https://host[:port]` (no user info, path, query or fragment) is accepted; the
 *     normalised origin is what gets stored and called.
 *   - The host must match the allow-list (CLUSTER_ALLOWLIST): `*` (any), an exact host name,
 *     a `*.domain` suffix, an IP address or a CIDR range. A host name matches by name, or when
 *     every address it resolves to lies in an allowed range.
 *   - Whatever the allow-list says, EVERY resolved address is checked: loopback and link-local
 *     (127/8, ::1, 169.254/16 — cloud metadata —, fe80::/10) only with CLUSTER_ALLOW_LOOPBACK;
 *     0.0.0.0/8, ::, multicast and reserved ranges never. IPv4-mapped IPv6 counts as IPv4.
 *   - The check runs when a cluster is saved and again before the client connects (nd-client),
 *     so a DNS answer that changes later is caught; the remaining window is between our lookup
 *     and fetch's own, which only a pinned-address connection could close.
 */
import { lookup } from "node:dns/promises";
import { Invalid } from "../errors.ts";
import {
  FORBIDDEN_RANGES,
  LOCAL_RANGES,
  formatIp,
  inRange,
  parseIp,
  parseRange,
  type IpAddress,
  type IpRange,
} from "./ip-ranges.ts";

export interface UrlPolicy {
  any: boolean;
  names: string[];
  suffixes: string[];
  ranges: IpRange[];
  allowLoopback: boolean;
}

/** Resolves a host name to all its addresses (A and AAAA). Injected in tests. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Builds the policy from configuration values; every bad entry is reported at once. */
export function parseUrlPolicy(allowlist: readonly string[], allowLoopback: boolean): UrlPolicy {
  const policy: UrlPolicy = { any: false, names: [], suffixes: [], ranges: [], allowLoopback };
  const problems: string[] = [];
  for (const raw of allowlist) {
    const entry = raw.trim().toLowerCase().replace(/\.$/, "");
    if (entry === "") continue;
    if (entry === "*") policy.any = true;
    else if (entry.startsWith("*.") && HOST_NAME.test(entry.slice(2))) policy.suffixes.push(entry.slice(1));
    else if (parseRange(entry)) policy.ranges.push(parseRange(entry)!);
    else if (HOST_NAME.test(entry) && !/^[\d.]+$/.test(entry)) policy.names.push(entry);
    else problems.push(`"${raw}" is not a host name, *.domain, IP address or CIDR range`);
  }
  if (problems.length) throw new Invalid(`CLUSTER_ALLOWLIST: ${problems.join("; ")}`);
  return policy;
}

/** Parses a cluster URL into its origin; throws Invalid naming what is wrong. */
export function normaliseClusterUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Invalid(`"${text}" is not a URL; use https://host[:port]`);
  }
  if (url.protocol !== "https:") throw new Invalid("cluster URLs must use https://");
  if (url.username || url.password)
    throw new Invalid("cluster URLs must not contain a user name or password; give credentials separately");
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash)
    throw new Invalid("a cluster URL is scheme, host and port only (e.g. https://nd.example.com)");
  return new URL(url.origin);
}

/**
 * Checks a URL against the policy, resolving its host. Returns the origin to store/call.
 * Throws Invalid with a message an administrator can act on.
 */
export async function checkClusterUrl(
  text: string,
  policy: UrlPolicy,
  resolve: Resolver = systemResolver,
): Promise<string> {
  const url = normaliseClusterUrl(text);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const literal = parseIp(host);
  const addresses = literal ? [literal] : await resolveAll(host, resolve);
  for (const address of addresses) checkAddress(host, address, policy);
  if (!isAllowed(host, literal !== undefined, addresses, policy)) {
    throw new Invalid(`${host} is not in CLUSTER_ALLOWLIST; add the host name or its network (CIDR) there`);
  }
  return url.origin;
}

async function resolveAll(host: string, resolve: Resolver): Promise<IpAddress[]> {
  let answers: string[];
  try {
    answers = await resolve(host);
  } catch {
    throw new Invalid(`cannot resolve ${host}; check the name and the appliance's DNS settings`);
  }
  const addresses = answers.map(parseIp).filter((a): a is IpAddress => a !== undefined);
  if (addresses.length === 0) throw new Invalid(`${host} has no IP address`);
  return addresses;
}

function checkAddress(host: string, address: IpAddress, policy: UrlPolicy): void {
  const shown = host === formatIp(address) ? host : `${host} (${formatIp(address)})`;
  if (FORBIDDEN_RANGES.some((r) => inRange(address, r))) throw new Invalid(`${shown} is not a usable cluster address`);
  if (!policy.allowLoopback && LOCAL_RANGES.some((r) => inRange(address, r))) {
    throw new Invalid(
      `${shown} is a loopback or link-local address; only allowed with CLUSTER_ALLOW_LOOPBACK=true (for the simulator)`,
    );
  }
}

function isAllowed(host: string, isLiteral: boolean, addresses: IpAddress[], policy: UrlPolicy): boolean {
  if (policy.any) return true;
  if (!isLiteral && (policy.names.includes(host) || policy.suffixes.some((s) => host.endsWith(s)))) return true;
  return addresses.every((a) => policy.ranges.some((r) => inRange(a, r)));
}
