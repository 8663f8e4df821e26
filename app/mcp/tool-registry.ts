/**
 * The one seam where tools are registered, and the surface a principal gets from them.
 *
 * The default surface: list_clusters, a few curated reads for what engineers ask most, plus
 * search → describe → call for the long tail. An 'operations' tool profile instead lists chosen
 * catalog operations as tools of their own, held to the profile's token budget. Either way a
 * tool is listed only when the principal may use one of its risk classes
 * (app/policy/risk-permissions.ts). Adding a curated tool: one file in tools/, one line here,
 * and the updated tools/list snapshots (test/mcp/snapshots).
 */
import type { Tool } from "@modelcontextprotocol/server";
import type { Operation } from "../catalog/operation.ts";
import type { Principal } from "../identity/principal.ts";
import type { ToolProfile } from "../policy/guard.ts";
import { matchesPattern } from "../policy/patterns.ts";
import { mayUseRisk } from "../policy/risk-permissions.ts";
import type { McpDeps } from "./mcp-deps.ts";
import { operationToolDescriptor, withinBudget } from "./operation-tools.ts";
import { toolOf, type ToolDescriptor } from "./tool-descriptor.ts";
import { callOperationTool } from "./tools/call-operation.ts";
import { clusterHealth } from "./tools/cluster-health.ts";
import { describeOperationTool } from "./tools/describe-operation.ts";
import { listAnomalies } from "./tools/list-anomalies.ts";
import { listClustersTool } from "./tools/list-clusters.ts";
import { listFabrics } from "./tools/list-fabrics.ts";
import { listInterfaces } from "./tools/list-interfaces.ts";
import { listNetworks } from "./tools/list-networks.ts";
import { listSwitches } from "./tools/list-switches.ts";
import { listVrfs } from "./tools/list-vrfs.ts";
import { searchOperationsTool } from "./tools/search-operations.ts";

/** The default surface, in tools/list order. */
export const DEFAULT_TOOLS: readonly ToolDescriptor[] = [
  listClustersTool,
  listFabrics,
  listSwitches,
  listAnomalies,
  clusterHealth,
  listVrfs,
  listNetworks,
  listInterfaces,
  searchOperationsTool,
  describeOperationTool,
  callOperationTool,
];

/** What one principal sees and may call: each listed tool with its descriptor. */
export interface Surface {
  tools: Tool[];
  byName: Map<string, ToolDescriptor>;
  /** The principal's tool profile, loaded once per message and handed to the call path. */
  profile: ToolProfile | null;
}

const listable = (d: ToolDescriptor, p: Principal) => !d.risks.length || d.risks.some((r) => mayUseRisk(p, r));

export async function surfaceFor(deps: McpDeps, profile: ToolProfile | null, principal: Principal): Promise<Surface> {
  const descriptors =
    profile?.mode === "operations"
      ? await operationsSurface(deps, profile, principal)
      : DEFAULT_TOOLS.filter((d) => listable(d, principal));
  const entries = descriptors.map((d) => [toolOf(d, principal), d] as const);
  return { tools: entries.map(([t]) => t), byName: new Map(entries.map(([t, d]) => [t.name, d])), profile };
}

/**
 * In the profile's order (the budget keeps what the administrator listed first), and only
 * operations this principal could ever run: tokens are not spent on tools that always refuse.
 */
async function operationsSurface(deps: McpDeps, profile: ToolProfile, principal: Principal): Promise<ToolDescriptor[]> {
  const ops = inProfileOrder(await deps.catalog.many(profile.operations), profile.operations).filter((o) =>
    mayUseRisk(principal, o.risk),
  );
  const candidates = ops.map(operationToolDescriptor);
  const listClusters = toolOf(listClustersTool, principal);
  const fitted = new Set(
    withinBudget(
      candidates.map((d) => toolOf(d, principal)),
      profile.tokenBudget - approxTokens(listClusters),
    ).map((t) => t.name),
  );
  return [listClustersTool, ...candidates.filter((d) => fitted.has(toolOf(d, principal).name))];
}

/** Operations ordered by the first profile pattern each matches (stable within a pattern). */
function inProfileOrder(ops: Operation[], patterns: readonly string[]): Operation[] {
  const rank = (o: Operation) => patterns.findIndex((p) => matchesPattern(p, o.id));
  return ops
    .map((o) => ({ o, r: rank(o) }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.o);
}

/** ≈ tokens a tool definition costs in a model's context (4 characters a token). */
export function approxTokens(tool: Tool): number {
  return Math.ceil(JSON.stringify(tool).length / 4);
}
