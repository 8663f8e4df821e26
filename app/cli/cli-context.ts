/**
 * What a CLI command handler receives. Each command group (app/cli/*.ts) implements `CliHandler`;
 * the domain never imports this file — the CLI is one of three front doors, like mcp/ and ui/.
 */
import { userInfo } from "node:os";
import type { Config } from "../config.ts";
import type { Database } from "../db.ts";
import { cliCaller, type Caller } from "../identity/caller.ts";

export interface CliContext {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  config(): Config;
  /** Opened on first use, closed when the command ends. Migrations are not applied implicitly. */
  db(): Promise<Database>;
  /** The operator: the OS user who ran the command, via "cli" (one per command, one clock). */
  caller(): Caller;
}

/** The OS user running the CLI: the passwd entry, else $USER, else "cli" (containers without one). */
export function osUser(env: Record<string, string | undefined>): string {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // no passwd entry
  }
  return env.USER || "cli";
}

/** The Caller of one CLI command, built once (lazily) per command. */
export function cliCallerOnce(env: Record<string, string | undefined>, now?: () => Date): () => Caller {
  let caller: Caller | undefined;
  return () => (caller ??= cliCaller(osUser(env), now ? { now: now() } : {}));
}

export type CliHandler = (ctx: CliContext, args: string[]) => Promise<number>;

/** Parses `--name value` and `--flag` options; everything else is positional. */
export function parseArgs(args: string[]): { positional: string[]; options: Record<string, string | true> } {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq > 0) options[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (args[i + 1] !== undefined && !args[i + 1]!.startsWith("--")) options[arg.slice(2)] = args[++i]!;
    else options[arg.slice(2)] = true;
  }
  return { positional, options };
}
