/**
 * Reads `a.b.c` out of a record; arrays on the way fan out (any element may match). Paths are
 * compiled once per request, not split per record: filters run over 10,000-switch inventories.
 */
/** The value at the path: a single value, or an array when the path fans out or ends in one. */
export type PathReader = (record: unknown) => unknown;

export function compilePath(path: string): PathReader {
  const keys = path.split(".");
  if (keys.length === 1) {
    const key = keys[0] as string;
    return (record) => fieldOf(record, key);
  }
  return (record) => walk(record, keys);
}

function walk(record: unknown, keys: string[]): unknown[] {
  let current: unknown[] = [record];
  for (const key of keys) {
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value)) {
        for (const item of value) pushField(next, item, key);
      } else {
        pushField(next, value, key);
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function fieldOf(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function pushField(out: unknown[], value: unknown, key: string): void {
  if (typeof value === "object" && value !== null && key in value) {
    out.push((value as Record<string, unknown>)[key]);
  }
}
