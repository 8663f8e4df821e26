// "Did you mean": the closest few of a set of names (operation ids, field paths, enum values) to
// what a model typed. Case-insensitive edit distance (with transpositions), accepting at most a
// third of the typed length in edits; a candidate that contains the typed name, or is contained
// in it, counts as close too ("listVrf" → "listVrfs", "syncStatus" → "additionalData.configSyncStatus").

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (Math.abs(s.length - t.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[t.length]!;
}

/** Up to `max` candidates close to `typed`, closest first; empty when none is close. */
export function closest(typed: string, candidates: Iterable<string>, max = 3): string[] {
  const word = typed.trim();
  if (!word) return [];
  const lower = word.toLowerCase();
  const tail = lower.split(".").pop()!;
  const limit = Math.max(1, Math.floor(word.length / 3));
  const scored: Array<[string, number]> = [];
  for (const candidate of new Set(candidates)) {
    const c = candidate.toLowerCase();
    if (c === lower) continue;
    const cTail = c.split(".").pop()!;
    let score = editDistance(word, candidate, limit);
    if (score > limit)
      score = Math.min(score, editDistance(tail, cTail, Math.max(1, Math.floor(tail.length / 3))) + 0.5);
    if (score > limit && tail.length >= 4 && (cTail.includes(tail) || (cTail.length >= 4 && tail.includes(cTail))))
      score = limit + 0.25;
    if (score > limit && abbreviates(word.split(".").pop()!, candidate.split(".").pop()!)) score = limit + 0.4;
    if (score <= limit + 0.5) scored.push([candidate, score]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].length - b[0].length || a[0].localeCompare(b[0]));
  return scored.slice(0, max).map(([c]) => c);
}

const camelParts = (name: string) =>
  name
    .split(/(?<=[a-z0-9])(?=[A-Z])|[_\-\s]+/)
    .map((p) => p.toLowerCase())
    .filter(Boolean);

/** "operStatus" abbreviates "operationalStatus": each word of it starts a word of the candidate, in order. */
function abbreviates(typedTail: string, candidateTail: string): boolean {
  const typed = camelParts(typedTail);
  const parts = camelParts(candidateTail);
  if (typed.length < 2) return false;
  let at = 0;
  for (const word of typed) {
    while (at < parts.length && !parts[at]!.startsWith(word)) at++;
    if (at === parts.length) return false;
    at++;
  }
  return true;
}

/**
 * Every allowed value, the closest to what was typed first (the rest in their declared order):
 * for an enum a model missed, the whole set is short and the right one leads.
 */
export function allowedValuesFor(typed: string, allowed: readonly string[], max = 20): string {
  const same = allowed.filter((v) => v.toLowerCase() === typed.trim().toLowerCase());
  const near = [...same, ...closest(typed, allowed, allowed.length)];
  const ordered = [...near, ...allowed.filter((v) => !near.includes(v))];
  const shown = ordered
    .slice(0, max)
    .map((v) => JSON.stringify(v))
    .join(", ");
  return ordered.length > max ? `${shown} (+${ordered.length - max} more; describe_operation lists them)` : shown;
}
