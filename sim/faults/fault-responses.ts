/** The misbehaving answers themselves. */
import { reasonPhrase } from "../http/errors.ts";
import { NO_CACHE } from "../http/respond.ts";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Closes the connection without sending a status line: a body stream that errors before its
 * first chunk makes Bun reset the socket. Erroring with `undefined` keeps Bun from logging it.
 */
export function droppedConnection(): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        controller.error(undefined);
      },
    }),
  );
}

/** What a reverse proxy or an SSO login page in front of ND might send instead of JSON. */
export function htmlPage(status: number): Response {
  const title = status === 200 ? "Nexus Dashboard" : `${status} ${reasonPhrase(status)}`;
  const body = `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><p>Please sign in to continue.</p></body></html>\n`;
  return new Response(body, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": NO_CACHE },
  });
}

/** Same status and headers, body cut in half so it no longer parses. */
export async function truncatedJson(response: Response): Promise<Response> {
  const text = await response.text();
  const cut = text.length > 1 ? text.slice(0, Math.floor(text.length / 2)) : '{"';
  const headers = new Headers(response.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.delete("Content-Length");
  return new Response(cut, { status: response.status, headers });
}

const CHUNK = 64 * 1024;

/** A syntactically valid JSON object of exactly `bytes` bytes, streamed in 64 KiB chunks. */
export function hugeJson(bytes: number, status = 200): Response {
  const head = '{"items":"';
  const tail = '"}';
  const fill = Math.max(0, bytes - head.length - tail.length);
  const filler = "x".repeat(Math.min(CHUNK, Math.max(fill, 1)));
  let sent = 0;
  let stage: "head" | "fill" | "tail" | "done" = "head";
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stage === "head") {
        controller.enqueue(encoder.encode(head));
        stage = "fill";
      } else if (stage === "fill") {
        const n = Math.min(CHUNK, fill - sent);
        if (n > 0) controller.enqueue(encoder.encode(n === filler.length ? filler : filler.slice(0, n)));
        sent += Math.max(n, 0);
        if (sent >= fill) stage = "tail";
      } else if (stage === "tail") {
        controller.enqueue(encoder.encode(tail));
        stage = "done";
      } else {
        controller.close();
      }
    },
  });
  return new Response(stream, {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": NO_CACHE },
  });
}

/** Headers and the first piece go out at once; nine more pieces follow, spread over `totalMs`. */
export async function slowBody(response: Response, totalMs: number): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const pieces = 10;
  const size = Math.max(1, Math.ceil(bytes.length / pieces));
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      if (offset > 0) await sleep(totalMs / (pieces - 1));
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return new Response(stream, { status: response.status, headers });
}
