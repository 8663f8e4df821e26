-- Issue 11: GET /metrics may be read with a token whose user has 'metrics:read'. The admin
-- system role holds every permission (SYSTEM_ROLES in app/identity/permissions.ts); its row
-- mirrors that list for display.
update roles set permissions = array_append(permissions, 'metrics:read'), updated_at = now()
where system and name = 'admin' and not ('metrics:read' = any (permissions));
