/**
 * Who is acting. A browser session, an API token, the legacy shared token or the CLI resolves
 * to one Principal of one active user. The guard, the UI and the MCP layer only see this.
 */
import type { Permission } from "./permissions.ts";

export interface TokenNarrowing {
  id: string;
  name: string;
  readOnly: boolean;
  /** null = every cluster the user may use. */
  clusters: string[] | null;
  /** "oauth" for a token issued to an OAuth client (issue 14); absent = an API token. */
  kind?: "api" | "oauth";
  /** OAuth only: the resource (RFC 8707 audience) the token is bound to. */
  audience?: string;
}

export interface Principal {
  userId: string;
  username: string;
  active: boolean;
  roles: string[];
  permissions: ReadonlySet<Permission>;
  /** "all" or the cluster ids this user may use. */
  clusterAccess: "all" | string[];
  /** Tool profile name from the user's roles (MCP surface), null = default. */
  toolProfile: string | null;
  via: "session" | "token" | "legacy-token" | "cli" | "system";
  token?: TokenNarrowing;
  sessionId?: string;
  /** Set after a generated or reset password: a browser session may only change the password. */
  mustChangePassword?: boolean;
}
