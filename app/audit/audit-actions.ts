/**
 * Every audit action, in one list: the closed vocabulary of the audit log. `recordAudit` takes
 * only these (AuditEventInput.action), so a new kind of event is a line here, with its meaning,
 * and the UI's filters and the SIEM mapping can rely on the list being complete.
 */
export const AUDIT_ACTIONS = {
  // Sign-in and sessions (UI)
  "auth.login": "a sign-in attempt (status ok, failed or denied; a lockout is auth.lockout)",
  "auth.lockout": "a username was locked after too many failed sign-ins",
  "auth.logout": "a browser session was ended by its user",
  "auth.sessions.end_others": "a user ended their other browser sessions",
  // Users, roles, tokens
  "user.create": "a user was created",
  "user.update": "a user's display name or email changed",
  "user.enable": "a disabled user was enabled again",
  "user.disable": "a user was disabled (sessions ended, tokens revoked)",
  "user.delete": "a user was deleted",
  "user.role.grant": "a role was granted to a user (their sessions ended)",
  "user.role.revoke": "a role was revoked from a user (their sessions ended)",
  "user.clusters.set": "the clusters a user may use were set",
  "user.password.change": "a user changed their own password (or failed to: wrong current password)",
  "user.password.reset": "an administrator reset a user's password",
  "role.create": "a role was created",
  "role.update": "a role's permissions or tool profile changed",
  "role.delete": "a role was deleted",
  "token.create": "an API token was created",
  "token.revoke": "an API token was revoked",
  "token.narrow": "a live API token was narrowed (read-only, fewer clusters)",
  // MCP
  "mcp.auth": "an MCP request with a real but unusable credential (revoked, expired, user disabled)",
  "mcp.rate_limit": "an MCP request was refused by the rate limit",
  "mcp.request": "an MCP request was refused before reaching a tool (body too large, not JSON-RPC, …)",
  "mcp.call": "a tool call: its decision, intent (writes) and outcome",
  // Policy
  "settings.edit_mode.on": "edit mode was turned on (optionally until a time)",
  "settings.edit_mode.off": "edit mode was turned off",
  "settings.whitelist.add": "an operation was put on the write whitelist",
  "settings.whitelist.remove": "an operation was taken off the write whitelist",
  "settings.constraint.add": "an argument constraint was added",
  "settings.constraint.remove": "an argument constraint was removed",
  "settings.approval_rule.add": "operations matching a pattern now need a human approval",
  "settings.approval_rule.remove": "an approval rule was removed",
  "settings.profile.save": "a tool profile was created or changed",
  "settings.approvals.update": "approval settings changed (request lifetime, four eyes or self-approval)",
  "tls.renew": "the serving certificate was renewed on request (UI System page)",
  "approval.request": "a call that needs approval was filed for a human decision",
  "approval.approve": "an approver approved a request",
  "approval.deny": "an approver denied a request",
  // Clusters and catalog
  "cluster.create": "a Nexus Dashboard cluster was registered",
  "cluster.update": "a cluster's URL, TLS, credentials or limits changed",
  "cluster.delete": "a cluster was removed",
  "cluster.test": "a cluster's connection was tested",
  "catalog.import": "OpenAPI documents were imported into the catalog",
  // Keys, backup, audit itself
  "keys.rotate": "a new data key was added and every stored secret re-sealed under it",
  "keys.rewrap": "the data keys were re-wrapped under a new key-encryption key",
  "backup.create": "a backup archive was written",
  "backup.restore": "a backup was restored into the database",
  "audit.export": "audit events were exported in bulk",
  "audit.retain": "old audit events were removed (a checkpoint row, written by audit_retain() in SQL)",
  // SIEM forwarding
  "siem.destination.add": "a SIEM destination was added",
  "siem.destination.enable": "a SIEM destination was enabled",
  "siem.destination.disable": "a SIEM destination was disabled",
  "siem.destination.remove": "a SIEM destination was removed",
  "siem.destination.test": "a test event was sent to a SIEM destination",
  "siem.test": "the synthetic event a destination test sends (never stored in the log)",
  // OAuth (MCP clients signing in through the browser)
  "oauth.client.register": "an OAuth client registered itself (dynamic client registration)",
  "oauth.client.revoke": "an OAuth client was revoked",
  "oauth.grant": "a user granted an OAuth client access",
  "oauth.deny": "a user refused an OAuth client access",
  "oauth.token": "an OAuth client exchanged a code or refresh token for an access token",
  "oauth.revoke": "an OAuth grant was revoked",
  "oauth.code_replay": "an authorization code was used twice: the grant was revoked as stolen",
  "oauth.refresh_reuse": "a refresh token was used twice: the grant was revoked as stolen",
  // Directory (LDAP / AD)
  "directory.add": "a directory was configured",
  "directory.remove": "a directory was removed",
  "directory.map": "a directory group was mapped to a role and clusters",
  "directory.unmap": "a group mapping was removed",
  "directory.check": "the periodic check disabled users gone from (or disabled in) the directory",
  // Appliance (recorded by the appliance's own scripts through `bun run cli appliance event`)
  "appliance.console.shell": "someone opened a root shell from the console menu",
  "appliance.console.reboot": "the appliance was rebooted from the console menu",
  "appliance.console.shutdown": "the appliance was shut down from the console menu",
  "appliance.network.change": "the appliance's network settings changed",
  "appliance.names.change": "the appliance's host name or other names changed",
  "appliance.ssh_key.set": "the root SSH key was set",
  "appliance.support_bundle.create": "a support bundle was created",
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, value);
}
