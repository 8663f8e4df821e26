/**
 * `sort=field[:asc|:desc][,field2…]` (reference §4). Cisco's text says ascending is the default;
 * we follow the text. Missing values sort last in either direction; the sort is stable.
 */
import { compilePath, type PathReader } from "./field-path.ts";

export class SortSyntaxError extends Error {}

export interface SortKey {
  field: string;
  read: PathReader;
  direction: 1 | -1;
}

export function parseSort(spec: string): SortKey[] {
  return spec
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const [field, dir = "asc", extra] = part.split(":");
      if (!field || extra !== undefined || !/^(asc|desc)$/i.test(dir))
        throw new SortSyntaxError(`invalid sort "${part}"`);
      return { field, read: compilePath(field), direction: dir.toLowerCase() === "desc" ? -1 : 1 };
    });
}

export function sortRecords<T>(records: readonly T[], keys: SortKey[]): readonly T[] {
  if (keys.length === 0) return records;
  // Decorate once, sort, undecorate: reading a dotted path per comparison would dominate.
  const decorated = records.map((record, index) => ({
    record,
    index,
    values: keys.map((k) => firstOf(k.read(record))),
  }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const order = compareValues(a.values[i], b.values[i], (keys[i] as SortKey).direction);
      if (order !== 0) return order;
    }
    return a.index - b.index;
  });
  return decorated.map((d) => d.record);
}

function compareValues(a: unknown, b: unknown, direction: 1 | -1): number {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return (a - b) * direction;
  const sa = String(a);
  const sb = String(b);
  return (sa < sb ? -1 : sa > sb ? 1 : 0) * direction;
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}
