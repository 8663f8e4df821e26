/**
 * Reading an MCP request body with a hard size limit. The limit holds while reading: a body
 * larger than the limit is refused as soon as the limit is passed, whether or not the client
 * declared its length, so no request can make the gateway buffer more than `maxBytes`.
 */

export type BodyResult = { json: unknown } | { problem: "too-large" | "not-json" };

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
  try {
    return { json: JSON.parse(new TextDecoder().decode(Buffer.concat(chunks))) };
  } catch {
    return { problem: "not-json" };
  }
}
