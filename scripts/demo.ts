/**
 * `bun run demo`: from a fresh clone, installs what is missing, then runs the gateway on the
 * embedded database with the ND simulator registered as cluster "sim". No imports of project
 * dependencies here, so this file runs before `bun install`.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
if (!existsSync(resolve(root, "node_modules/elysia"))) {
  console.log("demo: installing packages (bun install --frozen-lockfile)…");
  const install = Bun.spawnSync(["bun", "install", "--frozen-lockfile"], {
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (install.exitCode !== 0) process.exit(install.exitCode ?? 1);
}
await import("./demo-run.ts");
