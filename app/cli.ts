/**
 * The admin command line: `bun run cli <command> [args]`. Each domain exports its command
 * handlers; this file only parses the command word(s), opens what a command needs and maps
 * errors to a one-line message and an exit code.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, DEMO_DATA_DIR, loadConfig, redactedConfig, type Config } from "./config.ts";
import { openDatabase, type Database } from "./db.ts";
import { AppError, StartupError, errorMessage } from "./errors.ts";
import { migrate } from "./migrate.ts";
import { describeCertificate, ensureCertificate, tlsSettingsFrom } from "./tls/certificate.ts";
import { cliCallerOnce, type CliContext, type CliHandler } from "./cli/cli-context.ts";
import { commandTable } from "./cli/commands.ts";

export function builtinCommands(): Record<string, CliHandler> {
  return {
    migrate: async (ctx) => {
      const result = await migrate((await ctx.db()).sql);
      ctx.out(
        result.applied.length
          ? `applied ${result.applied.join(", ")}`
          : `database is up to date (version ${result.current})`,
      );
      return 0;
    },
    config: async (ctx) => {
      ctx.config(); // validates: invalid values end here with every problem listed
      for (const line of redactedConfig(ctx.env)) ctx.out(line);
      return 0;
    },
    "cert show": async (ctx) => {
      const { material } = await ensureCertificate(tlsSettingsFrom(ctx.config()), {});
      printCertificate(ctx, material.source, material.certPath, material.cert);
      return 0;
    },
    "cert renew": async (ctx, args) => {
      const settings = tlsSettingsFrom(ctx.config());
      if (settings.certFile) {
        ctx.out(
          `the certificate is provided by the administrator (${settings.certFile}); replace that file to renew it`,
        );
        return 1;
      }
      const result = await ensureCertificate(settings, { force: args.includes("--force") });
      ctx.out(
        result.renewed
          ? `renewed (${result.renewed}); send SIGHUP to the gateway (systemctl reload nexus-mcp) to load it`
          : "not due for renewal (use --force to renew anyway)",
      );
      printCertificate(ctx, result.material.source, result.material.certPath, result.material.cert);
      return 0;
    },
  };
}

function printCertificate(ctx: CliContext, source: string, path: string, pem: string): void {
  const info = describeCertificate(pem);
  ctx.out(`source:      ${source} (${path})`);
  ctx.out(`subject:     ${info.subject}`);
  ctx.out(`sans:        ${info.sans.join(", ")}`);
  ctx.out(`not after:   ${info.notAfter.toISOString()}`);
  ctx.out(`sha256:      ${info.fingerprint256}`);
}

function usage(commands: Record<string, CliHandler>): string {
  return `usage: bun run cli <command>\ncommands:\n${Object.keys(commands)
    .sort()
    .map((c) => `  ${c}`)
    .join("\n")}`;
}

/**
 * With no DATA_DIR, DATABASE_URL or ENV_FILE the CLI would open `./data`; when that holds no
 * database but the demo's directory does, the user means the demo's (README: "run the CLI while
 * the demo runs"). Which directory is used is always said on stderr.
 */
export function cliEnv(
  env: Record<string, string | undefined>,
  demoDir = DEMO_DATA_DIR,
): Record<string, string | undefined> {
  const explicit = ["DATA_DIR", "DATABASE_URL", "DATABASE_URL_FILE", "ENV_FILE"].some((k) => env[k]);
  if (explicit || existsSync(join(resolve("./data"), "pglite"))) return env;
  return existsSync(join(demoDir, "pglite")) ? { ...env, DATA_DIR: demoDir } : env;
}

export async function runCli(
  argv: string[],
  rawEnv: Record<string, string | undefined>,
  out = console.log,
  err = console.error,
): Promise<number> {
  const env = cliEnv(rawEnv);
  const commands = { ...builtinCommands(), ...commandTable() };
  const two = argv.slice(0, 2).join(" ");
  const name = commands[two] ? two : (argv[0] ?? "");
  const handler = commands[name];
  if (!handler) {
    err(name ? `unknown command "${argv.slice(0, 2).join(" ")}"\n${usage(commands)}` : usage(commands));
    return 2;
  }
  let config: Config | undefined;
  let database: Database | undefined;
  const ctx: CliContext = {
    env,
    out,
    err,
    caller: cliCallerOnce(env),
    config: () => (config ??= loadConfig(env)),
    db: async () => {
      if (!database) {
        const c = ctx.config();
        database = await openDatabase({
          databaseUrl: c.databaseUrl,
          dataDir: c.dataDir,
          poolMax: 4,
          connectAttempts: c.dbConnectAttempts,
          shareEmbedded: true,
        });
        if (database.engine === "embedded") {
          const served = database.sharedWith ? `, served by the running gateway (pid ${database.sharedWith.pid})` : "";
          err(`cli: using the embedded database in ${c.dataDir}${served}; set DATA_DIR or DATABASE_URL to use another`);
        }
      }
      return database;
    },
  };
  try {
    return await handler(ctx, argv.slice(name.split(" ").length));
  } catch (e) {
    if (e instanceof ConfigError || e instanceof StartupError || e instanceof AppError) {
      err(`error: ${e.message}`);
      return e instanceof ConfigError ? 2 : 1;
    }
    err(`error: ${errorMessage(e)}`);
    return 1;
  } finally {
    await database?.close();
  }
}

if (import.meta.main) {
  const { processEnv } = await import("./config.ts");
  process.exit(await runCli(process.argv.slice(2), processEnv()));
}
