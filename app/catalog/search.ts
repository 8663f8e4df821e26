// Ranked search over the catalog: BM25F over operationId words, summary, path words, tags,
// api, parameter names and description, with plural folding, typo tolerance (one edit on
// terms of five letters or more), compound splitting ("techsupport" ↔ "tech support"),
// networking synonyms and time-window phrases ("last day" → operations with startDate/endDate).
//
// The index is built once per catalog version (a few tens of milliseconds for 844 operations)
// and is immutable; a query costs well under a millisecond. Results can be restricted by a
// filter so that callers only ever see what the principal may use.

import type { Operation, RiskClass } from "./operation.ts";
import { isStopWord, stem, terms, withinOneEdit } from "./search-text.ts";
import { PHRASES, PHRASE_ONLY_WORDS, SYNONYMS, TIME_WINDOW_TERM } from "./synonyms.ts";
import { splitWords } from "./words.ts";

/** What search needs of an operation (no schemas: the index stays small). */
export type SearchableOperation = Pick<
  Operation,
  "id" | "api" | "operationId" | "method" | "path" | "summary" | "description" | "tags" | "risk" | "parameters"
>;

export interface SearchFilter {
  /** Only these operation ids (e.g. the principal's whitelist / tool profile). */
  ids?: ReadonlySet<string> | readonly string[];
  risks?: readonly RiskClass[];
  apis?: readonly string[];
}

export interface SearchOptions {
  /** Number of results; default 10. */
  limit?: number;
  filter?: SearchFilter;
}

export interface SearchHit<T extends SearchableOperation = SearchableOperation> {
  id: string;
  score: number;
  operation: T;
  /**
   * Words of the query this operation does not match (unknown to the whole catalog, or just not
   * in this operation): empty for a good match; what a caller shows when nothing matches well.
   */
  unmatched: string[];
}

const FIELD_WEIGHTS = {
  name: 3,
  summary: 2,
  path: 1.5,
  tags: 1.2,
  api: 1,
  params: 0.3,
  description: 0.5,
  pseudo: 1.5,
} as const;

type Field = keyof typeof FIELD_WEIGHTS;

const K1 = 1.2;
const B = 0.5;
/** Weight of a typo correction relative to the word as typed. */
const TYPO_WEIGHT = 0.7;
const MIN_TYPO_LENGTH = 5;
const TIME_WINDOW_PARAMS = /^(start|end|from|to)(date|time|timestamp|ts)$|^timerange/i;
const API_ALIASES: Readonly<Record<string, readonly string[]>> = {
  orchestrator: ["ndo", "mso"],
  manage: ["ndfc"],
  analyze: ["insight", "nir"],
};

interface Posting {
  docs: number[];
  tf: number[];
}

export class SearchIndex<T extends SearchableOperation = SearchableOperation> {
  readonly postings = new Map<string, Posting>();
  readonly idf = new Map<string, number>();
  /** Vocabulary by term length, for the typo scan. */
  readonly byLength = new Map<number, string[]>();
  readonly docLength: Float64Array;
  readonly averageLength: number;
  /** Lower-cased ids and operationIds → documents (one operationId may exist in several APIs). */
  readonly exact = new Map<string, number[]>();

  constructor(readonly operations: readonly T[]) {
    const fields = operations.map(documentFields);
    const vocabulary = new Set(fields.flatMap((f) => Object.values(f).flat()));
    this.docLength = new Float64Array(operations.length);
    operations.forEach((op, doc) => {
      const expanded = withCompoundParts(fields[doc]!, vocabulary);
      for (const [term, tf] of weightedTerms(expanded)) {
        let posting = this.postings.get(term);
        if (!posting) this.postings.set(term, (posting = { docs: [], tf: [] }));
        posting.docs.push(doc);
        posting.tf.push(tf);
      }
      this.docLength[doc] = normalisedLength(expanded);
      for (const key of new Set([op.id.toLowerCase(), op.operationId.toLowerCase()])) {
        this.exact.set(key, [...(this.exact.get(key) ?? []), doc]);
      }
    });
    this.averageLength = this.docLength.reduce((a, b) => a + b, 0) / Math.max(1, operations.length);
    const n = operations.length;
    for (const [term, posting] of this.postings) {
      const df = posting.docs.length;
      this.idf.set(term, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
      if (!term.startsWith("@")) {
        const list = this.byLength.get(term.length) ?? [];
        list.push(term);
        this.byLength.set(term.length, list);
      }
    }
  }

  has(term: string): boolean {
    return this.postings.has(term);
  }
}

export function buildSearchIndex<T extends SearchableOperation>(operations: readonly T[]): SearchIndex<T> {
  return new SearchIndex(operations);
}

export function searchCatalog<T extends SearchableOperation>(
  index: SearchIndex<T>,
  query: string,
  options: SearchOptions = {},
): SearchHit<T>[] {
  const limit = options.limit ?? 10;
  const allowed = allowedDocs(index, options.filter);
  const { tokens, labels, unknown } = labelledTokens(index, query);
  const n = index.operations.length;
  const scores = new Float64Array(n);
  const matched = new Uint16Array(n);
  const missed = Array.from({ length: n }, () => new Set<string>());
  for (const [t, alternatives] of tokens.entries()) {
    const best = new Float64Array(n);
    for (const [term, weight] of alternatives) accumulateBest(index, term, weight, best);
    const label = labels[t];
    for (let doc = 0; doc < n; doc++) {
      if (best[doc]! > 0) {
        scores[doc]! += best[doc]!;
        matched[doc]!++;
      } else if (label) missed[doc]!.add(label);
    }
  }
  const priors = intentPriors(query);
  for (const doc of index.exact.get(query.trim().toLowerCase()) ?? []) scores[doc]! += 1000;
  const hits: SearchHit<T>[] = [];
  for (let doc = 0; doc < n; doc++) {
    if (scores[doc]! <= 0 || (allowed && !allowed[doc])) continue;
    // Documents matching every part of the question beat those matching one part very well.
    const coverage = tokens.length > 0 ? matched[doc]! / tokens.length : 1;
    const operation = index.operations[doc]!;
    const score = scores[doc]! * (0.4 + 0.6 * coverage) * priors(operation);
    hits.push({ id: operation.id, score, operation, unmatched: [...unknown, ...missed[doc]!] });
  }
  hits.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return hits.slice(0, limit);
}

/**
 * Verbs that only say "read": half of all operationIds start with "get", so matching them adds
 * noise; the read-intent prior below already favours GETs. ("list" stays: listX is a signal.)
 */
const READ_VERBS = new Set(["get", "fetch", "retrieve", "find", "lookup", "query"]);

/** Words that ask for a change; without one, a question is about reading. */
const WRITE_INTENT = new Set([
  "create",
  "add",
  "new",
  "delete",
  "remove",
  "update",
  "modify",
  "change",
  "edit",
  "set",
  "deploy",
  "reload",
  "reboot",
  "restart",
  "upgrade",
  "install",
  "restore",
  "push",
  "attach",
  "detach",
  "move",
  "assign",
  "rename",
  "enable",
  "disable",
  "stop",
  "start",
  "trigger",
  "run",
  "save",
  "import",
  "upload",
  "clear",
  "reset",
  "sync",
  "resync",
  "rediscover",
  "suspend",
  "resume",
  "failover",
  "replace",
  "patch",
  "clone",
  "pause",
  "validate",
  "onboard",
  "decommission",
]);

/**
 * Gentle priors from the shape of the question: without a change verb prefer reads (GET);
 * with a plural or "list"/"all" prefer collection paths over one-item paths (`…/{id}`).
 */
function intentPriors(query: string): (op: SearchableOperation) => number {
  const words = splitWords(query);
  const readIntent = !words.some((w) => WRITE_INTENT.has(w));
  const collectionIntent = words.some((w) => w === "list" || w === "all" || (w.length > 3 && stem(w) !== w));
  return (op) => {
    let prior = 1;
    if (readIntent && op.method === "GET") prior *= 1.2;
    if (collectionIntent && !op.path.endsWith("}")) prior *= 1.1;
    return prior;
  };
}

type Alternatives = Array<readonly [string, number]>;

/** The query as a list of tokens, each a set of weighted alternative index terms. */
export function queryTokens(index: SearchIndex, query: string): Alternatives[] {
  return labelledTokens(index, query).tokens;
}

/**
 * The tokens, each with the query word it stands for (null for the joined-pair bonus token,
 * which is no word of its own), and the words no index term stands for at all.
 */
function labelledTokens(
  index: SearchIndex,
  query: string,
): { tokens: Alternatives[]; labels: (string | null)[]; unknown: string[] } {
  const words = splitWords(query);
  const tokens: Alternatives[] = [];
  const labels: (string | null)[] = [];
  const unknown: string[] = [];
  const consumed = new Set<number>();
  for (const phrase of PHRASES) {
    for (let i = 0; i + phrase.words.length <= words.length; i++) {
      if (phrase.words.every((w, k) => words[i + k] === w)) {
        tokens.push([[phrase.term, phrase.weight]]);
        labels.push(phrase.words.join(" "));
        phrase.words.forEach((w, k) => {
          if (PHRASE_ONLY_WORDS.has(w)) consumed.add(i + k);
        });
      }
    }
  }
  const kept = words.filter(
    (w, i) => !consumed.has(i) && !isStopWord(w) && !PHRASE_ONLY_WORDS.has(w) && !READ_VERBS.has(w),
  );
  for (const [i, word] of kept.entries()) {
    const alternatives = wordAlternatives(index, word).filter((a) => a.length > 0);
    if (!alternatives.length) unknown.push(word);
    for (const a of alternatives) {
      tokens.push(a);
      labels.push(word);
    }
    const next = kept[i + 1];
    if (next !== undefined) {
      const joined = stem(word + next);
      if (index.has(joined)) {
        tokens.push([[joined, 0.6]]);
        labels.push(null);
      }
    }
  }
  return { tokens, labels, unknown };
}

function wordAlternatives(index: SearchIndex, word: string): Array<Array<readonly [string, number]>> {
  const term = stem(word);
  const alternatives = new Map<string, number>();
  const add = (t: string, w: number): void => {
    if (index.has(t) && (alternatives.get(t) ?? 0) < w) alternatives.set(t, w);
  };
  add(term, 1);
  add(word, 1);
  if (alternatives.size === 0) {
    const parts = splitCompound(index, term);
    if (parts) return parts.map((p) => [[p, 0.8] as const]);
    if (term.length >= MIN_TYPO_LENGTH) for (const fix of typoCorrections(index, term, word)) add(fix, TYPO_WEIGHT);
  }
  for (const [synonym, weight] of SYNONYMS[term] ?? SYNONYMS[word] ?? []) add(synonym, weight);
  for (const [api, aliases] of Object.entries(API_ALIASES)) if (aliases.includes(term)) add(api, 1);
  return [[...alternatives]];
}

/**
 * Index terms one edit away from the word, its stem or the word without a plural ending
 * ("fabrcis" → "fabrci" → fabric, "swtiches" → "swtich" → switch).
 */
function typoCorrections(index: SearchIndex, term: string, word: string): string[] {
  const forms = [...new Set([term, word, word.replace(/e?s$/, "")])];
  const lengths = new Set(forms.flatMap((f) => [f.length - 1, f.length, f.length + 1]));
  const fixes: string[] = [];
  for (const length of lengths) {
    for (const candidate of index.byLength.get(length) ?? []) {
      if (forms.some((form) => withinOneEdit(form, candidate))) fixes.push(candidate);
    }
  }
  return fixes;
}

/** "techsupport" → ["tech", "support"], "l3neighbor" → ["l3", "neighbor"] when both halves are index terms. */
function splitCompound(index: { has(term: string): boolean }, term: string): [string, string] | null {
  for (let cut = term.length - 3; cut >= 2; cut--) {
    const left = term.slice(0, cut);
    // Two-letter halves only with a digit ("l3"): "re" + "source" is not a compound.
    if (left.length < 3 && !/\d/.test(left)) continue;
    const right = stem(term.slice(cut));
    if (index.has(left) && index.has(right)) return [left, right];
  }
  return null;
}

function accumulateBest(index: SearchIndex, term: string, weight: number, best: Float64Array): void {
  const posting = index.postings.get(term);
  if (!posting) return;
  const idf = index.idf.get(term)!;
  for (let k = 0; k < posting.docs.length; k++) {
    const doc = posting.docs[k]!;
    const tf = posting.tf[k]!;
    const norm = K1 * (1 - B + (B * index.docLength[doc]!) / index.averageLength);
    const score = weight * idf * ((tf * (K1 + 1)) / (tf + norm));
    if (score > best[doc]!) best[doc] = score;
  }
}

function allowedDocs(index: SearchIndex, filter: SearchFilter | undefined): Uint8Array | null {
  if (!filter || (!filter.ids && !filter.risks && !filter.apis)) return null;
  const ids = filter.ids ? new Set(filter.ids) : null;
  return Uint8Array.from(index.operations, (op) =>
    (!ids || ids.has(op.id)) &&
    (!filter.risks || filter.risks.includes(op.risk)) &&
    (!filter.apis || filter.apis.includes(op.api))
      ? 1
      : 0,
  );
}

type FieldTerms = Record<Field, string[]>;

function documentFields(op: SearchableOperation): FieldTerms {
  const timeWindow = op.parameters.some((p) => TIME_WINDOW_PARAMS.test(p.name));
  return {
    name: terms(op.operationId),
    summary: terms(op.summary),
    path: op.path
      .split("/")
      .filter((s) => s !== "" && !s.startsWith("{"))
      .flatMap((s) => terms(s)),
    tags: terms(op.tags.join(" ")),
    api: [op.api],
    params: op.parameters.flatMap((p) => terms(p.name)),
    description: terms(op.description),
    pseudo: timeWindow ? [TIME_WINDOW_TERM] : [],
  };
}

/** Adds the halves of compound words ("clusterhealth" → cluster, health) to name and path. */
function withCompoundParts(fields: FieldTerms, vocabulary: ReadonlySet<string>): FieldTerms {
  const index = { has: (t: string) => vocabulary.has(t) };
  const expand = (list: string[]): string[] =>
    list.flatMap((t) => {
      const parts = t.length >= 6 ? splitCompound(index, t) : null;
      return parts ? [t, ...parts] : [t];
    });
  return { ...fields, name: expand(fields.name), path: expand(fields.path) };
}

/**
 * Length for BM25 normalisation, from the naming fields only: an operation with thirty query
 * parameters or a long description is not less about its subject than a terse one.
 */
function normalisedLength(fields: FieldTerms): number {
  return LENGTH_FIELDS.reduce((sum, field) => sum + FIELD_WEIGHTS[field] * fields[field].length, 0);
}

const LENGTH_FIELDS: readonly Field[] = ["name", "summary", "path", "tags", "api"];

function weightedTerms(fields: FieldTerms): Map<string, number> {
  const weighted = new Map<string, number>();
  for (const [field, list] of Object.entries(fields) as Array<[Field, string[]]>) {
    const weight = FIELD_WEIGHTS[field];
    for (const term of list) weighted.set(term, (weighted.get(term) ?? 0) + weight);
  }
  return weighted;
}
