// `bun run cli user …`, `role …`, `token …`: the console side of identity. Non-interactive:
// passwords come from --password-file or --password-stdin, or are generated and printed once.
// Secrets are printed only where the operator asked for them (a generated password, a new
// token) and never appear in an error. Exit codes: 0 ok, 1 failure, 2 usage.
import { readFileSync } from "node:fs";
import type { CliContext, CliHandler } from "./cli-context.ts";
import { parseArgs } from "./cli-context.ts";
import { Invalid } from "../errors.ts";
import { cliCaller, type Caller } from "../identity/caller.ts";
import { osUser } from "./cli-context.ts";
import { createApiToken, listApiTokens, revokeApiToken, tokenStatus } from "../identity/api-tokens.ts";
import { clusterIdsByName } from "../identity/cluster-names.ts";
import type { Sql } from "../identity/db-handle.ts";
import { resetPassword } from "../identity/password-change.ts";
import { createPasswordHasher, type PasswordHasher } from "../identity/passwords.ts";
import { getRole, listRoles } from "../identity/roles.ts";
import {
  createUser,
  grantRole,
  listUsers,
  revokeRole,
  setUserActive,
  setUserClusters,
  type ClusterAccess,
} from "../identity/users.ts";

export interface IdentityCliDeps {
  passwords?: PasswordHasher;
  readStdin?: () => Promise<string>;
  now?: () => Date;
}

const OK = 0;
const USAGE = 2;

type Command = (ctx: CliContext, args: string[], env: Env) => Promise<number>;

interface Env {
  sql: Sql;
  action: Caller;
  passwords: PasswordHasher;
  readStdin: () => Promise<string>;
}

export function identityCommands(deps: IdentityCliDeps = {}): Record<string, CliHandler> {
  const wrap =
    (command: Command): CliHandler =>
    async (ctx, args) => {
      const sql = (await ctx.db()).sql;
      const action = deps.now ? cliCaller(osUser(ctx.env), { now: deps.now() }) : ctx.caller();
      const passwords = deps.passwords ?? createPasswordHasher();
      return command(ctx, args, { sql, action, passwords, readStdin: deps.readStdin ?? (() => Bun.stdin.text()) });
    };
  return {
    "user add": wrap(userAdd),
    "user list": wrap(userList),
    "user disable": wrap((ctx, args, env) => userActive(ctx, args, env, false)),
    "user enable": wrap((ctx, args, env) => userActive(ctx, args, env, true)),
    "user reset-password": wrap(userResetPassword),
    "user grant": wrap(userGrant),
    "user revoke": wrap(userRevoke),
    "user clusters": wrap(userClusters),
    "role list": wrap(roleList),
    "role show": wrap(roleShow),
    "token create": wrap(tokenCreate),
    "token list": wrap(tokenList),
    "token revoke": wrap(tokenRevoke),
  };
}

function usage(ctx: CliContext, text: string): number {
  ctx.err(`usage: bun run cli ${text}`);
  return USAGE;
}

function str(value: string | true | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function list(value: string | true | undefined): string[] {
  return (str(value) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A password from --password-file or --password-stdin (one trailing newline dropped), or undefined. */
async function passwordOption(options: Record<string, string | true>, env: Env): Promise<string | undefined> {
  const file = options["password-file"];
  if (file !== undefined) {
    if (typeof file !== "string") throw new Invalid("--password-file needs a path");
    try {
      return readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch {
      throw new Invalid(`cannot read the password file ${file}`);
    }
  }
  if (options["password-stdin"]) return (await env.readStdin()).replace(/\r?\n$/, "");
  return undefined;
}

async function clusterOption(sql: Sql, value: string | true | undefined): Promise<ClusterAccess | undefined> {
  if (value === undefined) return undefined;
  if (value === "all") return "all";
  return clusterIdsByName(sql, list(value));
}

const USER_ADD =
  "user add USERNAME [--email E] [--name DISPLAY] [--roles r1,r2] [--clusters all|c1,c2] [--password-file F | --password-stdin] [--must-change]";

async function userAdd(ctx: CliContext, args: string[], env: Env): Promise<number> {
  const { positional, options } = parseArgs(args);
  const username = positional[0];
  if (!username || positional.length > 1) return usage(ctx, USER_ADD);
  const password = await passwordOption(options, env);
  const result = await createUser(
    env.sql,
    env.action,
    {
      username,
      email: str(options.email) ?? null,
      displayName: str(options.name) ?? null,
      roles: list(options.roles),
      clusters: await clusterOption(env.sql, options.clusters),
      ...(password !== undefined ? { password } : {}),
      ...(options["must-change"] ? { mustChangePassword: true } : {}),
    },
    { passwords: env.passwords },
  );
  ctx.out(`created user ${result.user.username} (${result.user.id})`);
  if (result.generatedPassword) printGenerated(ctx, result.generatedPassword);
  return OK;
}

function printGenerated(ctx: CliContext, password: string): void {
  ctx.out(`password (shown once, must be changed at first login): ${password}`);
}

async function userList(ctx: CliContext, _args: string[], env: Env): Promise<number> {
  const users = await listUsers(env.sql, env.action);
  ctx.out(["USERNAME", "KIND", "STATE", "ROLES", "CLUSTERS", "LAST LOGIN"].join("\t"));
  for (const u of users) {
    const state = u.active ? (u.mustChangePassword ? "active, must change password" : "active") : "disabled";
    const clusters = u.allClusters ? "all" : u.clusters.join(",") || "none";
    ctx.out(
      [u.username, u.kind, state, u.roles.join(",") || "-", clusters, u.lastLoginAt?.toISOString() ?? "never"].join(
        "\t",
      ),
    );
  }
  return OK;
}

async function userActive(ctx: CliContext, args: string[], env: Env, active: boolean): Promise<number> {
  const username = parseArgs(args).positional[0];
  if (!username) return usage(ctx, `user ${active ? "enable" : "disable"} USERNAME`);
  const r = await setUserActive(env.sql, env.action, username, active);
  if (active) ctx.out(r.changed ? `enabled ${username}` : `${username} was enabled already`);
  else
    ctx.out(
      `${r.changed ? "disabled" : "was disabled already:"} ${username}; ended ${r.sessionsEnded} session(s), revoked ${r.tokensRevoked} token(s)`,
    );
  return OK;
}

async function userResetPassword(ctx: CliContext, args: string[], env: Env): Promise<number> {
  const { positional, options } = parseArgs(args);
  const username = positional[0];
  if (!username)
    return usage(ctx, "user reset-password USERNAME [--password-file F | --password-stdin] [--no-must-change]");
  const newPassword = await passwordOption(options, env);
  const r = await resetPassword(
    env.sql,
    env.action,
    { username, ...(newPassword !== undefined ? { newPassword } : {}), mustChange: !options["no-must-change"] },
    { passwords: env.passwords },
  );
  ctx.out(`password of ${username} reset; ended ${r.sessionsEnded} session(s)`);
  if (r.generatedPassword) printGenerated(ctx, r.generatedPassword);
  return OK;
}

async function userGrant(ctx: CliContext, args: string[], env: Env): Promise<number> {
  const [username, role] = parseArgs(args).positional;
  if (!username || !role) return usage(ctx, "user grant USERNAME ROLE");
  ctx.out(
    (await grantRole(env.sql, env.action, username, role))
      ? `granted ${role} to ${username}; their sessions ended`
      : `${username} holds ${role} already`,
  );
  return OK;
}

async function userRevoke(ctx: CliContext, args: string[], env: Env): Promise<number> {
  const [username, role] = parseArgs(args).positional;
  if (!username || !role) return usage(ctx, "user revoke USERNAME ROLE");
  ctx.out(
    (await revokeRole(env.sql, env.action, username, role))
      ? `revoked ${role} from ${username}; their sessions ended`
      : `${username} does not hold ${role}`,
  );
  return OK;
}

async function userClusters(ctx: CliContext, args: string[], env: Env): Promise<number> {
  const [username, clusters] = parseArgs(args).positional;
  if (!username || !clusters) return usage(ctx, "user clusters USERNAME all|none|c1,c2");
  const access = clusters === "none" ? [] : (await clusterOption(env.sql, clusters))!;
  await setUserClusters(env.sql, env.action, username, access);
  ctx.out(
    `${username} may use ${access === "all" ? "all clusters" : access.length ? `${access.length} cluster(s)` : "no cluster"}`,
  );
  return OK;
}

async function roleList(ctx: CliContext, _args: string[], env: Env): Promise<number> {
  ctx.out(["ROLE", "KIND", "HOLDERS", "TOOL PROFILE", "PERMISSIONS"].join("\t"));
  for (const r of await listRoles(env.sql)) {
    ctx.out(
      [r.name, r.system ? "system" : "custom", String(r.holders), r.toolProfile ?? "-", r.permissions.join(",")].join(
        "\t",
      ),
    );
  }
  return OK;
}

async function roleShow(ctx: CliContext, args: string[], env: Env): Promise<number> {
  const name = parseArgs(args).positional[0];
  if (!name) return usage(ctx, "role show NAME");
  const r = await getRole(env.sql, name);
  ctx.out(`name:         ${r.name}${r.system ? " (system role)" : ""}`);
  ctx.out(`description:  ${r.description || "-"}`);
  ctx.out(`tool profile: ${r.toolProfile ?? "default"}`);
  ctx.out(`holders:      ${r.holders}`);
  ctx.out("permissions:");
  for (const p of r.permissions) ctx.out(`  ${p}`);
  return OK;
}

const TOKEN_CREATE =
  "token create --user USERNAME --name NAME [--expires 30d|12h|2026-12-31|never] [--read-only] [--clusters c1,c2]";
const RELATIVE = /^(\d+)(h|d|w)$/;
const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** --expires: a relative lifetime, a date, or "never"; omitted = TOKEN_DEFAULT_TTL. */
export function parseExpiry(value: string | true | undefined, now: Date, defaultTtlMs: number): Date | null {
  if (value === undefined) return new Date(now.getTime() + defaultTtlMs);
  if (value === "never") return null;
  if (typeof value === "string") {
    const m = RELATIVE.exec(value);
    if (m) return new Date(now.getTime() + Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
    if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value);
  }
  throw new Invalid("--expires takes a lifetime (12h, 30d, 8w), a date (2026-12-31) or never");
}

async function tokenCreate(ctx: CliContext, args: string[], env: Env): Promise<number> {
  const { options } = parseArgs(args);
  const username = str(options.user);
  const name = str(options.name);
  if (!username || !name) return usage(ctx, TOKEN_CREATE);
  const now = env.action.now ?? new Date();
  const expiresAt = parseExpiry(options.expires, now, ctx.config().tokenDefaultTtlMs);
  const clusters = options.clusters !== undefined ? await clusterIdsByName(env.sql, list(options.clusters)) : null;
  if (options.clusters !== undefined && clusters!.length === 0)
    throw new Invalid("--clusters needs at least one cluster name");
  const t = await createApiToken(env.sql, env.action, {
    username,
    name,
    expiresAt,
    readOnly: Boolean(options["read-only"]),
    clusters,
  });
  ctx.out(
    `created token ${t.id} "${t.name}" for ${t.username}; expires ${t.expiresAt?.toISOString() ?? "never"}${t.readOnly ? "; read-only" : ""}${t.clusters ? `; ${t.clusters.length} cluster(s)` : ""}`,
  );
  ctx.out(`token (shown once): ${t.token}`);
  return OK;
}

async function tokenList(ctx: CliContext, args: string[], env: Env): Promise<number> {
  const user = str(parseArgs(args).options.user);
  const rows = await listApiTokens(env.sql, env.action, user);
  const now = env.action.now ?? new Date();
  ctx.out(["ID", "USER", "NAME", "STATUS", "SCOPE", "EXPIRES", "LAST USED"].join("\t"));
  for (const t of rows) {
    const scope = [
      t.readOnly ? "read-only" : "read-write",
      t.clusters ? `${t.clusters.length} cluster(s)` : "all clusters",
    ].join(", ");
    const used = t.lastUsedAt ? `${t.lastUsedAt.toISOString()} from ${t.lastUsedIp ?? "?"}` : "never";
    ctx.out(
      [t.id, t.username, t.name, tokenStatus(t, now), scope, t.expiresAt?.toISOString() ?? "never", used].join("\t"),
    );
  }
  return OK;
}

async function tokenRevoke(ctx: CliContext, args: string[], env: Env): Promise<number> {
  const id = parseArgs(args).positional[0];
  if (!id) return usage(ctx, "token revoke ID");
  await revokeApiToken(env.sql, env.action, id, "revoked at the console");
  ctx.out(`revoked token ${id}`);
  return OK;
}
