// Directory sign-in against a real OpenLDAP (slapd) started here, over StartTLS and LDAPS, on
// real PostgreSQL: groups → roles and clusters, nested groups, wrong passwords, disabled and
// removed accounts, a directory that is down, an untrusted certificate, LDAP injection, and the
// sign-in page of the real UI listener.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { addCluster } from "../../app/clusters/clusters.ts";
import { parseUrlPolicy } from "../../app/clusters/cluster-url-policy.ts";
import { Unauthorized, Unavailable, Forbidden, Invalid } from "../../app/errors.ts";
import type { Caller } from "../../app/identity/caller.ts";
import { callerFor } from "../support/callers.ts";
import { cli } from "../identity/helpers.ts";
import { login, NO_DIRECTORY_ROLE, type LoginDeps } from "../../app/identity/login.ts";
import { SYSTEM_ROLES, type Permission } from "../../app/identity/permissions.ts";
import { loadPrincipal } from "../../app/identity/principal-loader.ts";
import { addDirectory, mapGroup, removeDirectory, testDirectory } from "../../app/directory/directories.ts";
import { parseEndpoint } from "../../app/directory/directory-config.ts";
import { checkDirectoryUsers } from "../../app/directory/directory-sync.ts";
import { fastHasher } from "../identity/helpers.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { ADMIN_DN, ADMIN_PASSWORD, groupDn, SUFFIX, startSlapd, userDn, type Slapd } from "../support/slapd.ts";
import { UiClient } from "../ui/ui-client.ts";

let slapd: Slapd;
let srv: TestServer;
const admin: Caller = cli();

beforeAll(async () => {
  slapd = await startSlapd();
  srv = await startTestServer();
  const keyring = srv.server.services.keyring;
  await addCluster(
    srv.db.sql,
    admin,
    {
      name: "fab1",
      url: "https://127.0.0.1:9",
      credentials: { mode: "password", username: "admin", password: "x" },
    },
    { keyring, urlPolicy: parseUrlPolicy(["*"], true) },
  );
  await addDirectory(
    srv.db.sql,
    admin,
    {
      name: "corp",
      kind: "ldap",
      url: slapd.ldapUrl,
      caPem: slapd.caPem,
      bindDn: ADMIN_DN,
      bindPassword: ADMIN_PASSWORD,
      userBase: `ou=people,${SUFFIX}`,
      groupBase: `ou=groups,${SUFFIX}`,
      disabledFilter: "(description=disabled)",
      timeoutMs: 2000,
    },
    { keyring },
  );
  await mapGroup(srv.db.sql, admin, "corp", { groupDn: groupDn("netops"), roleName: "operator", clusters: ["fab1"] });
  await mapGroup(srv.db.sql, admin, "corp", { groupDn: groupDn("netadmins"), roleName: "admin", clusters: ["*"] });
});
afterAll(async () => {
  await srv?.stop();
  await slapd?.remove();
});

const deps = (): LoginDeps => ({
  passwords: fastHasher,
  sessions: { idleMs: 3_600_000, absoluteMs: 8 * 3_600_000 },
  throttle: { maxFailures: 50, lockoutMs: 60_000, backoffBaseMs: 1, backoffMaxMs: 1 },
  directory: { keyring: srv.server.services.keyring },
});

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
}

async function lastLoginReason(): Promise<string | null> {
  const [row] = await srv.db.sql<
    { reason: string | null }[]
  >`select reason from audit_events where action = 'auth.login' order by id desc limit 1`;
  return row?.reason ?? null;
}

describe("configuration", () => {
  test("plain LDAP is never an option: ldap:// means StartTLS", () => {
    expect(parseEndpoint("ldap://dc1.example.net")).toEqual({ url: "ldap://dc1.example.net:389", startTls: true });
    expect(parseEndpoint("ldaps://dc1.example.net")).toEqual({ url: "ldaps://dc1.example.net:636", startTls: false });
    expect(() => parseEndpoint("http://dc1")).toThrow(/use ldaps:\/\/ or ldap:\/\/ \(StartTLS\)/);
  });

  test("configuring a directory needs users:manage, and a mapping cannot grant more than one holds", async () => {
    const opPrincipal = {
      userId: "u1",
      username: "op",
      active: true,
      roles: ["operator"],
      permissions: new Set<Permission>(SYSTEM_ROLES.operator),
      clusterAccess: "all" as const,
      toolProfile: null,
      via: "session" as const,
    };
    const operator = callerFor(opPrincipal);
    const err = await failure(
      addDirectory(
        srv.db.sql,
        operator,
        {
          name: "x",
          url: slapd.ldapUrl,
          bindDn: ADMIN_DN,
          bindPassword: "p",
          userBase: SUFFIX,
        },
        { keyring: srv.server.services.keyring },
      ),
    );
    expect(err).toBeInstanceOf(Forbidden);
    const manager = callerFor({ ...opPrincipal, permissions: new Set<Permission>(["users:manage"]) });
    expect(
      await failure(mapGroup(srv.db.sql, manager, "corp", { groupDn: groupDn("unmapped"), roleName: "admin" })),
    ).toBeInstanceOf(Invalid);
  });

  test("the bind password is sealed, not stored or audited in clear", async () => {
    const [row] = await srv.db.sql<
      { sealed: string }[]
    >`select bind_password_sealed as sealed from directories where name = 'corp'`;
    expect(row!.sealed).not.toContain(ADMIN_PASSWORD);
    const events = await srv.db.sql<
      { details: unknown }[]
    >`select details from audit_events where action like 'directory.%'`;
    expect(JSON.stringify(events)).not.toContain(ADMIN_PASSWORD);
  });

  test("the test button binds, finds the user and lists their groups, nested ones too", async () => {
    const r = await testDirectory(
      srv.db.sql,
      admin,
      { name: "corp", username: "bob" },
      { keyring: srv.server.services.keyring },
    );
    expect(r.account?.dn).toBe(userDn("bob"));
    expect(r.groups.map((g) => g.toLowerCase()).sort()).toEqual([groupDn("netadmins"), groupDn("seniors")].sort());
  });
});

describe("sign-in", () => {
  test("a directory user gets the role and clusters their group maps to", async () => {
    const result = await login(
      srv.db.sql,
      { username: "alice", password: "alice-pw-1", clientIp: "198.51.100.7" },
      deps(),
    );
    expect([...result.principal.roles]).toEqual(["operator"]);
    const [user] = await srv.db.sql<
      { source: string; passwordHash: string | null }[]
    >`select source, password_hash as "passwordHash" from users where username = 'alice'`;
    expect(user).toEqual({ source: "directory", passwordHash: null });
    expect(result.principal.clusterAccess).toHaveLength(1);
  });

  test("a nested group counts: bob is in seniors, seniors is in netadmins → admin on every cluster", async () => {
    const result = await login(srv.db.sql, { username: "bob", password: "bob-pw-1" }, deps());
    expect([...result.principal.roles]).toEqual(["admin"]);
    expect(result.principal.clusterAccess).toBe("all");
  });

  test("wrong password, disabled account, unknown user: one message, each reason audited", async () => {
    const wrong = await failure(login(srv.db.sql, { username: "alice", password: "nope" }, deps()));
    expect(wrong).toBeInstanceOf(Unauthorized);
    expect(wrong.message).toBe("invalid username or password");
    expect(await lastLoginReason()).toBe("directory corp: wrong password");
    const disabled = await failure(login(srv.db.sql, { username: "carol", password: "carol-pw-1" }, deps()));
    expect(disabled.message).toBe("invalid username or password");
    expect(await lastLoginReason()).toBe("directory corp: account disabled");
    const unknown = await failure(login(srv.db.sql, { username: "zed", password: "x" }, deps()));
    expect(unknown.message).toBe("invalid username or password");
    expect(await lastLoginReason()).toBe("unknown user");
  });

  test("an empty password is never an (unauthenticated) bind", async () => {
    const err = await failure(login(srv.db.sql, { username: "alice", password: "" }, deps()));
    expect(err).toBeInstanceOf(Unauthorized);
  });

  test("LDAP injection in the user name finds nobody", async () => {
    for (const name of ["*", "*)(uid=*", "alice)(|(uid=*", "al*"]) {
      const err = await failure(login(srv.db.sql, { username: name, password: "alice-pw-1" }, deps()));
      expect(err).toBeInstanceOf(Unauthorized);
    }
  });

  test("a user whose groups map to no role is told so, after a correct password only", async () => {
    const err = await failure(login(srv.db.sql, { username: "dave", password: "dave-pw-1" }, deps()));
    expect(err.message).toBe(NO_DIRECTORY_ROLE);
  });

  test("removed from the group between two logins: the role is gone at the next login", async () => {
    const first = await login(srv.db.sql, { username: "erin", password: "erin-pw-1" }, deps());
    expect([...first.principal.roles]).toEqual(["operator"]);
    await slapd.modify(`dn: ${groupDn("netops")}\nchangetype: modify\ndelete: member\nmember: ${userDn("erin")}\n`);
    const err = await failure(login(srv.db.sql, { username: "erin", password: "erin-pw-1" }, deps()));
    expect(err.message).toBe(NO_DIRECTORY_ROLE);
    const principal = await loadPrincipal(srv.db.sql, first.principal.userId, "session");
    expect(principal?.roles ?? []).toEqual([]);
  });

  test("an account disabled in the directory is disabled here by the periodic check", async () => {
    const session = await login(srv.db.sql, { username: "alice", password: "alice-pw-1" }, deps());
    await slapd.modify(`dn: ${userDn("alice")}\nchangetype: modify\nadd: description\ndescription: disabled\n`);
    const r = await checkDirectoryUsers(srv.db.sql, srv.server.services.keyring);
    expect(r.disabled).toContain("alice");
    const principal = await loadPrincipal(srv.db.sql, session.principal.userId, "session");
    expect(principal?.active ?? false).toBe(false);
    await slapd.modify(`dn: ${userDn("alice")}\nchangetype: modify\ndelete: description\n`);
  });

  test("a directory that is down gives a clear message quickly, not a hang", async () => {
    await slapd.stop();
    try {
      const started = Date.now();
      const err = await failure(login(srv.db.sql, { username: "bob", password: "bob-pw-1" }, deps()));
      expect(err).toBeInstanceOf(Unavailable);
      expect(err.message).toMatch(/directory is not reachable/);
      expect(Date.now() - started).toBeLessThan(10_000);
      // Local accounts still work while the directory is down.
      const r = await checkDirectoryUsers(srv.db.sql, srv.server.services.keyring);
      expect(r.unreachable).toEqual(["corp"]);
    } finally {
      await slapd.start();
    }
  });

  test("StartTLS with a certificate the gateway does not trust is refused", async () => {
    await addDirectory(
      srv.db.sql,
      admin,
      {
        name: "untrusted",
        url: slapd.ldapsUrl,
        bindDn: ADMIN_DN,
        bindPassword: ADMIN_PASSWORD,
        userBase: `ou=people,${SUFFIX}`,
        timeoutMs: 2000,
      },
      { keyring: srv.server.services.keyring },
    );
    try {
      const err = await failure(
        testDirectory(
          srv.db.sql,
          admin,
          { name: "untrusted", username: "bob" },
          { keyring: srv.server.services.keyring },
        ),
      );
      expect(err.message).toMatch(/unavailable: .*(self.signed|certificate|verify)/i);
    } finally {
      await removeDirectory(srv.db.sql, admin, "untrusted");
    }
  });

  test("the real sign-in page: a directory user signs in; a down directory is explained", async () => {
    const c = new UiClient(srv);
    await c.page("/login");
    const ok = await c.post("/login", { username: "frank", password: "frank-pw-1", next: "/" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/");
    await slapd.stop();
    try {
      const d = new UiClient(srv);
      await d.page("/login");
      const down = await d.post("/login", { username: "frank", password: "frank-pw-1", next: "/" });
      expect(down.status).toBe(503);
      expect(await down.text()).toContain("The sign-in directory is not reachable right now");
    } finally {
      await slapd.start();
    }
  });
});
