/** What a CLI command handler receives. Domain `*.cli.ts` modules implement `CliHandler`. */
import type { Config } from "./config.ts";
import type { Database } from "./db.ts";

export interface CliContext {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  config(): Config;
  /** Opened on first use, closed when the command ends. Migrations are not applied implicitly. */
  db(): Promise<Database>;
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
