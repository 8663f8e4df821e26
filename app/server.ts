/**
 * Starting and stopping the whole gateway. Start-up is all or nothing: if any step fails,
 * whatever already started is stopped again before the error propagates (no half-started
 * server). Used by main.ts and by tests that need real HTTPS listeners.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import type { Config } from "./config.ts";
import { openDatabase, type Database } from "./db.ts";
import { StartupError, errorMessage } from "./errors.ts";
import { buildGateway, type Gateway } from "./apps.ts";
import { startListener, type Listener } from "./http/listener.ts";
import type { Logger } from "./log.ts";
import { assertMigrated, migrate } from "./migrate.ts";
import { closeOpenIntents, describeIntent } from "./audit/audit-intents.ts";
import { startServices, type Services } from "./services.ts";
import { ensureCertificate, tlsSettingsFrom, type TlsMaterial } from "./tls/certificate.ts";

export interface RunningServer {
  config: Config;
  db: Database;
  gateway: Gateway;
  services: Services;
  ui: Listener;
  api: Listener;
  tls: TlsMaterial;
  /** Re-reads or renews the certificate; reloads listeners when it changed. */
  refreshCertificate(opts?: { force?: boolean }): Promise<boolean>;
  stop(): Promise<void>;
}

export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new StartupError(
      `DATA_DIR ${dir} is not writable (${errorMessage(err)}); create it and give the gateway user write access`,
    );
  }
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const cleanups: (() => Promise<void>)[] = [];
  const undo = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  };
  try {
    ensureDataDir(config.dataDir);
    const tlsSettings = tlsSettingsFrom(config);
    const cert = await ensureCertificate(tlsSettings);
    if (cert.renewed)
      log.warn({ reason: cert.renewed, notAfter: cert.material.info.notAfter }, "generated a new TLS certificate");
    const db = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolMax: config.dbPoolMax,
      countQueries: config.dbCountQueries,
      connectAttempts: config.dbConnectAttempts,
      onRetry: (attempt, delayMs, reason) =>
        log.warn({ attempt, delayMs, reason }, "database not reachable yet; retrying"),
    });
    cleanups.push(() => db.close());
    log.info(
      { engine: db.engine },
      db.engine === "embedded" ? "using the embedded database engine (PGlite)" : "using PostgreSQL",
    );
    if (config.migrateOnStart) {
      const migrated = await migrate(db.sql);
      if (migrated.applied.length) log.info({ applied: migrated.applied }, "applied migrations");
    } else {
      await assertMigrated(db.sql);
    }

    const open = await closeOpenIntents(db.sql).catch((err) => {
      log.error({ err: errorMessage(err) }, "could not check for writes without a recorded outcome");
      return [];
    });
    for (const intent of open)
      log.warn(
        { intent: intent.id, callId: intent.call_id },
        `write outcome unknown, check Nexus Dashboard: ${describeIntent(intent)}`,
      );

    const services = await startServices(config, db, log);
    cleanups.push(() => services.close());
    let material = cert.material;
    let apiPort = config.apiPort;
    let uiPort = config.uiPort;
    const gateway = buildGateway({
      config,
      db,
      log,
      services,
      startedAt: Date.now(),
      certificateNames: material.info.sans,
      certificate: () => ({
        pem: material.cert,
        fingerprint256: material.info.fingerprint256,
        notAfter: material.info.notAfter.toISOString(),
      }),
      apiPort: () => apiPort,
      uiPort: () => uiPort,
      renewCertificate: () => running.refreshCertificate({ force: true }),
      engine: db.engine,
    });
    cleanups.push(() => gateway.close());
    const ui = startListener({
      name: "ui",
      hostname: config.bindAddress,
      port: config.uiPort,
      portKey: "UI_PORT",
      tls: material,
      handler: gateway.ui,
    });
    cleanups.push(() => ui.stop(0));
    uiPort = Number(new URL(ui.url).port) || config.uiPort;
    const api = startListener({
      name: "api",
      hostname: config.bindAddress,
      port: config.apiPort,
      portKey: "API_PORT",
      tls: material,
      handler: gateway.api,
    });
    cleanups.push(() => api.stop(0));
    apiPort = Number(new URL(api.url).port) || config.apiPort;
    log.info({ ui: ui.url, api: api.url, certificate: material.info.fingerprint256 }, "listening");

    const running: RunningServer = {
      config,
      db,
      gateway,
      services,
      ui,
      api,
      get tls() {
        return material;
      },
      async refreshCertificate(opts = {}) {
        const next = await ensureCertificate(tlsSettings, { force: opts.force });
        if (next.material.cert === material.cert && next.material.key === material.key) return false;
        material = next.material;
        await Promise.all([ui.reloadTls(material), api.reloadTls(material)]);
        log.info(
          { reason: next.renewed ?? "files-changed", notAfter: material.info.notAfter },
          "reloaded TLS certificate",
        );
        return true;
      },
      async stop() {
        // Drain first: no new connections; MCP calls in flight on both transports finish within
        // the grace period; only then are SSE streams closed (they never end on their own) and
        // the listeners' remaining requests given what is left of the grace period.
        const deadline = Date.now() + config.shutdownGraceMs;
        ui.stopAccepting();
        api.stopAccepting();
        const finished = await gateway.drain(deadline);
        if (!finished)
          log.warn(
            { graceMs: config.shutdownGraceMs },
            "MCP calls still running at the end of the grace period were cut; their writes are recorded as unknown",
          );
        const left = Math.max(0, deadline - Date.now());
        await Promise.all([ui.stop(left), api.stop(left)]);
        await services.close();
        await db.close();
      },
    };
    return running;
  } catch (err) {
    await undo();
    throw err;
  }
}
