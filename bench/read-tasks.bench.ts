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
import { EXTRA_TASKS, READ_TASKS, type CallTool, type ReadTask, type TaskContext } from "./read-tasks.ts";
import { ndDirect, type NdDirect } from "./support/nd-direct.ts";
import { ND_OPENAPI_DIR } from "./support/paths.ts";
import { writeResult } from "./support/results.ts";
import { connectSdk } from "./support/sdk-client.ts";
import { printTable } from "./support/table.ts";
import { countTokens, ENCODING } from "./support/tokens.ts";
import { startBenchWorld, type BenchWorld } from "./support/world.ts";

/** Issue 13 targets: text ≤ 15 % of raw ND, the whole wire ≤ 30 %, at most 12 calls for the ten. */
const TARGET_RATIO = 0.15;
const TARGET_WIRE_RATIO = 0.3;
const TARGET_CALLS = 12;
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
  /** The whole tool result as it crosses the wire (text content + structuredContent), JSON. */
  wireTokens: number;
  ndRequests: string[];
  rawTokens: number;
  /** The same bodies pretty-printed, as @ivotoby/openapi-mcp-server returns them. */
  rawPrettyTokens: number;
  ratio: number;
  calls: { tool: string; args: Record<string, unknown>; tokens: number; wireTokens: number; text: string }[];
}

async function simRequests(world: BenchWorld, method: "GET" | "DELETE"): Promise<LoggedRequest[]> {
  const res = await world.fetch(`${world.sim.url}/__sim/requests`, { method });
  return ((await res.json()) as { requests: LoggedRequest[] }).requests;
}

/** The distinct ND requests a pass-through would have made: no logins, no gateway paging. */
function rawRequests(log: LoggedRequest[]): string[] {
  const out = new Set<string>();
  for (const r of log) {
    // /version.json: the gateway records the ND version after a login (app/clusters/nd-version.ts);
    // no task asks for it, so it is no part of any answer.
    if (r.path === "/login" || r.path === "/logout" || r.path === "/version.json" || r.path.startsWith("/__sim"))
      continue;
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
  const down = JSON.parse(
    (await nd.get(`/api/v1/analyze/interfaces?fabricName=${fabric}&filter=operationalStatus:down&max=1`)).text,
  ) as { interfaces: { switchName: string }[] };
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
    const runTasks = async (tasks: ReadTask[]): Promise<TaskResult[]> => {
      const results: TaskResult[] = [];
      for (const task of tasks) {
        await simRequests(world, "DELETE");
        const calls: TaskResult["calls"] = [];
        const call: CallTool = async (tool, args, expect) => {
          const r = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
          const text = r.content
            .filter((c) => c.type === "text")
            .map((c) => (c as { text: string }).text)
            .join("\n");
          if (r.isError || (expect && !text.includes(expect)))
            throw new Error(
              `${task.id}: ${tool} ${JSON.stringify(args)} → ${r.isError ? "error" : `no "${expect}"`}:\n${text.slice(0, 500)}`,
            );
          const wire = countTokens(
            JSON.stringify({
              content: r.content,
              ...(r.structuredContent ? { structuredContent: r.structuredContent } : {}),
            }),
          );
          calls.push({ tool, args, tokens: countTokens(text), wireTokens: wire, text });
          return { text, structured: (r.structuredContent ?? {}) as Record<string, unknown> };
        };
        await task.run(call, ctx);
        const ndRequests = rawRequests(await simRequests(world, "GET"));
        const raw = await rawTokens(nd, ndRequests);
        const shaped = calls.reduce((s, c) => s + c.tokens, 0);
        results.push({
          id: task.id,
          question: task.question,
          toolCalls: calls.length,
          shapedTokens: shaped,
          wireTokens: calls.reduce((s, c) => s + c.wireTokens, 0),
          ndRequests,
          rawTokens: raw.compact,
          rawPrettyTokens: raw.pretty,
          ratio: shaped / raw.compact,
          calls,
        });
      }
      return results;
    };
    const results = await runTasks(READ_TASKS);
    const extra = await runTasks(EXTRA_TASKS);
    await client.close();

    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    const summarise = (set: TaskResult[], label: string) => {
      const shaped = set.reduce((s, r) => s + r.shapedTokens, 0);
      const wire = set.reduce((s, r) => s + r.wireTokens, 0);
      const raw = set.reduce((s, r) => s + r.rawTokens, 0);
      const rawPretty = set.reduce((s, r) => s + r.rawPrettyTokens, 0);
      const calls = set.reduce((s, r) => s + r.toolCalls, 0);
      printTable(
        `${label}, ${ENCODING} (fabric ${ctx.fabric}, switch ${ctx.hostname})`,
        [
          "task",
          "tool calls",
          "text",
          "wire",
          "ND requests",
          "raw ND JSON",
          "text/raw",
          "wire/raw",
          "raw pretty (peer)",
        ],
        [
          ...set.map((r) => [
            r.id,
            r.toolCalls,
            r.shapedTokens,
            r.wireTokens,
            r.ndRequests.length,
            r.rawTokens,
            pct(r.ratio),
            pct(r.wireTokens / r.rawTokens),
            r.rawPrettyTokens,
          ]),
          [
            "all",
            calls,
            shaped,
            wire,
            set.reduce((s, r) => s + r.ndRequests.length, 0),
            raw,
            pct(shaped / raw),
            pct(wire / raw),
            rawPretty,
          ],
        ],
      );
      return {
        shapedTokens: shaped,
        wireTokens: wire,
        rawTokens: raw,
        rawPrettyTokens: rawPretty,
        calls,
        ratio: shaped / raw,
        wireRatio: wire / raw,
        ratioToPretty: shaped / rawPretty,
      };
    };
    const total = summarise(results, "(b) ten read tasks");
    const extraTotal = summarise(extra, "(b2) ten more questions");
    const met = total.ratio <= TARGET_RATIO;
    const wireMet = total.wireRatio <= TARGET_WIRE_RATIO;
    const callsMet = total.calls <= TARGET_CALLS;
    console.log(`\nagainst the pretty-printed JSON a pass-through peer returns: ${pct(total.ratioToPretty)}`);
    console.log(
      `text ≤ ${pct(TARGET_RATIO)}: ${met ? "met" : "NOT met"} (${pct(total.ratio)}); wire ≤ ${pct(TARGET_WIRE_RATIO)}: ${wireMet ? "met" : "NOT met"} (${pct(total.wireRatio)}); calls ≤ ${TARGET_CALLS}: ${callsMet ? "met" : "NOT met"} (${total.calls})`,
    );
    writeResult("read-tasks", {
      encoding: ENCODING,
      simulator: { fabrics: 2, switchesPerFabric: 20, specs: true },
      context: ctx,
      target: { ratio: TARGET_RATIO, met, wireRatio: TARGET_WIRE_RATIO, wireMet, calls: TARGET_CALLS, callsMet },
      total,
      tasks: results,
      extra: { total: extraTotal, tasks: extra },
    });
  } finally {
    await world.stop();
  }
}

await main();
