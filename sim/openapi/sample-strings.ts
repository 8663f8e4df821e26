/**
 * Plausible string values: by `format`, by `pattern` (first candidate that matches), and by
 * property name. Secret-looking properties get secret-looking values so the gateway's redaction
 * can be tested against generated answers too (reference §8.1).
 */
import type { Rng } from "../prng.ts";
import { compilePattern } from "./validate-schema.ts";

export const SECRET_PROPERTY = /(password|passwd|passphrase|secret|api_?key|private_?key|community|token|auth_?key)$/i;

export function secretValue(rng: Rng): string {
  return `sim-secret-${rng.hex(16)}`;
}

export function stringForFormat(format: string, rng: Rng, epochMs: number): string | undefined {
  switch (format) {
    case "date-time":
      return new Date(epochMs + rng.int(0, 30 * 86_400) * 1000).toISOString();
    case "date":
      return new Date(epochMs + rng.int(0, 30) * 86_400_000).toISOString().slice(0, 10);
    case "ipv4":
    case "ip":
      return `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    case "ipv6":
      return `2001:db8::${rng.hex(4)}`;
    case "cidr":
    case "cidrv4":
      return `10.${rng.int(0, 255)}.${rng.int(0, 255)}.0/24`;
    case "cidrv6":
      return "2001:db8::/64";
    case "mac":
      return `00:25:b5:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`;
    case "email":
      return `user${rng.int(1, 99)}@example.com`;
    case "hostname":
      return `host${rng.int(1, 99)}.example.com`;
    case "uuid":
      return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`;
    case "uri":
    case "url":
      return `https://example.com/${rng.hex(6)}`;
    case "byte":
      return Buffer.from(`sim-${rng.hex(6)}`).toString("base64");
    case "binary":
      return "";
    case "password":
      return secretValue(rng);
    default:
      return undefined;
  }
}

const PATTERN_CANDIDATES = [
  "sim1",
  "abc123",
  "fabric1",
  "10.1.1.1",
  "10.1.1.0/24",
  "65001",
  "65001:100",
  "100",
  "1-10",
  "abcd",
  "00ff",
  "0011.2233.4455",
  "Ethernet1/1",
  "12:30",
  "1h2m3s",
  "239.1.1.1",
  "2001:db8::1",
  "any",
  "all",
  "host.example.com",
  "https://example.com",
  "1sim",
];

export function stringForPattern(pattern: string, example: unknown): string | undefined {
  const regex = compilePattern(pattern);
  if (!regex) return undefined;
  if (typeof example === "string" && regex.test(example)) return example;
  // Unanchored literal patterns ("firewall", "coke") match themselves.
  if (/^[A-Za-z0-9_-]+$/.test(pattern) && regex.test(pattern)) return pattern;
  return PATTERN_CANDIDATES.find((candidate) => regex.test(candidate));
}

/** Name-based guesses that make generated answers read like ND data. */
export function stringForName(name: string, rng: Rng): string | undefined {
  const n = name.toLowerCase();
  if (SECRET_PROPERTY.test(name)) return secretValue(rng);
  if (n === "fabricname" || n === "fabric") return `fabric${rng.int(1, 4)}`;
  if (n === "switchid" || n === "serialnumber" || n === "serial") return `FDO${rng.int(20, 29)}${rng.alnum(6)}`;
  if (n === "hostname" || n === "switchname" || n === "nodename") return `leaf${rng.int(101, 120)}`;
  if (n.endsWith("ip") || n.endsWith("ipaddress") || n === "address")
    return `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  if (n === "id" || n.endsWith("id") || n === "uuid") return rng.hex(24);
  if (n.endsWith("name")) return `${name.replace(/name$/i, "") || "name"}-${rng.int(1, 9)}`;
  if (n.endsWith("version")) return `${rng.int(1, 12)}.${rng.int(0, 9)}(${rng.int(1, 9)})`;
  return undefined;
}
