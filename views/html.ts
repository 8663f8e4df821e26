/**
 * The only place raw HTML is made.
 *
 * Guarantees: every value interpolated into `html\`…\`` is escaped (text and attribute context
 * alike: & < > " ' and backtick), unless it is already SafeHtml made by this module; arrays are
 * joined after escaping each item; null, undefined and false render nothing. There is no
 * "raw string" escape hatch: markup comes only from template literals in our own source.
 * Attribute values must be quoted in templates (`href="${url}"`); `url()` refuses schemes other
 * than http(s), mailto and relative links, so a stored value cannot become `javascript:`.
 */
const SAFE = Symbol("SafeHtml");

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly value: string;
  toString(): string;
}

function safe(value: string): SafeHtml {
  return { [SAFE]: true, value, toString: () => value };
}

export function isSafeHtml(v: unknown): v is SafeHtml {
  return typeof v === "object" && v !== null && (v as { [SAFE]?: true })[SAFE] === true;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

export function escapeText(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | Date | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return "";
  if (isSafeHtml(v)) return v.value;
  if (Array.isArray(v)) return v.map(render).join("");
  if (v instanceof Date) return escapeText(v.toISOString());
  return escapeText(String(v));
}

/** Tagged template: literal parts are markup, every interpolation is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return safe(out);
}

export const EMPTY: SafeHtml = safe("");

export function join(items: readonly HtmlValue[], separator: HtmlValue = ""): SafeHtml {
  return safe(items.map(render).join(render(separator)));
}

/** A link target that cannot be a script: relative, http(s) or mailto; anything else becomes "#". */
export function url(value: string): string {
  const v = value.trim();
  if (/^(https?:|mailto:)/i.test(v) || (/^[/?#]/.test(v) && !v.startsWith("//"))) return v;
  return "#";
}

/** JSON for a `<script type="application/json">`-free world: as text in an element or attribute. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** `<!doctype html>` + document: the only way a full page string leaves views/. */
export function documentHtml(body: SafeHtml): string {
  return "<!doctype html>\n" + body.value;
}
