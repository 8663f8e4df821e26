/**
 * The ND version of a cluster, read after each successful login and kept on its row, so
 * list_clusters and the UI show it without anyone running `cluster test` first.
 *
 * The version is an observation of the cluster, like the last test's outcome — not a change
 * anyone made — so it is stored without an audit event; the row's revision is not bumped (a
 * bump would rebuild the cluster's client and log in again).
 */
import type { Sql } from "postgres";
import { updateNdVersion } from "./clusters.sql.ts";
import { ndfcVersion, versionOf } from "./connection-test.ts";
import type { NdClient } from "./nd-client.ts";

export async function recordNdVersion(sql: Sql, client: NdClient): Promise<string | null> {
  const probe = await client
    .request({ method: "GET", pathTemplate: "/version.json", anonymous: true })
    .catch(() => null);
  const version = (probe ? versionOf(probe.body) : null) ?? (await ndfcVersion(client));
  if (version) await updateNdVersion(sql, client.clusterId, version);
  return version;
}
