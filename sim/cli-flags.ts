/**
 * `bun run ndsim` flags → SimulatorOptions. Pure, so it can be tested; errors are collected and
 * reported together. Flags only: nothing under sim/ reads the environment.
 */
import { defaultApiKeys, defaultUsers, DEFAULT_PASSWORD, DEFAULT_USER, type SimulatorOptions } from "./options.ts";

export const USAGE = `Usage: bun run ndsim [flags]

  --port N              HTTPS port (default 8443; 0 = any free port)
  --host ADDR           listen address (default 127.0.0.1)
  --http-port N         also serve plain HTTP on this port
  --specs DIR           directory of Cisco ND OpenAPI documents to serve generated answers for
  --seed N              data seed (default 1)
  --fabrics N           number of fabrics (default 2)
  --switches N          switches per fabric (default 20)
  --token-lifetime SEC  session token lifetime (default 1200)
  --latency MS          delay every answer
  --error-rate R        share 0..1 of requests answered with a random 5xx
  --cert-dir DIR        keep/reuse the CA and server certificate here
  --user NAME           administrator user name (default ${DEFAULT_USER})
  --password PW         password of the administrator and the "observer" user (default ${DEFAULT_PASSWORD})
  --api-key KEY         API key of the administrator (default: a fixed development key)
  --remote-domain NAME  name of the remote login domain (default radius)
  --remote-domain-down  make the remote login domain unreachable
  --help                this text
`;

export type ParsedFlags =
  | { kind: "options"; options: SimulatorOptions }
  | { kind: "help" }
  | { kind: "errors"; errors: string[] };

const VALUE_FLAGS = new Set([
  "port",
  "host",
  "http-port",
  "specs",
  "seed",
  "fabrics",
  "switches",
  "token-lifetime",
  "latency",
  "error-rate",
  "cert-dir",
  "user",
  "password",
  "api-key",
  "remote-domain",
]);
const BOOLEAN_FLAGS = new Set(["remote-domain-down", "help"]);

export function parseFlags(argv: string[]): ParsedFlags {
  const values = new Map<string, string>();
  const errors: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      errors.push(`unexpected argument ${arg}`);
      continue;
    }
    const name = m[1] as string;
    if (BOOLEAN_FLAGS.has(name)) values.set(name, "true");
    else if (!VALUE_FLAGS.has(name)) errors.push(`unknown flag --${name}`);
    else if (m[2] !== undefined) values.set(name, m[2]);
    else if (i + 1 < argv.length) values.set(name, argv[++i] as string);
    else errors.push(`--${name} needs a value`);
  }
  if (values.has("help")) return { kind: "help" };
  const options = toOptions(values, errors);
  return errors.length > 0 ? { kind: "errors", errors } : { kind: "options", options };
}

function toOptions(values: Map<string, string>, errors: string[]): SimulatorOptions {
  const int = (name: string, min: number, max: number) => {
    const raw = values.get(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) errors.push(`--${name} must be an integer ${min}..${max}`);
    return n;
  };
  const errorRate = values.has("error-rate") ? Number(values.get("error-rate")) : undefined;
  if (errorRate !== undefined && !(errorRate >= 0 && errorRate <= 1))
    errors.push("--error-rate must be between 0 and 1");
  const user = values.get("user") ?? DEFAULT_USER;
  const password = values.get("password") ?? DEFAULT_PASSWORD;
  const apiKeys = defaultApiKeys(user);
  const apiKey = values.get("api-key");
  if (apiKey !== undefined) (apiKeys[0] as { key: string }).key = apiKey;
  return {
    port: int("port", 0, 65535) ?? 8443,
    host: values.get("host"),
    httpPort: int("http-port", 0, 65535),
    specsDir: values.get("specs"),
    seed: int("seed", 0, 2 ** 31 - 1),
    fabrics: int("fabrics", 0, 1000),
    switches: int("switches", 0, 5000),
    tokenLifetimeSec: int("token-lifetime", 1, 31_536_000),
    latencyMs: int("latency", 0, 600_000),
    errorRate,
    certDir: values.get("cert-dir"),
    users: defaultUsers(user, password),
    apiKeys,
    remoteDomain: values.get("remote-domain"),
    remoteDomainReachable: !values.has("remote-domain-down"),
  };
}
