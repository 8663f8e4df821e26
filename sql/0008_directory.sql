-- Directory login (app/directory/): LDAP / Active Directory servers, group → role and
-- group → cluster mappings, and the users they provision.
--
-- Guarantees: the bind password is sealed (app/secrets) like ND credentials; a directory user's
-- password is never stored (password_hash stays null, so a local password login is impossible);
-- roles and cluster access of a directory user are replaced from the group mappings at every
-- login, so a user removed from a group loses what it granted at the next login.
create table directories (
  id uuid primary key default gen_random_uuid(),
  name text not null check (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
  kind text not null check (kind in ('ad', 'ldap')),
  -- ldaps://host[:port] or ldap://host[:port] (StartTLS is then required)
  url text not null check (length(url) <= 2000),
  ca_pem text check (length(ca_pem) <= 65536),
  bind_dn text not null check (length(bind_dn) <= 1000),
  bind_password_sealed text,
  user_base text not null check (length(user_base) <= 1000),
  user_filter text not null check (length(user_filter) <= 1000),
  username_attribute text not null check (username_attribute ~ '^[A-Za-z][A-Za-z0-9-]{0,63}$'),
  -- an account matching this filter is disabled (AD: the ACCOUNTDISABLE bit)
  disabled_filter text check (length(disabled_filter) <= 1000),
  group_base text not null check (length(group_base) <= 1000),
  timeout_ms integer not null default 5000 check (timeout_ms between 500 and 60000),
  position integer not null default 0,
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  created_by text,
  updated_at timestamptz not null default now()
);
create unique index directories_name on directories (lower(name));

create table directory_group_mappings (
  id bigserial primary key,
  directory_id uuid not null references directories (id) on delete cascade,
  group_dn text not null check (length(group_dn) <= 1000),
  role_name text,
  -- cluster names this group gives access to; '*' = all clusters
  clusters text[] not null default '{}',
  check (role_name is not null or cardinality(clusters) > 0)
);
create index directory_group_mappings_directory on directory_group_mappings (directory_id);

alter table users add column source text not null default 'local' check (source in ('local', 'directory'));
alter table users add column directory_id uuid references directories (id) on delete set null;
alter table users add column directory_dn text check (length(directory_dn) <= 1000);
-- when the directory last confirmed the account exists and is enabled
alter table users add column directory_checked_at timestamptz;
alter table users add constraint users_directory_no_password check (source = 'local' or password_hash is null);
