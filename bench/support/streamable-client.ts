/**
 * Raw Streamable HTTP client for the gateway's stateless /mcp: one HTTPS POST of JSON-RPC per
 * call, the answer read from the event-stream (or JSON) body. No session to hold.
 */
import { messagesIn } from "./event-stream.ts";
import { rpc, type RpcResponse } from "./jsonrpc.ts";

export interface RpcClient {
  request(method: string, params?: Record<string, unknown>): Promise<RpcResponse>;
  close(): Promise<void>;
}

export function streamableClient(url: string, token: string, ca: string): RpcClient {
  const headers = {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-11-25",
    "user-agent": "nmg-bench/1.0",
  };
  return {
    async request(method, params) {
      const message = rpc(method, params);
      const res = await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify(message),
        tls: { ca },
      } as RequestInit);
      const text = await res.text();
      if (!res.ok) throw new Error(`POST ${url} → HTTP ${res.status}: ${text.slice(0, 200)}`);
      const answers = (res.headers.get("content-type") ?? "").includes("event-stream")
        ? messagesIn(text)
        : [JSON.parse(text)];
      const mine = answers.find((a) => (a as RpcResponse).id === message.id);
      if (!mine) throw new Error(`no answer to request ${message.id} in: ${text.slice(0, 200)}`);
      return mine as RpcResponse;
    },
    async close() {},
  };
}
