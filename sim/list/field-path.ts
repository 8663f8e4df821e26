/** Reads `a.b.c` out of a record; arrays on the way fan out (any element may match). */
export function valuesAt(record: unknown, path: string): unknown[] {
  let current: unknown[] = [record];
  for (const key of path.split(".")) {
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

function pushField(out: unknown[], value: unknown, key: string): void {
  if (typeof value === "object" && value !== null && key in value) {
    out.push((value as Record<string, unknown>)[key]);
  }
}

export function firstValueAt(record: unknown, path: string): unknown {
  return valuesAt(record, path)[0];
}
