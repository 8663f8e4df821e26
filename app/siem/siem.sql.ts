/** Queries of SIEM destinations and their delivery cursors (tables siem_destinations, siem_cursors). */
import type { Db } from "../secrets/db-handle.ts";
import type { AuditRecord } from "../audit/audit.sql.ts";
import { recordColumns } from "../audit/audit.sql.ts";
import type { SiemDestination } from "./siem-destination.ts";

function columns(db: Db) {
  return db`
    d.id::text as id, d.name, d.transport, d.url, d.format, d.ca_pem as "caPem",
    d.token_sealed is not null as "hasToken", d.enabled, d.created_at as "createdAt", d.created_by as "createdBy"`;
}

export async function selectDestinations(db: Db): Promise<SiemDestination[]> {
  return db<SiemDestination[]>`select ${columns(db)} from siem_destinations d order by lower(d.name)`;
}

export async function selectDestination(db: Db, name: string): Promise<SiemDestination | undefined> {
  const [row] = await db<
    SiemDestination[]
  >`select ${columns(db)} from siem_destinations d where lower(d.name) = lower(${name})`;
  return row;
}

export async function selectSealedToken(db: Db, id: string): Promise<string | null> {
  const [row] = await db<
    { sealed: string | null }[]
  >`select token_sealed as sealed from siem_destinations where id = ${id}`;
  return row?.sealed ?? null;
}

export interface DestinationRow {
  id: string;
  name: string;
  transport: string;
  url: string;
  format: string;
  caPem: string | null;
  createdBy: string | null;
}

export async function insertDestination(db: Db, r: DestinationRow, startSeq: string): Promise<void> {
  await db`
    insert into siem_destinations (id, name, transport, url, format, ca_pem, created_by)
    values (${r.id}, ${r.name}, ${r.transport}, ${r.url}, ${r.format}, ${r.caPem}, ${r.createdBy})`;
  await db`insert into siem_cursors (destination_id, delivered_seq, sent_seq) values (${r.id}, ${startSeq}, ${startSeq})`;
}

export async function updateSealedToken(db: Db, id: string, sealed: string): Promise<void> {
  await db`update siem_destinations set token_sealed = ${sealed}, updated_at = now() where id = ${id}`;
}

export async function updateEnabled(db: Db, id: string, enabled: boolean): Promise<void> {
  await db`update siem_destinations set enabled = ${enabled}, updated_at = now() where id = ${id}`;
}

export async function deleteDestination(db: Db, id: string): Promise<void> {
  await db`delete from siem_destinations where id = ${id}`;
}

export interface CursorRow {
  deliveredSeq: string;
  sentSeq: string;
  deliveredCount: string;
  replayedCount: string;
  lastDeliveredAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

export async function selectCursor(db: Db, id: string): Promise<CursorRow | undefined> {
  const [row] = await db<CursorRow[]>`
    select delivered_seq::text as "deliveredSeq", sent_seq::text as "sentSeq", delivered_count::text as "deliveredCount",
           replayed_count::text as "replayedCount", last_delivered_at as "lastDeliveredAt",
           last_error as "lastError", last_error_at as "lastErrorAt"
      from siem_cursors where destination_id = ${id}`;
  return row;
}

/** Before a batch leaves: the highest sequence in it (only ever moves forward). */
export async function markSent(db: Db, id: string, seq: string): Promise<void> {
  await db`update siem_cursors set sent_seq = greatest(sent_seq, ${seq}::bigint) where destination_id = ${id}`;
}

/** After a batch was accepted. */
export async function markDelivered(db: Db, id: string, seq: string, count: number, replayed: number): Promise<void> {
  await db`
    update siem_cursors
       set delivered_seq = greatest(delivered_seq, ${seq}::bigint), sent_seq = greatest(sent_seq, ${seq}::bigint),
           delivered_count = delivered_count + ${count}, replayed_count = replayed_count + ${replayed},
           last_delivered_at = now(), last_error = null, last_error_at = null
     where destination_id = ${id}`;
}

export async function markError(db: Db, id: string, error: string): Promise<void> {
  await db`update siem_cursors set last_error = ${error.slice(0, 500)}, last_error_at = now() where destination_id = ${id}`;
}

/** Sealed rows after `afterSeq`, in chain order (checkpoints included: they belong to the chain). */
export async function sealedAfter(db: Db, afterSeq: string, limit: number): Promise<AuditRecord[]> {
  return db<AuditRecord[]>`
    select ${recordColumns(db)} from audit_events
     where seq > ${afterSeq}::bigint order by seq limit ${limit}`;
}

export async function chainHeadSeq(db: Db): Promise<string> {
  const [row] = await db<{ seq: string }[]>`select seq::text as seq from audit_chain_head`;
  return row?.seq ?? "0";
}

/** Rows waiting per destination: sealed rows after its cursor. */
export async function backlog(db: Db, id: string): Promise<string> {
  const [row] = await db<{ n: string }[]>`
    select (h.seq - c.delivered_seq)::text as n from siem_cursors c, audit_chain_head h where c.destination_id = ${id}`;
  return row?.n ?? "0";
}

/** Takes or renews the destination's lease for `owner`; false when another node holds it. */
export async function claimLease(db: Db, id: string, owner: string, seconds: number): Promise<boolean> {
  const rows = await db`
    update siem_cursors set lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${seconds})
     where destination_id = ${id} and (lease_owner = ${owner} or lease_until is null or lease_until < now())
    returning 1`;
  return rows.length === 1;
}

export async function releaseLease(db: Db, id: string, owner: string): Promise<void> {
  await db`update siem_cursors set lease_owner = null, lease_until = null where destination_id = ${id} and lease_owner = ${owner}`;
}
