/**
 * IP addresses and CIDR ranges as numbers, for the cluster URL policy. IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d) are treated as the IPv4 address they carry, so a mapped loopback
 * address is still loopback.
 */
import { isIPv4, isIPv6 } from "node:net";

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

export interface IpRange {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

const V4_MAPPED = 0xffff_0000_0000n;

export function parseIp(text: string): IpAddress | undefined {
  const bare = text.replace(/^\[(.*)\]$/, "$1");
  if (isIPv4(bare)) return { family: 4, value: v4Value(bare) };
  if (!isIPv6(bare)) return undefined;
  const value = v6Value(bare.replace(/%.*$/, ""));
  if (value >> 32n === V4_MAPPED >> 32n) return { family: 4, value: value & 0xffff_ffffn };
  return { family: 6, value };
}

function v4Value(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6Value(text: string): bigint {
  let groups: string[];
  const [head, tail] = text.split("::") as [string, string | undefined];
  const expand = (part: string) => (part === "" ? [] : part.split(":").flatMap(v6Group));
  if (tail === undefined) groups = expand(head);
  else {
    const left = expand(head);
    const right = expand(tail);
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** An embedded dotted IPv4 tail counts as two groups. */
function v6Group(group: string): string[] {
  if (!group.includes(".")) return [group];
  const v = Number(v4Value(group));
  return [((v >>> 16) & 0xffff).toString(16), (v & 0xffff).toString(16)];
}

export function parseRange(text: string): IpRange | undefined {
  const [addr, prefixText, extra] = text.split("/");
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  // A mapped address written as IPv6 with a /96+ prefix means the IPv4 range it carries.
  const mappedShift = ip.family === 4 && isIPv6(addr.replace(/^\[(.*)\]$/, "$1")) ? 96 : 0;
  const prefix = prefixText === undefined ? bits : Number(prefixText) - mappedShift;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  return { family: ip.family, base: ip.value & mask(ip.family, prefix), prefix };
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(family === 4 ? 32 : 128);
  const ones = (1n << bits) - 1n;
  return (ones << (bits - BigInt(prefix))) & ones;
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  return ip.family === range.family && (ip.value & mask(range.family, range.prefix)) === range.base;
}

const range = (text: string) => parseRange(text)!;

/** Loopback and link-local: the simulator lives here; ND never does. Allowed only on request. */
export const LOCAL_RANGES: readonly IpRange[] = [
  range("127.0.0.0/8"),
  range("::1/128"),
  range("169.254.0.0/16"),
  range("fe80::/10"),
];

/** Never a valid ND address: "this network" (0.0.0.0 reaches the local host), multicast, reserved. */
export const FORBIDDEN_RANGES: readonly IpRange[] = [
  range("0.0.0.0/8"),
  range("::/128"),
  range("224.0.0.0/4"),
  range("240.0.0.0/4"),
  range("ff00::/8"),
];

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join(".");
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((ip.value >> s) & 0xffffn).toString(16));
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}
