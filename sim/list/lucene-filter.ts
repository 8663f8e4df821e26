/**
 * The Lucene subset ND's `filter` parameter accepts (reference §4): `field:value`, `AND`, `OR`,
 * `NOT`/`-`, parentheses, `*`/`?` wildcards, quoted values, and ranges `[a TO b]` / `{a TO b}`.
 * A term without a field matches any top-level value. Matching is case-insensitive.
 */
import { compilePath, type PathReader } from "./field-path.ts";

export class FilterSyntaxError extends Error {}

type Node =
  | { kind: "and" | "or"; items: Node[] }
  | { kind: "not"; item: Node }
  | { kind: "term"; read?: PathReader; test: (value: string) => boolean };

type Token = { kind: "open" | "close" | "and" | "or" | "not" } | { kind: "term"; field?: string; raw: string };

export type RecordPredicate = (record: unknown) => boolean;

export function compileFilter(expression: string): RecordPredicate {
  const tokens = tokenize(expression);
  if (tokens.length === 0) return () => true;
  const parser = new Parser(tokens);
  const tree = parser.parseOr();
  if (!parser.done()) throw new FilterSyntaxError(`unexpected token near position ${parser.position}`);
  return (record) => evaluate(tree, record);
}

function evaluate(node: Node, record: unknown): boolean {
  switch (node.kind) {
    case "and":
      return node.items.every((n) => evaluate(n, record));
    case "or":
      return node.items.some((n) => evaluate(n, record));
    case "not":
      return !evaluate(node.item, record);
    case "term": {
      const value = node.read ? node.read(record) : topLevelValues(record);
      if (Array.isArray(value)) return value.some((v) => isPrimitive(v) && node.test(String(v)));
      return isPrimitive(value) && node.test(String(value));
    }
  }
}

function topLevelValues(record: unknown): unknown[] {
  return typeof record === "object" && record !== null ? Object.values(record) : [];
}

const isPrimitive = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

class Parser {
  position = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.position >= this.tokens.length;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  parseOr(): Node {
    const items = [this.parseAnd()];
    while (this.peek()?.kind === "or") {
      this.position++;
      items.push(this.parseAnd());
    }
    return items.length === 1 ? (items[0] as Node) : { kind: "or", items };
  }

  /** Adjacent terms without an operator are ANDed (stricter than Lucene's default OR, on purpose). */
  private parseAnd(): Node {
    const items = [this.parseNot()];
    for (;;) {
      const next = this.peek();
      if (next?.kind === "and") {
        this.position++;
        items.push(this.parseNot());
      } else if (next && (next.kind === "term" || next.kind === "not" || next.kind === "open")) {
        items.push(this.parseNot());
      } else {
        break;
      }
    }
    return items.length === 1 ? (items[0] as Node) : { kind: "and", items };
  }

  private parseNot(): Node {
    if (this.peek()?.kind === "not") {
      this.position++;
      return { kind: "not", item: this.parseNot() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Node {
    const token = this.peek();
    if (!token) throw new FilterSyntaxError("unexpected end of filter");
    this.position++;
    if (token.kind === "open") {
      const inner = this.parseOr();
      if (this.peek()?.kind !== "close") throw new FilterSyntaxError("missing closing parenthesis");
      this.position++;
      return inner;
    }
    if (token.kind !== "term") throw new FilterSyntaxError(`unexpected ${token.kind.toUpperCase()}`);
    return { kind: "term", read: token.field ? compilePath(token.field) : undefined, test: valueTest(token.raw) };
  }
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "(" || ch === ")") {
      tokens.push({ kind: ch === "(" ? "open" : "close" });
      i++;
    } else if (ch === "-" || ch === "!") {
      tokens.push({ kind: "not" });
      i++;
    } else {
      const [token, end] = readTerm(input, i);
      tokens.push(token);
      i = end;
    }
  }
  return tokens;
}

const OPERATORS: Record<string, Token["kind"]> = { AND: "and", "&&": "and", OR: "or", "||": "or", NOT: "not" };

function readTerm(input: string, start: number): [Token, number] {
  let i = start;
  while (i < input.length && !/[\s():]/.test(input[i] as string)) i++;
  const word = input.slice(start, i);
  if (input[i] !== ":") {
    const op = OPERATORS[word];
    if (op) return [{ kind: op } as Token, i];
    return [{ kind: "term", raw: word }, i];
  }
  if (word === "") throw new FilterSyntaxError(`missing field name at position ${start}`);
  const [raw, end] = readValue(input, i + 1);
  return [{ kind: "term", field: word, raw }, end];
}

function readValue(input: string, start: number): [string, number] {
  const open = input[start];
  if (open === '"') {
    let i = start + 1;
    let value = "";
    while (i < input.length && input[i] !== '"') {
      if (input[i] === "\\" && i + 1 < input.length) i++;
      value += input[i];
      i++;
    }
    if (i >= input.length) throw new FilterSyntaxError("unterminated quoted value");
    return [`"${value}`, i + 1];
  }
  if (open === "[" || open === "{") {
    const close = input.slice(start).search(/[\]}]/);
    if (close < 0) throw new FilterSyntaxError("unterminated range");
    return [input.slice(start, start + close + 1), start + close + 1];
  }
  // Bare value: up to whitespace or a parenthesis; a backslash escapes the next character.
  let i = start;
  let value = "";
  while (i < input.length && !/[\s()]/.test(input[i] as string)) {
    if (input[i] === "\\" && i + 1 < input.length) i++;
    value += input[i];
    i++;
  }
  if (value === "") throw new FilterSyntaxError(`missing value at position ${start}`);
  return [value, i];
}

/** Builds the comparison for one value: quoted = exact, wildcard, range, or plain equality. */
function valueTest(raw: string): (value: string) => boolean {
  if (raw.startsWith('"')) {
    const exact = raw.slice(1).toLowerCase();
    return (v) => v.length === exact.length && v.toLowerCase() === exact;
  }
  const range = /^([[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$/.exec(raw);
  if (range) return rangeTest(range[2] as string, range[3] as string, range[1] === "[", range[4] === "]");
  if (raw.includes("*") || raw.includes("?")) {
    const pattern = raw
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    const regex = new RegExp(`^${pattern}$`, "s");
    return (v) => regex.test(v.toLowerCase());
  }
  const wanted = raw.toLowerCase();
  return (v) => v.length === wanted.length && v.toLowerCase() === wanted;
}

function rangeTest(lo: string, hi: string, includeLo: boolean, includeHi: boolean): (value: string) => boolean {
  const numeric = (lo === "*" || isNumeric(lo)) && (hi === "*" || isNumeric(hi));
  const compare = (a: string, b: string) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0);
  return (v) => {
    if (numeric && !isNumeric(v)) return false;
    const aboveLo = lo === "*" || (includeLo ? compare(v, lo) >= 0 : compare(v, lo) > 0);
    const belowHi = hi === "*" || (includeHi ? compare(v, hi) <= 0 : compare(v, hi) < 0);
    return aboveLo && belowHi;
  };
}

const isNumeric = (s: string) => s.trim() !== "" && !Number.isNaN(Number(s));
