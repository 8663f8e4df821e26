/**
 * Seeded pseudo-random numbers. Every generated value in the simulator comes from an Rng derived
 * from (run seed, a stable key), never from Math.random, so that one seed always yields the same
 * inventory no matter in which order entities are generated or requested.
 */

export interface Rng {
  /** Float in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  hex(length: number): string;
  /** Upper-case letters and digits, as in Cisco serial numbers. */
  alnum(length: number): string;
}

/** FNV-1a over the key, mixed with the seed: a cheap, stable 32-bit hash. */
export function hashKey(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** An independent stream for one entity, e.g. rngFor(seed, "switch", "fabric-1", 7). */
export function rngFor(seed: number, ...key: (string | number)[]): Rng {
  return createRng(hashKey(seed, key.join("\u0000")));
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export function createRng(state: number): Rng {
  let s = state >>> 0;
  // mulberry32: tiny, fast, good enough for test data.
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T,
    chance: (p: number) => next() < p,
    hex: (n: number) => {
      let out = "";
      for (let i = 0; i < n; i++) out += int(0, 15).toString(16);
      return out;
    },
    alnum: (n: number) => {
      let out = "";
      for (let i = 0; i < n; i++) out += ALNUM[int(0, ALNUM.length - 1)];
      return out;
    },
  };
}
