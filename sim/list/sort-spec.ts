/**
 * `sort=field[:asc|:desc][,field2…]` (reference §4). Cisco's text says ascending is the default;
 * we follow the text. Missing values sort last in either direction; the sort is stable.
 */
import { firstValueAt } from "./field-path.ts";

export class SortSyntaxError extends Error {}

interface SortKey {
  field: string;
  direction: 1 | -1;
}

export function parseSort(spec: string): SortKey[] {
  return spec
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const [field, dir = "asc", extra] = part.split(":");
      if (!field || extra !== undefined || !/^(asc|desc)$/i.test(dir)) throw new SortSyntaxError(`invalid sort "${part}"`);
      return { field, direction: dir.toLowerCase() === "desc" ? -1 : 1 };
    });
}

export function sortRecords<T>(records: T[], keys: SortKey[]): T[] {
  if (keys.length === 0) return records;
  return [...records].sort((a, b) => {
    for (const key of keys) {
      const order = compareValues(firstValueAt(a, key.field), firstValueAt(b, key.field), key.direction);
      if (order !== 0) return order;
    }
    return 0;
  });
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
