-- The audit log: append-only, hash-chained events (app/audit/).
--
-- Guarantees (enforced here, by the database, whoever connects):
--   * Inserts are lock-free: a bigserial id, no chain work, no global lock. The server clock sets
--     occurred_at; an insert can never arrive pre-sealed or as a checkpoint.
--   * The chain (seq, prev_hash, hash) is written once, by audit_seal(): contiguous sequence
--     numbers from the chain head, each row linking to its predecessor's hash, under an advisory
--     lock so only one sealer (on any node) extends the chain at a time. The hashes themselves are
--     computed by app/audit/audit-canonical.ts (one implementation shared by sealer and verifier).
--   * No other UPDATE, no DELETE, no TRUNCATE: rejected by triggers (the second layer; on the
--     appliance the application role has no UPDATE/DELETE grant at all — appliance/postgres/grants.sql).
--   * The only way rows leave is audit_retain(): it removes the oldest sealed prefix of the chain
--     and records count, range, last removed sequence and hash in a checkpoint row, so the chain
--     still verifies from there.
--   * audit_chain_head holds the newest sealed sequence and hash, so removing the newest rows is
--     detected too. It only moves forward.
-- Superusers can bypass triggers (session_replication_role = replica); that is what verify is for.

-- Free text over the fields people search by: words split on punctuation, so a word prefix finds
-- dotted identifiers ("createv" finds manage.createVrf). translate(), not regular expressions:
-- this runs on every insert. Stored (audit_events.search) so that checking a row found through
-- another index costs a lookup, not a re-computation.
create function audit_search_vector(
  action text, username text, operation_id text, operation_name text,
  cluster_name text, error text, reason text
) returns tsvector
language sql immutable parallel safe
return to_tsvector('simple'::regconfig,
  translate(concat_ws(' ', action, username, operation_id, operation_name, cluster_name, error, reason),
            '._-/:@=,;()[]{}"''', '                 '));

create table audit_events (
  id bigserial primary key,
  -- 'event' for everything callers record; 'checkpoint' only from audit_retain()
  kind text not null default 'event' check (kind in ('event', 'checkpoint')),
  occurred_at timestamptz not null default clock_timestamp(),
  action text not null check (action <> '' and length(action) <= 200),
  status text not null check (status in ('ok', 'denied', 'failed', 'pending')),
  -- who
  user_id text,
  username text,
  via text,
  token_name text,
  client_ip text,
  user_agent text,
  -- what
  operation_id text,
  operation_name text,
  http_method text,
  -- target
  cluster_id text,
  cluster_name text,
  resource_type text,
  resource_id text,
  -- result and context
  decision text check (decision in ('allow', 'deny', 'needs_approval')),
  reason text,
  error text,
  upstream_status integer,
  duration_ms integer check (duration_ms >= 0),
  request_id text,
  call_id text,
  details jsonb not null default '{}'::jsonb,
  -- derived from the columns above, for free-text search; not part of the hashed content
  search tsvector generated always as (
    audit_search_vector(action, username, operation_id, operation_name, cluster_name, error, reason)) stored,
  -- the chain, set once by audit_seal()
  seq bigint,
  prev_hash text check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text check (hash ~ '^[0-9a-f]{64}$'),
  constraint audit_events_chain_all_or_nothing check (
    (seq is null and prev_hash is null and hash is null) or
    (seq is not null and prev_hash is not null and hash is not null))
);

-- The chain walk (verify, export order) and retention.
create unique index audit_events_seq on audit_events (seq) where seq is not null;
-- The sealer's work queue: tiny, because rows leave it within a fraction of a second.
create index audit_events_unsealed on audit_events (id) where seq is null;
-- Retention checkpoints, where verification of a trimmed chain starts: a handful of rows.
create index audit_events_checkpoints on audit_events (seq) where kind = 'checkpoint';
-- Newest-first pages and time ranges (keyset on occurred_at, id). Indexes cost every insert, so
-- there are few: filters that pick a small share of a large log get one each (a user, an action,
-- the events that were not a plain success); clusters, being few and busy, are served by walking
-- the time index.
create index audit_events_time on audit_events (occurred_at, id);
create index audit_events_user_time on audit_events (username, occurred_at, id);
create index audit_events_action_time on audit_events (action text_pattern_ops, occurred_at, id);
-- Only denied, failed, pending or not-allowed events: small, and what people look for (also per
-- cluster). The predicate is repeated verbatim by app/audit/audit-filter.ts so the planner can
-- use these indexes.
create index audit_events_attention_time on audit_events (occurred_at, id)
  where status <> 'ok' or decision <> 'allow';
create index audit_events_attention_cluster on audit_events (cluster_name, occurred_at, id)
  where status <> 'ok' or decision <> 'allow';
create index audit_events_call on audit_events (call_id) where call_id is not null;

create index audit_events_search on audit_events using gin (search);

create table audit_chain_head (
  singleton boolean primary key default true check (singleton),
  seq bigint not null check (seq >= 0),
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  sealed_at timestamptz not null default now()
);
insert into audit_chain_head (seq, hash) values (0, repeat('0', 64));

-- Insert: the server decides the time and the chain; checkpoints only come from audit_retain().
create function audit_events_before_insert() returns trigger
language plpgsql as $$
begin
  new.occurred_at := clock_timestamp();
  new.seq := null;
  new.prev_hash := null;
  new.hash := null;
  if new.kind <> 'event' and coalesce(current_setting('nmg.audit_retaining', true), '') <> 'on' then
    raise exception 'audit checkpoints are written only by audit_retain()'
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

-- Update: only sealing — the chain columns go from NULL to set, every other column unchanged
-- (search is generated from them, and not yet computed when this runs).
create function audit_events_before_update() returns trigger
language plpgsql as $$
begin
  if old.seq is null and new.seq is not null
     and (to_jsonb(old) - array['seq', 'prev_hash', 'hash', 'search']) = (to_jsonb(new) - array['seq', 'prev_hash', 'hash', 'search']) then
    return new;
  end if;
  raise exception 'audit events are append-only: UPDATE of event % is not allowed', old.id
    using errcode = 'insufficient_privilege';
end $$;

-- Delete: only the sealed prefix audit_retain() is removing, inside audit_retain().
create function audit_events_before_delete() returns trigger
language plpgsql as $$
declare
  through bigint := nullif(current_setting('nmg.audit_retain_through', true), '')::bigint;
begin
  if through is not null and old.seq is not null and old.seq <= through then
    return old;
  end if;
  raise exception 'audit events are append-only: DELETE of event % is not allowed; old events leave only through audit_retain()', old.id
    using errcode = 'insufficient_privilege';
end $$;

create function audit_reject_truncate() returns trigger
language plpgsql as $$
begin
  raise exception 'audit tables cannot be truncated' using errcode = 'insufficient_privilege';
end $$;

create trigger audit_events_insert before insert on audit_events
  for each row execute function audit_events_before_insert();
create trigger audit_events_update before update on audit_events
  for each row execute function audit_events_before_update();
create trigger audit_events_delete before delete on audit_events
  for each row execute function audit_events_before_delete();
create trigger audit_events_truncate before truncate on audit_events
  for each statement execute function audit_reject_truncate();

-- The head only moves forward and is never removed.
create function audit_chain_head_guard() returns trigger
language plpgsql as $$
begin
  if tg_op = 'UPDATE' and new.singleton and new.seq > old.seq then
    return new;
  end if;
  raise exception 'the audit chain head only moves forward (% rejected)', tg_op
    using errcode = 'insufficient_privilege';
end $$;

create trigger audit_chain_head_guard before update or delete on audit_chain_head
  for each row execute function audit_chain_head_guard();
create trigger audit_chain_head_truncate before truncate on audit_chain_head
  for each statement execute function audit_reject_truncate();

-- Seals a batch: p_ids in chain order, p_hashes their hashes as computed by the sealer, which
-- read the head at p_head_seq. Sequence numbers and prev_hash links are derived here from the
-- head, so the chain stays contiguous whatever the caller passes; a stale head is refused.
create function audit_seal(p_ids bigint[], p_hashes text[], p_head_seq bigint) returns integer
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
  n integer := coalesce(array_length(p_ids, 1), 0);
  head_seq bigint;
  head_hash text;
  sealed integer;
begin
  if n = 0 then
    return 0;
  end if;
  if coalesce(array_length(p_hashes, 1), 0) <> n then
    raise exception 'audit_seal: % ids but % hashes', n, coalesce(array_length(p_hashes, 1), 0)
      using errcode = 'invalid_parameter_value';
  end if;
  perform pg_advisory_xact_lock(7463003);
  select h.seq, h.hash into head_seq, head_hash from audit_chain_head h for update;
  if head_seq <> p_head_seq then
    raise exception 'audit_seal: the chain head moved (expected %, found %)', p_head_seq, head_seq
      using errcode = 'serialization_failure';
  end if;
  update audit_events e
     set seq = head_seq + u.ord,
         prev_hash = case when u.ord = 1 then head_hash else p_hashes[u.ord - 1] end,
         hash = u.hash
    from unnest(p_ids, p_hashes) with ordinality as u (id, hash, ord)
   where e.id = u.id and e.seq is null;
  get diagnostics sealed = row_count;
  if sealed <> n then
    raise exception 'audit_seal: % of % events were missing or already sealed', n - sealed, n
      using errcode = 'serialization_failure';
  end if;
  update audit_chain_head set seq = head_seq + n, hash = p_hashes[n], sealed_at = now();
  return n;
end $$;

-- Retention: removes the sealed events older than the given number of days (the oldest prefix
-- of the chain, up to the first event that is still young enough) and writes a checkpoint
-- event recording what went, so verification continues from the first remaining event.
create function audit_retain(older_than_days integer, actor_via text default 'system', actor_username text default null)
returns table (removed bigint, first_seq bigint, last_seq bigint, last_hash text, checkpoint_id bigint)
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
  cutoff timestamptz;
  v_head bigint;
  v_keep_from bigint;
  v_first bigint;
  v_last bigint;
  v_hash text;
  v_count bigint;
  v_from timestamptz;
  v_to timestamptz;
  v_id bigint;
begin
  if older_than_days is null or older_than_days < 1 then
    raise exception 'audit_retain: keep at least 1 day (got %)', older_than_days
      using errcode = 'invalid_parameter_value';
  end if;
  -- No sealing while the start of the chain moves.
  perform pg_advisory_xact_lock(7463003);
  cutoff := now() - make_interval(days => older_than_days);
  select h.seq into v_head from audit_chain_head h;
  select min(e.seq) into v_first from audit_events e where e.seq is not null;
  select e.seq into v_keep_from from audit_events e
   where e.seq is not null and e.occurred_at >= cutoff order by e.seq limit 1;
  v_last := coalesce(v_keep_from, v_head + 1) - 1;
  if v_first is null or v_last < v_first then
    return query select 0::bigint, null::bigint, null::bigint, null::text, null::bigint;
    return;
  end if;
  select e.hash into v_hash from audit_events e where e.seq = v_last;
  select count(*), min(e.occurred_at), max(e.occurred_at) into v_count, v_from, v_to
    from audit_events e where e.seq between v_first and v_last;
  perform set_config('nmg.audit_retain_through', v_last::text, true);
  delete from audit_events e where e.seq between v_first and v_last;
  perform set_config('nmg.audit_retain_through', '', true);
  perform set_config('nmg.audit_retaining', 'on', true);
  insert into audit_events (kind, action, status, via, username, resource_type, details)
  values ('checkpoint', 'audit.retain', 'ok', actor_via, actor_username, 'audit_events',
          jsonb_build_object(
            'olderThanDays', older_than_days,
            'cutoff', to_char(cutoff at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'removed', v_count,
            'firstSeq', v_first,
            'lastSeq', v_last,
            'lastHash', v_hash,
            'fromTime', to_char(v_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'toTime', to_char(v_to at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))
  returning id into v_id;
  perform set_config('nmg.audit_retaining', '', true);
  return query select v_count, v_first, v_last, v_hash, v_id;
end $$;

-- SECURITY DEFINER functions run as the owner: nobody calls them unless granted (the appliance
-- grants EXECUTE to the application role through default privileges).
revoke all on function audit_seal(bigint[], text[], bigint) from public;
revoke all on function audit_retain(integer, text, text) from public;
