/**
 * Password hashing with argon2id.
 *
 * Guarantees: hashes are PHC strings with a fresh 16-byte salt; parameters are at least OWASP's
 * minimum for argon2id (m = 19 MiB, t = 2, p = 1); `needsRehash` tells login to upgrade a hash
 * made with other parameters; `dummyHash` is a hash of nothing anybody knows, made with the
 * current parameters: login verifies against it for an unknown user, so an unknown user takes as long as a wrong password. Plain
 * passwords never leave this module except into argon2.
 */
import { hash, parseOptions, verify, type Algorithm, type Options } from "@node-rs/argon2";

export interface Argon2Params {
  /** KiB of memory. */
  memoryCost: number;
  /** Passes over memory. */
  timeCost: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet (2024+): argon2id, m=19456 KiB, t=2, p=1. */
export const ARGON2_PARAMS: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** `Algorithm.Argon2id`; the enum is `const` and ambient, which isolated modules cannot read. */
const ARGON2ID = 2 as Algorithm;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a malformed hash (never throws on bad input). */
  verify(storedHash: string, password: string): Promise<boolean>;
  needsRehash(storedHash: string): boolean;
  /** A hash of a random value with the current parameters: verifying against it costs what a real check costs. */
  dummyHash(): Promise<string>;
}

export function createPasswordHasher(params: Argon2Params = ARGON2_PARAMS): PasswordHasher {
  const options: Options = { algorithm: ARGON2ID, ...params };
  let dummy: Promise<string> | undefined;
  const hasher: PasswordHasher = {
    hash: (password) => hash(password, options),
    async verify(storedHash, password) {
      try {
        return await verify(storedHash, password);
      } catch {
        return false;
      }
    },
    needsRehash(storedHash) {
      try {
        const p = parseOptions(storedHash);
        return (
          p.algorithm !== ARGON2ID ||
          p.memoryCost !== params.memoryCost ||
          p.timeCost !== params.timeCost ||
          p.parallelism !== params.parallelism
        );
      } catch {
        return true;
      }
    },
    dummyHash() {
      // Made once per hasher with the same parameters as real hashes, so it costs the same.
      dummy ??= hash(crypto.randomUUID(), options);
      return dummy;
    },
  };
  return hasher;
}

/** Pre-computes the dummy hash so the first unknown-user login is not slower than the others. */
export async function warmUp(hasher: PasswordHasher): Promise<void> {
  await hasher.dummyHash();
}

/**
 * A password for someone to type once and then change: 20 characters from an alphabet without
 * look-alikes (about 116 bits), so it passes the policy and survives being read off a console.
 */
export function generatePassword(length = 20): string {
  const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const out: string[] = [];
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % alphabet.length);
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out.push(alphabet[byte % alphabet.length]!);
    }
  }
  return out.join("");
}
