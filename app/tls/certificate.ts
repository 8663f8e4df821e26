/**
 * The listeners' TLS certificate.
 *
 * Guarantees: an admin-provided certificate/key/chain is used as is and never written to; a
 * generated one lives in DATA_DIR/tls (key mode 0600), is reused across restarts, and is
 * replaced when it expires within the renewal window or no longer covers the configured names.
 * Corrupt or mismatched files stop the start with a one-line error naming the fix.
 *
 * Generated keys are ECDSA P-256 (see docs/decisions.md): every client we serve supports it,
 * handshakes are cheaper than RSA 4096, and generation takes milliseconds instead of seconds.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname, networkInterfaces } from "node:os";
import { join } from "node:path";
import { isIP } from "node:net";
import { generate } from "selfsigned";
import { StartupError, errorMessage } from "../errors.ts";

export interface TlsSettings {
  dataDir: string;
  certFile?: string;
  keyFile?: string;
  chainFile?: string;
  sans: string[];
  extraNames: string[];
  commonName: string;
  organization: string;
  validityDays: number;
  renewDays: number;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  sans: string[];
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
}

export interface TlsMaterial {
  cert: string;
  key: string;
  source: "provided" | "generated";
  certPath: string;
  info: CertificateInfo;
}

export function generatedPaths(dataDir: string) {
  const dir = join(dataDir, "tls");
  return { dir, cert: join(dir, "server.crt"), key: join(dir, "server.key") };
}

/** The names a generated certificate should cover. */
export function desiredSans(settings: Pick<TlsSettings, "sans" | "extraNames">): string[] {
  const base = settings.sans.length ? settings.sans : defaultSans();
  return [...new Set([...base, ...settings.extraNames])];
}

function defaultSans(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !a.address.toLowerCase().startsWith("fe80:"))
    .map((a) => a!.address);
  return [hostname(), "localhost", "127.0.0.1", "::1", ...addresses];
}

export function describeCertificate(pem: string): CertificateInfo {
  const x = new X509Certificate(pem);
  const sans = (x.subjectAltName ?? "")
    .split(", ")
    .filter(Boolean)
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ""));
  return {
    subject: x.subject.replace(/\n/g, ", "),
    issuer: x.issuer.replace(/\n/g, ", "),
    sans,
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    fingerprint256: x.fingerprint256,
  };
}

function readPem(path: string, what: string, key: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new StartupError(`${what} ${path} cannot be read; check ${key} and the file's permissions`);
  }
}

/** Parses and cross-checks certificate and key; throws a StartupError naming the fix. */
function validatePair(cert: string, key: string, where: string, fix: string): CertificateInfo {
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
  } catch (err) {
    throw new StartupError(`certificate ${where} is not a valid PEM certificate (${errorMessage(err)}); ${fix}`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new StartupError(`private key for ${where} is not a valid unencrypted PEM key; ${fix}`);
  }
  if (!x.checkPrivateKey(privateKey))
    throw new StartupError(`certificate ${where} does not match its private key; ${fix}`);
  return describeCertificate(cert);
}

function loadProvided(s: TlsSettings): TlsMaterial {
  const certPem = readPem(s.certFile!, "certificate", "TLS_CERT_FILE");
  const key = readPem(s.keyFile!, "private key", "TLS_KEY_FILE");
  const chain = s.chainFile ? readPem(s.chainFile, "chain", "TLS_CHAIN_FILE") : "";
  const info = validatePair(certPem, key, s.certFile!, "install a matching certificate and key");
  const cert = chain ? `${certPem.trimEnd()}\n${chain.trim()}\n` : certPem;
  return { cert, key, source: "provided", certPath: s.certFile!, info };
}

export type RenewReason = "missing" | "expiring" | "names-changed" | "forced";

/** Why a generated certificate needs replacing, or null when it is fine. */
export function renewalReason(
  info: CertificateInfo | null,
  s: TlsSettings,
  now: Date,
  force = false,
): RenewReason | null {
  if (force) return "forced";
  if (!info) return "missing";
  if (info.notAfter.getTime() - now.getTime() <= s.renewDays * 86_400_000) return "expiring";
  const have = new Set(info.sans.map(normaliseName));
  if (desiredSans(s).some((n) => !have.has(normaliseName(n)))) return "names-changed";
  return null;
}

/** IPv6 addresses compared in canonical form (X509 prints `0:0:0:0:0:0:0:1` for `::1`). */
function normaliseName(name: string): string {
  return isIP(name) === 6 ? new URL(`http://[${name}]`).hostname : name.toLowerCase();
}

function readGenerated(s: TlsSettings): { cert: string; key: string; info: CertificateInfo } | null {
  const p = generatedPaths(s.dataDir);
  const haveCert = existsSync(p.cert);
  const haveKey = existsSync(p.key);
  if (!haveCert && !haveKey) return null;
  const fix = `delete ${p.dir} to generate a new certificate`;
  if (!haveCert || !haveKey) throw new StartupError(`${haveCert ? p.key : p.cert} is missing; ${fix}`);
  const cert = readFileSync(p.cert, "utf8");
  const key = readFileSync(p.key, "utf8");
  return { cert, key, info: validatePair(cert, key, p.cert, fix) };
}

export async function generateCertificate(s: TlsSettings, now = new Date(), validityDays = s.validityDays) {
  const sans = desiredSans(s);
  const notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  const pems = await generate(
    [
      { name: "commonName", value: s.commonName },
      { name: "organizationName", value: s.organization },
    ],
    {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      notBeforeDate: new Date(now.getTime() - 60_000),
      notAfterDate: notAfter,
      extensions: [
        // CA:TRUE lets clients trust this self-signed certificate directly (NODE_EXTRA_CA_CERTS).
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: sans.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })),
        },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private };
}

function writeGenerated(dataDir: string, cert: string, key: string): void {
  const p = generatedPaths(dataDir);
  try {
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    // Write beside, then rename: a crash never leaves a half-written key or a mismatched pair.
    writeFileSync(`${p.key}.new`, key, { mode: 0o600 });
    chmodSync(`${p.key}.new`, 0o600);
    writeFileSync(`${p.cert}.new`, cert, { mode: 0o644 });
    renameSync(`${p.key}.new`, p.key);
    renameSync(`${p.cert}.new`, p.cert);
  } catch (err) {
    throw new StartupError(
      `cannot write the certificate into ${p.dir} (${errorMessage(err)}); make DATA_DIR writable for the gateway user`,
    );
  }
}

export interface EnsureResult {
  material: TlsMaterial;
  renewed: RenewReason | null;
}

/**
 * Returns the certificate to serve, generating or renewing the self-signed one when needed.
 * `validityDays` overrides the configured validity (tests use a short one).
 */
export async function ensureCertificate(
  s: TlsSettings,
  opts: { now?: Date; force?: boolean; validityDays?: number } = {},
): Promise<EnsureResult> {
  if (s.certFile) return { material: loadProvided(s), renewed: null };
  const now = opts.now ?? new Date();
  const current = readGenerated(s);
  const reason = renewalReason(current?.info ?? null, s, now, opts.force);
  if (!reason && current) {
    return { material: { ...current, source: "generated", certPath: generatedPaths(s.dataDir).cert }, renewed: null };
  }
  const fresh = await generateCertificate(s, now, opts.validityDays);
  writeGenerated(s.dataDir, fresh.cert, fresh.key);
  const material: TlsMaterial = {
    cert: fresh.cert,
    key: fresh.key,
    source: "generated",
    certPath: generatedPaths(s.dataDir).cert,
    info: describeCertificate(fresh.cert),
  };
  return { material, renewed: reason };
}

export function tlsSettingsFrom(config: {
  dataDir: string;
  publicHostnames: string[];
  tls: Omit<TlsSettings, "dataDir" | "extraNames">;
}): TlsSettings {
  return { ...config.tls, dataDir: config.dataDir, extraNames: config.publicHostnames };
}
