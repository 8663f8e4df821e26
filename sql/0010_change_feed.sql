-- Change feed for the gateway's in-process caches (app/cache/change-feed.ts): every change to
-- what the MCP call path caches announces itself on channel nmg_changes, payload = table name.
-- PostgreSQL delivers a notification only when its transaction commits (and drops it on
-- rollback), so a node never hears of a change it could not yet read. Statement-level: one
-- notification per statement, and identical ones in a transaction are folded into one.
-- Columns written on every use (api_tokens.last_used_*, users.last_login_at, clusters.last_test_*)
-- are left out of the UPDATE OF lists so routine bookkeeping does not empty the caches.

create function nmg_notify_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('nmg_changes', tg_table_name);
  return null;
end $$;

create trigger users_change_feed after insert or delete or update of username, kind, active, all_clusters, must_change_password
  on users for each statement execute function nmg_notify_change();
create trigger roles_change_feed after insert or update or delete or truncate on roles for each statement execute function nmg_notify_change();
create trigger user_roles_change_feed after insert or update or delete or truncate on user_roles for each statement execute function nmg_notify_change();
create trigger user_clusters_change_feed after insert or update or delete or truncate on user_clusters for each statement execute function nmg_notify_change();
create trigger api_tokens_change_feed after delete or update of user_id, name, secret_hash, read_only, clusters, expires_at, revoked_at
  on api_tokens for each statement execute function nmg_notify_change();
create trigger settings_change_feed after insert or update or delete or truncate on settings for each statement execute function nmg_notify_change();
create trigger operation_whitelist_change_feed after insert or update or delete or truncate on operation_whitelist for each statement execute function nmg_notify_change();
create trigger argument_constraints_change_feed after insert or update or delete or truncate on argument_constraints for each statement execute function nmg_notify_change();
create trigger approval_rules_change_feed after insert or update or delete or truncate on approval_rules for each statement execute function nmg_notify_change();
create trigger tool_profiles_change_feed after insert or update or delete or truncate on tool_profiles for each statement execute function nmg_notify_change();
create trigger catalog_versions_change_feed after insert or update or delete or truncate on catalog_versions for each statement execute function nmg_notify_change();
create trigger clusters_change_feed after insert or delete or update of name, base_url, auth_mode, username, login_domain, secret_sealed,
  credential_version, revision, tls_verify, ca_pem, timeout_ms, max_concurrency, nd_version
  on clusters for each statement execute function nmg_notify_change();
