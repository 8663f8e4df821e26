/**
 * Redaction of what goes into the audit log.
 *
 * Guarantees: no value under a secret-looking key (password, passwd, secret, token, apikey,
 * api_key, authorization, cookie, privatekey, credential — case-insensitive, ignoring `-`, `_`
 * and `.`, at any depth) is stored; strings anywhere that look like bearer/basic credentials,
 * `nmg_` API tokens, JWTs or `key=value` secrets in query strings are masked; details are
 * bounded in depth, breadth, string length and total size, so a caller can never make one event
 * arbitrarily large. Redaction errs towards hiding: `maxTokens` is hidden too.
 */

export const REDACTED = "[redacted]";

const SECRET_KEY =
  /password|passwd|passphrase|secret|token|apikey|authorization|cookie|privatekey|encryptionkey|sshkey|credential/;

/** Strings (or parts of strings) that are credentials whatever key they sit under. */
const SECRET_VALUE_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1 ${REDACTED}`],
  [/nmg_[A-Za-z0-9_-]{6,}/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  [
    /\b(cookie|set-cookie|authorization|proxy-authorization|x-api-key|x-auth-token)\s*:\s*[^\r\n]+/gi,
    `$1: ${REDACTED}`,
  ],
  [
    /("[^"]*(?:password|passwd|secret|token|api[-_]?key|authorization|cookie|private[-_]?key|credential)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
    `$1"${REDACTED}"`,
  ],
  [
    /\b((?:[A-Za-z0-9]*[-_.]?)(?:password|passwd|secret|token|api[-_]?key|authorization|cookie|private[-_]?key|credential)s?)=([^&\s"',;]+)/gi,
    `$1=${REDACTED}`,
  ],
];

export interface RedactLimits {
  /** Longest string kept; longer ones are cut and marked. */
  maxString: number;
  /** Deepest nesting kept; deeper values become a marker. */
  maxDepth: number;
  /** Most keys of one object / items of one array kept. */
  maxEntries: number;
  /** Largest JSON text of the whole details object. */
  maxBytes: number;
}

export const DEFAULT_LIMITS: RedactLimits = { maxString: 2000, maxDepth: 8, maxEntries: 200, maxBytes: 16_384 };

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_.\s]/g, ""));
}

/** Masks credential-looking parts of a free-text value (error messages, user agents, …). */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_VALUE_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A text column: masked and cut to `max` characters; empty becomes null. The input is cut to a
 * little over `max` before masking (bounded work on huge input), leaving enough beyond `max` for
 * a credential that starts inside the kept part to be recognised whole.
 */
export function cleanText(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const text = redactText(String(value).slice(0, max + 256));
  if (text === "") return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A redacted, bounded copy of `details` that is safe to store and always JSON-serialisable. */
export function redactDetails(
  details: Record<string, unknown> | undefined,
  limits: RedactLimits = DEFAULT_LIMITS,
): Record<string, unknown> {
  if (!details) return {};
  const copy = redactValue(details, 0, limits, new WeakSet());
  const object = isPlainObject(copy) ? copy : { value: copy };
  const bytes = Buffer.byteLength(JSON.stringify(object), "utf8");
  if (bytes <= limits.maxBytes) return object;
  // Too large even after per-value limits: keep a readable, already-redacted preview.
  const preview = JSON.stringify(object).slice(0, Math.floor(limits.maxBytes / 4));
  return { _truncated: true, _bytes: bytes, _preview: preview };
}

function redactValue(value: unknown, depth: number, limits: RedactLimits, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return cleanText(value, limits.maxString) ?? "";
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== "object") return `[${typeof value}]`;
  if (seen.has(value)) return "[circular]";
  if (depth >= limits.maxDepth) return "[too deep]";
  seen.add(value);
  try {
    return Array.isArray(value)
      ? redactArray(value, depth, limits, seen)
      : redactObject(value as Record<string, unknown>, depth, limits, seen);
  } finally {
    seen.delete(value);
  }
}

function redactArray(items: unknown[], depth: number, limits: RedactLimits, seen: WeakSet<object>): unknown[] {
  const out = items.slice(0, limits.maxEntries).map((item) => redactValue(item, depth + 1, limits, seen));
  if (items.length > limits.maxEntries) out.push(`[${items.length - limits.maxEntries} more]`);
  return out;
}

function redactObject(
  object: Record<string, unknown>,
  depth: number,
  limits: RedactLimits,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(object);
  for (const key of keys.slice(0, limits.maxEntries)) {
    const safeKey = cleanText(key, 200) ?? "";
    const raw = object[key];
    const value =
      isSecretKey(key) && raw !== null && raw !== undefined && raw !== ""
        ? REDACTED
        : redactValue(raw, depth + 1, limits, seen);
    // defineProperty, not assignment: "__proto__" must stay a visible key, as ND received it.
    Object.defineProperty(out, safeKey, { value, enumerable: true, writable: true, configurable: true });
  }
  if (keys.length > limits.maxEntries) out._moreKeys = keys.length - limits.maxEntries;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
