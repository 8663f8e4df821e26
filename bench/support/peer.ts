/**
 * The peer a user might pick instead of the gateway: `@ivotoby/openapi-mcp-server` (npm), an
 * OpenAPI-to-MCP server that makes one tool per operation and calls the API with static
 * headers. It runs under Node (as `npx` would run it) on plain HTTP, pointed at the same
 * simulator with the gateway's core OpenAPI document (servers = the simulator).
 *
 * Its HTTP transport is session-based and answers tools/call with 202, sending the result on
 * the session's GET event stream; answers are routed by JSON-RPC id across all sessions, so
 * ids must be unique across clients (jsonrpc.ts guarantees it).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../test/support/ports.ts";
import { readEvents } from "./event-stream.ts";
import { INITIALIZE_PARAMS, rpc, type RpcResponse } from "./jsonrpc.ts";
import { spawnChild, waitUntil, type Child } from "./processes.ts";
import type { RpcClient } from "./streamable-client.ts";
import { REPO } from "./paths.ts";

export const PEER_PACKAGE = "@ivotoby/openapi-mcp-server";
const PEER_BIN = join(REPO, "node_modules", PEER_PACKAGE, "bin", "mcp-server.js");

export function peerInstalled(): boolean {
  return existsSync(PEER_BIN);
}

export function peerVersion(): string {
  return (
    JSON.parse(readFileSync(join(REPO, "node_modules", PEER_PACKAGE, "package.json"), "utf8")) as { version: string }
  ).version;
}

export interface RunningPeer {
  url: string;
  child: Child;
}

/** Starts the peer against the simulator, authenticated to ND with `ndHeaders`. */
export async function startPeer(
  dir: string,
  sim: { url: string; caPem: string },
  ndHeaders: Record<string, string>,
): Promise<RunningPeer> {
  const spec = JSON.parse(readFileSync(join(REPO, "app/catalog/core.openapi.json"), "utf8")) as Record<string, unknown>;
  spec.servers = [{ url: sim.url }];
  const specPath = join(dir, "peer-openapi.json");
  writeFileSync(specPath, JSON.stringify(spec));
  const caPath = join(dir, "sim-ca.pem");
  writeFileSync(caPath, sim.caPem);
  const port = await freePort();
  const env = {
    API_BASE_URL: sim.url,
    OPENAPI_SPEC_PATH: specPath,
    CA_CERT_PATH: caPath,
    API_HEADERS: Object.entries(ndHeaders)
      .map(([k, v]) => `${k}:${v}`)
      .join(","),
    TRANSPORT_TYPE: "http",
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: String(port),
    TOOLS_MODE: "all",
    VERBOSE: "false",
  };
  const { child, proc } = spawnChild("peer", ["node", PEER_BIN], { env, logPath: join(dir, "peer.log") });
  const url = `http://127.0.0.1:${port}/mcp`;
  await waitUntil(child, proc, async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok);
  return { url, child };
}

/** One peer session: initialize, then the GET stream that carries tools/call answers. */
export async function peerClient(url: string): Promise<RpcClient> {
  const json = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  const init = await fetch(url, {
    method: "POST",
    headers: json,
    body: JSON.stringify(rpc("initialize", INITIALIZE_PARAMS)),
  });
  const sessionId = init.headers.get("mcp-session-id");
  await init.arrayBuffer();
  if (!init.ok || !sessionId) throw new Error(`peer initialize → HTTP ${init.status}, no session`);
  const headers = { ...json, "mcp-session-id": sessionId };
  const abort = new AbortController();
  const pending = new Map<unknown, (r: RpcResponse) => void>();
  // Node sends this stream's headers only with its first event, so the GET cannot be awaited
  // first; and an answer sent before the server registered the stream is dropped. So: open
  // the stream, then ping until a pong arrives on it.
  void fetch(url, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId }, signal: abort.signal })
    .then((stream) => {
      if (!stream.ok || !stream.body) throw new Error(`peer GET stream → HTTP ${stream.status}`);
      return readEvents(stream.body, (e) => {
        const msg = JSON.parse(e.data) as RpcResponse;
        pending.get(msg.id)?.(msg);
        pending.delete(msg.id);
      });
    })
    .catch(() => {});
  const post = async (message: Record<string, unknown>) =>
    fetch(url, { method: "POST", headers, body: JSON.stringify(message) });
  await (await post(rpc("notifications/initialized", undefined, null))).arrayBuffer();
  for (let attempt = 0; ; attempt++) {
    if (attempt === 50) throw new Error("peer: no answer on the session stream after 50 pings");
    const ping = rpc("ping");
    const pong = new Promise<boolean>((resolve) => pending.set(ping.id, () => resolve(true)));
    await (await post(ping)).arrayBuffer();
    if (await Promise.race([pong, Bun.sleep(100).then(() => false)])) break;
    pending.delete(ping.id);
  }
  return {
    async request(method, params) {
      const message = rpc(method, params);
      const answered = new Promise<RpcResponse>((resolve) => pending.set(message.id, resolve));
      const res = await post(message);
      // tools/list is answered on the POST itself; everything else comes on the stream.
      if (res.status === 200) {
        const body = (await res.json()) as RpcResponse;
        pending.delete(message.id);
        return body;
      }
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`peer POST → HTTP ${res.status}`);
      return answered;
    },
    async close() {
      abort.abort();
      await fetch(url, { method: "DELETE", headers })
        .then((r) => r.arrayBuffer())
        .catch(() => {});
    },
  };
}
