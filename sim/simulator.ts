/**
 * The programmatic entry point: `startSimulator(options)` builds the seeded state, the routes
 * (core first, then every operation of the Cisco documents given by `specsDir`), and serves them
 * over HTTPS (and optionally plain HTTP) with Bun.serve.
 */
import { ApiKeyStore } from "./auth/api-keys.ts";
import { loginRoutes } from "./auth/login.routes.ts";
import { SessionStore } from "./auth/sessions.ts";
import { UserDirectory } from "./auth/users.ts";
import { createControl } from "./control-endpoint.ts";
import { analyzeRoutes } from "./core/analyze.routes.ts";
import type { CoreDeps } from "./core/core-deps.ts";
import { fabricRoutes } from "./core/fabrics.routes.ts";
import { infraRoutes } from "./core/infra.routes.ts";
import { ndfcInventoryRoutes } from "./core/ndfc-inventory.routes.ts";
import { ndfcOverlayRoutes } from "./core/ndfc-overlay.routes.ts";
import { orchestratorRoutes } from "./core/orchestrator.routes.ts";
import { platformRoutes } from "./core/platform.routes.ts";
import { switchRoutes } from "./core/switches.routes.ts";
import { AcceptedJobs } from "./data/accepted-jobs.ts";
import { CLUSTER_NAME } from "./data/cluster.ts";
import { SimState } from "./data/sim-state.ts";
import { FaultController } from "./faults/fault-controller.ts";
import type { SimRoute } from "./http/route.ts";
import { Router } from "./http/router.ts";
import { loadSpecs, type SkippedSpec } from "./openapi/load-specs.ts";
import { documentRoutes } from "./openapi/document-routes.ts";
import type { SpecOperation } from "./openapi/spec-operations.ts";
import { specRoutes } from "./openapi/spec-routes.ts";
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from "./options.ts";
import { createPipeline } from "./request-pipeline.ts";
import { RequestLog } from "./request-log.ts";
import { loadOrCreateCertificate } from "./tls-certificate.ts";

export interface RunningSimulator {
  /** https://host:port */
  url: string;
  port: number;
  /** http://host:port when `httpPort` was given. */
  httpUrl?: string;
  /** PEM of the CA that signed the server certificate; trust this. */
  caPem: string;
  /** Path of that CA PEM on disk. */
  certPath: string;
  options: ResolvedOptions;
  faults: FaultController;
  state: SimState;
  users: UserDirectory;
  apiKeys: ApiKeyStore;
  sessions: SessionStore;
  requestLog: RequestLog;
  /** Operations loaded from the Cisco documents (empty without `specsDir`). */
  specOperations: SpecOperation[];
  skippedSpecs: SkippedSpec[];
  /** Number of (method, path) routes served. */
  routeCount: number;
  expireTokensNow(): void;
  stop(): Promise<void>;
}

export async function startSimulator(input: SimulatorOptions = {}): Promise<RunningSimulator> {
  const options = resolveOptions(input);
  const now = Date.now;
  const sessions = new SessionStore(options.tokenLifetimeSec, now);
  const users = new UserDirectory(options.users, options.remoteDomain, options.remoteDomainReachable);
  const apiKeys = new ApiKeyStore(options.apiKeys);
  const state = new SimState(options.seed, options.fabrics, options.switches);
  const core: CoreDeps = { state, jobs: new AcceptedJobs(options.asyncPollsToComplete) };
  const faults = new FaultController(options.latencyMs, options.errorRate, options.seed);
  const requestLog = new RequestLog(options.requestLogLimit);

  const router = new Router<SimRoute>();
  for (const route of coreRoutes(core, { sessions, users, clusterName: CLUSTER_NAME, now }))
    router.add(route.method, route.path, route);
  const { operations, skipped } = addSpecRoutes(router, options);

  const fetch = createPipeline({
    router,
    auth: { sessions, users, apiKeys },
    faults,
    requestLog,
    control: createControl({ faults, sessions, users, requestLog }),
    log: options.log,
  });
  const cert = await loadOrCreateCertificate(options.certDir);
  const common = { hostname: options.host, reusePort: false, idleTimeout: 255, fetch };
  const https = Bun.serve({ ...common, port: options.port, tls: { cert: cert.certPem, key: cert.keyPem } });
  const http = options.httpPort !== undefined ? Bun.serve({ ...common, port: options.httpPort }) : undefined;
  const host = urlHost(options.host);

  return {
    url: `https://${host}:${https.port}`,
    port: https.port as number,
    httpUrl: http ? `http://${host}:${http.port}` : undefined,
    caPem: cert.caPem,
    certPath: cert.caPath,
    options,
    faults,
    state,
    users,
    apiKeys,
    sessions,
    requestLog,
    specOperations: operations,
    skippedSpecs: skipped,
    routeCount: router.size,
    expireTokensNow: () => sessions.expireAll(),
    stop: async () => {
      await Promise.all([https.stop(true), http?.stop(true)]);
    },
  };
}

function coreRoutes(core: CoreDeps, login: Parameters<typeof loginRoutes>[0]): SimRoute[] {
  return [
    ...loginRoutes(login),
    ...platformRoutes(),
    ...fabricRoutes(core),
    ...switchRoutes(core),
    ...ndfcOverlayRoutes(core),
    ...ndfcInventoryRoutes(core),
    ...analyzeRoutes(core),
    ...infraRoutes(core),
    ...orchestratorRoutes(core),
  ];
}

/** Core routes were added first, so a Cisco operation with the same (method, path) is shadowed. */
function addSpecRoutes(router: Router<SimRoute>, options: ResolvedOptions) {
  if (!options.specsDir) return { operations: [], skipped: [] };
  const { specs, skipped } = loadSpecs(options.specsDir, options.log);
  const { routes, operations } = specRoutes(specs, options.seed);
  for (const route of [...routes, ...documentRoutes(specs)]) router.add(route.method, route.path, route);
  options.log(`ndsim: ${operations.length} operations from ${specs.length} OpenAPI document(s) in ${options.specsDir}`);
  return { operations, skipped };
}

/** Wildcard binds are reachable as localhost; IPv6 literals need brackets in URLs. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}
