/**
 * Normalising what PostgreSQL would refuse, so an audit insert never fails on content.
 *
 * Guarantees: after `normaliseRow`, no text column and no key or string inside `details` holds a
 * character PostgreSQL `text` or `jsonb` refuses — U+0000 (NUL) and unpaired UTF-16 surrogates.
 * Each is replaced by its visible escape (`\u0000`, `\ud800`), so the row still shows exactly what
 * was sent, and the row says so: `details._normalised` lists the fields that were changed. A
 * string that already contains a literal `\u0000` is left alone; the marker is what tells the two
 * apart. Runs last in row construction (audit-log.ts `toRow`), after redaction and bounding, so
 * it composes with any batching of inserts.
 */
import type { NewAuditRow } from "./audit.sql.ts";

// NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const REFUSED = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const escape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** The text with every character PostgreSQL refuses replaced by its visible escape. */
export function normaliseText(text: string): string {
  REFUSED.lastIndex = 0;
  return REFUSED.test(text) ? text.replace(REFUSED, escape) : text;
}

/** A copy of a JSON-like value with every key and string normalised; `changed` is set when any was. */
function normaliseValue(value: unknown, mark: () => void): unknown {
  if (typeof value === "string") {
    const out = normaliseText(value);
    if (out !== value) mark();
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => normaliseValue(item, mark));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const safeKey = normaliseText(key);
      if (safeKey !== key) mark();
      // defineProperty: a key such as "__proto__" stays an ordinary, visible key.
      Object.defineProperty(out, safeKey, {
        value: normaliseValue(item, mark),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** The row with refused characters escaped everywhere, marked in `details._normalised`. */
export function normaliseRow(row: NewAuditRow): NewAuditRow {
  const changed: string[] = [];
  const out = { ...row } as Record<string, unknown>;
  for (const [field, value] of Object.entries(row)) {
    if (field === "details") continue;
    if (typeof value === "string") {
      const text = normaliseText(value);
      if (text !== value) {
        out[field] = text;
        changed.push(field);
      }
    }
  }
  let detailsChanged = false;
  const details = normaliseValue(row.details, () => (detailsChanged = true)) as Record<string, unknown>;
  if (detailsChanged) changed.push("details");
  if (changed.length)
    Object.defineProperty(details, "_normalised", {
      value: changed,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  out.details = details;
  return out as unknown as NewAuditRow;
}
