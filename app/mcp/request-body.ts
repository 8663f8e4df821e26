/**
 * Reading an MCP request body with a hard size limit. The limit holds while reading: a body
 * larger than the limit is refused as soon as the limit is passed, whether or not the client
 * declared its length, so no request can make the gateway buffer more than `maxBytes`.
 */

export type BodyResult = { json: unknown } | { problem: "too-large" | "not-json" | "too-deep" };

/**
 * Deepest nesting of objects/arrays a request may have. Real tool arguments (ND bodies included)
 * stay far below it; a 100,000-level body would otherwise pass parsing and fail later with a
 * RangeError in code that walks it recursively (redaction, audit, the ND request) — after a
 * write's intent was recorded. Checked on the text, before parsing and before any intent.
 */
export const MAX_JSON_DEPTH = 64;

/** True when the JSON text nests objects/arrays deeper than `limit` (strings are skipped). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) return { problem: "too-large" };
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return { problem: "too-large" };
      }
      chunks.push(chunk.value);
    }
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return { problem: "too-deep" };
  try {
    return { json: JSON.parse(text) };
  } catch {
    return { problem: "not-json" };
  }
}
