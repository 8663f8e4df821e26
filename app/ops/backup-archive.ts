/**
 * The backup archive: one file holding a PostgreSQL dump (pg_dump custom format) and, when the
 * archive is encrypted, the key-encryption key (KEK) that opens the stored ND credentials.
 *
 * Layout:
 *   "NMG-BACKUP 1\n"
 *   one line of JSON, the header (what was backed up, schema version, key ids; readable without
 *     the passphrase so `backup verify`/`restore` can say what an archive is before opening it)
 *   records: type (1 byte: K key, D dump data, E end) · length (u32 big-endian) · body
 *
 * Guarantees:
 *   - Plain archives never contain the KEK (the writer refuses a K record), only the dump, whose
 *     SHA-256 and length the E record carries: corruption and truncation are detected.
 *   - Encrypted archives: every record body is AES-256-GCM under a key derived from the passphrase
 *     with scrypt (N=2^17, r=8, p=1; fresh 16-byte salt per archive). The nonce is the record's
 *     counter, the associated data is SHA-256(header line) + the record type, so records cannot
 *     be changed, reordered, dropped or moved to another archive, the header cannot be edited,
 *     and an archive without its E record (truncated) is refused. A 16-byte check value in the
 *     header tells a wrong passphrase apart from a damaged archive before any record is read.
 *   - Readers hold at most one record (≤ 1 MiB of data) in memory.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from "node:crypto";
import { createReadStream, type WriteStream } from "node:fs";
import { BackupError } from "./backup-error.ts";

export const MAGIC = "NMG-BACKUP 1\n";
export const FORMAT = 1;
/** Plaintext bytes per D record. */
export const CHUNK = 1024 * 1024;
const MAX_BODY = CHUNK + 64;
const MAX_HEADER = 256 * 1024;
const TAG = 16;
const KDF = { n: 2 ** 17, r: 8, p: 1 } as const;
export const MIN_PASSPHRASE = 12;

export type RecordType = "K" | "D" | "E";

export interface EncryptionInfo {
  cipher: "aes-256-gcm";
  kdf: "scrypt";
  n: number;
  r: number;
  p: number;
  /** base64 */
  salt: string;
  /** base64 of the first 16 bytes of HMAC-SHA256(check key, "nmg-backup check"). */
  check: string;
}

export interface BackupHeader {
  format: number;
  createdAt: string;
  app: { name: string; version: string };
  host: string;
  database: string;
  pgDump: string;
  schema: { version: number; migrations: { version: number; name: string; checksum: string }[] };
  /** Key ids (never keys) of the KEKs the database's data keys are wrapped with, and the active version. */
  keyring: { kekIds: string[]; activeVersion: number };
  /** Whether the archive carries the KEK, and its id. */
  key: { included: boolean; id: string | null };
  encryption: EncryptionInfo | null;
}

export interface EndInfo {
  dumpBytes: number;
  dumpSha256: string;
}

interface Keys {
  data: Buffer;
  check: Buffer;
}

/** scrypt in the thread pool; 64 bytes → a data key and a check key. */
async function deriveKeys(
  passphrase: string,
  salt: Buffer,
  params: { n: number; r: number; p: number },
): Promise<Keys> {
  const out = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      passphrase.normalize("NFC"),
      salt,
      64,
      { N: params.n, r: params.r, p: params.p, maxmem: 256 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
  return { data: out.subarray(0, 32), check: out.subarray(32) };
}

function checkValue(keys: Keys): Buffer {
  return createHmac("sha256", keys.check).update("nmg-backup check").digest().subarray(0, 16);
}

/** Fresh encryption parameters and keys for a new archive. */
export async function newEncryption(passphrase: string): Promise<{ info: EncryptionInfo; key: Buffer }> {
  if (passphrase.length < MIN_PASSPHRASE)
    throw new BackupError("weak_passphrase", `the passphrase must have at least ${MIN_PASSPHRASE} characters`);
  const salt = randomBytes(16);
  const keys = await deriveKeys(passphrase, salt, KDF);
  const info: EncryptionInfo = {
    cipher: "aes-256-gcm",
    kdf: "scrypt",
    ...KDF,
    salt: salt.toString("base64"),
    check: checkValue(keys).toString("base64"),
  };
  return { info, key: keys.data };
}

/** The data key of an existing archive; a wrong passphrase is named as such. */
export async function openEncryption(info: EncryptionInfo, passphrase: string): Promise<Buffer> {
  if (info.cipher !== "aes-256-gcm" || info.kdf !== "scrypt" || info.n > 2 ** 20 || info.r > 32 || info.p > 16) {
    throw new BackupError("corrupt", "the archive names an encryption this version does not support");
  }
  const keys = await deriveKeys(passphrase, Buffer.from(info.salt, "base64"), info);
  const expected = Buffer.from(info.check, "base64");
  const actual = checkValue(keys);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new BackupError("wrong_passphrase", "wrong passphrase: it does not open this backup (nothing was changed)");
  }
  return keys.data;
}

function nonce(counter: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(counter), 4);
  return n;
}

function aad(headerHash: Buffer, type: RecordType): Buffer {
  return Buffer.concat([headerHash, Buffer.from(type, "latin1")]);
}

/** Writes an archive to a stream; the caller renames the file into place only after finish(). */
export class ArchiveWriter {
  readonly #out: WriteStream;
  readonly #key: Buffer | undefined;
  readonly #headerHash: Buffer;
  readonly #hash = createHash("sha256");
  #counter = 0;
  #dumpBytes = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  private constructor(out: WriteStream, headerLine: string, key: Buffer | undefined) {
    this.#out = out;
    this.#key = key;
    this.#headerHash = createHash("sha256").update(headerLine).digest();
  }

  static async start(out: WriteStream, header: BackupHeader, key: Buffer | undefined): Promise<ArchiveWriter> {
    if ((header.encryption === null) !== (key === undefined)) throw new Error("encryption info and key go together");
    const headerLine = JSON.stringify(header);
    const writer = new ArchiveWriter(out, headerLine, key);
    await writer.#write(Buffer.from(`${MAGIC}${headerLine}\n`, "utf8"));
    return writer;
  }

  /** The KEK (its base64 text); encrypted archives only. */
  async writeKey(keyText: string): Promise<void> {
    if (!this.#key) throw new Error("a plain archive never carries the key");
    await this.#record("K", Buffer.from(keyText, "utf8"));
  }

  /** Dump bytes, in any pieces; buffered into CHUNK-sized records. */
  async writeDump(piece: Uint8Array): Promise<void> {
    this.#hash.update(piece);
    this.#dumpBytes += piece.length;
    this.#pending.push(Buffer.from(piece));
    this.#pendingBytes += piece.length;
    while (this.#pendingBytes >= CHUNK) {
      const all = Buffer.concat(this.#pending);
      await this.#record("D", all.subarray(0, CHUNK));
      this.#pending = [all.subarray(CHUNK)];
      this.#pendingBytes = all.length - CHUNK;
    }
  }

  async finish(): Promise<EndInfo> {
    if (this.#pendingBytes > 0) await this.#record("D", Buffer.concat(this.#pending));
    this.#pending = [];
    this.#pendingBytes = 0;
    const end: EndInfo = { dumpBytes: this.#dumpBytes, dumpSha256: this.#hash.digest("hex") };
    await this.#record("E", Buffer.from(JSON.stringify(end), "utf8"));
    await new Promise<void>((resolve, reject) =>
      this.#out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    return end;
  }

  async #record(type: RecordType, data: Buffer): Promise<void> {
    let body = data;
    if (this.#key) {
      const cipher = createCipheriv("aes-256-gcm", this.#key, nonce(this.#counter)).setAAD(aad(this.#headerHash, type));
      body = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
    }
    this.#counter++;
    const head = Buffer.alloc(5);
    head.write(type, 0, "latin1");
    head.writeUInt32BE(body.length, 1);
    await this.#write(head);
    await this.#write(body);
  }

  #write(buf: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#out.write(buf, (err) => (err ? reject(err) : resolve()));
    });
  }
}

/** Sequential reads of exact byte counts from a file, one chunk in memory at a time. */
class ByteReader {
  readonly #iter: AsyncIterator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(path: string) {
    this.#iter = createReadStream(path, { highWaterMark: 256 * 1024 })[Symbol.asyncIterator]();
  }

  async #fill(n: number): Promise<void> {
    while (this.#buf.length < n && !this.#done) {
      const next = await this.#iter.next();
      if (next.done) this.#done = true;
      else this.#buf = this.#buf.length ? Buffer.concat([this.#buf, next.value]) : next.value;
    }
  }

  /** Exactly n bytes, or undefined at a clean end of file before the first byte. */
  async read(n: number): Promise<Buffer | undefined> {
    await this.#fill(n);
    if (this.#buf.length === 0 && this.#done) return undefined;
    if (this.#buf.length < n) throw truncated();
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  async line(max: number): Promise<string> {
    for (;;) {
      const at = this.#buf.indexOf(0x0a);
      if (at >= 0) {
        const text = this.#buf.subarray(0, at).toString("utf8");
        this.#buf = this.#buf.subarray(at + 1);
        return text;
      }
      if (this.#buf.length > max || this.#done) throw notAnArchive();
      await this.#fill(this.#buf.length + 1);
    }
  }

  async atEnd(): Promise<boolean> {
    await this.#fill(1);
    return this.#buf.length === 0 && this.#done;
  }

  async close(): Promise<void> {
    await this.#iter.return?.();
  }
}

function truncated(): BackupError {
  return new BackupError(
    "corrupt",
    "the backup file is truncated (it ends before its last record); it cannot be restored",
  );
}

function notAnArchive(): BackupError {
  return new BackupError("corrupt", "not a Nexus MCP Gateway backup (or its header is damaged)");
}

export interface ScanResult {
  /** The KEK text from the archive, when it carries one. */
  keyText: string | undefined;
  end: EndInfo;
}

/** The header of an archive, without reading further. */
export async function readHeader(path: string): Promise<{ header: BackupHeader; headerLine: string }> {
  const reader = new ByteReader(path);
  try {
    return await readPrelude(reader);
  } finally {
    await reader.close();
  }
}

async function readPrelude(reader: ByteReader): Promise<{ header: BackupHeader; headerLine: string }> {
  const magic = await reader.read(MAGIC.length).catch(() => undefined);
  if (!magic || magic.toString("latin1") !== MAGIC) throw notAnArchive();
  const headerLine = await reader.line(MAX_HEADER);
  let header: BackupHeader;
  try {
    header = JSON.parse(headerLine) as BackupHeader;
  } catch {
    throw notAnArchive();
  }
  if (header?.format !== FORMAT)
    throw new BackupError(
      "corrupt",
      `backup format ${String(header?.format)} is not supported by this version (it reads format ${FORMAT})`,
    );
  if (
    typeof header.schema?.version !== "number" ||
    !Array.isArray(header.keyring?.kekIds) ||
    typeof header.key?.included !== "boolean"
  )
    throw notAnArchive();
  return { header, headerLine };
}

/**
 * Reads every record, checking authenticity (encrypted) and the dump's length and SHA-256.
 * `onDump` receives the dump bytes in order; it is awaited (back-pressure). Throws BackupError
 * ("corrupt") on any damage; the caller must treat data already passed to onDump as untrusted
 * until this returns.
 */
export async function scanArchive(
  path: string,
  dataKey: Buffer | undefined,
  onDump?: (piece: Buffer) => Promise<void> | void,
): Promise<ScanResult> {
  const reader = new ByteReader(path);
  try {
    const { header, headerLine } = await readPrelude(reader);
    if ((header.encryption !== null) !== (dataKey !== undefined))
      throw new Error("scanArchive: the data key must match the archive's encryption");
    const headerHash = createHash("sha256").update(headerLine).digest();
    const hash = createHash("sha256");
    let bytes = 0;
    let keyText: string | undefined;
    for (let counter = 0; ; counter++) {
      const head = await reader.read(5);
      if (!head) throw truncated();
      const type = head.toString("latin1", 0, 1) as RecordType;
      const length = head.readUInt32BE(1);
      if (!["K", "D", "E"].includes(type) || length > MAX_BODY)
        throw new BackupError("corrupt", "the backup file is damaged (an unknown record); it cannot be restored");
      const body = (await reader.read(length)) ?? Buffer.alloc(0);
      if (body.length !== length) throw truncated();
      const data = dataKey ? decrypt(dataKey, counter, headerHash, type, body) : body;
      if (type === "K") {
        if (!dataKey || counter !== 0)
          throw new BackupError("corrupt", "the backup file is damaged (a key record where none may be)");
        keyText = data.toString("utf8");
      } else if (type === "D") {
        hash.update(data);
        bytes += data.length;
        if (onDump) await onDump(data);
      } else {
        const end = parseEnd(data);
        if (end.dumpBytes !== bytes || end.dumpSha256 !== hash.digest("hex")) {
          throw new BackupError(
            "corrupt",
            "the backup file is damaged (the database dump does not match its checksum); it cannot be restored",
          );
        }
        if (!(await reader.atEnd()))
          throw new BackupError("corrupt", "the backup file has extra data after its end; it cannot be trusted");
        if (header.key.included && keyText === undefined)
          throw new BackupError("corrupt", "the backup file says it carries the key, but it does not");
        return { keyText, end };
      }
    }
  } finally {
    await reader.close();
  }
}

function decrypt(key: Buffer, counter: number, headerHash: Buffer, type: RecordType, body: Buffer): Buffer {
  if (body.length < TAG) throw new BackupError("corrupt", "the backup file is damaged (a record is too short)");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, nonce(counter)).setAAD(aad(headerHash, type));
    decipher.setAuthTag(body.subarray(body.length - TAG));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG)), decipher.final()]);
  } catch {
    throw new BackupError(
      "corrupt",
      `the backup file is damaged or was altered (record ${counter + 1} fails authentication); it cannot be restored`,
    );
  }
}

function parseEnd(data: Buffer): EndInfo {
  try {
    const end = JSON.parse(data.toString("utf8")) as EndInfo;
    if (typeof end.dumpBytes === "number" && typeof end.dumpSha256 === "string") return end;
  } catch {
    // fall through
  }
  throw new BackupError("corrupt", "the backup file is damaged (its end record is unreadable)");
}
