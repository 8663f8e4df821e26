/** Small helpers shared by the MCP end-to-end tests: result text, audit rows, the ND request log. */
import type { Client } from "@modelcontextprotocol/client";
import type { Sql } from "postgres";
import type { McpWorld } from "../support/mcp-world.ts";

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

export const textOf = (r: unknown) => ((r as ToolResult).content[0] as { text: string }).text;

export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

export interface AuditRow {
  id: string;
  action: string;
  status: string;
  username: string | null;
  decision: string | null;
  reason: string | null;
  error: string | null;
  operation_id: string | null;
  cluster_name: string | null;
  call_id: string | null;
  details: Record<string, unknown>;
}

/** Audit rows written after `afterId` (see `lastAuditId`), oldest first. */
export async function auditSince(sql: Sql, afterId: string): Promise<AuditRow[]> {
  return sql<AuditRow[]>`
    select id::text as id, action, status, username, decision, reason, error, operation_id, cluster_name, call_id, details
    from audit_events where id > ${afterId}::bigint order by audit_events.id`;
}

export async function lastAuditId(sql: Sql): Promise<string> {
  const [row] = await sql<{ id: string }[]>`select coalesce(max(id), 0)::text as id from audit_events`;
  return row!.id;
}

/** How many requests for ND operations (not logins) the simulator has seen. */
export function ndRequests(world: McpWorld, prefix = "/", method?: string): number {
  return world.sim.requestLog.find(prefix, method).filter((e) => e.path !== "/login" && e.path !== "/logout").length;
}

/**
 * The rows of the table in a tool result's text, as records: the answer the model reads (the
 * structuredContent envelope carries no rows, see app/mcp/operation-result.ts).
 */
export function tableRows(text: string): Record<string, string>[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^\w[\w.]*: (none|\d)/.test(l));
  const table = lines.slice(start + 1).filter((l) => !l.startsWith("("));
  if (!table.length) return [];
  const split = (l: string) => l.split(/ (?<!\\)\| /).map((c) => c.replace(/\\\|/g, "|").replace(/^"(.*)"$/, "$1"));
  const columns = split(table[0]!);
  return table.slice(1).map((l) => Object.fromEntries(split(l).map((c, i) => [columns[i]!, c])));
}

export async function firstFabric(client: Client): Promise<string> {
  const r = await call(client, "list_fabrics", { fields: ["name"] });
  return tableRows(textOf(r))[0]!.name!;
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 2_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(25);
  }
}
