// `bun run cli cluster …`: add, list, test, update and remove ND clusters.
// Secrets are read from a file or stdin, never from the command line (it shows in `ps` and in
// shell history). Handlers follow the CliHandler contract: 0 ok, 1 failure, 2 usage.

import { readFileSync } from "node:fs";
import type { CliContext, CliHandler } from "./cli-context.ts";
import { parseArgs } from "./cli-context.ts";
import { Invalid } from "../errors.ts";
import { cliKeyring } from "./secrets.ts";
import type { Cluster, ClusterChanges, CredentialsInput } from "../clusters/cluster.ts";
import { secretFromText } from "../clusters/cluster-input.ts";
import { parseUrlPolicy, type UrlPolicy } from "../clusters/cluster-url-policy.ts";
import { addCluster, listClusters, removeCluster, updateCluster, type ClusterDeps } from "../clusters/clusters.ts";
import { runConnectionTest, type ConnectionTestResult } from "../clusters/connection-test.ts";
import { createNdClientPool } from "../clusters/nd-client-pool.ts";

const OK = 0;
const FAILED = 1;
const USAGE = 2;

const ADD_USAGE =
  "usage: cluster add NAME --url https://HOST[:PORT] --user USER (--password-file FILE | --password-stdin | --api-key-file FILE)\n" +
  "         [--domain DOMAIN] [--ca-file PEM | --insecure] [--timeout 60s] [--max-concurrency 4] [--no-test]";
const UPDATE_USAGE =
  "usage: cluster update NAME [--name NEW] [--url URL] [--user USER (--password-file FILE | --password-stdin | --api-key-file FILE)]\n" +
  "         [--domain DOMAIN] [--ca-file PEM | --no-ca | --insecure | --verify] [--timeout 60s] [--max-concurrency N]";

type Options = Record<string, string | true>;

export function clusterCommands(): Record<string, CliHandler> {
  return {
    "cluster add": addCommand,
    "cluster list": listCommand,
    "cluster test": testCommand,
    "cluster update": updateCommand,
    "cluster remove": removeCommand,
  };
}

function urlPolicy(ctx: CliContext): UrlPolicy {
  const config = ctx.config();
  return parseUrlPolicy(config.clusterAllowlist, config.clusterAllowLoopback);
}

async function registryDeps(ctx: CliContext): Promise<ClusterDeps> {
  const { keyring } = await cliKeyring(ctx);
  return { keyring, urlPolicy: urlPolicy(ctx) };
}

const addCommand: CliHandler = async (ctx, args) => {
  const { positional, options } = parseArgs(args);
  const name = positional[0] ?? str(options.name);
  const url = str(options.url);
  if (!name || !url || !str(options.user)) return usage(ctx, ADD_USAGE);
  const credentials = await readCredentials(options);
  if (!credentials) return usage(ctx, ADD_USAGE);
  if (options.insecure && options["ca-file"]) return usage(ctx, "--insecure and --ca-file exclude each other");
  const db = (await ctx.db()).sql;
  const cluster = await addCluster(
    db,
    ctx.caller(),
    {
      name,
      url,
      credentials,
      tls: { verify: !options.insecure, caPem: readCa(options) },
      timeoutMs: duration(options.timeout, "--timeout"),
      maxConcurrency: integer(options["max-concurrency"], "--max-concurrency"),
    },
    await registryDeps(ctx),
  );
  ctx.out(`added cluster ${cluster.name} (${cluster.baseUrl}, id ${cluster.id})`);
  if (!cluster.tlsVerify)
    ctx.err(
      "warning: TLS verification is OFF for this cluster (insecure mode); anyone on the path can impersonate it and capture its credentials",
    );
  if (options["no-test"]) return OK;
  return printTest(ctx, await runTest(ctx, cluster.id)) ? OK : FAILED;
};

const updateCommand: CliHandler = async (ctx, args) => {
  const { positional, options } = parseArgs(args);
  const target = positional[0];
  if (!target) return usage(ctx, UPDATE_USAGE);
  const changes: ClusterChanges = {};
  if (str(options.name)) changes.name = str(options.name);
  if (str(options.url)) changes.url = str(options.url);
  if (str(options.user)) {
    const credentials = await readCredentials(options);
    if (!credentials) return usage(ctx, UPDATE_USAGE);
    changes.credentials = credentials;
  } else if (str(options.domain)) changes.loginDomain = str(options.domain);
  if (options.insecure) changes.tls = { verify: false, caPem: null };
  else if (options.verify || options["ca-file"] || options["no-ca"])
    changes.tls = { verify: true, ...(options["ca-file"] || options["no-ca"] ? { caPem: readCa(options) } : {}) };
  if (options.timeout) changes.timeoutMs = duration(options.timeout, "--timeout");
  if (options["max-concurrency"]) changes.maxConcurrency = integer(options["max-concurrency"], "--max-concurrency");
  const { cluster, credentialsCleared } = await updateCluster(
    (await ctx.db()).sql,
    ctx.caller(),
    target,
    changes,
    await registryDeps(ctx),
  );
  ctx.out(`updated cluster ${cluster.name} (${cluster.baseUrl})`);
  if (credentialsCleared)
    ctx.err(
      `the stored credentials were removed because the endpoint changed; enter them again: cluster update ${cluster.name} --user USER --password-file FILE`,
    );
  if (!cluster.tlsVerify) ctx.err("warning: TLS verification is OFF for this cluster (insecure mode)");
  return OK;
};

const listCommand: CliHandler = async (ctx) => {
  const clusters = await listClusters((await ctx.db()).sql);
  if (clusters.length === 0) {
    ctx.out("no clusters; add one with: cluster add NAME --url https://HOST --user USER --password-file FILE");
    return OK;
  }
  ctx.out(["NAME", "URL", "AUTH", "USER", "TLS", "ND VERSION", "LAST TEST"].join("\t"));
  for (const c of clusters) ctx.out(listLine(c));
  return OK;
};

function listLine(c: Cluster): string {
  const auth = c.authMode === "password" ? `password@${c.loginDomain}` : "api-key";
  const tls = c.tlsVerify ? (c.caPem ? "verified (own CA)" : "verified") : "INSECURE";
  const test = c.lastTestAt ? `${c.lastTestOk ? "ok" : "failed"} ${c.lastTestAt.toISOString()}` : "never";
  return [c.name, c.baseUrl, auth, c.username ?? "(no credentials)", tls, c.ndVersion ?? "-", test].join("\t");
}

const testCommand: CliHandler = async (ctx, args) => {
  const target = parseArgs(args).positional[0];
  if (!target) return usage(ctx, "usage: cluster test NAME");
  return printTest(ctx, await runTest(ctx, target)) ? OK : FAILED;
};

async function runTest(ctx: CliContext, idOrName: string): Promise<ConnectionTestResult> {
  const db = (await ctx.db()).sql;
  const { keyring } = await cliKeyring(ctx);
  const pool = createNdClientPool({ sql: db, keyring, urlPolicy: urlPolicy(ctx) });
  try {
    return await runConnectionTest(db, ctx.caller(), idOrName, { pool });
  } finally {
    await pool.closeAll();
  }
}

function printTest(ctx: CliContext, r: ConnectionTestResult): boolean {
  ctx.out(`cluster:    ${r.cluster}`);
  ctx.out(`reachable:  ${r.reachable ? "yes" : "no"}`);
  ctx.out(`tls:        ${r.tls === "insecure" ? "NOT VERIFIED (insecure mode)" : r.tls}`);
  ctx.out(`login:      ${r.login.replace("_", " ")}`);
  ctx.out(`version:    ${r.version ?? "unknown"}`);
  ctx.out(`latency:    ${r.latencyMs === null ? "-" : `${r.latencyMs} ms`}`);
  if (r.error) ctx.out(`error:      ${r.error}`);
  ctx.out(r.ok ? "result:     ok" : "result:     FAILED");
  return r.ok;
}

const removeCommand: CliHandler = async (ctx, args) => {
  const target = parseArgs(args).positional[0];
  if (!target) return usage(ctx, "usage: cluster remove NAME");
  const removed = await removeCluster((await ctx.db()).sql, ctx.caller(), target);
  ctx.out(`removed cluster ${removed.name}`);
  return OK;
};

async function readCredentials(options: Options): Promise<CredentialsInput | undefined> {
  const username = str(options.user);
  const sources = ["password-file", "password-stdin", "api-key-file"].filter((o) => options[o]);
  if (!username || sources.length !== 1) return undefined;
  if (options["api-key-file"])
    return { mode: "api_key", username, apiKey: readSecretFile(options["api-key-file"], "--api-key-file") };
  const password = options["password-stdin"]
    ? secretFromText(await Bun.stdin.text())
    : readSecretFile(options["password-file"], "--password-file");
  return { mode: "password", username, password, domain: str(options.domain) };
}

function readSecretFile(path: string | true | undefined, flag: string): string {
  if (typeof path !== "string") throw new Invalid(`${flag} needs a file name`);
  try {
    return secretFromText(readFileSync(path, "utf8"));
  } catch {
    throw new Invalid(`${flag}: cannot read ${path}`);
  }
}

function readCa(options: Options): string | null {
  const path = options["ca-file"];
  if (path === undefined || options["no-ca"]) return null;
  if (typeof path !== "string") throw new Invalid("--ca-file needs a file name");
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new Invalid(`--ca-file: cannot read ${path}`);
  }
}

function str(value: string | true | undefined): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** `30s`, `500ms`, `2m`, or a plain number of seconds. */
function duration(value: string | true | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const m = typeof value === "string" ? /^(\d+)(ms|s|m)?$/.exec(value.trim()) : null;
  if (!m) throw new Invalid(`${flag}: use a duration like 30s, 500ms or 2m`);
  const unit = m[2] ?? "s";
  return Number(m[1]) * (unit === "ms" ? 1 : unit === "s" ? 1000 : 60_000);
}

function integer(value: string | true | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d+$/.test(value)) throw new Invalid(`${flag}: a whole number`);
  return Number(value);
}

function usage(ctx: CliContext, text: string): number {
  ctx.err(text);
  return USAGE;
}
