/**
 * `bun bench/read-tasks.bench.ts` — issue 5 §7 (b): tokens a model reads for ten typical read
 * tasks, shaped by the gateway vs raw ND JSON.
 *
 * Shaped: every tool call of the task through the real gateway (SDK client, Streamable HTTP,
 * viewer token), counting the text content the gateway returns — search and describe calls
 * included. Raw: the ND requests the gateway made for the task (read from the simulator's
 * request log), each distinct one sent again straight to the simulator, body counted as
 * returned — minus the max/offset paging the gateway adds, which a pass-through would not.
 * Target: shaped ≤ 20 % of raw over the set.
 */
import type { CallToolResult } from "@modelcontextprotocol/client";
import { READ_TASKS, type CallTool, type TaskContext } from "./read-tasks.ts";
import { ndDirect, type NdDirect } from "./support/nd-direct.ts";
import { ND_OPENAPI_DIR } from "./support/paths.ts";
import { writeResult } from "./support/results.ts";
import { connectSdk } from "./support/sdk-client.ts";
import { printTable } from "./support/table.ts";
import { countTokens, ENCODING } from "./support/tokens.ts";
import { startBenchWorld, type BenchWorld } from "./support/world.ts";

const TARGET_RATIO = 0.2;
const PAGING_ADDED_BY_GATEWAY = ["max", "offset"];

interface LoggedRequest {
  method: string;
  path: string;
  query: string;
}

interface TaskResult {
  id: string;
  question: string;
  toolCalls: number;
  shapedTokens: number;
  ndRequests: string[];
  rawTokens: number;
  /** The same bodies pretty-printed, as @ivotoby/openapi-mcp-server returns them. */
  rawPrettyTokens: number;
  ratio: number;
  calls: { tool: string; args: Record<string, unknown>; tokens: number; text: string }[];
}

async function simRequests(world: BenchWorld, method: "GET" | "DELETE"): Promise<LoggedRequest[]> {
  const res = await world.fetch(`${world.sim.url}/__sim/requests`, { method });
  return ((await res.json()) as { requests: LoggedRequest[] }).requests;
}

/** The distinct ND requests a pass-through would have made: no logins, no gateway paging. */
function rawRequests(log: LoggedRequest[]): string[] {
  const out = new Set<string>();
  for (const r of log) {
    if (r.path === "/login" || r.path === "/logout" || r.path.startsWith("/__sim")) continue;
    if (r.method !== "GET") throw new Error(`a read task made a ${r.method} ${r.path}`);
    const query = new URLSearchParams(r.query);
    for (const p of PAGING_ADDED_BY_GATEWAY) query.delete(p);
    const q = query.toString();
    out.add(q ? `${r.path}?${q}` : r.path);
  }
  return [...out];
}

/** Tokens of the bodies as ND returns them, and as a pass-through peer hands them on (pretty-printed). */
async function rawTokens(nd: NdDirect, requests: string[]): Promise<{ compact: number; pretty: number }> {
  let compact = 0;
  let pretty = 0;
  for (const r of requests) {
    const { status, text } = await nd.get(r);
    if (status !== 200) throw new Error(`raw ${r} → HTTP ${status}`);
    compact += countTokens(text);
    pretty += countTokens(JSON.stringify(JSON.parse(text), null, 2));
  }
  return { compact, pretty };
}

async function taskContext(nd: NdDirect): Promise<TaskContext> {
  const fabric = "ams-dc1";
  const down = JSON.parse((await nd.get(`/api/v1/analyze/interfaces?fabricName=${fabric}&filter=operationalStatus:down&max=1`)).text) as { interfaces: { switchName: string }[] };
  const hostname = down.interfaces[0]?.switchName;
  if (!hostname) throw new Error(`no interface is down in ${fabric}; the task set needs one`);
  return { fabric, hostname };
}

async function main(): Promise<void> {
  const world = await startBenchWorld({ importCisco: true, sim: { specsDir: ND_OPENAPI_DIR } });
  try {
    const client = await connectSdk(world, world.tokens.vera);
    const nd = await ndDirect(world.sim);
    const ctx = await taskContext(nd);
    const results: TaskResult[] = [];
    for (const task of READ_TASKS) {
      await simRequests(world, "DELETE");
      const calls: TaskResult["calls"] = [];
      const call: CallTool = async (tool, args, expect) => {
        const r = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
        const text = r.content.filter((c) => c.type === "text").map((c) => (c as { text: string }).text).join("\n");
        if (r.isError || (expect && !text.includes(expect))) throw new Error(`${task.id}: ${tool} ${JSON.stringify(args)} → ${r.isError ? "error" : `no "${expect}"`}:\n${text.slice(0, 500)}`);
        calls.push({ tool, args, tokens: countTokens(text), text });
        return { text, structured: (r.structuredContent ?? {}) as Record<string, unknown> };
      };
      await task.run(call, ctx);
      const ndRequests = rawRequests(await simRequests(world, "GET"));
      const raw = await rawTokens(nd, ndRequests);
      const shaped = calls.reduce((s, c) => s + c.tokens, 0);
      results.push({
        id: task.id, question: task.question, toolCalls: calls.length, shapedTokens: shaped, ndRequests,
        rawTokens: raw.compact, rawPrettyTokens: raw.pretty, ratio: shaped / raw.compact, calls,
      });
    }
    await client.close();

    const shaped = results.reduce((s, r) => s + r.shapedTokens, 0);
    const raw = results.reduce((s, r) => s + r.rawTokens, 0);
    const rawPretty = results.reduce((s, r) => s + r.rawPrettyTokens, 0);
    const ratio = shaped / raw;
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    printTable(`(b) tokens returned for ten read tasks, ${ENCODING} (fabric ${ctx.fabric}, switch ${ctx.hostname})`, ["task", "tool calls", "shaped", "ND requests", "raw ND JSON", "shaped/raw", "raw pretty (peer)"], [
      ...results.map((r) => [r.id, r.toolCalls, r.shapedTokens, r.ndRequests.length, r.rawTokens, pct(r.ratio), r.rawPrettyTokens]),
      ["all ten", results.reduce((s, r) => s + r.toolCalls, 0), shaped, results.reduce((s, r) => s + r.ndRequests.length, 0), raw, pct(ratio), rawPretty],
    ]);
    const met = ratio <= TARGET_RATIO;
    console.log(`\nagainst the pretty-printed JSON a pass-through peer returns: ${pct(shaped / rawPretty)}`);
    console.log(`target shaped ≤ ${pct(TARGET_RATIO)} of raw on the set: ${met ? "met" : "NOT met"} (${pct(ratio)})`);
    writeResult("read-tasks", {
      encoding: ENCODING,
      simulator: { fabrics: 2, switchesPerFabric: 20, specs: true },
      context: ctx,
      target: { ratio: TARGET_RATIO, met },
      total: { shapedTokens: shaped, rawTokens: raw, rawPrettyTokens: rawPretty, ratio, ratioToPretty: shaped / rawPretty },
      tasks: results,
    });
  } finally {
    await world.stop();
  }
}

await main();
