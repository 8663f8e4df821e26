/**
 * Exclusive ownership of an embedded data directory.
 *
 * Guarantees: at most one process at a time owns a DATA_DIR's embedded database. The lock is an
 * OS-level `flock(LOCK_EX)` on `DATA_DIR/pglite.lock`, held for the life of the process: the
 * kernel releases it when the process ends in any way (exit, crash, kill -9), so it can never go
 * stale. The lock file also says who owns it (PID, start time, the private socket the owner
 * serves its database on), for the error a second opener gets and for the CLI to connect.
 * Bun has no flock binding, so libc's is called through bun:ffi.
 */
import { dlopen, FFIType } from "bun:ffi";
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";

const LOCK_EX = 2;
const LOCK_NB = 4;

export interface LockOwner {
  pid: number;
  startedAt: string;
  /** Directory of the owner's private unix socket (`.s.PGSQL.<port>`). */
  socketDir?: string;
  port?: number;
}

export interface DataDirLock {
  path: string;
  /** Records where the owner serves its database (read by a CLI that finds the lock held). */
  announce(info: Omit<LockOwner, "pid" | "startedAt">): void;
  release(): void;
}

let libc: { symbols: { flock(fd: number, op: number): number } } | undefined;
function flock(fd: number, op: number): number {
  libc ??= dlopen(process.platform === "darwin" ? "libc.dylib" : "libc.so.6", {
    flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  });
  return libc.symbols.flock(fd, op);
}

export const lockPath = (dataDir: string) => join(dataDir, "pglite.lock");

/** Takes the lock, or returns who holds it (never waits). */
export function lockDataDir(dataDir: string): { lock: DataDirLock } | { owner: LockOwner | undefined } {
  const path = lockPath(dataDir);
  const fd = openSync(path, "a+", 0o600);
  if (flock(fd, LOCK_EX | LOCK_NB) !== 0) {
    closeSync(fd);
    return { owner: readOwner(dataDir) };
  }
  const startedAt = new Date().toISOString();
  const write = (info: Partial<LockOwner>) => {
    ftruncateSync(fd, 0);
    writeSync(fd, JSON.stringify({ pid: process.pid, startedAt, ...info }) + "\n", 0);
  };
  write({});
  let released = false;
  return {
    lock: {
      path,
      announce: (info) => write(info),
      release() {
        if (released) return;
        released = true;
        ftruncateSync(fd, 0);
        closeSync(fd); // closing the descriptor drops the flock
      },
    },
  };
}

export function readOwner(dataDir: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as LockOwner;
    return typeof owner.pid === "number" ? owner : undefined;
  } catch {
    return undefined;
  }
}
