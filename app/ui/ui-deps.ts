/** What the UI routes receive from the composition root (apps.ts). No globals. */
import type { Config } from "../config.ts";
import type { Sql } from "../identity/db-handle.ts";
import type { Logger } from "../log.ts";
import type { Services } from "../services.ts";
import type { GatewayNames } from "../oauth/oauth-resource.ts";
import type { Assets } from "./assets.ts";

export interface UiDeps {
  sql: Sql;
  config: Config;
  services: Services;
  log: Logger;
  assets: Assets;
  /** The serving certificate (PEM) and its SHA-256 fingerprint, read when asked (it may be renewed). */
  certificate(): { pem: string; fingerprint256: string; notAfter: string };
  /** Port of the API/MCP listener (known only once it is bound). */
  apiPort(): number;
  /** Host names and ports the OAuth authorization endpoint names the gateway by. */
  oauthNames: GatewayNames;
  /** Renews the generated certificate now and serves it; false when nothing changed. */
  renewCertificate(): Promise<boolean>;
  /** "postgres" or "embedded". */
  engine: string;
}
