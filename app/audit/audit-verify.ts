/**
 * Verification of the audit chain.
 *
 * Guarantees: after sealing what is pending, every sealed event is read once in sequence order
 * (a cursor in one repeatable-read snapshot: constant memory, consistent with the chain head)
 * and the first problem is named precisely — a row whose content no longer matches its hash
 * (changed), a row whose link does not match its predecessor (predecessor rewritten), a gap in
 * the sequence (deleted rows), missing events at the start that no retention checkpoint
 * accounts for, or missing/rewritten events at the end (the chain head disagrees).
 *
 * Limits: an event can only be checked once sealed, normally a fraction of a second after it
 * commits; a superuser who rewrites an event within that window, or rewrites every row from
 * some point on together with the chain head, is not detectable from inside the database. A
 * copy of the head's hash kept elsewhere (exports, monitoring) closes the second gap.
 */
import type { Sql, TransactionSql } from "postgres";
import { GENESIS_HASH, chainHash } from "./audit-canonical.ts";
import { sealPending } from "./audit-seal.ts";
import { readChainHead, recordColumns, type AuditRecord } from "./audit.sql.ts";

export type ChainProblemKind = "changed" | "relinked" | "gap" | "missing-start" | "missing-end" | "head-mismatch";

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The event where the problem shows (null when the events concerned are gone). */
  seq: string | null;
  id: string | null;
  occurredAt: string | null;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Sealed events checked before the first problem (all of them when ok). */
  checked: number;
  firstSeq: string | null;
  lastSeq: string | null;
  /** The chain starts after events removed by retention; the checkpoint that says so. */
  checkpointSeq: string | null;
  /** Events sealed by this run before checking. */
  sealed: number;
  /** Events still unsealed in the checked snapshot (committed while this run was sealing). */
  unsealed: number;
  problem: ChainProblem | null;
}

export interface VerifyOptions {
  /** Seal pending events first (default true). */
  seal?: boolean;
  /** Rows per cursor fetch. */
  fetchSize?: number;
}

interface WalkState {
  expectedSeq: bigint;
  expectedPrev: string;
  previous: AuditRecord | null;
  checked: number;
}

export async function verifyAuditChain(sql: Sql, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const sealed = opts.seal === false ? 0 : await sealPending(sql);
  return sql.begin("isolation level repeatable read read only", async (tx) => {
    const head = await readChainHead(tx);
    const first = await firstSealedSeq(tx);
    const unsealed = await countUnsealed(tx);
    const base: VerifyResult = {
      ok: true,
      checked: 0,
      firstSeq: first,
      lastSeq: null,
      checkpointSeq: null,
      sealed,
      unsealed,
      problem: null,
    };
    if (first === null) return emptyChain(base, head.seq);
    const start = await chainStart(tx, first);
    if ("problem" in start) return { ...base, ok: false, problem: start.problem };
    const state: WalkState = { expectedSeq: BigInt(first), expectedPrev: start.prevHash, previous: null, checked: 0 };
    const problem = await walk(tx, state, opts.fetchSize ?? 500);
    const result = {
      ...base,
      checked: state.checked,
      lastSeq: state.previous?.seq ?? null,
      checkpointSeq: start.checkpointSeq,
    };
    if (problem) return { ...result, ok: false, problem };
    const endProblem = checkEnd(state.previous!, head);
    return endProblem ? { ...result, ok: false, problem: endProblem } : result;
  });
}

async function firstSealedSeq(tx: TransactionSql): Promise<string | null> {
  const rows = await tx<{ seq: string | null }[]>`select min(seq) as seq from audit_events where seq is not null`;
  return rows[0]?.seq ?? null;
}

async function countUnsealed(tx: TransactionSql): Promise<number> {
  const rows = await tx<{ n: number }[]>`select count(*)::int as n from audit_events where seq is null`;
  return rows[0]!.n;
}

function emptyChain(base: VerifyResult, headSeq: string): VerifyResult {
  if (headSeq === "0") return base;
  return {
    ...base,
    ok: false,
    problem: {
      kind: "missing-end",
      seq: null,
      id: null,
      occurredAt: null,
      message: `audit chain broken: the chain head records ${headSeq} sealed event(s) but none is left — rows were deleted`,
    },
  };
}

/** The hash the first remaining event must link to: genesis, or a retention checkpoint's. */
async function chainStart(
  tx: TransactionSql,
  first: string,
): Promise<{ prevHash: string; checkpointSeq: string | null } | { problem: ChainProblem }> {
  if (first === "1") return { prevHash: GENESIS_HASH, checkpointSeq: null };
  const lastRemoved = (BigInt(first) - 1n).toString();
  const rows = await tx<{ seq: string; lastHash: string }[]>`
    select seq, details->>'lastHash' as "lastHash" from audit_events
     where kind = 'checkpoint' and seq is not null and details->>'lastSeq' = ${lastRemoved}
     order by seq desc limit 1`;
  const checkpoint = rows[0];
  if (checkpoint) return { prevHash: checkpoint.lastHash, checkpointSeq: checkpoint.seq };
  return {
    problem: {
      kind: "missing-start",
      seq: first,
      id: null,
      occurredAt: null,
      message: `audit chain broken at its start: event(s) from sequence 1 to ${lastRemoved} are missing and no retention checkpoint accounts for them — rows were deleted`,
    },
  };
}

async function walk(tx: TransactionSql, state: WalkState, fetchSize: number): Promise<ChainProblem | null> {
  const cursor = tx<AuditRecord[]>`
    select ${recordColumns(tx)} from audit_events where seq is not null order by seq`.cursor(fetchSize);
  for await (const rows of cursor) {
    for (const row of rows) {
      const problem = checkRow(row, state);
      if (problem) return problem;
      state.previous = row;
      state.expectedSeq += 1n;
      state.expectedPrev = row.hash!;
      state.checked += 1;
    }
  }
  return null;
}

function checkRow(row: AuditRecord, state: WalkState): ChainProblem | null {
  const seq = BigInt(row.seq!);
  if (seq !== state.expectedSeq) {
    const before = state.previous;
    const from = before ? before.seq! : (state.expectedSeq - 1n).toString();
    return problemAt(row, "gap", `event(s) between sequence ${from} and ${row.seq} are missing — a row was deleted`);
  }
  if (chainHash(row, row.seq!, row.prevHash!) !== row.hash) {
    return problemAt(row, "changed", "content does not match its hash — the row was changed after it was written");
  }
  if (row.prevHash !== state.expectedPrev) {
    const what = state.previous
      ? `event ${state.previous.seq} was rewritten (content and hash) or replaced`
      : "the retention checkpoint does not describe the events before it";
    return problemAt(row, "relinked", `its link to the previous event does not match — ${what}`);
  }
  return null;
}

function checkEnd(last: AuditRecord, head: { seq: string; hash: string }): ChainProblem | null {
  if (BigInt(head.seq) > BigInt(last.seq!)) {
    return problemAt(
      last,
      "missing-end",
      `the newest event(s), after sequence ${last.seq} up to ${head.seq}, are missing — rows were deleted`,
    );
  }
  if (head.seq !== last.seq || head.hash !== last.hash) {
    return problemAt(
      last,
      "head-mismatch",
      `the chain head (sequence ${head.seq}) does not match the newest event — the chain's end was rewritten`,
    );
  }
  return null;
}

function problemAt(row: AuditRecord, kind: ChainProblemKind, what: string): ChainProblem {
  return {
    kind,
    seq: row.seq,
    id: row.id,
    occurredAt: row.occurredAt,
    message: `audit chain broken at event ${row.seq} (id ${row.id}, ${row.occurredAt}): ${what}`,
  };
}
