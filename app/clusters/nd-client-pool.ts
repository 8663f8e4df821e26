/**
 * ND clients per cluster, cached: `pool.clientFor(clusterId)` is what the MCP gateway calls for
 * every ND call.
 *
 * Guarantees: a cached client (and its ND session) is reused only while the cluster's row still
 * has the same `credential_version` and `revision` — every edit or removal, on any node, bumps or
 * deletes it, so the next call builds a fresh client and the old one is closed (logged out, and
 * refuses to log in again). Credentials are opened only when a client is built. Concurrent calls
 * for the same cluster share one build. Each client re-checks the URL policy before requests
 * leave, memoised for `guardTtlMs` so DNS is not queried on every call.
 */
import type { Sql } from "postgres";
import type { Keyring } from "../secrets/keyring.ts";
import type { Cluster } from "./cluster.ts";
import { checkClusterUrl, type Resolver, type UrlPolicy } from "./cluster-url-policy.ts";
import { getCluster, openClusterCredentials } from "./clusters.ts";
import { createNdClient, type NdClient, type NdClientOptions } from "./nd-client.ts";
import { recordNdVersion } from "./nd-version.ts";

export interface NdClientPoolDeps {
  sql: Sql;
  keyring: Keyring;
  urlPolicy: UrlPolicy;
  resolve?: Resolver;
  /** Overrides for every client (size limit, retry policy; fetch in tests). */
  clientDefaults?: Partial<
    Omit<NdClientOptions, "cluster" | "baseUrl" | "credentials" | "tls" | "timeoutMs" | "maxConcurrency">
  >;
  guardTtlMs?: number;
  /** Where the cluster row comes from (default: the database; the gateway passes its cache). */
  findCluster?: (idOrName: string) => Promise<Cluster>;
}

export interface NdClientPool {
  /** The client of a cluster (by id or name), building it when the cluster changed. */
  clientFor(idOrName: string): Promise<NdClient>;
  /** Drops the cached client now (the registry calls this through ClusterDeps.onChange). */
  invalidate(clusterId: string): void;
  closeAll(): Promise<void>;
}

interface Entry {
  key: string;
  client: Promise<NdClient>;
}

export function createNdClientPool(deps: NdClientPoolDeps): NdClientPool {
  const entries = new Map<string, Entry>();

  const drop = (clusterId: string) => {
    const entry = entries.get(clusterId);
    entries.delete(clusterId);
    entry?.client.then((c) => c.close()).catch(() => {});
  };

  return {
    async clientFor(idOrName) {
      const cluster = await (deps.findCluster ? deps.findCluster(idOrName) : getCluster(deps.sql, idOrName));
      const key = `${cluster.credentialVersion}:${cluster.revision}`;
      const cached = entries.get(cluster.id);
      if (cached?.key === key) return cached.client;
      if (cached) drop(cluster.id);
      const client = build(deps, cluster);
      entries.set(cluster.id, { key, client });
      // A failed build (e.g. credentials cannot be opened) must not stay cached.
      client.catch(() => {
        if (entries.get(cluster.id)?.client === client) entries.delete(cluster.id);
      });
      return client;
    },
    invalidate: drop,
    async closeAll() {
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map((e) => e.client.then((c) => c.close()).catch(() => {})));
    },
  };
}

async function build(deps: NdClientPoolDeps, cluster: Cluster): Promise<NdClient> {
  const credentials = await openClusterCredentials(deps.sql, deps.keyring, cluster);
  return createNdClient({
    ...deps.clientDefaults,
    cluster: { id: cluster.id, name: cluster.name },
    baseUrl: cluster.baseUrl,
    credentials,
    tls: { verify: cluster.tlsVerify, caPem: cluster.caPem ?? undefined },
    timeoutMs: cluster.timeoutMs,
    maxConcurrency: cluster.maxConcurrency,
    urlGuard: memoisedGuard(cluster.baseUrl, deps),
    onLogin: async (client) => {
      await recordNdVersion(deps.sql, client);
    },
  });
}

/** The URL policy check, repeated at most every `guardTtlMs` (a failure is never memoised). */
export function memoisedGuard(
  baseUrl: string,
  deps: Pick<NdClientPoolDeps, "urlPolicy" | "resolve" | "guardTtlMs">,
): () => Promise<void> {
  const ttl = deps.guardTtlMs ?? 60_000;
  let okUntil = 0;
  return async () => {
    if (Date.now() < okUntil) return;
    await checkClusterUrl(baseUrl, deps.urlPolicy, deps.resolve);
    okUntil = Date.now() + ttl;
  };
}
