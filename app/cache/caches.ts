/**
 * The per-call lookups of the MCP path, held in process: token → verification row, user →
 * principal, the policy snapshot, tool profiles, the active catalog stamp and the cluster list.
 *
 * Guarantees: a value is served from memory only while the change feed says it may be
 * (change-feed.ts: LISTEN up, no unconfirmed local change); every notification drops every
 * entry (changes are rare administrative acts, so one rule for all is simplest and obviously
 * complete); a lookup that fails is not cached; what must be judged against the clock is never
 * cached as a verdict — token expiry and edit-mode expiry are evaluated on every call by the
 * callers (api-tokens.ts, guard.ts), with `now` taken from this process's clock.
 */
import type { Sql } from "postgres";
import { activeCatalogStamp } from "../catalog/catalog.sql.ts";
import type { Cluster } from "../clusters/cluster.ts";
import { listClusters } from "../clusters/clusters.ts";
import { findTokenForVerification, type TokenVerification } from "../identity/api-tokens.sql.ts";
import type { Principal } from "../identity/principal.ts";
import { loadPrincipal } from "../identity/principal-loader.ts";
import { cacheLookups } from "../metrics/metrics.ts";
import type { PolicySnapshot, ToolProfile } from "../policy/guard.ts";
import { loadPolicySnapshot, loadToolProfile } from "../policy/policy.sql.ts";
import type { ChangeFeed } from "./change-feed.ts";

/** A map of promises that the feed empties on every change, or bypasses while it is down. */
export class FeedCache<K, V> {
  private readonly entries = new Map<K, Promise<V>>();

  constructor(
    private readonly name: string,
    private readonly feed: ChangeFeed,
    private readonly load: (key: K) => Promise<V>,
    private readonly maxEntries = 10_000,
    /** Whether "not found" is kept; off for tokens, so random ids cannot fill the cache. */
    private readonly keepNull = true,
  ) {
    feed.onInvalidate(() => this.entries.clear());
  }

  get(key: K): Promise<V> {
    if (!this.feed.usable()) {
      cacheLookups.inc({ cache: this.name, result: "bypass" });
      return this.load(key);
    }
    const cached = this.entries.get(key);
    if (cached) {
      cacheLookups.inc({ cache: this.name, result: "hit" });
      return cached;
    }
    cacheLookups.inc({ cache: this.name, result: "miss" });
    const loading = this.load(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, loading);
    loading.then(
      (value) => {
        if (value === null && !this.keepNull && this.entries.get(key) === loading) this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === loading) this.entries.delete(key);
      },
    );
    return loading;
  }
}

export interface CallCaches {
  feed: ChangeFeed;
  /** The token row a presented token is checked against (secret hash, expiry, revocation). */
  token(id: string): Promise<TokenVerification | null>;
  /** A user's principal as a token sees it (narrowing is applied by the caller). */
  principal(userId: string): Promise<Principal | null>;
  /** The policy snapshot, with `now` from this process's clock at the moment of the call. */
  policy(): Promise<PolicySnapshot>;
  toolProfile(name: string | null): Promise<ToolProfile | null>;
  catalogStamp(): Promise<string>;
  clusters(): Promise<Cluster[]>;
}

export function createCallCaches(sql: Sql, feed: ChangeFeed): CallCaches {
  const tokens = new FeedCache("token", feed, (id: string) => findTokenForVerification(sql, id), 10_000, false);
  const principals = new FeedCache("principal", feed, (userId: string) => loadPrincipal(sql, userId, "token"));
  const policy = new FeedCache("policy", feed, () => loadPolicySnapshot(sql), 1);
  const profiles = new FeedCache("tool_profile", feed, (name: string) => loadToolProfile(sql, name), 1000);
  const stamp = new FeedCache("catalog_stamp", feed, () => activeCatalogStamp(sql), 1);
  const clusters = new FeedCache("clusters", feed, () => listClusters(sql), 1);
  return {
    feed,
    token: (id) => tokens.get(id),
    principal: (userId) => principals.get(userId),
    policy: async () => ({ ...(await policy.get("")), now: new Date() }),
    toolProfile: (name) => profiles.get(name ?? "default"),
    catalogStamp: () => stamp.get(""),
    clusters: () => clusters.get(""),
  };
}
