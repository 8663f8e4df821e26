/** Write intents that have no outcome row (the call's process stopped before recording one). */
import type { Db } from "./audit.sql.ts";

export interface OpenIntentRow {
  id: string;
  occurred_at: Date;
  username: string | null;
  operation_id: string | null;
  cluster_id: string | null;
  cluster_name: string | null;
  call_id: string;
  request_id: string | null;
}

/** Intents at least `minAgeMs` old with no other row of the same call; oldest first, bounded. */
export async function selectOpenIntents(db: Db, minAgeMs: number, limit = 1000): Promise<OpenIntentRow[]> {
  return db<OpenIntentRow[]>`
    select i.id::text as id, i.occurred_at, i.username, i.operation_id, i.cluster_id, i.cluster_name, i.call_id, i.request_id
    from audit_events i
    where i.call_id is not null and i.status = 'pending' and i.action = 'mcp.call'
      and i.details->>'phase' = 'intent'
      and i.occurred_at < clock_timestamp() - make_interval(secs => ${minAgeMs / 1000})
      and not exists (select 1 from audit_events o where o.call_id = i.call_id and o.id <> i.id)
    order by i.id
    limit ${limit}`;
}
