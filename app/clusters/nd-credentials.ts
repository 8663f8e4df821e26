/** The two ways the gateway authenticates to ND (reference §1). Plaintext lives only in memory. */

export interface PasswordCredentials {
  mode: "password";
  username: string;
  password: string;
  /** ND login domain; `DefaultAuth` = whatever the cluster's default domain is. */
  domain: string;
}

export interface ApiKeyCredentials {
  mode: "api_key";
  username: string;
  apiKey: string;
}

export type NdCredentials = PasswordCredentials | ApiKeyCredentials;

export const DEFAULT_LOGIN_DOMAIN = "DefaultAuth";

export function credentialSecret(credentials: NdCredentials): string {
  return credentials.mode === "password" ? credentials.password : credentials.apiKey;
}
