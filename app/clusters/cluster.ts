/** A registered ND cluster as the rest of the app sees it: everything except the secret. */

export type AuthMode = "password" | "api_key";

export interface Cluster {
  id: string;
  name: string;
  /** https://host[:port] */
  baseUrl: string;
  authMode: AuthMode;
  /** null when no credentials are stored (e.g. cleared by a URL change). */
  username: string | null;
  loginDomain: string;
  hasCredentials: boolean;
  credentialVersion: number;
  revision: number;
  tlsVerify: boolean;
  /** The cluster's own CA bundle (PEM); null = the system trust store. */
  caPem: string | null;
  timeoutMs: number;
  maxConcurrency: number;
  ndVersion: string | null;
  lastTestAt: Date | null;
  lastTestOk: boolean | null;
  lastTestError: string | null;
  createdAt: Date;
  createdBy: string | null;
  updatedAt: Date;
  updatedBy: string | null;
}

/** Credentials as an administrator enters them (plaintext, in memory only). */
export type CredentialsInput =
  | { mode: "password"; username: string; password: string; domain?: string }
  | { mode: "api_key"; username: string; apiKey: string };

export interface NewCluster {
  name: string;
  url: string;
  credentials: CredentialsInput;
  /** Verify TLS (default true) with an optional CA bundle; verify=false is the flagged insecure mode. */
  tls?: { verify?: boolean; caPem?: string | null };
  timeoutMs?: number;
  maxConcurrency?: number;
}

export interface ClusterChanges {
  name?: string;
  url?: string;
  credentials?: CredentialsInput;
  /** Password mode: change only the login domain, keeping the stored password. */
  loginDomain?: string;
  tls?: { verify?: boolean; caPem?: string | null };
  timeoutMs?: number;
  maxConcurrency?: number;
}

export function isInsecure(cluster: Pick<Cluster, "tlsVerify">): boolean {
  return !cluster.tlsVerify;
}
