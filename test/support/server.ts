/**
 * Starts the real gateway in process on real HTTPS ports (port 0 = any free port) against a
 * fresh test database. `fetchUi`/`fetchApi` trust the gateway's own certificate.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../app/config.ts";
import { createLogger, type Logger } from "../../app/log.ts";
import { startServer, type RunningServer } from "../../app/server.ts";
import { freshDatabase, type TestDatabase } from "./db.ts";

export interface TestServer {
  server: RunningServer;
  db: TestDatabase;
  dataDir: string;
  fetchUi(path: string, init?: RequestInit): Promise<Response>;
  fetchApi(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export function testEnv(
  dataDir: string,
  databaseUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    UI_PORT: "0",
    API_PORT: "0",
    BIND_ADDRESS: "127.0.0.1",
    TLS_SANS: "localhost,127.0.0.1",
    LOG_LEVEL: "silent",
    SHUTDOWN_GRACE: "2s",
    ...extra,
  };
}

/** `database`: use this one instead of a fresh clone (reliability tests bring their own cluster). */
export async function startTestServer(
  extra: Record<string, string> = {},
  log?: Logger,
  database?: TestDatabase,
): Promise<TestServer> {
  const db = database ?? (await freshDatabase());
  const dataDir = mkdtempSync(join(tmpdir(), "nmg-srv-"));
  const config = loadConfig(testEnv(dataDir, db.url, extra));
  const server = await startServer(config, log ?? createLogger(config.logLevel));
  const tlsFetch =
    (base: string) =>
    (path: string, init: RequestInit = {}) =>
      fetch(`${base}${path}`, { ...init, tls: { ca: server.tls.cert } } as RequestInit);
  return {
    server,
    db,
    dataDir,
    fetchUi: tlsFetch(server.ui.url),
    fetchApi: tlsFetch(server.api.url),
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
