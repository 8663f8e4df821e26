/**
 * Raw legacy HTTP+SSE client (MCP 2024-11-05) for load: one GET /mcp/sse stream per client,
 * the first event names the POST endpoint; each request is a POST answered 202, its response
 * arrives on the stream and is matched to the caller by JSON-RPC id.
 */
import { readEvents } from "./event-stream.ts";
import { INITIALIZE_PARAMS, rpc, type RpcResponse } from "./jsonrpc.ts";
import type { RpcClient } from "./streamable-client.ts";

export async function sseClient(sseUrl: string, token: string, ca: string): Promise<RpcClient> {
  const abort = new AbortController();
  const auth = { authorization: `Bearer ${token}`, "user-agent": "nmg-bench/1.0" };
  const res = await fetch(sseUrl, {
    headers: { ...auth, accept: "text/event-stream" },
    signal: abort.signal,
    tls: { ca },
  } as RequestInit);
  if (!res.ok || !res.body) throw new Error(`GET ${sseUrl} → HTTP ${res.status}`);
  const pending = new Map<unknown, (r: RpcResponse) => void>();
  let endpoint: (url: string) => void;
  const endpointKnown = new Promise<string>((resolve) => (endpoint = resolve));
  readEvents(res.body, (e) => {
    if (e.event === "endpoint") return endpoint(new URL(e.data, sseUrl).toString());
    const msg = JSON.parse(e.data) as RpcResponse;
    pending.get(msg.id)?.(msg);
    pending.delete(msg.id);
  }).catch(() => {});
  const postUrl = await endpointKnown;
  const headers = { ...auth, "content-type": "application/json" };

  async function post(message: Record<string, unknown>): Promise<void> {
    const r = await fetch(postUrl, {
      method: "POST",
      headers,
      body: JSON.stringify(message),
      tls: { ca },
    } as RequestInit);
    await r.arrayBuffer();
    if (r.status !== 202) throw new Error(`POST ${postUrl} → HTTP ${r.status}`);
  }

  const client: RpcClient = {
    async request(method, params) {
      const message = rpc(method, params);
      const answered = new Promise<RpcResponse>((resolve) => pending.set(message.id, resolve));
      await post(message);
      return answered;
    },
    async close() {
      abort.abort();
    },
  };
  await client.request("initialize", INITIALIZE_PARAMS);
  await post(rpc("notifications/initialized", undefined, null));
  return client;
}
