/**
 * A complete world for benchmarks, laid out as in production: a throwaway PostgreSQL, the ND
 * simulator in its own process, and the real gateway (`bun app/main.ts`) in its own process on
 * HTTPS. The bench process only generates load and reads results. Set-up mirrors
 * test/support/mcp-world.ts: cluster "sim" (TLS verified with the simulator's CA), users admin
 * (admin), olga (operator), vera (viewer) with API tokens, plus optional extra tokens for vera so
 * that concurrent load clients each have their own rate-limit bucket, as separate assistants do.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sql } from "postgres";
import { connect } from "../../app/db.ts";
import { migrate } from "../../app/migrate.ts";
import { addCluster } from "../../app/clusters/clusters.ts";
import { parseUrlPolicy } from "../../app/clusters/cluster-url-policy.ts";
import { createApiToken } from "../../app/identity/api-tokens.ts";
import { cliCaller } from "../../app/identity/caller.ts";
import { createPasswordHasher } from "../../app/identity/passwords.ts";
import { createUser } from "../../app/identity/users.ts";
import { loadKeyring } from "../../app/secrets/keyring.ts";
import { importDocuments, type ImportReport } from "../../app/catalog/import.ts";
import { readDirectoryInputs } from "../../app/catalog/import-inputs.ts";
import type { SimulatorOptions } from "../../sim/options.ts";
import { startPgCluster, type PgCluster } from "../../scripts/pg-cluster.ts";
import { freePort } from "../../test/support/ports.ts";
import { ND_OPENAPI_DIR, REPO } from "./paths.ts";
import { spawnChild, waitUntil, type Child } from "./processes.ts";

export const PASSWORD = "correct-Horse-battery-9";
/** The simulator's administrator API key (sim/options.ts), for direct requests. */
export const SIM_API_HEADERS = { "X-Nd-Username": "admin", "X-Nd-Apikey": "ndsim-admin-api-key-0000000000000001" };

export interface WorldOptions {
  sim?: SimulatorOptions;
  /** Import Cisco's 844 operations into the gateway's catalog (beside the core document). */
  importCisco?: boolean;
  /** Extra API tokens of vera, one per load client. */
  loadTokens?: number;
  /** ND requests the gateway may have in flight to the cluster (product default 4). */
  clusterConcurrency?: number;
  gatewayEnv?: Record<string, string>;
  /** Extra flags for the gateway's bun (e.g. --cpu-prof-md for a profile). */
  gatewayBunFlags?: string[];
}

export interface BenchWorld {
  dir: string;
  sql: Sql;
  pg: PgCluster;
  /** PostgreSQL's postmaster.pid (for CPU accounting). */
  postmasterPidFile: string;
  databaseUrl: string;
  sim: { url: string; caPem: string; routes: number; pid: number };
  gateway: {
    base: string;
    mcpUrl: string;
    sseUrl: string;
    ca: string;
    pid: number;
    stop(): Promise<void>;
    restart(): Promise<{ readyMs: number; idleRssMb: number }>;
  };
  clusterId: string;
  tokens: Record<"admin" | "olga" | "vera", string>;
  loadTokens: string[];
  catalogImport: ImportReport | null;
  /** fetch that trusts the gateway's certificate (or the simulator's, by URL). */
  fetch(url: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startBenchWorld(opts: WorldOptions = {}): Promise<BenchWorld> {
  const dir = mkdtempSync(join(tmpdir(), "nmg-bench-"));
  const children: Child[] = [];
  let pg: PgCluster | null = null;
  let sql: Sql | null = null;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    for (const c of children.reverse()) await c.stop();
    await sql?.end({ timeout: 2 });
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  // Ctrl-C or a timeout, even during set-up, must not leave a PostgreSQL, simulator or gateway running.
  const interrupted = () => void stop().finally(() => process.exit(130));
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    pg = await startPgCluster();
    const admin = connect(pg.url("postgres"), { max: 1 });
    await admin`create database nmg_bench`;
    await admin.end();
    const databaseUrl = pg.url("nmg_bench");
    const db = connect(databaseUrl, { max: 10 });
    sql = db;
    await migrate(db);

    const encryptionKey = randomBytes(32).toString("base64");
    const [sim, gateway] = await Promise.all([
      startSim(dir, opts.sim ?? {}, children),
      startGateway(dir, databaseUrl, encryptionKey, opts.gatewayEnv ?? {}, opts.gatewayBunFlags ?? [], children),
    ]);
    const fetchTls = (url: string, init: RequestInit = {}) =>
      fetch(url, { ...init, tls: { ca: url.startsWith(sim.url) ? sim.caPem : gateway.ca } } as RequestInit);

    const { keyring } = await loadKeyring({ sql: db, dataDir: join(dir, "gateway"), encryptionKey });
    const cluster = await addCluster(
      db,
      cliCaller("cli"),
      {
        name: "sim",
        url: sim.url,
        credentials: { mode: "password", username: "admin", password: "nd-sim-password", domain: "local" },
        tls: { verify: true, caPem: sim.caPem },
        maxConcurrency: opts.clusterConcurrency,
      },
      { keyring, urlPolicy: parseUrlPolicy(["*"], true) },
    );
    const cli = cliCaller("cli");
    const passwords = createPasswordHasher();
    await createUser(
      db,
      cli,
      { username: "olga", password: PASSWORD, roles: ["operator"], clusters: "all" },
      { passwords },
    );
    await createUser(
      db,
      cli,
      { username: "vera", password: PASSWORD, roles: ["viewer"], clusters: "all" },
      { passwords },
    );
    const tokens = {} as BenchWorld["tokens"];
    for (const username of ["admin", "olga", "vera"] as const) {
      tokens[username] = (await createApiToken(db, cli, { username, name: `${username}-laptop` })).token;
    }
    const loadTokens: string[] = [];
    for (let i = 0; i < (opts.loadTokens ?? 0); i++)
      loadTokens.push((await createApiToken(db, cli, { username: "vera", name: `load-${i}` })).token);
    const catalogImport = opts.importCisco
      ? await importDocuments(db, "bootstrap", await readDirectoryInputs(ND_OPENAPI_DIR))
      : null;
    return {
      dir,
      sql: db,
      pg,
      postmasterPidFile: join(pg.host, "data", "postmaster.pid"),
      databaseUrl,
      sim,
      gateway,
      clusterId: cluster.id,
      tokens,
      loadTokens,
      catalogImport,
      fetch: fetchTls,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startSim(dir: string, options: SimulatorOptions, children: Child[]) {
  const readyFile = join(dir, "sim-ready.json");
  const { child, proc } = spawnChild(
    "simulator",
    [
      "bun",
      join(import.meta.dir, "sim-child.ts"),
      JSON.stringify({ port: 0, requestLogLimit: 2000, ...options }),
      readyFile,
    ],
    {
      logPath: join(dir, "sim.log"),
    },
  );
  children.push(child);
  await waitUntil(child, proc, async () => existsSync(readyFile));
  return {
    ...(JSON.parse(readFileSync(readyFile, "utf8")) as { url: string; caPem: string; routes: number }),
    pid: child.pid,
  };
}

async function startGateway(
  dir: string,
  databaseUrl: string,
  encryptionKey: string,
  extra: Record<string, string>,
  bunFlags: string[],
  children: Child[],
) {
  const dataDir = join(dir, "gateway");
  const apiPort = await freePort();
  const env = {
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: encryptionKey,
    ADMIN_PASSWORD: PASSWORD,
    UI_PORT: String(await freePort()),
    API_PORT: String(apiPort),
    BIND_ADDRESS: "127.0.0.1",
    TLS_SANS: "localhost,127.0.0.1",
    LOG_LEVEL: "warn",
    CLUSTER_ALLOW_LOOPBACK: "true",
    DB_COUNT_QUERIES: "true",
    // Load clients must measure the gateway, not its throttles: rate limit and SSE cap far above the load.
    MCP_RATE_PER_SEC: "100000",
    MCP_RATE_BURST: "100000",
    MCP_SSE_PER_USER: "500",
    ...extra,
  };
  const certPath = join(dataDir, "tls", "server.crt");
  const base = `https://localhost:${apiPort}`;
  const launch = async () => {
    const { child, proc } = spawnChild("gateway", ["bun", ...bunFlags, join(REPO, "app/main.ts")], {
      env,
      logPath: join(dir, "gateway.log"),
      cwd: REPO,
    });
    children.push(child);
    await waitUntil(
      child,
      proc,
      async () => {
        if (!existsSync(certPath)) return false;
        const res = await fetch(`${base}/healthz`, { tls: { ca: readFileSync(certPath, "utf8") } } as RequestInit);
        return res.ok;
      },
      60_000,
    );
    return child;
  };
  let child = await launch();
  const gateway = {
    base,
    mcpUrl: `${base}/mcp`,
    sseUrl: `${base}/mcp/sse`,
    ca: readFileSync(certPath, "utf8"),
    pid: child.pid,
    stop: () => child.stop(),
    /** Stops the gateway and starts it again on the same data and database: time to ready, then idle RSS. */
    async restart(): Promise<{ readyMs: number; idleRssMb: number }> {
      await child.stop();
      const t0 = performance.now();
      child = await launch();
      const readyMs = performance.now() - t0;
      gateway.pid = child.pid;
      await Bun.sleep(2000);
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      return { readyMs, idleRssMb: rss ? Number(rss[1]) / 1024 : NaN };
    },
  };
  return gateway;
}
