-- Catalog of Nexus Dashboard operations imported from OpenAPI 3 documents.
--
-- A source is one ND API (manage, analyze, infra, onemanage, orchestrator, …); its name is the
-- prefix of every operation id. Each import that changes a document adds a version; exactly one
-- version per source is active (normally the latest). Re-importing identical bytes adds nothing.
-- Operations belong to a version and carry everything needed to describe, authorise and call
-- them (resolved parameters, body/response schemas, risk class); the component schemas those
-- reach are stored once per version in catalog_schemas. Nothing ever needs the source document
-- again.

create table catalog_sources (
  name text primary key check (name ~ '^[a-z0-9_-]{1,32}$'),
  created_at timestamptz not null default now()
);

create table catalog_versions (
  id integer generated always as identity primary key,
  source text not null references catalog_sources (name),
  version integer not null check (version > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  -- where the bytes came from: a directory or file on the appliance, a browser upload, a cluster
  origin text not null check (origin in ('directory', 'file', 'upload', 'cluster')),
  origin_detail text not null,
  file_name text not null,
  title text not null,
  api_version text not null,
  openapi text not null,
  base_path text not null,
  operation_count integer not null check (operation_count >= 0),
  warnings jsonb not null default '[]',
  active boolean not null default false,
  imported_at timestamptz not null default now(),
  imported_by text,
  unique (source, version)
);

create unique index catalog_versions_one_active on catalog_versions (source) where active;

create table catalog_operations (
  version_id integer not null references catalog_versions (id) on delete cascade,
  -- MCP tool-name safe: [A-Za-z0-9_.-], at most 64 characters
  id text not null check (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
  api text not null,
  -- exactly as in the document (may contain spaces); used for routing
  operation_id text not null,
  method text not null check (method in ('GET', 'POST', 'PUT', 'DELETE', 'PATCH')),
  path text not null,
  summary text not null,
  summary_synthesized boolean not null,
  description text not null,
  tags text[] not null,
  scopes text[] not null,
  risk text not null check (risk in ('read', 'sensitive-read', 'write', 'destructive')),
  risk_reason text not null,
  idempotent boolean not null,
  parameters jsonb not null,
  request_body jsonb,
  response jsonb,
  -- `$ref`s (into catalog_schemas of the same version) reachable from request_body and response
  schema_refs text[] not null,
  secret_fields text[] not null,
  primary key (version_id, id),
  unique (version_id, operation_id)
);

create index catalog_operations_by_id on catalog_operations (id);

-- Component schemas of a version, stored once and shared by its operations: Orchestrator
-- operations reach the same 220 KB template schema a hundred times over.
create table catalog_schemas (
  version_id integer not null references catalog_versions (id) on delete cascade,
  ref text not null,
  schema jsonb not null,
  primary key (version_id, ref)
);

-- The active catalog, one row per operation id. When two active sources define the same id
-- (our multi-API core document and Cisco's document for that API), the document dedicated to
-- the operation's API wins, then the newer import.
create view catalog_active_operations as
  select distinct on (o.id) o.*, v.source
  from catalog_operations o
  join catalog_versions v on v.id = o.version_id and v.active
  order by o.id, (v.source = o.api) desc, v.id desc;
