// `bun run cli oauth …`: connected apps (OAuth grants) and registered OAuth clients at the
// console — list, revoke a grant, block a client. Exit codes: 0 ok, 2 usage.
import type { CliContext, CliHandler } from "./cli-context.ts";
import { parseArgs } from "./cli-context.ts";
import { listOAuthClients, revokeOAuthClient } from "../oauth/oauth-clients.ts";
import { listAllGrants, revokeGrant } from "../oauth/oauth-grants.ts";

const when = (d: Date | null) => d?.toISOString() ?? "never";

async function grants(ctx: CliContext, args: string[]): Promise<number> {
  const user = parseArgs(args).options.user;
  const rows = (await listAllGrants((await ctx.db()).sql, ctx.caller())).filter(
    (g) => typeof user !== "string" || g.username === user,
  );
  ctx.out(["ID", "USER", "APPLICATION", "STATUS", "SCOPE", "CONNECTED", "LAST USED"].join("\t"));
  for (const g of rows) {
    const scope = [
      g.readOnly ? "read-only" : "read-write",
      g.clusters ? `${g.clusters.length} cluster(s)` : "all clusters",
    ].join(", ");
    ctx.out(
      [
        g.id,
        g.username,
        g.clientName,
        g.revokedAt ? `revoked (${g.revokedReason ?? "revoked"})` : "active",
        scope,
        when(g.createdAt),
        when(g.lastUsedAt),
      ].join("\t"),
    );
  }
  return 0;
}

async function revoke(ctx: CliContext, args: string[]): Promise<number> {
  const id = parseArgs(args).positional[0];
  if (!id) {
    ctx.err("usage: bun run cli oauth revoke GRANT_ID");
    return 2;
  }
  const grant = await revokeGrant((await ctx.db()).sql, ctx.caller(), id, "revoked at the console");
  ctx.out(`revoked ${grant.clientName}'s access for ${grant.username} (${id})`);
  return 0;
}

async function clients(ctx: CliContext): Promise<number> {
  const rows = await listOAuthClients((await ctx.db()).sql, ctx.caller());
  ctx.out(["ID", "NAME", "STATUS", "LIVE GRANTS", "REGISTERED", "REDIRECT URIS"].join("\t"));
  for (const c of rows)
    ctx.out(
      [
        c.id,
        c.clientName,
        c.revokedAt ? "blocked" : "active",
        String(c.liveGrants),
        when(c.createdAt),
        c.redirectUris.join(" "),
      ].join("\t"),
    );
  return 0;
}

async function block(ctx: CliContext, args: string[]): Promise<number> {
  const id = parseArgs(args).positional[0];
  if (!id) {
    ctx.err("usage: bun run cli oauth block CLIENT_ID");
    return 2;
  }
  await revokeOAuthClient((await ctx.db()).sql, ctx.caller(), id);
  ctx.out(`blocked OAuth client ${id}; all of its grants ended`);
  return 0;
}

export function oauthCommands(): Record<string, CliHandler> {
  return { "oauth list": grants, "oauth revoke": revoke, "oauth clients": clients, "oauth block": block };
}
