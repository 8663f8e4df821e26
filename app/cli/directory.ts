// `bun run cli directory …`: sign-in through LDAP / Active Directory.
// The bind password is read from a file or stdin, never from the command line (it shows in `ps`).
import { readFileSync } from "node:fs";
import type { CliContext, CliHandler } from "./cli-context.ts";
import { parseArgs } from "./cli-context.ts";
import { cliKeyring } from "./secrets.ts";
import {
  addDirectory,
  listDirectories,
  mapGroup,
  removeDirectory,
  testDirectory,
  unmapGroup,
} from "../directory/directories.ts";
import { checkDirectoryUsers } from "../directory/directory-sync.ts";

const ADD_USAGE =
  "usage: directory add NAME --kind ad|ldap --url ldaps://HOST[:636] | ldap://HOST[:389] (StartTLS)\n" +
  "         --bind-dn DN (--bind-password-file FILE | --bind-password-stdin) --user-base DN [--group-base DN]\n" +
  "         [--user-filter F] [--username-attribute A] [--disabled-filter F | --no-disabled-filter] [--ca-file PEM] [--timeout-ms N]";
const MAP_USAGE = "usage: directory map NAME --group DN [--role ROLE] [--clusters a,b | --clusters '*']";

type Options = Record<string, string | true>;
const str = (v: string | true | undefined) => (typeof v === "string" ? v : undefined);

export function directoryCommands(): Record<string, CliHandler> {
  return {
    "directory add": add,
    "directory list": list,
    "directory test": test,
    "directory map": map,
    "directory unmap": unmap,
    "directory remove": remove,
    "directory check": check,
  };
}

const add: CliHandler = async (ctx, args) => {
  const { positional, options } = parseArgs(args);
  const name = positional[0];
  const need = ["url", "bind-dn", "user-base"].filter((k) => !str(options[k]));
  if (!name || need.length) return usage(ctx, ADD_USAGE);
  const password = await secret(options);
  if (password === null) return usage(ctx, ADD_USAGE);
  const caFile = str(options["ca-file"]);
  const { keyring } = await cliKeyring(ctx);
  const d = await addDirectory(
    (await ctx.db()).sql,
    ctx.caller(),
    {
      name,
      kind: str(options.kind),
      url: str(options.url)!,
      bindDn: str(options["bind-dn"])!,
      bindPassword: password,
      userBase: str(options["user-base"])!,
      groupBase: str(options["group-base"]),
      userFilter: str(options["user-filter"]),
      usernameAttribute: str(options["username-attribute"]),
      disabledFilter: options["no-disabled-filter"] ? null : str(options["disabled-filter"]),
      caPem: caFile ? readFileSync(caFile, "utf8") : null,
      timeoutMs: str(options["timeout-ms"]) ? Number(options["timeout-ms"]) : undefined,
    },
    { keyring },
  );
  ctx.out(
    `added directory ${d.name} (${d.kind}, ${d.url}); map groups to roles with: directory map ${d.name} --group DN --role operator`,
  );
  return 0;
};

async function secret(options: Options): Promise<string | null> {
  const file = str(options["bind-password-file"]);
  if (file) return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  if (options["bind-password-stdin"]) return (await Bun.stdin.text()).replace(/\r?\n$/, "");
  return null;
}

const list: CliHandler = async (ctx) => {
  const rows = await listDirectories((await ctx.db()).sql, ctx.caller());
  if (!rows.length)
    ctx.out("no directories; local accounts only. Add one with: directory add NAME --kind ad --url ldaps://…");
  for (const d of rows) {
    ctx.out(
      `${d.name}  ${d.kind}  ${d.url}  ${d.enabled ? "enabled" : "disabled"}  users under ${d.userBase} by ${d.usernameAttribute}`,
    );
    for (const m of d.mappings)
      ctx.out(
        `  [${m.id}] ${m.groupDn} → ${[m.roleName && `role ${m.roleName}`, m.clusters.length && `clusters ${m.clusters.join(",")}`].filter(Boolean).join(", ")}`,
      );
  }
  return 0;
};

const test: CliHandler = async (ctx, args) => {
  const [name, username] = args;
  if (!name || !username) return usage(ctx, "usage: directory test NAME USERNAME");
  const { keyring } = await cliKeyring(ctx);
  const result = await testDirectory((await ctx.db()).sql, ctx.caller(), { name, username }, { keyring });
  if (!result.account) {
    ctx.err(`${name}: bound as the service account; no user ${username} found`);
    return 1;
  }
  ctx.out(`${name}: found ${result.account.dn}${result.account.disabled ? " (DISABLED)" : ""}`);
  for (const g of result.groups) ctx.out(`  member of ${g}`);
  return 0;
};

const map: CliHandler = async (ctx, args) => {
  const { positional, options } = parseArgs(args);
  const name = positional[0];
  const group = str(options.group);
  if (!name || !group) return usage(ctx, MAP_USAGE);
  const clusters = str(options.clusters)?.split(",");
  const id = await mapGroup((await ctx.db()).sql, ctx.caller(), name, {
    groupDn: group,
    roleName: str(options.role),
    clusters,
  });
  ctx.out(
    `mapped [${id}]: members of ${group} get ${[str(options.role) && `role ${options.role}`, clusters && `clusters ${clusters.join(",")}`].filter(Boolean).join(" and ")} at their next login`,
  );
  return 0;
};

const unmap: CliHandler = async (ctx, args) => {
  const [name, id] = args;
  if (!name || !id) return usage(ctx, "usage: directory unmap NAME MAPPING-ID   (directory list shows the ids)");
  await unmapGroup((await ctx.db()).sql, ctx.caller(), name, id);
  ctx.out(`removed mapping ${id}; its members lose what it granted at their next login`);
  return 0;
};

const remove: CliHandler = async (ctx, args) => {
  if (!args[0]) return usage(ctx, "usage: directory remove NAME");
  await removeDirectory((await ctx.db()).sql, ctx.caller(), args[0]);
  ctx.out(`removed directory ${args[0]}; its users are disabled at the next directory check`);
  return 0;
};

const check: CliHandler = async (ctx) => {
  const { keyring } = await cliKeyring(ctx);
  const r = await checkDirectoryUsers((await ctx.db()).sql, keyring);
  ctx.out(
    `checked ${r.checked} directory user(s); disabled: ${r.disabled.join(", ") || "none"}; unreachable: ${r.unreachable.join(", ") || "none"}`,
  );
  return 0;
};

function usage(ctx: CliContext, text: string): number {
  ctx.err(text);
  return 2;
}
