-- Re-asserted by nexus-mcp-migrate.service after every migration run, as the owner
-- (nexus_mcp_owner). Guarantees: the application role can read and write the application's
-- tables, but can only INSERT and SELECT audit events — never UPDATE, DELETE or TRUNCATE them —
-- whatever a migration granted. Retention goes through audit_retain(days), SECURITY DEFINER.
\set ON_ERROR_STOP on
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO nexus_mcp_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO nexus_mcp_app;
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM nexus_mcp_app, PUBLIC;
-- The application role never runs DDL: the gateway starts with MIGRATE_ON_START=false and only
-- checks that the schema is current; migrations run as the owner (nexus-mcp-migrate.service).
-- Revoked explicitly so that a database from an older image (which granted it) loses it too.
REVOKE CREATE ON SCHEMA public FROM nexus_mcp_app, nexus_mcp, PUBLIC;
DO $$
BEGIN
  IF to_regclass('public.audit_events') IS NOT NULL THEN
    REVOKE ALL ON public.audit_events FROM PUBLIC;
    REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_events FROM nexus_mcp_app, nexus_mcp;
    GRANT SELECT, INSERT ON public.audit_events TO nexus_mcp_app;
  END IF;
  -- The chain head moves only through audit_seal() (SECURITY DEFINER, owned by the owner role).
  IF to_regclass('public.audit_chain_head') IS NOT NULL THEN
    REVOKE ALL ON public.audit_chain_head FROM PUBLIC;
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON public.audit_chain_head FROM nexus_mcp_app, nexus_mcp;
    GRANT SELECT ON public.audit_chain_head TO nexus_mcp_app;
  END IF;
  IF to_regclass('public.schema_migrations') IS NOT NULL THEN
    REVOKE INSERT, UPDATE, DELETE ON public.schema_migrations FROM nexus_mcp_app;
  END IF;
END $$;
