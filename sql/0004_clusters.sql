-- Sealed secrets and the Nexus Dashboard cluster registry.
--
-- secret_keys holds the keyring's data keys, each wrapped (AES-256-GCM) by the key-encryption
-- key, which never enters the database (ENCRYPTION_KEY or DATA_DIR/encryption.key); see
-- app/secrets/keyring.ts. The highest version is the active one. Rows are never deleted: a
-- backup taken before a rotation still needs its older keys.
create table secret_keys (
  version integer primary key check (version > 0),
  -- nonce || ciphertext || tag of the 32-byte data key, base64
  wrapped text not null,
  -- identifies the key-encryption key that wrapped it (an HMAC of a constant, not the key)
  kek_id text not null check (kek_id ~ '^[0-9a-f]{16}$'),
  created_at timestamptz not null default now(),
  created_by text
);

-- One row per ND cluster. Credentials are sealed (app/secrets/seal.ts) and bound to this row's
-- id and column; username and secret are set together or cleared together (a URL change clears
-- them, so stored credentials are never sent to a new host).
create table clusters (
  id uuid primary key default gen_random_uuid(),
  name text not null check (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
  -- origin only: https://host[:port]
  base_url text not null check (base_url ~ '^https://[^/?#@]+$'),
  auth_mode text not null check (auth_mode in ('password', 'api_key')),
  username text,
  login_domain text not null default 'DefaultAuth' check (length(login_domain) between 1 and 128),
  -- the sealed password (auth_mode password) or API key (api_key)
  secret_sealed text,
  -- bumped whenever the credentials change or are cleared; part of the ND session cache key
  credential_version integer not null default 1,
  -- bumped on every edit; cached clients built from an older revision are discarded
  revision integer not null default 1,
  tls_verify boolean not null default true,
  ca_pem text check (ca_pem is null or length(ca_pem) <= 262144),
  timeout_ms integer not null default 60000 check (timeout_ms between 100 and 600000),
  max_concurrency integer not null default 4 check (max_concurrency between 1 and 64),
  nd_version text,
  last_test_at timestamptz,
  last_test_ok boolean,
  last_test_error text,
  created_at timestamptz not null default now(),
  created_by text,
  updated_at timestamptz not null default now(),
  updated_by text,
  check ((username is null) = (secret_sealed is null)),
  -- a CA bundle only means something when certificates are verified
  check (tls_verify or ca_pem is null)
);

create unique index clusters_name_key on clusters (lower(name));
