/**
 * Page 10: system. Thin routes: certificate facts from the serving certificate and "renew now"
 * through the server's own refresh (audited here: the server has no caller); key rotation
 * through `rotateKeys` (one transaction, audited); an encrypted backup through `createBackup`
 * into a private temporary file that is streamed and then deleted (audited like the CLI's);
 * database health by a timed round trip; configuration with secrets as set/unset only.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { recordAudit } from "../audit/audit-log.ts";
import type { Config } from "../config.ts";
import { AppError, Invalid } from "../errors.ts";
import { MIN_PASSPHRASE } from "../ops/backup-archive.ts";
import { configuredKey } from "../ops/backup-key.ts";
import { createBackup } from "../ops/backup.ts";
import { rotateKeys } from "../secrets/rotate.ts";
import { SEALED_COLUMNS } from "../secrets/sealed-columns.ts";
import { describeCertificate } from "../tls/certificate.ts";
import { systemPage, type SystemProps } from "../../views/system.ts";
import { redirect } from "./ui-app.ts";
import { get, post, rawField, type SignedInRequest, type UiResult, type UiRoute } from "./ui-route.ts";

const SAVED: Record<string, string> = {
  renewed: "A new certificate is being served.",
  unchanged: "The certificate did not change.",
  rotated: "Keys rotated: every stored secret is now sealed under the new key.",
};

function configSummary(c: Config): SystemProps["config"] {
  const secret = (v: string | undefined) => (v ? "set" : "unset");
  return [
    { key: "DATA_DIR", value: c.dataDir },
    { key: "DATABASE_URL", value: secret(c.databaseUrl) },
    { key: "BIND_ADDRESS", value: c.bindAddress },
    { key: "UI_PORT / API_PORT", value: `${c.uiPort} / ${c.apiPort}` },
    { key: "PUBLIC_HOSTNAMES", value: c.publicHostnames.join(", ") || "—" },
    { key: "TLS_CERT_FILE", value: c.tls.certFile ?? "— (generated)" },
    { key: "TLS_KEY_FILE", value: secret(c.tls.keyFile) },
    { key: "TLS_VALIDITY_DAYS / TLS_RENEW_DAYS", value: `${c.tls.validityDays} / ${c.tls.renewDays}` },
    { key: "ENCRYPTION_KEY", value: secret(c.encryptionKey) },
    { key: "ADMIN_PASSWORD", value: secret(c.adminPassword) },
    { key: "MCP_API_TOKEN", value: secret(c.mcpApiToken) },
    {
      key: "SESSION_IDLE / SESSION_ABSOLUTE",
      value: `${c.sessionIdleMs / 60_000} min / ${c.sessionAbsoluteMs / 3_600_000} h`,
    },
    { key: "LOGIN_MAX_FAILURES / LOGIN_LOCKOUT", value: `${c.loginMaxFailures} / ${c.loginLockoutMs / 60_000} min` },
    { key: "CLUSTER_ALLOWLIST", value: c.clusterAllowlist.join(", ") },
    { key: "CLUSTER_ALLOW_LOOPBACK", value: String(c.clusterAllowLoopback) },
    { key: "MCP_RATE_PER_SEC / MCP_RATE_BURST", value: `${c.mcp.ratePerSec} / ${c.mcp.rateBurst}` },
    { key: "LOG_LEVEL", value: c.logLevel },
  ];
}

async function database(req: SignedInRequest): Promise<SystemProps["database"]> {
  const sql = req.deps.sql;
  const started = performance.now();
  try {
    const [row] = await sql<{ server: string; size: string | null; migrations: number; audit: number }[]>`
      select current_setting('server_version') as server, pg_database_size(current_database())::text as size,
             (select count(*)::int from schema_migrations) as migrations, (select count(*)::int from audit_events) as audit`;
    return {
      engine: req.deps.engine,
      server: row!.server,
      ok: true,
      latencyMs: Math.round(performance.now() - started),
      migrations: row!.migrations,
      sizeBytes: row!.size ? Number(row!.size) : null,
      auditEvents: row!.audit,
    };
  } catch {
    return {
      engine: req.deps.engine,
      server: "—",
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      migrations: 0,
      sizeBytes: null,
      auditEvents: 0,
    };
  }
}

async function sealedValues(req: SignedInRequest): Promise<number> {
  const sql = req.deps.sql;
  let n = 0;
  for (const c of SEALED_COLUMNS) {
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from ${sql(c.table)} where ${sql(c.column)} is not null`.catch(() => [{ n: 0 }]);
    n += row!.n;
  }
  return n;
}

async function page(req: SignedInRequest, message: SystemProps["message"] = null, status = 200): Promise<UiResult> {
  const cert = req.deps.certificate();
  let certificate: SystemProps["certificate"] = null;
  if (cert.pem) {
    const info = describeCertificate(cert.pem);
    certificate = { ...info, generated: !req.deps.config.tls.certFile };
  }
  const k = req.deps.services.keyring.describe();
  const props: SystemProps = {
    csrf: req.session.csrf,
    now: new Date(),
    message,
    certificate,
    keys: {
      activeVersion: k.activeVersion,
      versions: k.versions,
      kekId: k.kekId,
      kekSource: k.kekSource,
      sealedValues: await sealedValues(req),
    },
    version: req.deps.config.version,
    database: await database(req),
    backup: req.deps.config.databaseUrl
      ? { available: true, why: null, minPassphrase: MIN_PASSPHRASE }
      : {
          available: false,
          why: "Backups need PostgreSQL (DATABASE_URL). The embedded demo database is DATA_DIR/pglite: copy that directory while the gateway is stopped.",
          minPassphrase: MIN_PASSPHRASE,
        },
    config: configSummary(req.deps.config),
  };
  return { title: "System", main: systemPage(props), status };
}

/** Streams a file and deletes it once sent (or the download is cancelled). */
function streamThenDelete(path: string): ReadableStream<Uint8Array> {
  const reader = Bun.file(path).stream().getReader();
  const done = () => rmSync(path, { force: true });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done: end } = await reader.read();
      if (end) {
        done();
        controller.close();
      } else controller.enqueue(value);
    },
    async cancel() {
      await reader.cancel();
      done();
    },
  });
}

export function systemRoutes(): UiRoute[] {
  return [
    get("/system", "settings:manage", (req) => {
      const saved = req.url.searchParams.get("saved");
      return page(req, saved && SAVED[saved] ? { kind: "ok", text: SAVED[saved]! } : null);
    }),

    post("/system/certificate/renew", "settings:manage", async (req) => {
      if (req.deps.config.tls.certFile)
        throw new Invalid(
          "this certificate is provided by the administrator (TLS_CERT_FILE); replace that file instead",
        );
      const renewed = await req.deps.renewCertificate();
      const cert = req.deps.certificate();
      await recordAudit(req.deps.sql, {
        action: "tls.renew",
        status: "ok",
        caller: req.session.caller,
        target: { resourceType: "certificate" },
        details: { renewed, fingerprint256: cert.fingerprint256, notAfter: cert.notAfter },
      });
      return redirect(req, `/system?saved=${renewed ? "renewed" : "unchanged"}`);
    }),

    post("/system/keys/rotate", "settings:manage", async (req) => {
      try {
        await rotateKeys(req.deps.sql, req.session.caller, req.deps.services.keyring);
      } catch (err) {
        if (err instanceof AppError) return page(req, { kind: "bad", text: err.message }, err.status);
        return page(
          req,
          {
            kind: "bad",
            text: `Rotation failed and changed nothing: ${err instanceof Error ? err.message : String(err)}`,
          },
          500,
        );
      }
      return redirect(req, "/system?saved=rotated");
    }),

    post("/system/backup", "settings:manage", async (req) => {
      const config = req.deps.config;
      if (!config.databaseUrl)
        throw new Invalid(
          "backups need PostgreSQL (DATABASE_URL); copy DATA_DIR/pglite while the gateway is stopped instead",
        );
      const passphrase = rawField(req.form, "passphrase");
      if (passphrase.length < MIN_PASSPHRASE)
        return page(req, { kind: "bad", text: `the passphrase must have at least ${MIN_PASSPHRASE} characters` }, 400);
      const out = join(config.dataDir, `ui-backup-${randomBytes(8).toString("hex")}.nmgbak`);
      const caller = req.session.caller;
      try {
        const result = await createBackup(req.deps.sql, caller, {
          databaseUrl: config.databaseUrl,
          env: {},
          out,
          passphrase,
          key: configuredKey({ dataDir: config.dataDir, encryptionKey: config.encryptionKey }),
          appVersion: config.version,
          warn: (m: string) => req.deps.log.warn({ requestId: req.requestId }, m),
        });
        await recordAudit(req.deps.sql, {
          action: "backup.create",
          status: "ok",
          caller,
          target: { resourceType: "backup", resourceId: result.header.createdAt },
          details: {
            via: "ui download",
            dumpBytes: result.end.dumpBytes,
            dumpSha256: result.end.dumpSha256,
            schemaVersion: result.header.schema.version,
            encrypted: true,
            keyIncluded: result.header.key.included,
            keyId: result.header.key.id,
          },
        });
      } catch (err) {
        rmSync(out, { force: true });
        const message = err instanceof Error ? err.message : String(err);
        await recordAudit(req.deps.sql, {
          action: "backup.create",
          status: "failed",
          caller,
          target: { resourceType: "backup" },
          error: message,
        });
        return page(req, { kind: "bad", text: `The backup failed: ${message}` }, 500);
      }
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      return new Response(streamThenDelete(out), {
        headers: {
          "content-type": "application/octet-stream",
          "content-disposition": `attachment; filename="nexus-mcp-gateway-${stamp}.nmgbak"`,
          "cache-control": "no-store",
        },
      });
    }),
  ];
}
