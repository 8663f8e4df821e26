// Cluster names (what people type) to cluster ids (what access lists store). The clusters table
// belongs to the clusters module; identity only reads id and name, and copes with its absence.
import { Invalid } from "../errors.ts";
import type { Db } from "./db-handle.ts";

export async function clusterIdsByName(db: Db, names: string[]): Promise<string[]> {
  const wanted = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  if (wanted.length === 0) return [];
  const [table] = await db<{ exists: boolean }[]>`select to_regclass('clusters') is not null as exists`;
  if (!table?.exists)
    throw new Invalid(
      `no clusters are registered yet, so ${wanted.join(", ")} cannot be resolved; add the clusters first`,
    );
  const rows = await db<
    { id: string; name: string }[]
  >`select id::text as id, name from clusters where name = any(${wanted}::text[])`;
  const found = new Map(rows.map((r) => [r.name, r.id]));
  const unknown = wanted.filter((n) => !found.has(n));
  if (unknown.length) throw new Invalid(`unknown cluster(s): ${unknown.join(", ")}`);
  return wanted.map((n) => found.get(n)!);
}
