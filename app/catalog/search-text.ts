// Text normalisation for catalog search: identifier splitting, a light English stemmer that
// folds the plurals ND uses (switches, policies, fabrics, statuses), stop words, and a bounded
// edit distance for typo tolerance. Deliberately small: the vocabulary is a few thousand
// API words, not prose.

import { splitWords } from "./words.ts";

const STOP_WORDS = new Set([
  "a",
  "an",
  "the",
  "in",
  "of",
  "for",
  "on",
  "to",
  "by",
  "with",
  "from",
  "at",
  "and",
  "or",
  "me",
  "my",
  "i",
  "we",
  "our",
  "you",
  "your",
  "is",
  "are",
  "be",
  "it",
  "its",
  "this",
  "that",
  "what",
  "which",
  "how",
  "do",
  "does",
  "please",
  "can",
  "could",
  "would",
  "should",
  "there",
  "api",
  "v1",
  "v2",
  "v3",
  "their",
  "such",
  "as",
  "s",
  "including",
  "given",
  "based",
  "if",
  "not",
  "any",
  "will",
  "into",
  "via",
  "using",
  "used",
  "also",
  "then",
  "than",
  "these",
  "those",
  "show",
  "display",
  "give",
  "tell",
  "want",
  "need",
  "see",
  "let",
  "us",
]);

/** Plural folding: switches → switch, policies → policy, fabrics → fabric, statuses → status. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(word)) return word;
  if (/(sses|xes|ches|shes|uses)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s") && !/[su]s$/.test(word)) return word.slice(0, -1);
  return word;
}

/** Words of a text or identifier, stemmed, without stop words. */
export function terms(text: string): string[] {
  return splitWords(text)
    .filter((w) => !STOP_WORDS.has(w))
    .map(stem);
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/**
 * True when a and b differ by at most one insertion, deletion, substitution or transposition
 * of adjacent characters (optimal string alignment distance ≤ 1). O(length), no matrix.
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // transposition
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1); // deletion / insertion
}
