/**
 * What the MCP layer needs from the rest of the gateway, as one explicit interface. The
 * composition root (app/apps.ts) wires the real modules in; tests may wire others.
 */
import type { Sql } from "postgres";
import type { Operation } from "../catalog/operation.ts";
import type { SearchFilter, SearchHit, SearchableOperation } from "../catalog/search.ts";
import type { Principal } from "../identity/principal.ts";
import type { AuditEventInput } from "../audit/audit-event.ts";
import type { PolicySnapshot, ToolProfile } from "../policy/guard.ts";

export interface ClusterChoice {
  id: string;
  name: string;
  url: string;
  version: string | null;
  insecure: boolean;
}

export interface NdCall {
  method: string;
  path: string;
  pathParams: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: unknown;
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface NdResult {
  status: number;
  body: unknown;
  durationMs: number;
}

/** A failed ND call, already mapped to the client's error classes; `message` is safe to show. */
export interface NdFailure {
  kind: string;
  message: string;
  status?: number;
  /** The request may have reached ND (a write's outcome is unknown). */
  outcomeUnknown?: boolean;
}

export interface ResultLimits {
  /** Hard cap on a result's text (≈ 4 chars per token). */
  maxChars: number;
  maxString: number;
  defaultLimit: number;
  maxLimit: number;
}

export interface McpDeps {
  sql: Sql;
  version: string;
  limits: ResultLimits;
  /** The policy snapshot for a decision now (cached in process, `now` = this call's clock). */
  policy(): Promise<PolicySnapshot>;
  /** A tool profile by name (null = the default profile). */
  toolProfile(name: string | null): Promise<ToolProfile | null>;
  /** Clusters this principal may use (user access and token narrowing applied). */
  clustersFor(principal: Principal): Promise<ClusterChoice[]>;
  /** Calls ND; throws an NdFailure-shaped error (`ndFailure(err)` reads it). */
  ndRequest(clusterId: string, call: NdCall): Promise<NdResult>;
  ndFailure(err: unknown): NdFailure | null;
  /** The admin UI page of an approval request, to hand to the model for its human. */
  approvalUrl(id: string): string;
  /** Writes a call's audit event; resolves once it is committed (group commit, audit-batch.ts). */
  audit(event: AuditEventInput): Promise<void>;
  /** Reports an audit insert that failed (logged at error level with the request id; never silent). */
  auditFailed(err: unknown, requestId: string, action: string): void;
  catalog: {
    get(id: string): Promise<Operation | null>;
    search(query: string, limit: number, filter: SearchFilter): Promise<SearchHit<SearchableOperation>[]>;
    /** Ids close to a mistyped one ("did you mean"), among operations of these risk classes. */
    suggest(id: string, filter: SearchFilter): Promise<string[]>;
    /** Operations for an 'operations' tool profile. */
    many(ids: readonly string[]): Promise<Operation[]>;
  };
}
