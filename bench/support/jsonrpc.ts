/** JSON-RPC shapes the load clients need, and globally unique request ids. */

export interface RpcResponse {
  jsonrpc: "2.0";
  id: number | string | null;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

// Unique across every client of the process: one peer server routes answers by id across all
// of its sessions (see peer-client.ts), so ids must never repeat between clients.
let nextId = 1;
export const newId = () => nextId++;

export function rpc(
  method: string,
  params?: Record<string, unknown>,
  id: number | null = newId(),
): Record<string, unknown> {
  return id === null
    ? { jsonrpc: "2.0", method, ...(params ? { params } : {}) }
    : { jsonrpc: "2.0", id, method, ...(params ? { params } : {}) };
}

export const INITIALIZE_PARAMS = {
  protocolVersion: "2025-11-25",
  capabilities: {},
  clientInfo: { name: "nmg-bench", version: "1.0.0" },
};

/** The text content of a tools/call result, or a thrown error naming what came back instead. */
export function toolText(res: RpcResponse): string {
  if (res.error) throw new Error(`JSON-RPC error ${res.error.code}: ${res.error.message}`);
  const content = (res.result?.content ?? []) as { type: string; text?: string }[];
  return content
    .filter((c) => c.type === "text")
    .map((c) => c.text ?? "")
    .join("\n");
}

export function isToolError(res: RpcResponse): boolean {
  return Boolean(res.error) || res.result?.isError === true;
}
