/**
 * Operational logging (pino, JSON lines). Guarantees: cookies, authorization headers and any
 * field named like a password, token, secret or key are redacted before a line is written.
 * Accountability facts go to the audit log, not here.
 */
import pino, { type Logger } from "pino";

export type { Logger };

const SECRET_FIELDS = [
  "password",
  "passwd",
  "userPasswd",
  "newPassword",
  "token",
  "accessToken",
  "apiKey",
  "apikey",
  "secret",
  "key",
  "privateKey",
  "authorization",
  "cookie",
  "databaseUrl",
  "encryptionKey",
];

/** Redaction paths: the fields themselves, one and two levels down, and HTTP headers. */
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["x-nd-apikey"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "nexus-mcp-gateway" },
      redact: { paths: REDACT_PATHS, censor: "<redacted>" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
