/**
 * Boot test of the built appliance under QEMU (software emulation, no KVM needed; ≈ 13 min, --quick ≈ 4-5).
 *
 *   bun appliance/boot-test.ts [--image appliance/out/nexus-mcp.qcow2] [--uefi] [--quick] [--keep]
 *
 * Boots a copy-on-write overlay of the release image headless with user networking restricted to
 * the host (`restrict=on`, forwarded ports on 127.0.0.1 only), hands the first-boot wizard an
 * answers file through fw_cfg (DHCP, trusted 10.0.2.0/24, an SSH key made for this run), then
 * checks from the host: 7443 and 8444 answer over TLS with a certificate whose SANs name the
 * chosen host name and address and which verifies for that address; PostgreSQL is unreachable;
 * the app role has no DDL and no UPDATE/DELETE on the audit log; LLMNR/mDNS are off; an MCP
 * `tools/list` works with a token created on the appliance. Unless --quick: a backup
 * (nexus-mcp-backup, encrypted) restores over later changes and a replaced key
 * (nexus-mcp-restore), an update bundle installs (nexus-mcp-update), rolls back by hand, and a
 * broken bundle that migrates the schema rolls back by itself (pre-update backup restored).
 * Finally, after a reboot the configuration and the data are intact. Prints `N passed, N failed`
 * and exits non-zero on any failure. The keystroke run of the wizard on tty1 is
 * appliance/boot-test-tty.ts.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { connect } from "node:net";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const image = resolve(opt("--image", join(import.meta.dir, "out/nexus-mcp.qcow2")));
const uefi = args.includes("--uefi");
const keep = args.includes("--keep");
const quick = args.includes("--quick");
/** Free host ports (the kernel picks them; closed again before QEMU binds them). */
function freePort(): number {
  const srv = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = srv.port;
  srv.stop(true);
  return port;
}
const PORTS = { ui: freePort(), api: freePort(), ssh: freePort(), pg: freePort() };
const ADDRESS = "10.0.2.15"; // QEMU user networking's DHCP address for the guest
const HOST = "nexus-boot";
const PASSWORD = "Boot-Test-Passw0rd-42";

let passed = 0,
  failed = 0;
function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "  ok  " : "  FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
}
function sh(cmd: string[], input?: string): { code: number; out: string; err: string } {
  const p = Bun.spawnSync(cmd, {
    stdin: input === undefined ? "ignore" : Buffer.from(input),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode ?? -1, out: p.stdout.toString(), err: p.stderr.toString() };
}
const t0 = Date.now();
const elapsed = () => `${Math.round((Date.now() - t0) / 1000)}s`;

if (!existsSync(image)) {
  console.error(`boot-test: no image at ${image}; run: bash appliance/build.sh`);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), "nexus-boot-"));
sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(work, "key")]);
writeFileSync(
  join(work, "answers.env"),
  [
    `HOSTNAME=${HOST}`,
    "NET_MODE=dhcp",
    "NTP=10.0.2.2",
    "TRUSTED_NETWORKS=10.0.2.0/24",
    `ADMIN_PASSWORD=${PASSWORD}`,
    `SSH_AUTHORIZED_KEY=${readFileSync(join(work, "key.pub"), "utf8").trim()}`,
    "",
  ].join("\n"),
);
const overlay = join(work, "disk.qcow2");
const fmt = image.endsWith(".raw") ? "raw" : "qcow2";
if (sh(["qemu-img", "create", "-q", "-f", "qcow2", "-b", image, "-F", fmt, overlay]).code !== 0)
  throw new Error("qemu-img create failed");

function qemuArgs(): string[] {
  const a = [
    "qemu-system-x86_64",
    "-accel",
    "tcg",
    "-cpu",
    "max",
    "-m",
    "2048",
    "-smp",
    "2",
    "-display",
    "none",
    "-serial",
    `file:${join(work, "serial.log")}`,
    "-monitor",
    `unix:${join(work, "mon.sock")},server,nowait`,
    "-drive",
    `file=${overlay},if=virtio,format=qcow2`,
    "-netdev",
    `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${PORTS.ui}-:7443,hostfwd=tcp:127.0.0.1:${PORTS.api}-:8444,hostfwd=tcp:127.0.0.1:${PORTS.ssh}-:22,hostfwd=tcp:127.0.0.1:${PORTS.pg}-:5432`,
    "-device",
    "virtio-net-pci,netdev=n0",
    "-fw_cfg",
    `name=opt/nexus-mcp/answers,file=${join(work, "answers.env")}`,
  ];
  if (uefi) {
    copyFileSync("/usr/share/OVMF/OVMF_VARS_4M.fd", join(work, "vars.fd"));
    a.push(
      "-drive",
      "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
      "-drive",
      `if=pflash,format=raw,file=${join(work, "vars.fd")}`,
    );
  }
  return a;
}

let vm = Bun.spawn(qemuArgs(), { stdout: "ignore", stderr: "pipe" });
const stopVm = () => {
  try {
    vm.kill();
  } catch {}
};
process.on("exit", () => {
  stopVm();
  if (!keep) rmSync(work, { recursive: true, force: true });
});

async function healthy(port: number): Promise<any> {
  try {
    const r = await fetch(`https://127.0.0.1:${port}/healthz`, {
      tls: { rejectUnauthorized: false },
      signal: AbortSignal.timeout(5000),
    } as any);
    return r.ok ? await r.json() : undefined;
  } catch {
    return undefined;
  }
}
async function waitHealthy(timeoutS: number): Promise<boolean> {
  const end = Date.now() + timeoutS * 1000;
  while (Date.now() < end) {
    if (vm.exitCode !== null) return false;
    if ((await healthy(PORTS.ui)) && (await healthy(PORTS.api))) return true;
    await Bun.sleep(3000);
  }
  return false;
}
function ssh(command: string, input?: string) {
  return sh(
    [
      "ssh",
      "-q",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "ConnectTimeout=10",
      "-i",
      join(work, "key"),
      "-p",
      String(PORTS.ssh),
      "root@127.0.0.1",
      command,
    ],
    input,
  );
}
function scp(local: string, remote: string) {
  return sh([
    "scp",
    "-q",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "ConnectTimeout=10",
    "-i",
    join(work, "key"),
    "-P",
    String(PORTS.ssh),
    local,
    `root@127.0.0.1:${remote}`,
  ]);
}
function firstLine(r: { out: string; err: string }): string {
  return (r.out + r.err).trim().split("\n").filter(Boolean).slice(-2).join(" | ").slice(0, 200);
}
function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: "127.0.0.1", port });
    const t = setTimeout(() => {
      s.destroy();
      res(false);
    }, 5000);
    // slirp accepts on the host side first; a refused/dropped guest port closes without data
    s.on("data", () => {
      clearTimeout(t);
      s.destroy();
      res(true);
    });
    s.on("error", () => {
      clearTimeout(t);
      res(false);
    });
    s.on("close", () => {
      clearTimeout(t);
      res(false);
    });
    s.write("\0\0\0\x08\x04\xd2\x16\x2f"); // PostgreSQL SSLRequest: a server would answer 'N' or 'S'
  });
}

const flatText = (text: string) => text.replace(/\s+/g, "");
const psql = (query: string) => ssh(`runuser -u postgres -- psql -XtAq -d nexus_mcp -c "${query}"`);
const schemaVersion = () => psql("select count(*) from schema_migrations").out.trim();

/** nexus-mcp-backup (encrypted) → changes and a new key → nexus-mcp-restore brings the backup's state and key back. */
async function backupAndRestore(): Promise<void> {
  const t = Date.now();
  const setup = ssh(
    [
      "umask 077; echo 'boot test backup passphrase' > /root/backup-pass",
      "printf 'nd-Secret-password-1\\n' | nexus-mcp-cli cluster add nd1 --url https://198.51.100.10 --user admin --password-stdin --no-test",
    ].join(" && "),
  );
  check(
    "a cluster with sealed credentials is added (nexus-mcp-cli cluster add --no-test)",
    setup.code === 0,
    firstLine(setup),
  );
  const backup = ssh("nexus-mcp-backup --passphrase-file /root/backup-pass");
  const file = backup.out.trim().split("\n").pop() ?? "";
  const listed = ssh(`stat -c '%a %U %s' '${file}'`);
  check(
    "nexus-mcp-backup writes an encrypted backup that carries the key (0600 root)",
    backup.code === 0 && /carries the encryption key/.test(backup.err) && /^600 root \d+/.test(listed.out.trim()),
    `${file} ${listed.out.trim()} ${((Date.now() - t) / 1000).toFixed(0)}s`,
  );
  // After the backup: a new user, and the key-encryption key replaced (keys rewrap + new key file).
  const changed = ssh(
    [
      "set -e",
      "printf 'Probe-User-Passw0rd-9\\n' | nexus-mcp-cli user add restore-probe --password-stdin > /dev/null",
      "install -o nexus-mcp -g nexus-mcp -m 0600 /dev/null /var/lib/nexus-mcp/new.key",
      "openssl rand -base64 32 > /var/lib/nexus-mcp/new.key",
      "nexus-mcp-cli keys rewrap --new-key-file /var/lib/nexus-mcp/new.key > /dev/null",
      "install -m 0600 /var/lib/nexus-mcp/new.key /etc/nexus-mcp/credentials/encryption-key && rm -f /var/lib/nexus-mcp/new.key",
      "systemctl restart nexus-mcp",
      "sha256sum /etc/nexus-mcp/credentials/encryption-key",
    ].join("\n"),
  );
  check(
    "after the backup: a new user and a new key-encryption key (keys rewrap)",
    changed.code === 0,
    firstLine(changed),
  );
  await waitHealthy(300);
  const r0 = Date.now();
  const restore = ssh(`nexus-mcp-restore --in '${file}' --passphrase-file /root/backup-pass`);
  check(
    "nexus-mcp-restore: restored, audit chain ok, stored credentials open, key installed, gateway healthy",
    restore.code === 0 &&
      /audit chain ok/.test(restore.err) &&
      /stored credentials: 1 of 1 open/.test(restore.err) &&
      /installed the backup's encryption key/.test(restore.err) &&
      /the gateway is healthy/.test(restore.err),
    `${((Date.now() - r0) / 1000).toFixed(0)}s; ${restore.err
      .split("\n")
      .filter((l) => /restored the backup|audit chain|stored credentials|installed/.test(l))
      .join(" | ")
      .slice(0, 300)}`,
  );
  const after = ssh("nexus-mcp-cli user list; nexus-mcp-cli audit verify; nexus-mcp-cli keys status");
  check(
    "after the restore: the later user is gone, the audit chain verifies, every key version opens",
    after.code === 0 &&
      !after.out.includes("restore-probe") &&
      /audit chain ok/.test(after.out) &&
      !/CANNOT OPEN/.test(after.out),
    firstLine(after),
  );
  const tools = await toolsList();
  check("the token made before the backup still works after the restore (tools/list)", Array.isArray(tools));
}

/** A bundle of the same app as a new release: install, roll back by hand; then a broken one that migrates. */
async function updates(): Promise<void> {
  const stage = join(import.meta.dir, "out/stage/app");
  const original = ssh("cat /opt/nexus-mcp/RELEASE").out.trim();
  const bundle = (name: string, edit?: (dir: string) => void): string => {
    const dir = join(work, name);
    sh(["cp", "-a", stage, dir]);
    rmSync(join(dir, "bin"), { recursive: true, force: true }); // the appliance reuses its Bun
    writeFileSync(join(dir, "RELEASE"), `${original}-${name}\n`);
    edit?.(dir);
    const file = join(work, `${name}.tar.gz`);
    sh(["tar", "-C", dir, "--owner=0", "--group=0", "-czf", file, "."]);
    return file;
  };
  const ok = bundle("update-ok");
  const broken = bundle("update-broken", (dir) => {
    writeFileSync(join(dir, "sql/0007_boot_test_marker.sql"), "create table boot_test_marker (x int);\n");
    const main = join(dir, "app/main.ts");
    writeFileSync(
      main,
      `throw new Error("boot test: this release is broken on purpose");\n${readFileSync(main, "utf8")}`,
    );
  });
  const sent = [scp(ok, "/root/update-ok.tar.gz"), scp(broken, "/root/update-broken.tar.gz")];
  check(
    "update bundles copied to the appliance (scp)",
    sent.every((r) => r.code === 0),
    sent.map(firstLine).join(" "),
  );
  const schema0 = schemaVersion();

  let t = Date.now();
  const up = ssh("nexus-mcp-update /root/update-ok.tar.gz");
  const running = ssh("readlink -f /opt/nexus-mcp; readlink /proc/$(systemctl show -p MainPID --value nexus-mcp)/cwd")
    .out.trim()
    .split("\n");
  check(
    "nexus-mcp-update installs a bundle: backup, switch, migrate, healthy, running the new release",
    up.code === 0 &&
      running.every((l) => l.endsWith(`${original}-update-ok`)) &&
      /updated .* → .*update-ok/.test(up.err),
    `${((Date.now() - t) / 1000).toFixed(0)}s; ${firstLine(up)}`,
  );
  check("the token works on the new release (tools/list)", Array.isArray(await toolsList()));

  t = Date.now();
  const back = ssh("nexus-mcp-update --rollback; readlink -f /opt/nexus-mcp");
  check(
    "nexus-mcp-update --rollback returns to the previous release (schema unchanged: no restore)",
    back.code === 0 &&
      back.out.trim().endsWith(original) &&
      /rolled back/.test(back.err) &&
      !/restoring/.test(back.err),
    `${((Date.now() - t) / 1000).toFixed(0)}s; ${firstLine(back)}`,
  );

  t = Date.now();
  const bad = ssh("HEALTH_TIMEOUT=240 nexus-mcp-update /root/update-broken.tar.gz");
  const state = ssh("readlink -f /opt/nexus-mcp; readlink /proc/$(systemctl show -p MainPID --value nexus-mcp)/cwd");
  const marker = psql("select to_regclass('boot_test_marker') is null");
  check(
    "a broken bundle that migrated the schema is rolled back by itself: previous release, pre-update backup restored",
    bad.code !== 0 &&
      /the schema moved/.test(bad.err) &&
      /rolled back: .* is running and healthy/.test(bad.err) &&
      state.out
        .trim()
        .split("\n")
        .every((l) => l.endsWith(original)) &&
      schemaVersion() === schema0 &&
      marker.out.trim() === "t",
    `${((Date.now() - t) / 1000).toFixed(0)}s; schema ${schemaVersion()} (was ${schema0}); ${bad.err
      .split("\n")
      .filter((l) => /schema moved|rolled back/.test(l))
      .join(" | ")
      .slice(0, 250)}`,
  );
  check("the token works after the automatic rollback (tools/list)", Array.isArray(await toolsList()));
}

console.log(`boot-test: ${image} (${uefi ? "UEFI" : "BIOS"}), work dir ${work}`);
const up = await waitHealthy(900);
check("first boot: wizard ran unattended, gateway healthy on 7443 and 8444", up, elapsed());
if (!up) {
  console.log(readFileSync(join(work, "serial.log"), "utf8").slice(-3000));
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}

// TLS: the certificate was made for the chosen host name and address, and verifies for the address
const pem = sh([
  "sh",
  "-c",
  `openssl s_client -connect 127.0.0.1:${PORTS.ui} -servername ${HOST} </dev/null 2>/dev/null | openssl x509`,
]).out;
writeFileSync(join(work, "cert.pem"), pem);
const sans = sh(["openssl", "x509", "-in", join(work, "cert.pem"), "-noout", "-ext", "subjectAltName"]).out;
check(
  "certificate SANs name the host name and the DHCP address",
  sans.includes(`DNS:${HOST}`) && sans.includes(`IP Address:${ADDRESS}`),
  sans.replace(/\s+/g, " ").trim(),
);
for (const [name, port, real] of [
  ["UI", PORTS.ui, 7443],
  ["API", PORTS.api, 8444],
] as const) {
  const r = sh([
    "curl",
    "-sS",
    "--max-time",
    "20",
    "--cacert",
    join(work, "cert.pem"),
    "--connect-to",
    `${ADDRESS}:${real}:127.0.0.1:${port}`,
    `https://${ADDRESS}:${real}/healthz`,
  ]);
  check(
    `${name} :${real} answers over TLS, certificate verified for https://${ADDRESS}:${real}`,
    r.code === 0 && r.out.includes('"status"'),
    (r.out || r.err).trim().slice(0, 120),
  );
}
const fp =
  sh(["openssl", "x509", "-in", join(work, "cert.pem"), "-noout", "-fingerprint", "-sha256"])
    .out.split("=")[1]
    ?.trim() ?? "";
// the wizard writes the console text after its own health wait: give it a moment to finish
let issue = ssh("cat /etc/issue.d/nexus-mcp.issue");
for (let i = 0; i < 30 && !(fp && issue.out.includes(fp)); i++) {
  await Bun.sleep(3000);
  issue = ssh("cat /etc/issue.d/nexus-mcp.issue");
}
check(
  "the console shows the URLs and the certificate's SHA-256 fingerprint",
  issue.out.includes(`https://${ADDRESS}:7443/`) && fp !== "" && issue.out.includes(fp),
  fp,
);
check("PostgreSQL is not reachable from outside (5432)", !(await portOpen(PORTS.pg)));
const inside = ssh(
  "ss -Hltn; echo ---; systemctl show -p MemoryDenyWriteExecute --value nexus-mcp; systemctl is-system-running; systemctl --failed --plain --no-legend; systemd-analyze security nexus-mcp.service | tail -1",
);
check(
  "PostgreSQL has no TCP listener at all",
  inside.code === 0 && !/:5432\b/.test(inside.out.split("---")[0]!),
  inside.out.split("---")[0]!.replace(/\s+/g, " ").trim(),
);
check(
  "gateway: MemoryDenyWriteExecute=no, nothing failed, exposure ≤ 2.0",
  /\nno\n/.test(inside.out) &&
    /running/.test(inside.out) &&
    /exposure level for nexus-mcp.service: [01]\.\d/.test(inside.out),
  inside.out.split("---")[1]!.replace(/\s+/g, " ").trim(),
);
const roles = ssh(
  `runuser -u postgres -- psql -tAq -d nexus_mcp -c "select has_table_privilege('nexus_mcp','audit_events','UPDATE'), has_table_privilege('nexus_mcp','audit_events','DELETE'), has_table_privilege('nexus_mcp','audit_events','INSERT'), has_schema_privilege('nexus_mcp','public','CREATE')"`,
);
check(
  "role nexus_mcp cannot UPDATE/DELETE audit_events (can INSERT) and cannot CREATE in the schema",
  roles.out.trim() === "f|f|t|f",
  roles.out.trim() || roles.err.trim(),
);
const envCheck = ssh(
  "grep -E '^(DATABASE_URL|MIGRATE_ON_START)=' /etc/nexus-mcp/gateway.env; systemctl show -p Environment --value nexus-mcp",
);
check(
  "gateway: DATABASE_URL names the socket directory (?host=), MIGRATE_ON_START=false, no PGHOST",
  envCheck.out.includes("DATABASE_URL=postgres:///nexus_mcp?host=/run/postgresql") &&
    /MIGRATE_ON_START=false/.test(envCheck.out) &&
    !envCheck.out.includes("PGHOST"),
  envCheck.out.replace(/\s+/g, " ").trim(),
);
const llmnr = ssh("ss -Hlun; ss -Hltn; echo ---; resolvectl status | grep -m1 -i 'protocols'");
check(
  "LLMNR and mDNS are off (nothing on 5355/5353, resolved says -LLMNR -mDNS)",
  llmnr.code === 0 &&
    !/:(5355|5353)\b/.test(llmnr.out.split("---")[0]!) &&
    /-LLMNR/.test(llmnr.out) &&
    /-mDNS/.test(llmnr.out),
  llmnr.out.split("---")[1]?.trim(),
);

// PostgreSQL's JIT would fail under MemoryDenyWriteExecute: it is off, and a JIT-eligible query works
const jit = psql("set jit_above_cost = 0; select sum(g) from generate_series(1, 100000) g; show jit");
check(
  "a JIT-eligible query (jit_above_cost=0, 100000 rows) succeeds; jit = off",
  jit.code === 0 && /^5000050000$/m.test(jit.out) && /^off$/m.test(jit.out),
  firstLine(jit),
);

// Names change: a corporate FQDN and an alias; the generated certificate is replaced and names them
const fpBefore = fp;
const names = ssh("nexus-mcp-names set --hostname nexus-boot.corp.example nexus-alias.corp.example");
const pem2 = sh([
  "sh",
  "-c",
  `openssl s_client -connect 127.0.0.1:${PORTS.ui} -servername nexus-boot.corp.example </dev/null 2>/dev/null | openssl x509`,
]).out;
writeFileSync(join(work, "cert2.pem"), pem2);
const sans2 = sh([
  "openssl",
  "x509",
  "-in",
  join(work, "cert2.pem"),
  "-noout",
  "-ext",
  "subjectAltName",
  "-fingerprint",
  "-sha256",
]).out;
const fp2 = /Fingerprint=(\S+)/.exec(sans2)?.[1] ?? "";
check(
  "nexus-mcp-names set: new certificate names the FQDN, the alias and the address; new fingerprint printed",
  names.code === 0 &&
    sans2.includes("DNS:nexus-boot.corp.example") &&
    sans2.includes("DNS:nexus-alias.corp.example") &&
    sans2.includes(`IP Address:${ADDRESS}`) &&
    fp2 !== "" &&
    fp2 !== fpBefore &&
    flatText(names.out).includes(fp2.replace(/\s+/g, "")),
  `${((Date.now() - t0) / 1000).toFixed(0)}s; ${sans2.replace(/\s+/g, " ").trim().slice(0, 200)}`,
);
const banner = ssh("cat /etc/issue.d/nexus-mcp.issue");
check(
  "the console banner shows the new fingerprint (wrapped, ASCII only)",
  flatText(banner.out).includes(fp2) && /^[\x00-\x7f]*$/.test(banner.out),
  banner.out.split("\n")[0],
);

// MCP tools/list with a token created on the appliance
let token = "";
const tok = ssh("nexus-mcp-cli token create --user admin --name boot-test");
// `token (shown once): nmg_<24 hex>_<43 base64url>`; the exact format, wherever it is printed
const m =
  /token \(shown once\): (nmg_[0-9a-f]{24}_[A-Za-z0-9_-]{43})\b/.exec(tok.out) ??
  /\b(nmg_[0-9a-f]{24}_[A-Za-z0-9_-]{43})\b/.exec(tok.out);
if (tok.code !== 0 || !m) {
  check("token created on the appliance (nexus-mcp-cli token create)", false, firstLine(tok));
} else {
  token = m[1]!;
  check("token created on the appliance (nexus-mcp-cli token create)", true, `${token.slice(0, 12)}…`);
}
async function mcp(
  method: string,
  params: object,
  session?: string,
  id: number | null = 1,
): Promise<{ status: number; body: any; session?: string }> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    authorization: `Bearer ${token}`,
  };
  if (session) headers["mcp-session-id"] = session;
  const msg = id === null ? { jsonrpc: "2.0", method, params } : { jsonrpc: "2.0", id, method, params };
  const r = await fetch(`https://127.0.0.1:${PORTS.api}/mcp`, {
    method: "POST",
    headers,
    body: JSON.stringify(msg),
    tls: { rejectUnauthorized: false },
  } as any);
  const text = await r.text();
  const data =
    text
      .split("\n")
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5))
      .join("") || text;
  let body: any;
  try {
    body = JSON.parse(data);
  } catch {
    body = text;
  }
  return { status: r.status, body, session: r.headers.get("mcp-session-id") ?? session };
}
async function toolsList(): Promise<string[] | undefined> {
  if (!token) return undefined;
  const init = await mcp("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "boot-test", version: "1" },
  });
  if (init.status !== 200) return undefined;
  await mcp("notifications/initialized", {}, init.session, null);
  const list = await mcp("tools/list", {}, init.session, 2);
  return list.body?.result?.tools?.map((t: any) => t.name);
}
const tools = await toolsList();
check(
  "MCP tools/list over https://…:8444/mcp with that token",
  Array.isArray(tools),
  tools ? `${tools.length} tools` : "",
);

if (!quick) {
  await backupAndRestore();
  await updates();
}

// power off, enlarge the virtual disk by 2 GiB, boot again: the root file system grows;
// configuration and data intact
const before = ssh(
  "sha256sum /etc/nexus-mcp/gateway.env /etc/nexus-mcp/credentials/encryption-key /etc/nexus-mcp/firewall/*.nft; runuser -u postgres -- psql -tAq -d nexus_mcp -c 'select count(*) from schema_migrations'",
);
const sizeBefore = Number(ssh("df -B1M --output=size / | tail -1").out.trim());
ssh("systemctl poweroff");
await Promise.race([vm.exited, Bun.sleep(90_000)]);
stopVm();
await vm.exited;
const resized = sh(["qemu-img", "resize", "-q", overlay, "+2G"]);
check("virtual disk enlarged by 2 GiB while the VM is off (qemu-img resize)", resized.code === 0, firstLine(resized));
vm = Bun.spawn(qemuArgs(), { stdout: "ignore", stderr: "pipe" });
const again = await waitHealthy(600);
check("after a reboot the gateway is healthy again (wizard not re-run)", again, elapsed());
const sizeAfter = Number(ssh("df -B1M --output=size / | tail -1").out.trim());
const grew = ssh("journalctl -b -u nexus-mcp-growroot --no-pager -o cat | grep growroot: | tail -1");
check(
  "the root file system grew into the enlarged disk (nexus-mcp-growroot)",
  sizeAfter - sizeBefore > 1800,
  `${sizeBefore} → ${sizeAfter} MiB; ${grew.out.trim()}`,
);
const after = ssh(
  "sha256sum /etc/nexus-mcp/gateway.env /etc/nexus-mcp/credentials/encryption-key /etc/nexus-mcp/firewall/*.nft; runuser -u postgres -- psql -tAq -d nexus_mcp -c 'select count(*) from schema_migrations'; systemctl is-active nexus-mcp-firstboot",
);
check(
  "configuration files, keyring and database intact after the reboot",
  before.code === 0 && after.out.startsWith(before.out),
  after.out.split("\n").slice(-3).join(" ").trim(),
);
if (token) {
  const tools2 = await toolsList();
  check("the token still works after the reboot (tools/list)", Array.isArray(tools2));
}
ssh("systemctl poweroff");
await Promise.race([vm.exited, Bun.sleep(60_000)]);
stopVm();
console.log(`boot-test finished in ${elapsed()}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
