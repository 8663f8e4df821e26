/**
 * The simulator's user directory and login domains. `local` and `DefaultAuth` check the local
 * users; one remote domain (RADIUS-like) checks the same users while "reachable" and otherwise
 * fails the way ND does when its AAA server cannot be reached.
 */
import type { SimUser } from "../options.ts";

export type LoginOutcome =
  | { kind: "ok"; user: SimUser; userType: "local" | "remote" }
  | { kind: "bad-credentials" }
  | { kind: "unknown-domain" }
  | { kind: "domain-unreachable"; error: string };

export class UserDirectory {
  private readonly users = new Map<string, SimUser>();
  private remoteReachable: boolean;

  constructor(
    users: SimUser[],
    readonly remoteDomain: string,
    remoteReachable: boolean,
    /** The address quoted in the "connection refused" error, like ND's Go AAA client does. */
    private readonly remoteAddress = "10.0.0.5:1812",
  ) {
    for (const user of users) this.add(user);
    this.remoteReachable = remoteReachable;
  }

  add(user: SimUser): void {
    this.users.set(user.userName, { ...user, roles: [...user.roles] });
  }

  remove(userName: string): boolean {
    return this.users.delete(userName);
  }

  get(userName: string): SimUser | undefined {
    return this.users.get(userName);
  }

  list(): SimUser[] {
    return [...this.users.values()];
  }

  setRemoteDomainReachable(reachable: boolean): void {
    this.remoteReachable = reachable;
  }

  get remoteDomainReachable(): boolean {
    return this.remoteReachable;
  }

  domains(): string[] {
    return ["local", "DefaultAuth", this.remoteDomain];
  }

  login(userName: string, password: string, domain: string): LoginOutcome {
    if (domain === this.remoteDomain) {
      if (!this.remoteReachable) {
        return { kind: "domain-unreachable", error: `dial tcp ${this.remoteAddress}: connect: connection refused` };
      }
      return this.check(userName, password, "remote");
    }
    if (domain === "local" || domain === "DefaultAuth") return this.check(userName, password, "local");
    return { kind: "unknown-domain" };
  }

  private check(userName: string, password: string, userType: "local" | "remote"): LoginOutcome {
    const user = this.users.get(userName);
    if (!user || !timingSafeEqual(user.password, password)) return { kind: "bad-credentials" };
    return { kind: "ok", user, userType };
  }
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
