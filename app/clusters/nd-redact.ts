/**
 * Scrubbing secrets out of text that came back from ND (error messages) before it reaches a
 * user, a model, a log or the audit trail.
 *
 * Guarantees: every secret the client holds (password, API key, session token) is replaced
 * wherever it appears, as are JWT-shaped strings, `Bearer …`, `AuthCookie=…` and
 * password/token/key fields, whatever ND chose to echo back. Output is capped in length.
 */

const MAX_MESSAGE = 400;
const REDACTED = "<redacted>";

const PATTERNS: [RegExp, string][] = [
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\b(AuthCookie|session|jsessionid)=[^;\s,"]+/gi, `$1=${REDACTED}`],
  [
    /("?(?:userPasswd|password|passwd|apiKey|api_key|x-nd-apikey|token|jwttoken|secret)"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,;}"]+)/gi,
    `$1"${REDACTED}"`,
  ],
];

export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Short secrets would redact ordinary words; ND passwords/keys/tokens are longer than this.
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  out = out.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ").trim();
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

/**
 * ND's own explanation from an error body, in the shapes it uses (reference §5): unified
 * `{code, message, description, errors[]}`, platform `{error}` / `{messages[]}`, NDFC
 * `{error, message}`, or a plain string.
 */
export function ndMessageOf(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim() && !looksLikeHtml(body) ? body.trim() : undefined;
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const parts = [text(b.message), text(b.description), text(b.error)].filter((p): p is string => p !== undefined);
  for (const list of [b.errors, b.messages]) {
    if (Array.isArray(list))
      for (const item of list.slice(0, 3))
        parts.push(...[ndMessageOf(item)].filter((p): p is string => p !== undefined));
  }
  const unique = [...new Set(parts)];
  return unique.length ? unique.join(" — ") : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

export function looksLikeHtml(text: string): boolean {
  return /^\s*<(!doctype|html|head|body)/i.test(text);
}
