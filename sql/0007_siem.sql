-- Audit streaming to a SIEM (app/siem/): destinations and one delivery cursor each.
--
-- Delivery is at-least-once from the audit table itself: the forwarder reads sealed rows after
-- the cursor in chain order, sends them, then moves the cursor. `sent_seq` is written before a
-- batch leaves, `delivered_seq` after it was accepted, so after a crash or an outage the rows in
-- between are sent again marked as replays (and counted), never silently duplicated or skipped.
create table siem_destinations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
  -- syslog+tls, syslog+tcp, syslog+udp (RFC 5424 messages; 5425 framing on streams) or https (HEC JSON)
  transport text not null check (transport in ('syslog+tls', 'syslog+tcp', 'syslog+udp', 'https')),
  url text not null check (length(url) <= 2000),
  format text not null check (format in ('json', 'cef')),
  ca_pem text check (length(ca_pem) <= 65536),
  -- HEC token, sealed under the keyring (app/secrets); null for syslog
  token_sealed text,
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  created_by text,
  updated_at timestamptz not null default now()
);
create unique index siem_destinations_name on siem_destinations (lower(name));

create table siem_cursors (
  destination_id uuid primary key references siem_destinations (id) on delete cascade,
  -- the chain sequence the forwarder starts after (set to the chain head when a destination is
  -- added with --from now, or 0 to send the whole retained log)
  delivered_seq bigint not null check (delivered_seq >= 0),
  -- the highest sequence that has left towards the destination (>= delivered_seq)
  sent_seq bigint not null check (sent_seq >= delivered_seq),
  delivered_count bigint not null default 0,
  replayed_count bigint not null default 0,
  last_delivered_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  -- one forwarder per destination across all nodes: a lease, renewed while it runs
  lease_owner text,
  lease_until timestamptz,
  constraint siem_cursor_order check (sent_seq >= delivered_seq)
);
