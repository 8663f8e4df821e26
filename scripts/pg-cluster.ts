/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temporary directory
 * (as the `postgres` user when running as root — initdb refuses root), unix socket only, a free
 * port number, fsync off. `stop()` kills the server and removes the directory.
 */
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";

export interface PgCluster {
  host: string;
  port: number;
  url(database: string): string;
  /** `pg_ctl restart -m MODE` (reliability tests: the server goes away under load and comes back). */
  restart(mode?: "fast" | "immediate" | "smart"): void;
  /** Stops the server but keeps its files, so `start()` can bring it back. */
  halt(mode?: "fast" | "immediate"): void;
  start(): void;
  stop(): Promise<void>;
}

export function findPgBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, "bin", "initdb"))) return join(root, v, "bin");
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  if (which) return which.replace(/\/initdb$/, "");
  throw new Error("PostgreSQL server binaries not found; install them with: apt-get install -y postgresql");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = findPgBin();
  const dir = mkdtempSync(join(tmpdir(), "nmg-pgtest-"));
  const asRoot = userInfo().uid === 0;
  if (asRoot) chownSync(dir, pgUid(), pgGid());
  const runAs = (cmd: string, args: string[]) =>
    asRoot ? (["runuser", ["-u", "postgres", "--", cmd, ...args]] as const) : ([cmd, args] as const);
  const data = join(dir, "data");
  const [initCmd, initArgs] = runAs(join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
    "-N",
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const options = [
    `-k ${dir}`,
    `-p ${port}`,
    "-c listen_addresses=''",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=300",
    "-c shared_buffers=128MB",
  ].join(" ");
  const pgCtl = (args: string[]) => {
    const [cmd, full] = runAs(join(bin, "pg_ctl"), args);
    return spawnSync(cmd, full, { encoding: "utf8" });
  };
  const start = () => {
    const started = pgCtl(["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
    if (started.status !== 0) throw new Error(`postgres did not start: ${started.stderr || started.stdout}`);
  };
  start();
  let stopped = false;
  return {
    host: dir,
    port,
    url: (database) => `postgres://postgres@localhost:${port}/${database}?host=${encodeURIComponent(dir)}`,
    restart(mode = "fast") {
      const done = pgCtl([
        "-D",
        data,
        "-o",
        options,
        "-l",
        join(dir, "server.log"),
        "-m",
        mode,
        "-w",
        "-t",
        "60",
        "restart",
      ]);
      if (done.status !== 0) throw new Error(`postgres did not restart: ${done.stderr || done.stdout}`);
    },
    halt(mode = "fast") {
      const done = pgCtl(["-D", data, "-m", mode, "-w", "stop"]);
      if (done.status !== 0) throw new Error(`postgres did not stop: ${done.stderr || done.stdout}`);
    },
    start,
    async stop() {
      if (stopped) return;
      stopped = true;
      pgCtl(["-D", data, "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pgUid(): number {
  return Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
}
function pgGid(): number {
  return Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
}
