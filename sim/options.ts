/**
 * Everything a simulator run can be configured with. The CLI (cli-flags.ts) and tests build this;
 * nothing in sim/ reads the process environment.
 */

export interface SimUser {
  userName: string;
  password: string;
  /** ND roles (the OAuth2 scopes of Cisco's documents): observer, fabric-admin, super-admin, … */
  roles: string[];
}

export interface SimApiKey {
  userName: string;
  key: string;
}

export interface SimulatorOptions {
  /** HTTPS port; 0 picks a free one. */
  port?: number;
  host?: string;
  /** Optional additional plain-HTTP listener (same handler). */
  httpPort?: number;
  /** Directory of Cisco OpenAPI documents; every operation in them gets a generated answer. */
  specsDir?: string;
  seed?: number;
  fabrics?: number;
  /** Switches per fabric. */
  switches?: number;
  tokenLifetimeSec?: number;
  /** Added to every response. */
  latencyMs?: number;
  /** Share of requests (0..1) answered with a random 5xx. */
  errorRate?: number;
  /** Where the CA and server certificate live; reused when present, created when not. */
  certDir?: string;
  users?: SimUser[];
  apiKeys?: SimApiKey[];
  /** Name of the remote (RADIUS-like) login domain. */
  remoteDomain?: string;
  remoteDomainReachable?: boolean;
  /** Entries kept in the request log (oldest dropped first). */
  requestLogLimit?: number;
  /** Status polls before an accepted (202) job reports completion. */
  asyncPollsToComplete?: number;
  /** Where log lines go; defaults to silence for the programmatic API. */
  log?: (line: string) => void;
}

export const DEFAULT_USER = "admin";
export const DEFAULT_PASSWORD = "nd-sim-password";
export const DEFAULT_OBSERVER = "observer";
export const DEFAULT_ADMIN_API_KEY = "ndsim-admin-api-key-0000000000000001";
export const DEFAULT_OBSERVER_API_KEY = "ndsim-observer-api-key-00000000000002";

export type ResolvedOptions = Required<Omit<SimulatorOptions, "specsDir" | "certDir" | "httpPort">> &
  Pick<SimulatorOptions, "specsDir" | "certDir" | "httpPort">;

export function resolveOptions(opts: SimulatorOptions = {}): ResolvedOptions {
  const password = DEFAULT_PASSWORD;
  return {
    port: opts.port ?? 0,
    host: opts.host ?? "127.0.0.1",
    httpPort: opts.httpPort,
    specsDir: opts.specsDir,
    certDir: opts.certDir,
    seed: opts.seed ?? 1,
    fabrics: opts.fabrics ?? 2,
    switches: opts.switches ?? 20,
    tokenLifetimeSec: opts.tokenLifetimeSec ?? 1200,
    latencyMs: opts.latencyMs ?? 0,
    errorRate: opts.errorRate ?? 0,
    users: opts.users ?? defaultUsers(DEFAULT_USER, password),
    apiKeys: opts.apiKeys ?? defaultApiKeys(DEFAULT_USER),
    remoteDomain: opts.remoteDomain ?? "radius",
    remoteDomainReachable: opts.remoteDomainReachable ?? true,
    requestLogLimit: opts.requestLogLimit ?? 10_000,
    asyncPollsToComplete: opts.asyncPollsToComplete ?? 2,
    log: opts.log ?? (() => {}),
  };
}

/** An administrator plus a read-only observer sharing one password, so 403s are testable. */
export function defaultUsers(adminName: string, password: string): SimUser[] {
  return [
    { userName: adminName, password, roles: ["super-admin"] },
    { userName: DEFAULT_OBSERVER, password, roles: ["observer"] },
  ];
}

export function defaultApiKeys(adminName: string): SimApiKey[] {
  return [
    { userName: adminName, key: DEFAULT_ADMIN_API_KEY },
    { userName: DEFAULT_OBSERVER, key: DEFAULT_OBSERVER_API_KEY },
  ];
}
