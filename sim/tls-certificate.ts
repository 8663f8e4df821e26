/**
 * The simulator's TLS identity: a private CA and a server certificate it signs, with SANs
 * localhost, 127.0.0.1 and ::1. Clients verify against the CA PEM (the gateway keeps one CA
 * bundle per cluster and verifies by default). With a cert directory the files are reused across
 * runs, so a registered cluster keeps trusting a restarted simulator; without one they are
 * created once per process in a temporary directory that is removed at exit.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface SimCertificate {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** File holding the CA certificate (what a client should trust). */
  caPath: string;
}

const CA_FILE = "ndsim-ca.pem";
const CERT_FILE = "ndsim-server.pem";
const KEY_FILE = "ndsim-server-key.pem";

let processCertificate: Promise<SimCertificate> | undefined;

export function loadOrCreateCertificate(certDir?: string): Promise<SimCertificate> {
  if (certDir) return fromDirectory(certDir);
  processCertificate ??= fromDirectory(temporaryDirectory());
  return processCertificate;
}

/** Removed when the process exits: the files only need to outlive the servers using them. */
function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), "ndsim-tls-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function fromDirectory(dir: string): Promise<SimCertificate> {
  const paths = { ca: join(dir, CA_FILE), cert: join(dir, CERT_FILE), key: join(dir, KEY_FILE) };
  if (existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key)) {
    return {
      caPem: readFileSync(paths.ca, "utf8"),
      certPem: readFileSync(paths.cert, "utf8"),
      keyPem: readFileSync(paths.key, "utf8"),
      caPath: paths.ca,
    };
  }
  const created = await createCertificate();
  mkdirSync(dir, { recursive: true });
  writeFileSync(paths.ca, created.caPem);
  writeFileSync(paths.cert, created.certPem);
  writeFileSync(paths.key, created.keyPem, { mode: 0o600 });
  return { ...created, caPath: paths.ca };
}

async function createCertificate(): Promise<Omit<SimCertificate, "caPath">> {
  const notAfterDate = new Date(Date.now() + 5 * 365 * 86_400_000);
  const ca = await generate([{ name: "commonName", value: "Nexus Dashboard Simulator CA" }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}
