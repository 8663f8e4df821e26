/**
 * The only entry point of the gateway process: configuration, start, signals, daily renewal.
 * SIGTERM/SIGINT: graceful stop. SIGHUP: re-read (and if due, renew) the TLS certificate.
 */
import { ConfigError, loadConfig } from "./config.ts";
import { StartupError, errorMessage } from "./errors.ts";
import { createLogger } from "./log.ts";
import { startServer } from "./server.ts";

const DAY_MS = 86_400_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`nexus-mcp-gateway: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let server;
  try {
    server = await startServer(config, log);
  } catch (err) {
    if (err instanceof StartupError) {
      log.fatal(err.message);
      console.error(`nexus-mcp-gateway: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const running = server;

  const refresh = (why: string) =>
    running
      .refreshCertificate()
      .catch((err) =>
        log.error({ why, error: errorMessage(err) }, "certificate refresh failed; keeping the current one"),
      );
  setInterval(() => refresh("daily check"), DAY_MS).unref();
  process.on("SIGHUP", () => refresh("SIGHUP"));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: config.shutdownGraceMs }, "shutting down");
    await running.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

await main();
