/**
 * Configuration, declared once. The only module that reads `process.env`.
 *
 * Guarantees: every key has a type, a default and a secret flag; secrets also accept `KEY_FILE`;
 * validation reports every problem at once; `redactedConfig()` never prints a secret value.
 */
import { readFileSync, existsSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { parseRange } from "./clusters/ip-ranges.ts";

type Kind = "string" | "int" | "bool" | "list" | "enum" | "duration";

interface KeySpec {
  kind: Kind;
  default?: string;
  secret?: boolean;
  values?: readonly string[];
  min?: number;
  max?: number;
  help: string;
}

/** Where `bun run demo` keeps its data (the CLI looks there when no DATA_DIR is given). */
export const DEMO_DATA_DIR = resolve(import.meta.dir, "../data/demo");

/** Every configuration key the gateway knows. README's table is generated from this. */
export const CONFIG_KEYS = {
  ENV_FILE: { kind: "string", help: "Optional env file (KEY=VALUE lines) read before the environment" },
  DATA_DIR: { kind: "string", default: "./data", help: "Data directory: certificates, keyring, embedded database" },
  DATABASE_URL: {
    kind: "string",
    secret: true,
    help: "PostgreSQL URL; unset = embedded engine (PGlite) under DATA_DIR",
  },
  DB_CONNECT_ATTEMPTS: {
    kind: "int",
    default: "8",
    min: 1,
    max: 100,
    help: "Attempts to reach the database at start (exponential back-off)",
  },
  MIGRATE_ON_START: {
    kind: "bool",
    default: "true",
    help: "Apply pending migrations at start; false = only check (the appliance migrates as the owner role)",
  },
  DB_COUNT_QUERIES: {
    kind: "bool",
    default: "false",
    help: "Count every database statement in /metrics (nmg_db_queries_total); for benchmarks",
  },
  DB_POOL_MAX: { kind: "int", default: "20", min: 1, max: 500, help: "Maximum database connections" },
  BIND_ADDRESS: { kind: "string", default: "0.0.0.0", help: "Address both HTTPS listeners bind to" },
  UI_PORT: { kind: "int", default: "7443", min: 0, max: 65535, help: "Admin UI HTTPS port" },
  API_PORT: { kind: "int", default: "8444", min: 0, max: 65535, help: "API/MCP HTTPS port" },
  PUBLIC_HOSTNAMES: {
    kind: "list",
    default: "",
    help: "Extra host names/IPs clients use (Host/Origin allow-list; TLS SANs)",
  },
  TLS_CERT_FILE: { kind: "string", help: "Admin-provided certificate (PEM); never overwritten" },
  TLS_KEY_FILE: { kind: "string", secret: true, help: "Admin-provided private key (PEM)" },
  TLS_CHAIN_FILE: { kind: "string", help: "Admin-provided intermediate chain (PEM)" },
  TLS_SANS: {
    kind: "list",
    default: "",
    help: "Subject alternative names of the generated certificate; empty = host name, localhost, loopback and every machine address",
  },
  TLS_CN: { kind: "string", help: "Common name of the generated certificate (default: host name)" },
  TLS_ORG: { kind: "string", default: "Nexus MCP Gateway", help: "Organisation of the generated certificate" },
  TLS_VALIDITY_DAYS: { kind: "int", default: "397", min: 1, max: 3650, help: "Validity of a generated certificate" },
  TLS_RENEW_DAYS: {
    kind: "int",
    default: "30",
    min: 0,
    max: 3650,
    help: "Renew a generated certificate this many days before it expires",
  },
  LOG_LEVEL: {
    kind: "enum",
    default: "info",
    values: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    help: "Log level",
  },
  SHUTDOWN_GRACE: { kind: "duration", default: "10s", help: "How long in-flight requests may finish on shutdown" },
  ENCRYPTION_KEY: {
    kind: "string",
    secret: true,
    help: "Base64 32-byte key sealing stored credentials; unset = generated into DATA_DIR",
  },
  ADMIN_PASSWORD: { kind: "string", secret: true, help: "Password of the first admin (only used when no user exists)" },
  MCP_API_TOKEN: {
    kind: "string",
    secret: true,
    help: "Legacy shared MCP token; accepted only if set, maps to MCP_API_TOKEN_USER",
  },
  MCP_API_TOKEN_USER: {
    kind: "string",
    default: "mcp-service",
    help: "Service user whose roles apply to MCP_API_TOKEN",
  },
  SESSION_ABSOLUTE: { kind: "duration", default: "8h", help: "Browser session absolute lifetime" },
  SESSION_IDLE: { kind: "duration", default: "1h", help: "Browser session idle timeout" },
  LOGIN_MAX_FAILURES: {
    kind: "int",
    default: "5",
    min: 1,
    max: 1000,
    help: "Failed logins (per user or IP) before a lockout",
  },
  LOGIN_LOCKOUT: { kind: "duration", default: "15m", help: "Lockout after too many failed logins" },
  TOKEN_DEFAULT_TTL: { kind: "duration", default: "90d", help: "Default lifetime of new API tokens" },
  CLUSTER_ALLOWLIST: { kind: "list", default: "*", help: "Hosts/CIDRs ND clusters may live at (* = any non-loopback)" },
  CLUSTER_ALLOW_LOOPBACK: {
    kind: "bool",
    default: "false",
    help: "Allow clusters on loopback/link-local (the simulator)",
  },
  MCP_RATE_PER_SEC: { kind: "int", default: "10", min: 1, max: 100000, help: "MCP requests per second per token" },
  MCP_RATE_BURST: { kind: "int", default: "50", min: 1, max: 100000, help: "MCP request burst per token" },
  MCP_MAX_BODY: {
    kind: "int",
    default: "1048576",
    min: 1024,
    max: 67108864,
    help: "Largest MCP request body in bytes",
  },
  MCP_SSE_PER_USER: { kind: "int", default: "8", min: 1, max: 1000, help: "Open SSE sessions per user" },
  CHANGE_FEED_RETRY: {
    kind: "duration",
    default: "1s",
    help: "Delay before the cache-invalidation LISTEN connection is re-established after it was lost (caches are off meanwhile)",
  },
  METRICS_ALLOW: {
    kind: "list",
    default: "127.0.0.0/8,::1/128",
    help: "Networks (CIDRs) GET /metrics answers without a token; others need a metrics:read token",
  },
  MCP_SSE_IDLE: { kind: "duration", default: "30m", help: "Close SSE sessions idle this long" },
  OAUTH_REGISTRATIONS_PER_MINUTE: {
    kind: "int",
    default: "10",
    min: 1,
    max: 100000,
    help: "OAuth client registrations per minute per client address",
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export interface Config {
  envFile?: string;
  dataDir: string;
  databaseUrl?: string;
  dbConnectAttempts: number;
  dbPoolMax: number;
  dbCountQueries: boolean;
  /** Networks /metrics answers without a token (CIDRs). */
  metricsAllow: string[];
  changeFeedRetryMs: number;
  migrateOnStart: boolean;
  bindAddress: string;
  uiPort: number;
  apiPort: number;
  publicHostnames: string[];
  tls: {
    certFile?: string;
    keyFile?: string;
    chainFile?: string;
    sans: string[];
    commonName: string;
    organization: string;
    validityDays: number;
    renewDays: number;
  };
  logLevel: string;
  shutdownGraceMs: number;
  encryptionKey?: string;
  adminPassword?: string;
  mcpApiToken?: string;
  mcpApiTokenUser: string;
  sessionAbsoluteMs: number;
  sessionIdleMs: number;
  loginMaxFailures: number;
  loginLockoutMs: number;
  tokenDefaultTtlMs: number;
  clusterAllowlist: string[];
  clusterAllowLoopback: boolean;
  mcp: { ratePerSec: number; rateBurst: number; maxBody: number; ssePerUser: number; sseIdleMs: number };
  oauthRegistrationsPerMinute: number;
  version: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** Parses `KEY=VALUE` lines; `#` comments and blank lines ignored; optional quotes stripped. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 1) continue;
    const key = line
      .slice(0, eq)
      .trim()
      .replace(/^export\s+/, "");
    let value = line.slice(eq + 1).trim();
    if (/^(".*"|'.*')$/.test(value)) value = value.slice(1, -1);
    out[key] = value;
  }
  return out;
}

/** The raw string for every key: env file first, environment over it, `KEY_FILE` for secrets. */
function collectRaw(env: Record<string, string | undefined>, problems: string[]): Map<ConfigKey, string> {
  const merged: Record<string, string | undefined> = { ...env };
  const envFile = env.ENV_FILE;
  if (envFile) {
    if (!existsSync(envFile)) problems.push(`ENV_FILE: ${envFile} does not exist; create it or unset ENV_FILE`);
    else Object.assign(merged, parseEnvFile(readFileSync(envFile, "utf8")), stripUndefined(env));
  }
  const raw = new Map<ConfigKey, string>();
  for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec][]) {
    const direct = merged[key];
    const file = spec.secret ? merged[`${key}_FILE`] : undefined;
    if (direct !== undefined && direct !== "" && file) {
      problems.push(`${key}: set either ${key} or ${key}_FILE, not both`);
      continue;
    }
    if (file) {
      try {
        raw.set(key, readFileSync(file, "utf8").trim());
      } catch {
        problems.push(`${key}_FILE: cannot read ${file}; check the path and its permissions`);
      }
      continue;
    }
    if (direct !== undefined && direct !== "") raw.set(key, direct);
    else if (spec.default !== undefined) raw.set(key, spec.default);
  }
  return raw;
}

function stripUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

type Value = string | number | boolean | string[] | undefined;

function convert(key: ConfigKey, text: string | undefined, problems: string[]): Value {
  const spec: KeySpec = CONFIG_KEYS[key];
  if (text === undefined) return undefined;
  switch (spec.kind) {
    case "string":
      return text;
    case "list":
      return text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    case "bool":
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      problems.push(`${key}: "${text}" is not a boolean; use true or false`);
      return undefined;
    case "enum":
      if (spec.values?.includes(text)) return text;
      problems.push(`${key}: "${text}" is not one of ${spec.values?.join(", ")}`);
      return undefined;
    case "duration": {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) problems.push(`${key}: "${text}" is not a duration; use e.g. 30s, 15m, 8h, 90d`);
      return ms;
    }
    case "int": {
      const n = Number(text);
      if (!/^-?\d+$/.test(text.trim()) || n < (spec.min ?? -Infinity) || n > (spec.max ?? Infinity)) {
        problems.push(
          `${key}: "${spec.secret ? "<redacted>" : text}" must be a whole number from ${spec.min} to ${spec.max}`,
        );
        return undefined;
      }
      return n;
    }
  }
}

/** Reads and validates configuration. Throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const raw = collectRaw(env, problems);
  const v = (key: ConfigKey) => convert(key, raw.get(key), problems);
  const str = (key: ConfigKey) => v(key) as string | undefined;
  const num = (key: ConfigKey) => v(key) as number;
  const list = (key: ConfigKey) => (v(key) as string[] | undefined) ?? [];

  const config: Config = {
    envFile: str("ENV_FILE"),
    dataDir: resolve(str("DATA_DIR") ?? "./data"),
    databaseUrl: str("DATABASE_URL"),
    dbConnectAttempts: num("DB_CONNECT_ATTEMPTS"),
    dbPoolMax: num("DB_POOL_MAX"),
    dbCountQueries: v("DB_COUNT_QUERIES") as boolean,
    metricsAllow: list("METRICS_ALLOW"),
    changeFeedRetryMs: num("CHANGE_FEED_RETRY"),
    migrateOnStart: v("MIGRATE_ON_START") as boolean,
    bindAddress: str("BIND_ADDRESS") ?? "0.0.0.0",
    uiPort: num("UI_PORT"),
    apiPort: num("API_PORT"),
    publicHostnames: list("PUBLIC_HOSTNAMES"),
    tls: {
      certFile: str("TLS_CERT_FILE"),
      keyFile: str("TLS_KEY_FILE"),
      chainFile: str("TLS_CHAIN_FILE"),
      sans: list("TLS_SANS"),
      commonName: str("TLS_CN") ?? hostname(),
      organization: str("TLS_ORG") ?? "Nexus MCP Gateway",
      validityDays: num("TLS_VALIDITY_DAYS"),
      renewDays: num("TLS_RENEW_DAYS"),
    },
    logLevel: str("LOG_LEVEL") ?? "info",
    shutdownGraceMs: num("SHUTDOWN_GRACE"),
    encryptionKey: str("ENCRYPTION_KEY"),
    adminPassword: str("ADMIN_PASSWORD"),
    mcpApiToken: str("MCP_API_TOKEN"),
    mcpApiTokenUser: str("MCP_API_TOKEN_USER") ?? "mcp-service",
    sessionAbsoluteMs: num("SESSION_ABSOLUTE"),
    sessionIdleMs: num("SESSION_IDLE"),
    loginMaxFailures: num("LOGIN_MAX_FAILURES"),
    loginLockoutMs: num("LOGIN_LOCKOUT"),
    tokenDefaultTtlMs: num("TOKEN_DEFAULT_TTL"),
    clusterAllowlist: list("CLUSTER_ALLOWLIST"),
    clusterAllowLoopback: v("CLUSTER_ALLOW_LOOPBACK") as boolean,
    mcp: {
      ratePerSec: num("MCP_RATE_PER_SEC"),
      rateBurst: num("MCP_RATE_BURST"),
      maxBody: num("MCP_MAX_BODY"),
      ssePerUser: num("MCP_SSE_PER_USER"),
      sseIdleMs: num("MCP_SSE_IDLE"),
    },
    oauthRegistrationsPerMinute: num("OAUTH_REGISTRATIONS_PER_MINUTE"),
    version: packageVersion(),
  };
  crossCheck(config, problems);
  if (problems.length) throw new ConfigError(problems);
  return config;
}

function crossCheck(c: Config, problems: string[]): void {
  const { certFile, keyFile } = c.tls;
  if (Boolean(certFile) !== Boolean(keyFile)) problems.push("TLS_CERT_FILE and TLS_KEY_FILE: set both or neither");
  if (c.tls.chainFile && !certFile) problems.push("TLS_CHAIN_FILE: only used with TLS_CERT_FILE and TLS_KEY_FILE");
  if (c.uiPort && c.uiPort === c.apiPort)
    problems.push(`UI_PORT and API_PORT: both are ${c.uiPort}; give each listener its own port`);
  if (c.databaseUrl && !/^postgres(ql)?:\/\//.test(c.databaseUrl))
    problems.push("DATABASE_URL: must start with postgres:// or postgresql://");
  const badNets = c.metricsAllow.filter((n) => !parseRange(n));
  if (badNets.length)
    problems.push(`METRICS_ALLOW: ${badNets.join(", ")} is not a network; use CIDRs such as 127.0.0.0/8,10.0.0.0/8`);
  if (c.sessionIdleMs > c.sessionAbsoluteMs) problems.push("SESSION_IDLE: must not exceed SESSION_ABSOLUTE");
}

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version as string;
  } catch {
    return "0.0.0";
  }
}

/** Key/value lines of the effective configuration, secrets shown as `<redacted>` or `<unset>`. */
export function redactedConfig(env: Record<string, string | undefined> = process.env): string[] {
  const problems: string[] = [];
  const raw = collectRaw(env, problems);
  return (Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec][]).map(([key, spec]) => {
    const value = raw.get(key);
    if (value === undefined) return `${key}=<unset>`;
    return `${key}=${spec.secret ? "<redacted>" : value}`;
  });
}

/** The environment of this process; only config.ts may touch it. */
export function processEnv(): Record<string, string | undefined> {
  return process.env;
}
