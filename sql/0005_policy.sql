-- Policy: what the guard reads on every decision. Small tables, read per call (no process
-- cache), so a change takes effect on the very next call on every node.
-- Edit mode lives in settings under key 'edit_mode': {"enabled": bool, "expiresAt": iso | null}.

-- Operations allowed for writes (when the list is not empty) and for sensitive reads (always).
create table operation_whitelist (
  operation_id text primary key,
  note text,
  added_by text,
  added_at timestamptz not null default now()
);

-- Argument constraints: calls to matching operations must carry an allowed value.
create table argument_constraints (
  id bigserial primary key,
  operation_pattern text not null,
  param text not null,
  allowed text[] not null check (cardinality(allowed) > 0),
  applies_to text not null default 'write' check (applies_to in ('write', 'all')),
  created_by text,
  created_at timestamptz not null default now()
);

-- Operations that need a human's approval before they run.
create table approval_rules (
  id bigserial primary key,
  operation_pattern text not null unique,
  created_by text,
  created_at timestamptz not null default now()
);

create table approval_requests (
  id uuid primary key default gen_random_uuid(),
  user_id text not null,
  username text not null,
  operation_id text not null,
  cluster_id text not null,
  cluster_name text not null,
  args jsonb not null,
  args_hash text not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'denied', 'used', 'expired')),
  requested_at timestamptz not null default now(),
  expires_at timestamptz not null,
  decided_by text,
  decided_at timestamptz,
  decision_note text
);
create index approval_requests_pending on approval_requests (status, requested_at desc);

-- Tool profiles: what an MCP client sees. 'meta' = curated tools + search/describe/call;
-- 'operations' = the listed operations as individual tools, held to a token budget.
-- A non-empty operations list also limits which operations a 'meta' profile reaches.
create table tool_profiles (
  name text primary key,
  mode text not null check (mode in ('meta', 'operations')),
  operations text[] not null default '{}',
  token_budget int not null default 2000 check (token_budget between 200 and 200000),
  description text not null default '',
  updated_at timestamptz not null default now()
);

insert into tool_profiles (name, mode, description) values
  ('default', 'meta', 'Curated read tools plus search, describe and call for every other operation');

-- Per-token rate limiting, shared by every node: one token bucket per API token.
create table rate_buckets (
  key text primary key,
  tokens double precision not null,
  allowed boolean not null default true,
  updated_at timestamptz not null default clock_timestamp()
);
