/**
 * Managing SIEM destinations: add, enable/disable, remove, list with delivery status, test.
 *
 * Guarantees: every change needs `settings:manage` (checked here, whoever calls) and is audited
 * in the same transaction; the HEC token is sealed under the keyring before it is stored and is
 * never returned; a new destination starts at the current chain head unless asked to send the
 * whole retained log (`from: "start"`).
 */
import { randomUUID } from "node:crypto";
import type { AuditAction } from "../audit/audit-actions.ts";
import type { Sql } from "postgres";
import { recordAudit } from "../audit/audit-log.ts";
import type { AuditRecord } from "../audit/audit.sql.ts";
import { checkCaPem } from "../clusters/cluster-input.ts";
import { Conflict, Invalid, NotFound } from "../errors.ts";
import type { Caller } from "../identity/caller.ts";
import { requirePermission } from "../identity/authorize.ts";
import { prepareToSeal, type Keyring } from "../secrets/keyring.ts";
import { open, seal } from "../secrets/seal.ts";
import { bindingFor, sealedColumn } from "../secrets/sealed-columns.ts";
import type { Db } from "../secrets/db-handle.ts";
import {
  isUnencrypted,
  parseFormat,
  parseTarget,
  targetUrl,
  validateName,
  type NewDestination,
  type SiemDestination,
} from "./siem-destination.ts";
import { createSender } from "./siem-sender.ts";
import {
  backlog,
  chainHeadSeq,
  deleteDestination,
  insertDestination,
  selectCursor,
  selectDestination,
  selectDestinations,
  selectSealedToken,
  updateEnabled,
  updateSealedToken,
  type CursorRow,
} from "./siem.sql.ts";

const TOKEN_COLUMN = sealedColumn("siem_destinations", "token_sealed");

export interface SiemDeps {
  keyring: Keyring;
}

export interface DestinationStatus extends SiemDestination {
  unencrypted: boolean;
  cursor: CursorRow | null;
  /** Sealed events not yet delivered. */
  backlog: number;
}

export async function listDestinations(db: Db, caller: Caller): Promise<DestinationStatus[]> {
  requirePermission(caller.principal, "settings:manage");
  const rows = await selectDestinations(db);
  return Promise.all(
    rows.map(async (d) => ({
      ...d,
      unencrypted: isUnencrypted(d.transport),
      cursor: (await selectCursor(db, d.id)) ?? null,
      backlog: Number(await backlog(db, d.id)),
    })),
  );
}

export async function addDestination(
  sql: Sql,
  caller: Caller,
  input: NewDestination & { from?: "now" | "start" },
  deps: SiemDeps,
): Promise<SiemDestination> {
  requirePermission(caller.principal, "settings:manage");
  const name = validateName(input.name);
  const target = parseTarget(input.url);
  const format = parseFormat(input.format, target.transport);
  const caPem = checkCaPem(input.caPem);
  if (caPem && (target.transport === "syslog+tcp" || target.transport === "syslog+udp")) {
    throw new Invalid(`a CA certificate only applies to syslog+tls and https; ${target.transport} is not encrypted`);
  }
  const token = input.token?.trim() || null;
  if (target.transport === "https" && !token)
    throw new Invalid("an https (HEC) destination needs a token: --token-file FILE");
  if (target.transport !== "https" && token) throw new Invalid("only https (HEC) destinations take a token");
  const id = randomUUID();
  const url = targetUrl(target);
  await sql.begin(async (tx) => {
    if (await selectDestination(tx, name)) throw new Conflict(`a SIEM destination named ${name} already exists`);
    const start = input.from === "start" ? "0" : await chainHeadSeq(tx);
    await insertDestination(
      tx,
      { id, name, transport: target.transport, url, format, caPem, createdBy: caller.principal.username },
      start,
    );
    if (token) {
      await prepareToSeal(tx, deps.keyring);
      await updateSealedToken(tx, id, seal(deps.keyring, token, bindingFor(TOKEN_COLUMN, id)));
    }
    await recordAudit(
      tx,
      event(caller, "siem.destination.add", id, name, {
        url,
        format,
        from: input.from ?? "now",
        hecAuth: token !== null ? "sealed" : "none",
        unencrypted: isUnencrypted(target.transport),
      }),
    );
  });
  return (await selectDestination(sql, name))!;
}

export async function setDestinationEnabled(sql: Sql, caller: Caller, name: string, enabled: boolean): Promise<void> {
  requirePermission(caller.principal, "settings:manage");
  await sql.begin(async (tx) => {
    const d = await mustFind(tx, name);
    await updateEnabled(tx, d.id, enabled);
    await recordAudit(
      tx,
      event(caller, enabled ? "siem.destination.enable" : "siem.destination.disable", d.id, d.name, {}),
    );
  });
}

export async function removeDestination(sql: Sql, caller: Caller, name: string): Promise<void> {
  requirePermission(caller.principal, "settings:manage");
  await sql.begin(async (tx) => {
    const d = await mustFind(tx, name);
    await deleteDestination(tx, d.id);
    await recordAudit(tx, event(caller, "siem.destination.remove", d.id, d.name, { url: d.url }));
  });
}

export interface TestOptions {
  hostname: string;
  version: string;
  timeoutMs?: number;
}

/**
 * Sends one synthetic event straight to the destination (seq 0, action `siem.test`) and says
 * whether it was accepted; the test itself is audited, so it also reaches every destination
 * through the chain.
 */
export async function testDestination(
  sql: Sql,
  caller: Caller,
  name: string,
  opts: TestOptions,
  deps: SiemDeps,
): Promise<{ ok: boolean; error?: string }> {
  requirePermission(caller.principal, "settings:manage");
  const d = await mustFind(sql, name);
  const sender = createSender({
    target: parseTarget(d.url),
    format: d.format,
    caPem: d.caPem,
    token: await openToken(sql, deps.keyring, d),
    hostname: opts.hostname,
    version: opts.version,
    timeoutMs: opts.timeoutMs ?? 5000,
  });
  let result: { ok: boolean; error?: string };
  try {
    await sender.send([{ row: testRow(caller), replay: false }]);
    result = { ok: true };
  } catch (err) {
    result = { ok: false, error: (err as Error).message };
  } finally {
    await sender.close();
  }
  await recordAudit(sql, {
    ...event(caller, "siem.destination.test", d.id, d.name, {}),
    status: result.ok ? "ok" : "failed",
    error: result.error ?? null,
  });
  return result;
}

export async function openToken(db: Db, keyring: Keyring, d: SiemDestination): Promise<string | null> {
  if (!d.hasToken) return null;
  const sealed = await selectSealedToken(db, d.id);
  return sealed ? open(keyring, sealed, bindingFor(TOKEN_COLUMN, d.id)) : null;
}

async function mustFind(db: Db, name: string): Promise<SiemDestination> {
  const d = await selectDestination(db, name);
  if (!d) throw new NotFound(`no SIEM destination named ${name}; \`siem list\` shows them`);
  return d;
}

function event(caller: Caller, action: AuditAction, id: string, name: string, details: Record<string, unknown>) {
  return {
    action,
    status: "ok" as const,
    caller,
    target: { resourceType: "siem_destination", resourceId: id },
    details: { name, ...details },
  };
}

function testRow(caller: Caller): AuditRecord {
  const now = new Date().toISOString().replace("Z", "000Z");
  return {
    id: "0",
    kind: "event",
    occurredAt: now,
    action: "siem.test",
    status: "ok",
    userId: caller.principal.userId || null,
    username: caller.principal.username,
    via: caller.actor.via,
    tokenName: null,
    clientIp: caller.actor.ip,
    userAgent: caller.actor.userAgent,
    operationId: null,
    operationName: "SIEM destination test",
    httpMethod: null,
    clusterId: null,
    clusterName: null,
    resourceType: null,
    resourceId: null,
    decision: null,
    reason: "test event, not part of the audit chain",
    error: null,
    upstreamStatus: null,
    durationMs: null,
    requestId: caller.requestId,
    callId: null,
    details: {},
    seq: "0",
    prevHash: null,
    hash: null,
  };
}
