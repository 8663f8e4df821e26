-- Foundation: appliance-wide settings, one row per key, read per decision (no process cache),
-- so a change takes effect on the very next request on every node.
create table settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now(),
  updated_by text
);
