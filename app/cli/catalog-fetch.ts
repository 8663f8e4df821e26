/**
 * `bun run cli catalog fetch --cluster NAME PATH…`: imports OpenAPI documents served by a
 * cluster, fetched through the ND client (its TLS verification, credentials and URL rules).
 * ND does not document where its documents live, so the administrator names the paths
 * (e.g. /help-center/swagger/manage.json on the simulator).
 */
import { parseArgs, type CliHandler } from "./cli-context.ts";
import { Invalid } from "../errors.ts";
import { parseUrlPolicy } from "../clusters/cluster-url-policy.ts";
import { createNdClientPool } from "../clusters/nd-client-pool.ts";
import { loadKeyring } from "../secrets/keyring.ts";
import { importFromCluster } from "../catalog/import.ts";

export const catalogFetchCommand: CliHandler = async (ctx, args) => {
  const { positional, options } = parseArgs(args);
  const cluster = typeof options.cluster === "string" ? options.cluster : undefined;
  if (!cluster || !positional.length)
    throw new Invalid("usage: catalog fetch --cluster NAME PATH… (e.g. /help-center/swagger/manage.json)");
  const bad = positional.find((p) => !/^\/[A-Za-z0-9._~/-]*$/.test(p) || p.includes(".."));
  if (bad) throw new Invalid(`"${bad}" is not a plain absolute path on the cluster`);
  const config = ctx.config();
  const { sql } = await ctx.db();
  const { keyring } = await loadKeyring({
    sql,
    dataDir: config.dataDir,
    encryptionKey: config.encryptionKey,
    warn: ctx.err,
  });
  const pool = createNdClientPool({
    sql,
    keyring,
    urlPolicy: parseUrlPolicy(config.clusterAllowlist, config.clusterAllowLoopback),
  });
  try {
    const client = await pool.clientFor(cluster);
    const fetchers = positional.map((path) => async () => {
      const slash = path.lastIndexOf("/");
      const res = await client.request({
        method: "GET",
        basePath: path.slice(0, slash),
        pathTemplate: path.slice(slash),
      });
      const text = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
      return { name: path.slice(slash + 1), bytes: new TextEncoder().encode(text) };
    });
    const report = await importFromCluster(sql, ctx.caller(), client.clusterName, fetchers);
    for (const o of report.outcomes) {
      ctx.out(
        o.status === "failed"
          ? `${o.fileName}: FAILED ${o.error}`
          : `${o.fileName}: ${o.status} ${o.source} v${o.version} (${o.operations} operations)`,
      );
    }
    return report.failed ? 1 : 0;
  } finally {
    await pool.closeAll();
  }
};
