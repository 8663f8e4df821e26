-- Roles and database of the gateway; run by db-setup as the postgres superuser on every boot.
-- Idempotent: creates what is missing and re-asserts the attributes of what exists.
--   nexus_mcp_owner  LOGIN   owns database nexus_mcp, its public schema and every object (migrations)
--   nexus_mcp_app    NOLOGIN the application's privileges (DML; audit_events INSERT/SELECT only)
--   nexus_mcp        LOGIN   the gateway's connection role, member of nexus_mcp_app
\set ON_ERROR_STOP on
SELECT 'CREATE ROLE nexus_mcp_owner LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nexus_mcp_owner') \gexec
SELECT 'CREATE ROLE nexus_mcp_app NOLOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nexus_mcp_app') \gexec
SELECT 'CREATE ROLE nexus_mcp LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nexus_mcp') \gexec
ALTER ROLE nexus_mcp_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD NULL CONNECTION LIMIT 5;
ALTER ROLE nexus_mcp_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE nexus_mcp LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD NULL CONNECTION LIMIT 30;
GRANT nexus_mcp_app TO nexus_mcp;
SELECT 'CREATE DATABASE nexus_mcp OWNER nexus_mcp_owner ENCODING ''UTF8'' LOCALE ''C.UTF-8'' TEMPLATE template0'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'nexus_mcp') \gexec
ALTER DATABASE nexus_mcp OWNER TO nexus_mcp_owner;
REVOKE ALL ON DATABASE nexus_mcp FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE nexus_mcp TO nexus_mcp_app;
\connect nexus_mcp
ALTER SCHEMA public OWNER TO nexus_mcp_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO nexus_mcp_app;
-- Whatever the owner creates later is usable by the application at once (migrations need no GRANTs);
-- grants.sql takes UPDATE/DELETE on audit_events away again after every migration run.
ALTER DEFAULT PRIVILEGES FOR ROLE nexus_mcp_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO nexus_mcp_app;
ALTER DEFAULT PRIVILEGES FOR ROLE nexus_mcp_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO nexus_mcp_app;
ALTER DEFAULT PRIVILEGES FOR ROLE nexus_mcp_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE nexus_mcp_owner IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO nexus_mcp_app;
