/**
 * Response shaping: turns an ND response into a compact result a model can afford.
 *
 * Guarantees: secrets are redacted before anything else happens; the text never exceeds
 * `maxChars` (rows are dropped from the end and the result says so, with the offset to continue
 * from); long strings are cut with a marker; nested values are summarised unless asked for by
 * field path. The structured result carries the same rows as JSON.
 */

export interface ShapeOptions {
  /** Dotted field paths to keep (e.g. ["name", "management.type"]); empty = automatic. */
  fields?: string[];
  limit: number;
  offset: number;
  /** Rows were already paged by ND (offset/max sent upstream). */
  upstreamPaged?: boolean;
  maxChars: number;
  maxString: number;
  /** Extra secret field names from the operation's response schema. */
  secretFields?: readonly string[];
}

export interface Shaped {
  text: string;
  structured: Record<string, unknown>;
  truncated: boolean;
}

const SECRET_KEY = /pass(word|wd|phrase)?$|passphrase|secret|token|api[-_]?key|private[-_]?key|encryption[-_]?key|ssh[-_]?key|authorization|cookie|credential/i;
const REDACTED = "<redacted>";

export function redact(value: unknown, extra: ReadonlySet<string> = new Set(), depth = 0): unknown {
  if (depth > 40) return "…";
  if (Array.isArray(value)) return value.map((v) => redact(v, extra, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const secret = (SECRET_KEY.test(k) || extra.has(k)) && v !== null && typeof v !== "boolean" && typeof v !== "object";
      out[k] = secret ? REDACTED : SECRET_KEY.test(k) && v && typeof v === "object" && !Array.isArray(v) ? redactAll(v) : redact(v, extra, depth + 1);
    }
    return out;
  }
  return value;
}

/** Everything under a secret-named object (e.g. `authentication: {user, password}`) except booleans. */
function redactAll(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === "boolean" ? v : REDACTED]));
}

interface Located {
  rows: unknown[] | null;
  key: string | null;
  rest: Record<string, unknown>;
}

/** Finds the list in an ND envelope: a bare array, or the one array property beside `meta`. */
export function locateRows(body: unknown): Located {
  if (Array.isArray(body)) return { rows: body, key: null, rest: {} };
  if (!body || typeof body !== "object") return { rows: null, key: null, rest: {} };
  const entries = Object.entries(body as Record<string, unknown>);
  const arrays = entries.filter(([, v]) => Array.isArray(v));
  if (arrays.length !== 1) return { rows: null, key: null, rest: body as Record<string, unknown> };
  const [key, rows] = arrays[0]! as [string, unknown[]];
  return { rows, key, rest: Object.fromEntries(entries.filter(([k]) => k !== key)) };
}

function totalFrom(rest: Record<string, unknown>): number | undefined {
  const meta = rest.meta as { counts?: { total?: unknown } } | undefined;
  const total = meta?.counts?.total ?? rest.totalItemsCount ?? rest.totalResultsCount ?? rest.total;
  return typeof total === "number" ? total : undefined;
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split(".")) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function project(row: unknown, fields: string[]): unknown {
  if (!row || typeof row !== "object") return row;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = getPath(row, f);
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/** Automatic projection: scalars stay; nested objects/arrays become a short marker. */
function summarise(value: unknown, depth: number): unknown {
  if (Array.isArray(value)) {
    if (depth >= 1) return `[${value.length} items]`;
    return value.map((v) => summarise(v, depth + 1));
  }
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (depth >= 1) return `{${keys.length} fields: ${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", …" : ""}}`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summarise(v, depth + 1)]));
  }
  return value;
}

function cutStrings(value: unknown, max: number): unknown {
  if (typeof value === "string") return value.length > max ? `${value.slice(0, max)}…(+${value.length - max} chars)` : value;
  if (Array.isArray(value)) return value.map((v) => cutStrings(v, max));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutStrings(v, max)]));
  return value;
}

function isFlat(rows: unknown[]): rows is Record<string, unknown>[] {
  return rows.length > 0 && rows.every((r) => r && typeof r === "object" && !Array.isArray(r) && Object.values(r).every((v) => v === null || typeof v !== "object"));
}

/** A table costs far fewer tokens than repeated JSON keys: header once, one line per row. */
function renderTable(rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined || v === null ? "" : String(v).replace(/[|\n\r]/g, " "));
  return [columns.join(" | "), ...rows.map((r) => columns.map((c) => cell(r[c])).join(" | "))].join("\n");
}

function renderRows(rows: unknown[]): string {
  if (isFlat(rows)) return renderTable(rows);
  return rows.map((r) => JSON.stringify(r)).join("\n");
}

export function shapeResponse(body: unknown, opts: ShapeOptions): Shaped {
  const clean = redact(body, new Set(opts.secretFields ?? []));
  const { rows, key, rest } = locateRows(clean);
  const fields = opts.fields?.filter(Boolean) ?? [];
  if (!rows) return shapeObject(clean, fields, opts);

  const total = totalFrom(rest) ?? (opts.upstreamPaged ? undefined : rows.length);
  // Scalars beside the list (totals, scores) are part of the answer, e.g. totalAnomalyCount.
  const siblings = Object.fromEntries(Object.entries(rest).filter(([k, v]) => k !== "meta" && v !== null && typeof v !== "object"));
  const siblingLine = Object.keys(siblings).length ? `${Object.entries(siblings).map(([k, v]) => `${k}=${v}`).join(" ")}\n` : "";
  const page = opts.upstreamPaged ? rows.slice(0, opts.limit) : rows.slice(opts.offset, opts.offset + opts.limit);
  let shaped = page.map((r) => cutStrings(fields.length ? project(r, fields) : summarise(r, 0), opts.maxString));
  const label = key ?? "items";

  let text = "";
  let kept = shaped.length;
  for (;;) {
    const shown = shaped.slice(0, kept);
    const end = opts.offset + kept;
    const more = total !== undefined ? end < total : page.length === opts.limit;
    const header = `${label}: ${kept ? `${opts.offset + 1}–${end}` : "none"}${total !== undefined ? ` of ${total}` : ""}` +
      (more ? ` (more: call again with offset=${end})` : "");
    text = `${siblingLine}${header}\n${renderRows(shown)}`;
    if (text.length <= opts.maxChars || kept <= 1) break;
    kept = Math.max(1, Math.floor(kept * Math.min(0.9, opts.maxChars / text.length)));
  }
  if (text.length > opts.maxChars) text = `${text.slice(0, opts.maxChars - 40)}\n…(cut at ${opts.maxChars} chars)`;
  shaped = shaped.slice(0, kept);
  const end = opts.offset + kept;
  const more = total !== undefined ? end < total : page.length === opts.limit || kept < page.length;
  const structured: Record<string, unknown> = {
    ...siblings,
    [label]: shaped,
    offset: opts.offset,
    returned: kept,
    total: total ?? null,
    truncated: more,
    ...(more ? { nextOffset: end } : {}),
  };
  if (!fields.length && shaped.some((r) => typeof r === "object" && r && Object.values(r).some((v) => typeof v === "string" && /^\{\d+ fields|^\[\d+ items\]/.test(v)))) {
    structured.hint = "nested values are summarised; pass fields=[\"a.b\"] to get them";
  }
  return { text, structured, truncated: more };
}

function shapeObject(value: unknown, fields: string[], opts: ShapeOptions): Shaped {
  const picked = fields.length ? project(value, fields) : value;
  const cut = cutStrings(picked, opts.maxString);
  let text = JSON.stringify(cut) ?? "null";
  const truncated = text.length > opts.maxChars;
  if (truncated) text = `${text.slice(0, opts.maxChars - 80)}…(cut at ${opts.maxChars} chars; pass fields=[…] to select what you need)`;
  const structured = truncated ? { truncated: true, preview: text } : { result: cut, truncated: false };
  return { text, structured: structured as Record<string, unknown>, truncated };
}
