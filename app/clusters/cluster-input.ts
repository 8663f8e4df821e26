/**
 * Validation of what an administrator enters for a cluster. Every check names the field and the
 * fix; nothing here touches the network (the URL policy does, in cluster-url-policy.ts).
 */
import { X509Certificate } from "node:crypto";
import { Invalid } from "../errors.ts";
import type { CredentialsInput } from "./cluster.ts";
import { DEFAULT_LOGIN_DOMAIN } from "./nd-credentials.ts";

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CONCURRENCY = 4;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_SECRET = 4096;

export function checkName(name: string): string {
  const trimmed = name.trim();
  if (!NAME.test(trimmed))
    throw new Invalid("cluster name: 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit");
  return trimmed;
}

export function checkTimeout(ms: number | undefined): number {
  const value = ms ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(value) || value < 100 || value > 600_000)
    throw new Invalid("timeout: from 100 ms to 10 minutes");
  return value;
}

export function checkMaxConcurrency(n: number | undefined): number {
  const value = n ?? DEFAULT_MAX_CONCURRENCY;
  if (!Number.isInteger(value) || value < 1 || value > 64)
    throw new Invalid("max concurrency: a whole number from 1 to 64");
  return value;
}

export function checkLoginDomain(domain: string | undefined): string {
  const value = (domain ?? DEFAULT_LOGIN_DOMAIN).trim();
  if (value === "" || value.length > 128 || /[\u0000-\u001f\u007f]/.test(value))
    throw new Invalid("login domain: 1–128 printable characters (default DefaultAuth)");
  return value;
}

export function checkCredentials(input: CredentialsInput): CredentialsInput {
  const username = input.username?.trim() ?? "";
  if (username === "" || username.length > 256 || /[\u0000-\u001f\u007f]/.test(username))
    throw new Invalid("user: 1–256 printable characters");
  const secret = input.mode === "password" ? input.password : input.apiKey;
  const what = input.mode === "password" ? "password" : "API key";
  if (typeof secret !== "string" || secret.length === 0) throw new Invalid(`${what}: empty`);
  if (secret.length > MAX_SECRET || /[\u0000-\u0008\u000a-\u001f\u007f]/.test(secret))
    throw new Invalid(`${what}: at most ${MAX_SECRET} characters, no line breaks or control characters`);
  if (input.mode === "password")
    return { mode: "password", username, password: input.password, domain: checkLoginDomain(input.domain) };
  if (/\s/.test(input.apiKey)) throw new Invalid("API key: must not contain spaces");
  return { mode: "api_key", username, apiKey: input.apiKey };
}

/** A PEM bundle of one or more CA certificates; private keys are refused (wrong file). */
export function checkCaPem(pem: string | null | undefined): string | null {
  if (pem === null || pem === undefined || pem.trim() === "") return null;
  if (/PRIVATE KEY/.test(pem))
    throw new Invalid("CA bundle: this file contains a private key; give the CA certificate(s) only");
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Invalid("CA bundle: no PEM certificate (-----BEGIN CERTIFICATE-----) found");
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      throw new Invalid(`CA bundle: certificate ${i + 1} cannot be parsed`);
    }
  }
  return `${blocks.join("\n")}\n`;
}

/** Trimmed secret read from a file or stdin: one trailing newline is not part of it. */
export function secretFromText(text: string): string {
  return text.replace(/\r?\n$/, "");
}
