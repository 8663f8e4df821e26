-- Identity: users, roles, cluster access, browser sessions, login throttling, API tokens.
--
-- Secrets are never stored: passwords as argon2id PHC strings, session and API-token secrets as
-- SHA-256 hex digests of high-entropy random values, throttled usernames as SHA-256 digests
-- (people type passwords into the username field). Every timestamp is written by the app with
-- an injected clock, so defaults here are only a fallback.

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null check (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
  -- person: logs in with a password; service: never logs in (the legacy MCP token's user)
  kind text not null default 'person' check (kind in ('person', 'service')),
  email text check (email is null or length(email) <= 254),
  display_name text check (display_name is null or length(display_name) <= 128),
  password_hash text,
  active boolean not null default true,
  must_change_password boolean not null default false,
  -- cluster access: every cluster, or the rows of user_clusters (none = no cluster at all)
  all_clusters boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_login_at timestamptz,
  password_changed_at timestamptz,
  check (kind = 'person' or password_hash is null)
);

-- Usernames are unique regardless of case: "Admin" and "admin" are one account.
create unique index users_username_ci on users (lower(username));

create table roles (
  id uuid primary key default gen_random_uuid(),
  name text not null check (name ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  description text not null default '' check (length(description) <= 256),
  -- names from the closed list in app/identity/permissions.ts; for system roles the code's
  -- SYSTEM_ROLES is authoritative and this column only mirrors it for display
  permissions text[] not null default '{}',
  -- the MCP tool profile this role selects (null = the default surface)
  tool_profile text check (tool_profile is null or tool_profile ~ '^[A-Za-z0-9_.-]{1,64}$'),
  system boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create unique index roles_name_ci on roles (lower(name));

insert into roles (name, description, permissions, system) values
  ('admin', 'Everything, including users, roles, clusters and settings',
    array['users:manage', 'roles:manage', 'clusters:manage', 'clusters:use', 'settings:manage',
          'audit:read', 'audit:export', 'tokens:own', 'tokens:manage', 'mcp:read', 'mcp:write',
          'mcp:sensitive', 'approvals:decide'], true),
  ('operator', 'Reads and writes through MCP on assigned clusters; reads the audit log',
    array['clusters:use', 'audit:read', 'tokens:own', 'mcp:read', 'mcp:write'], true),
  ('viewer', 'Reads through MCP on assigned clusters',
    array['clusters:use', 'tokens:own', 'mcp:read'], true);

create table user_roles (
  user_id uuid not null references users (id) on delete cascade,
  -- restrict: a custom role is removed from its holders first (in the same transaction)
  role_id uuid not null references roles (id) on delete restrict,
  granted_at timestamptz not null default now(),
  primary key (user_id, role_id)
);

create index user_roles_role on user_roles (role_id);

-- Cluster ids as text, deliberately without a foreign key: the clusters table belongs to
-- another module and a removed cluster must not rewrite anybody's access list.
create table user_clusters (
  user_id uuid not null references users (id) on delete cascade,
  cluster_id text not null check (length(cluster_id) between 1 and 64),
  primary key (user_id, cluster_id)
);

create table sessions (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{22}$'),
  user_id uuid not null references users (id) on delete cascade,
  secret_hash text not null check (secret_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null,
  -- sliding renewal: written at most once a minute, so idle expiry is exact to a minute
  last_seen_at timestamptz not null,
  absolute_expires_at timestamptz not null,
  client_ip text,
  user_agent text check (user_agent is null or length(user_agent) <= 512)
);

create index sessions_user on sessions (user_id);
create index sessions_absolute_expiry on sessions (absolute_expires_at);

-- Failed-login state shared by every node. scope 'user': key = SHA-256 of the lower-cased
-- username (known or not); scope 'ip': key = the client address.
create table login_throttle (
  scope text not null check (scope in ('user', 'ip')),
  key text not null check (length(key) between 1 and 128),
  -- attempts not proven successful in the current window (counted before the password check)
  failures integer not null default 0 check (failures >= 0),
  last_failure_at timestamptz,
  locked_until timestamptz,
  primary key (scope, key)
);

create table api_tokens (
  id text primary key check (id ~ '^[0-9a-f]{24}$'),
  user_id uuid not null references users (id) on delete cascade,
  name text not null check (length(name) between 1 and 64),
  secret_hash text not null check (secret_hash ~ '^[0-9a-f]{64}$'),
  read_only boolean not null default false,
  -- narrowing to these cluster ids (null = every cluster the user may use)
  clusters text[],
  created_at timestamptz not null,
  created_by text,
  expires_at timestamptz,
  last_used_at timestamptz,
  last_used_ip text,
  revoked_at timestamptz,
  revoked_reason text
);

create index api_tokens_user on api_tokens (user_id);
create unique index api_tokens_live_name on api_tokens (user_id, lower(name)) where revoked_at is null;
