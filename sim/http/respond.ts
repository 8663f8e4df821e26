/** Response helpers shared by every route. ND sends these cache headers on its API answers. */

export const NO_CACHE = "no-cache, no-store, must-revalidate";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": NO_CACHE, ...headers },
  });
}

/** A pre-serialized JSON body (cached generated answers avoid re-stringifying on every request). */
export function jsonText(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": NO_CACHE, ...headers },
  });
}

export function noContent(status = 204, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers: { "Cache-Control": NO_CACHE, ...headers } });
}
