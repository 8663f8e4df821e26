/**
 * A real OpenLDAP server (Debian's slapd) for the directory tests: its own directory under the
 * temporary folder, ldap:// (StartTLS) and ldaps:// on free loopback ports, seeded with people,
 * groups and a nested group. Removed again by `stop()`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCertificate } from "../../app/tls/certificate.ts";
import { freePort } from "./ports.ts";

export const SUFFIX = "dc=example,dc=org";
export const ADMIN_DN = `cn=admin,${SUFFIX}`;
export const ADMIN_PASSWORD = "admin-secret";

export interface Slapd {
  ldapUrl: string;
  ldapsUrl: string;
  caPem: string;
  /** Runs ldapmodify with LDIF as the admin. */
  modify(ldif: string): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

export function slapdAvailable(): boolean {
  return Bun.which("slapd") !== null || Bun.which("/usr/sbin/slapd") !== null;
}

const person = (uid: string, password: string, extra = "") => `
dn: uid=${uid},ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${uid} Example
sn: Example
mail: ${uid}@example.org
userPassword: ${password}
${extra}`;

const group = (cn: string, members: string[]) => `
dn: cn=${cn},ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: ${cn}
${members.map((m) => `member: ${m}`).join("\n")}
`;

export const userDn = (uid: string) => `uid=${uid},ou=people,${SUFFIX}`;
export const groupDn = (cn: string) => `cn=${cn},ou=groups,${SUFFIX}`;

export async function startSlapd(): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), "nmg-slapd-"));
  mkdirSync(join(dir, "db"));
  const cert = await generateCertificate({
    dataDir: dir,
    sans: ["127.0.0.1", "localhost"],
    extraNames: [],
    commonName: "ldap.test",
    organization: "test",
    validityDays: 2,
    renewDays: 1,
  });
  writeFileSync(join(dir, "cert.pem"), cert.cert);
  writeFileSync(join(dir, "key.pem"), cert.key, { mode: 0o600 });
  const conf = join(dir, "slapd.conf");
  writeFileSync(
    conf,
    `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${dir}/slapd.pid
TLSCertificateFile ${dir}/cert.pem
TLSCertificateKeyFile ${dir}/key.pem
database mdb
suffix "${SUFFIX}"
rootdn "${ADMIN_DN}"
rootpw ${ADMIN_PASSWORD}
directory ${dir}/db
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
`,
  );
  const seed = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${SUFFIX}
objectClass: organizationalUnit
ou: groups
${person("alice", "alice-pw-1")}
${person("bob", "bob-pw-1")}
${person("carol", "carol-pw-1", "description: disabled")}
${person("dave", "dave-pw-1")}
${person("erin", "erin-pw-1")}
${person("frank", "frank-pw-1")}
${group("netops", [userDn("alice"), userDn("carol"), userDn("erin"), userDn("frank")])}
${group("seniors", [userDn("bob")])}
${group("netadmins", [groupDn("seniors")])}
${group("unmapped", [userDn("dave")])}
`;
  writeFileSync(join(dir, "seed.ldif"), seed);
  const add = Bun.spawnSync(["/usr/sbin/slapadd", "-f", conf, "-l", join(dir, "seed.ldif")], { stderr: "pipe" });
  if (add.exitCode !== 0) throw new Error(`slapadd failed: ${add.stderr.toString()}`);
  const ldapPort = await freePort();
  const ldapsPort = await freePort();
  const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
  const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
  let proc: ReturnType<typeof Bun.spawn> | null = null;

  const waitReady = async () => {
    for (let i = 0; i < 100; i++) {
      const probe = Bun.spawnSync(["ldapsearch", "-x", "-H", ldapUrl, "-b", SUFFIX, "-s", "base", "dn"], {
        stdout: "ignore",
        stderr: "ignore",
      });
      if (probe.exitCode === 0) return;
      await Bun.sleep(50);
    }
    throw new Error("slapd did not start");
  };

  const server: Slapd = {
    ldapUrl,
    ldapsUrl,
    caPem: cert.cert,
    async modify(ldif) {
      const p = Bun.spawn(["ldapmodify", "-x", "-H", ldapUrl, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD], {
        stdin: new Blob([ldif]),
        stdout: "ignore",
        stderr: "pipe",
      });
      if ((await p.exited) !== 0) throw new Error(`ldapmodify failed: ${await new Response(p.stderr).text()}`);
    },
    async start() {
      // -d 0: stay in the foreground (the test owns the process); no log output.
      proc = Bun.spawn(["/usr/sbin/slapd", "-f", conf, "-h", `${ldapUrl}/ ${ldapsUrl}/`, "-d", "0"], {
        stdout: "ignore",
        stderr: "ignore",
      });
      await waitReady();
    },
    async stop() {
      if (!proc) return;
      proc.kill("SIGTERM");
      await proc.exited;
      proc = null;
    },
    async remove() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
