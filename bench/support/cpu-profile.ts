/**
 * Reads a .cpuprofile written by `bun --cpu-prof` and splits the samples taken inside a time
 * window by who caused them: each sample goes to the nearest frame on its stack that belongs
 * to a package (node_modules/<pkg>) or to a folder of the app (app/<dir>), so runtime work —
 * socket writes, TLS, JSON parsing — counts for the code that asked for it. Samples with no
 * such frame are the runtime's own (HTTP server, TLS handshakes, GC, timers).
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  owner: string;
  samples: number;
  share: number;
}

function ownerOf(url: string): string | null {
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const app = /\/main\/(app\/[^/]+|app)\//.exec(url) ?? /\/(app\/[^/]+)\//.exec(url);
  return app ? app[1]! : null;
}

/** Shares of the samples taken between `fromMs` and `toMs` (epoch milliseconds). */
export function profileShares(path: string, fromMs: number, toMs: number): { samples: number; shares: ProfileShare[] } {
  const p = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = new Map<number, string>();
  const ownerFor = (id: number): string => {
    const known = owner.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const own = ownerOf(node.callFrame.url);
    const up = parent.get(id);
    const found = own ?? (up === undefined ? "runtime (HTTP server, TLS, GC, timers)" : ownerFor(up));
    owner.set(id, found);
    return found;
  };
  const counts = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i] ?? 0;
    const ms = t / 1000;
    if (ms < fromMs || ms > toMs) return;
    const who = ownerFor(id);
    counts.set(who, (counts.get(who) ?? 0) + 1);
    total++;
  });
  const shares = [...counts]
    .map(([o, n]) => ({ owner: o, samples: n, share: n / total }))
    .sort((a, b) => b.samples - a.samples);
  return { samples: total, shares };
}
