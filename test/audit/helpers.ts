// Shared by the audit tests: a CliContext on the test database, superuser tampering (triggers
// bypassed as an attacker with superuser rights would), and bulk event writers.
import type { Sql, TransactionSql } from "postgres";
import type { CliContext } from "../../app/cli/cli-context.ts";
import { cliCaller } from "../../app/identity/caller.ts";
import type { AuditEventInput } from "../../app/audit/audit-event.ts";
import { recordAudit } from "../../app/audit/audit-log.ts";

export interface FakeCli {
  ctx: CliContext;
  out: string[];
  err: string[];
}

export function fakeCli(sql: Sql, env: Record<string, string | undefined> = { USER: "tester" }): FakeCli {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    env,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    config: () => {
      throw new Error("the audit commands need no configuration");
    },
    db: async () => ({ sql, engine: "postgresql", ping: async () => true, close: async () => {} }),
    caller: () => cliCaller(env.USER ?? "tester"),
  };
  return { ctx, out, err };
}

/** Runs `change` with triggers off, as a superuser tampering with the table directly. */
export async function asTamperer(sql: Sql, change: (tx: TransactionSql) => Promise<unknown>): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await change(tx);
  });
}

export function event(n: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    action: "mcp.call",
    status: "ok",
    actor: {
      userId: `u${n % 3}`,
      username: `user${n % 3}`,
      via: "token",
      tokenName: "laptop",
      clientIp: "10.1.2.3",
      userAgent: "claude-desktop/1.0",
    },
    target: { operationId: "manage.getFabrics", operationName: "Get fabrics", method: "GET" },
    cluster: { id: "c1", name: "dc1" },
    decision: "allow",
    reason: "read allowed for operator",
    upstreamStatus: 200,
    durationMs: 12.4,
    requestId: `req-${n}`,
    details: { n, args: { fabric: "f1" } },
    ...overrides,
  };
}

/** `count` events from `writers` concurrent writers, each insert its own transaction. */
export async function writeConcurrently(sql: Sql, writers: number, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let n = next++; n < count; n = next++) await sql.begin((tx) => recordAudit(tx, event(n)));
    }),
  );
}
