-- OAuth 2.1 for MCP clients (issue 14): the gateway is the authorization server of its own MCP
-- endpoints. Clients register themselves (RFC 7591), a signed-in user consents in the UI, and
-- the client receives short-lived access tokens and rotating refresh tokens bound to that user.
--
-- Like API tokens, no secret is stored: codes, access and refresh tokens are `nmg_o??_<id>_<secret>`
-- and only the SHA-256 of the 256-bit secret is kept, found by the id. Every timestamp is written
-- by the app with an injected clock.

-- Registered clients. Public clients only (no client secret): the proof is PKCE.
create table oauth_clients (
  id text primary key check (id ~ '^[0-9a-f]{24}$'),
  client_name text not null check (length(client_name) between 1 and 100),
  -- https or loopback http (RFC 8252), no fragments; loopback ports are ignored when matching
  redirect_uris text[] not null check (cardinality(redirect_uris) between 1 and 5),
  client_uri text check (client_uri is null or length(client_uri) <= 512),
  software_id text check (software_id is null or length(software_id) <= 200),
  software_version text check (software_version is null or length(software_version) <= 100),
  created_at timestamptz not null,
  created_ip text,
  revoked_at timestamptz,
  revoked_by text
);

-- An authorization request between the client's redirect and the user's decision. Kept server
-- side so the sign-in detour carries only its id; decided (approved or denied) once.
create table oauth_requests (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{22}$'),
  client_id text not null references oauth_clients (id) on delete cascade,
  redirect_uri text not null check (length(redirect_uri) <= 512),
  code_challenge text not null check (code_challenge ~ '^[A-Za-z0-9_-]{43}$'),
  state text check (state is null or length(state) <= 1024),
  -- what the client asked for: read-only, or read and write
  wants_write boolean not null,
  resource text not null check (length(resource) <= 512),
  created_at timestamptz not null,
  expires_at timestamptz not null,
  decided_at timestamptz
);

create index oauth_requests_expiry on oauth_requests (expires_at);

-- What a user allowed a client: one row per consent. Tokens hang off the grant; revoking the
-- grant ends all of them.
create table oauth_grants (
  id text primary key check (id ~ '^[0-9a-f]{24}$'),
  user_id uuid not null references users (id) on delete cascade,
  client_id text not null references oauth_clients (id) on delete cascade,
  read_only boolean not null,
  -- narrowing to these cluster ids (null = every cluster the user may use)
  clusters text[],
  -- the RFC 8707 audience every token of this grant is bound to
  resource text not null,
  created_at timestamptz not null,
  last_used_at timestamptz,
  last_used_ip text,
  revoked_at timestamptz,
  revoked_reason text check (revoked_reason is null or length(revoked_reason) <= 200)
);

create index oauth_grants_user on oauth_grants (user_id);
create index oauth_grants_client on oauth_grants (client_id);

-- Authorization codes, access tokens and refresh tokens of a grant.
create table oauth_tokens (
  id text primary key check (id ~ '^[0-9a-f]{24}$'),
  grant_id text not null references oauth_grants (id) on delete cascade,
  kind text not null check (kind in ('code', 'access', 'refresh')),
  secret_hash text not null check (secret_hash ~ '^[0-9a-f]{64}$'),
  -- codes only: what the token request must repeat and prove
  redirect_uri text,
  code_challenge text,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  -- codes and refresh tokens are single-use: a second use is a replay
  used_at timestamptz,
  check (kind <> 'code' or (redirect_uri is not null and code_challenge is not null))
);

create index oauth_tokens_grant on oauth_tokens (grant_id);
create index oauth_tokens_expiry on oauth_tokens (expires_at);

-- Cached token → principal lookups (issue 11's change feed, channel nmg_changes, payload = table
-- name) must hear when a grant or client is revoked or a token cut short. Own function so this
-- migration does not depend on the change feed's being applied first.
create function nmg_notify_oauth_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('nmg_changes', tg_table_name);
  return null;
end $$;

create trigger oauth_grants_change_feed after delete or update of revoked_at, read_only, clusters, resource
  on oauth_grants for each statement execute function nmg_notify_oauth_change();
create trigger oauth_clients_change_feed after delete or update of revoked_at
  on oauth_clients for each statement execute function nmg_notify_oauth_change();
create trigger oauth_tokens_change_feed after delete or update of expires_at
  on oauth_tokens for each statement execute function nmg_notify_oauth_change();
