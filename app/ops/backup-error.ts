/** Why a backup or restore stopped; the message says what to do, never includes a secret. */
import { AppError } from "../errors.ts";

export type BackupProblem =
  | "corrupt"
  | "wrong_passphrase"
  | "passphrase_needed"
  | "weak_passphrase"
  | "missing_key"
  | "key_conflict"
  | "schema_mismatch"
  | "busy"
  | "unsupported"
  | "tool_failed";

export class BackupError extends AppError {
  override readonly status = 400;
  override readonly code = "backup";
  constructor(
    readonly problem: BackupProblem,
    message: string,
  ) {
    super(message);
    this.name = "BackupError";
  }
}
