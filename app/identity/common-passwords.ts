// The list of common passwords shipped with the product (common-passwords.txt, one per line,
// lower case): well-known entries of leaked-password lists and their usual variations (digits
// and years appended, leetspeak, doubled words, keyboard walks). Read once, on first use.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const FILE = join(import.meta.dir, "common-passwords.txt");
let cached: ReadonlySet<string> | undefined;

export function commonPasswords(): ReadonlySet<string> {
  cached ??= new Set(
    readFileSync(FILE, "utf8")
      .split("\n")
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean),
  );
  return cached;
}

/** Case-insensitive: "Password1234" is as common as "password1234". */
export function isCommonPassword(password: string, list: ReadonlySet<string> = commonPasswords()): boolean {
  return list.has(password.trim().toLowerCase());
}
