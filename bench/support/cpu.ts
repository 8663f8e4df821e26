/**
 * CPU time of the processes in a benchmark, from /proc (Linux): where the 2 cores went per
 * call — gateway, PostgreSQL (the postmaster's children: backends, WAL writer, …), simulator,
 * peer and the load generator itself.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

function statOf(pid: number): { ppid: number; cpuMs: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may contain spaces; fields after ") " are fixed.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return null;
  }
}

export function processCpuMs(pid: number): number {
  return statOf(pid)?.cpuMs ?? 0;
}

/** The postmaster and every process it started (backends, background workers). */
export function postgresCpuMs(postmasterPidFile: string): number {
  if (!existsSync(postmasterPidFile)) return 0;
  const postmaster = Number(readFileSync(postmasterPidFile, "utf8").split("\n")[0]);
  let total = statOf(postmaster)?.cpuMs ?? 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statOf(Number(entry));
    if (s?.ppid === postmaster) total += s.cpuMs;
  }
  return total;
}

export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
