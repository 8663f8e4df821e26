/**
 * Why a sealed secret could not be opened or sealed. The message is safe to show (it names a key
 * version and the fix, never key material or plaintext); callers prefix what the secret belongs
 * to ("cannot open the stored credentials of cluster X: …").
 */
import { AppError } from "../errors.ts";

export type SecretFailure =
  /** The data key of this version cannot be unwrapped with the configured key-encryption key. */
  | "key_mismatch"
  /** The sealed value names a key version the keyring does not have. */
  | "unknown_version"
  /** Authentication failed under the right key: altered, or copied from another row/column. */
  | "tampered"
  /** Not a sealed value at all. */
  | "malformed";

const RESTORE = "restore ENCRYPTION_KEY (or DATA_DIR/encryption.key) and the database from the same backup";

export class SecretUnavailable extends AppError {
  override readonly status = 500;
  override readonly code = "secret_unavailable";

  constructor(
    readonly failure: SecretFailure,
    readonly keyVersion: number | undefined,
    message = describeFailure(failure, keyVersion),
  ) {
    super(message);
    this.name = "SecretUnavailable";
  }

  /** The same failure, its message prefixed with what the secret belongs to. */
  about(owner: string): SecretUnavailable {
    return new SecretUnavailable(this.failure, this.keyVersion, `${owner}: ${this.message}`);
  }
}

export function describeFailure(failure: SecretFailure, version: number | undefined): string {
  const v = version === undefined ? "" : ` (key version ${version})`;
  switch (failure) {
    case "key_mismatch":
      return `the encryption key does not match${v} — ${RESTORE}`;
    case "unknown_version":
      return `the keyring has no such key${v} — ${RESTORE}`;
    case "tampered":
      return `the sealed value was altered or does not belong here${v}; enter the secret again`;
    case "malformed":
      return "the stored value is not a sealed secret; enter the secret again";
  }
}
