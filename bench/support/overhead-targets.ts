/**
 * The four ways the overhead bench makes its one read (ND's fabric list): straight to the
 * simulator, through the gateway on either transport, and through the peer. Each load client
 * gets its own connection/session and, for the gateway, its own API token.
 */
import { isToolError, toolText, type RpcResponse } from "./jsonrpc.ts";
import type { Call } from "./load.ts";
import type { NdDirect } from "./nd-direct.ts";
import { peerClient, type RunningPeer } from "./peer.ts";
import { sseClient } from "./sse-client.ts";
import { streamableClient, type RpcClient } from "./streamable-client.ts";
import type { BenchWorld } from "./world.ts";

export type Target = "direct" | "http" | "sse" | "peer";

/** The ND request behind every call: what the gateway sends for list_fabrics (it pages upstream). */
export const ND_PATH = "/api/v1/manage/fabrics?max=20&offset=0";
/** The peer's tool for that operation (its own abbreviation of listFabrics). */
export const PEER_TOOL = "lst-fabrics";

export function expectOk(r: RpcResponse, what: string): void {
  if (isToolError(r)) throw new Error(`${what}: ${r.error?.message ?? toolText(r).slice(0, 200)}`);
}

export interface TargetClients {
  calls: Call[];
  close(): Promise<void>;
}

export async function clientsFor(
  target: Target,
  n: number,
  env: { world: BenchWorld; nd: NdDirect; peer: RunningPeer | null },
): Promise<TargetClients> {
  const { world, nd, peer } = env;
  if (target === "direct") {
    const call: Call = async () => {
      const r = await nd.get(ND_PATH);
      if (r.status !== 200) throw new Error(`direct → HTTP ${r.status}`);
    };
    return { calls: Array.from({ length: n }, () => call), close: async () => {} };
  }
  const tokens = world.loadTokens.slice(0, n);
  if (tokens.length < n) throw new Error(`the world has ${world.loadTokens.length} load tokens, ${n} needed`);
  let clients: RpcClient[];
  if (target === "http") clients = tokens.map((t) => streamableClient(world.gateway.mcpUrl, t, world.gateway.ca));
  else if (target === "sse")
    clients = await Promise.all(tokens.map((t) => sseClient(world.gateway.sseUrl, t, world.gateway.ca)));
  else clients = await Promise.all(tokens.map(() => peerClient(peer!.url)));
  const [tool, args] = target === "peer" ? [PEER_TOOL, { max: 20, offset: 0 }] : ["list_fabrics", {}];
  return {
    calls: clients.map(
      (c) => async () => expectOk(await c.request("tools/call", { name: tool, arguments: args }), target),
    ),
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
