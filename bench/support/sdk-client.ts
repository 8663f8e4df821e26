/**
 * The official MCP SDK client against the bench gateway, as an assistant's host would connect
 * (used for tools/list, the read tasks and the one sanity call before raw load loops).
 */
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { BenchWorld } from "./world.ts";

export async function connectSdk(world: BenchWorld, token: string, kind: "http" | "sse" = "http"): Promise<Client> {
  const headers = { Authorization: `Bearer ${token}` };
  const tlsFetch = (url: string | URL, init?: RequestInit) =>
    fetch(url, { ...init, tls: { ca: world.gateway.ca } } as RequestInit);
  const client = new Client({ name: "nmg-bench", version: "1.0.0" });
  const transport =
    kind === "http"
      ? new StreamableHTTPClientTransport(new URL(world.gateway.mcpUrl), { requestInit: { headers }, fetch: tlsFetch })
      : new SSEClientTransport(new URL(world.gateway.sseUrl), {
          requestInit: { headers },
          fetch: tlsFetch,
          eventSourceInit: {
            fetch: (u: string | URL, i?: RequestInit) =>
              tlsFetch(u, { ...i, headers: { ...(i?.headers as Record<string, string>), ...headers } }),
          } as never,
        });
  await client.connect(transport);
  return client;
}
