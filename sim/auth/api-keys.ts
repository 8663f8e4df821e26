/** API keys accepted in `X-Nd-Username` + `X-Nd-Apikey` (reference §1.6). */
import type { SimApiKey } from "../options.ts";

export class ApiKeyStore {
  /** key → user name */
  private readonly keys = new Map<string, string>();

  constructor(keys: SimApiKey[]) {
    for (const k of keys) this.add(k.userName, k.key);
  }

  add(userName: string, key: string): void {
    this.keys.set(key, userName);
  }

  revoke(key: string): boolean {
    return this.keys.delete(key);
  }

  list(): SimApiKey[] {
    return [...this.keys].map(([key, userName]) => ({ userName, key }));
  }

  /** True only when the key exists and belongs to that user. */
  matches(userName: string, key: string): boolean {
    return this.keys.get(key) === userName;
  }
}
