/**
 * The password policy: at least 12 characters, at most 256, not the username, not on the list
 * of common passwords. Messages name the rule that failed, never the password.
 */
import { Invalid } from "../errors.ts";
import { isCommonPassword } from "./common-passwords.ts";

export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase; short enough that nobody feeds argon2 megabytes. */
export const MAX_PASSWORD_LENGTH = 256;

/** Every rule the password breaks (empty = acceptable). Length counts characters, not bytes. */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  if (password.trim().toLowerCase() === username.trim().toLowerCase()) problems.push("must not be the username");
  else if (isCommonPassword(password)) problems.push("is too common (it appears in lists of leaked passwords)");
  return problems;
}

export function assertPasswordAcceptable(password: string, username: string): void {
  const problems = passwordProblems(password, username);
  if (problems.length) throw new Invalid(`password ${problems.join("; ")}`);
}
