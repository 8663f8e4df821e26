/**
 * The console menu on tty1 (appliance/console/console --menu) without a VM, driven by keystrokes
 * under tmux like the wizard: the real whiptail dialogs, the real CLI (`bun app/cli.ts`) on a real
 * PostgreSQL database, a real TLS listener whose certificate fingerprint the menu must show.
 * ROOT= redirects every file, APPLY=0 turns reboot/shutdown/networkctl into lines in
 * ROOT/console-actions.log. Checks what an operator and an auditor would notice: the URLs and the
 * served fingerprint, a one-time admin password that works once and must be changed, an NTP
 * warning, a support bundle without secrets, confirmations that default to No, a root shell that
 * opens only after Yes and is in the audit log, a network change written for the management NIC.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../app/cli.ts";
import { createPasswordHasher } from "../../app/identity/passwords.ts";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { APPLIANCE, REPO, missing, run, skipMessage, tempDir } from "./tools.ts";

setDefaultTimeout(60_000);
const CONSOLE = join(APPLIANCE, "console/console");
const need = missing("tmux", "whiptail", "openssl");
if (need.length) console.warn(skipMessage("appliance console menu under tmux", need));

describe.skipIf(need.length > 0)("console menu under tmux", () => {
  const session = `con${process.pid}`;
  const d = tempDir("nexus-console-");
  const root = join(d, "root");
  const actions = join(root, "console-actions.log");
  let db: TestDatabase;
  let tls: ReturnType<typeof Bun.serve>;
  let fingerprint = "";
  const cliEnv = () => ({ DATABASE_URL: db.url, DATA_DIR: join(d, "data"), LOG_LEVEL: "silent" });

  const screen = () => run(["tmux", "capture-pane", "-p", "-t", session]).out;
  const keys = (...k: string[]) => run(["tmux", "send-keys", "-t", session, ...k]);
  const type = (text: string) => run(["tmux", "send-keys", "-t", session, "-l", text]);
  async function waitFor(text: string | RegExp, timeoutMs = 20_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = screen();
      if (typeof text === "string" ? s.includes(text) : text.test(s)) return s;
      if (Date.now() > end) throw new Error(`"${text}" did not appear; screen:\n${s}`);
      await Bun.sleep(100);
    }
  }
  async function waitGone(text: string, timeoutMs = 20_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (screen().includes(text)) {
      if (Date.now() > end) throw new Error(`"${text}" stayed on screen:\n${screen()}`);
      await Bun.sleep(100);
    }
  }
  function retype(text: string) {
    keys("C-u");
    for (let i = 0; i < 40; i++) keys("BSpace");
    type(text);
    keys("Enter");
  }
  /** Picks a menu line by its number (arrow keys from the top: whiptail does not jump on digits) and waits for the dialog it opens. */
  async function choose(n: string, expectText: string): Promise<string> {
    await waitFor("Choose:");
    await Bun.sleep(200);
    for (let i = 0; i < (n === "0" ? 9 : Number(n) - 1); i++) keys("Down");
    keys("Enter");
    await waitGone("Choose:");
    return waitFor(expectText);
  }
  /** Answers Yes in a Yes/No box whose default is No, then leaves it. */
  function yes() {
    keys("Left");
    keys("Enter");
  }
  const audit = async (action: string) =>
    await db.sql<{ action: string; via: string; details: Record<string, string> }[]>`
    select action, via, details from audit_events where action = ${action} order by id`;

  beforeAll(async () => {
    db = await freshDatabase();
    mkdirSync(join(d, "data"), { recursive: true });
    writeFileSync(join(d, "admin-pw"), "Blue-Falcon-Harbour-7\n");
    const out: string[] = [];
    const code = await runCli(
      ["user", "add", "admin", "--roles", "admin", "--password-file", join(d, "admin-pw")],
      cliEnv(),
      (l) => out.push(l),
      (l) => out.push(l),
    );
    expect(out.join("\n")).toContain("created user admin");
    expect(code).toBe(0);

    // a real TLS listener stands in for the gateway's UI port: the menu must show ITS fingerprint
    run([
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=nexus01",
      "-keyout",
      join(d, "key.pem"),
      "-out",
      join(d, "cert.pem"),
    ]);
    fingerprint = run(["openssl", "x509", "-in", join(d, "cert.pem"), "-noout", "-fingerprint", "-sha256"])
      .out.trim()
      .replace(/^.*=/, "");
    expect(fingerprint).toHaveLength(95);
    tls = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      tls: { cert: readFileSync(join(d, "cert.pem"), "utf8"), key: readFileSync(join(d, "key.pem"), "utf8") },
      fetch: () => new Response("ok"),
    });

    const etc = join(root, "etc");
    mkdirSync(join(etc, "nexus-mcp/credentials"), { recursive: true });
    mkdirSync(join(etc, "systemd/network"), { recursive: true });
    mkdirSync(join(etc, "systemd/timesyncd.conf.d"), { recursive: true });
    writeFileSync(join(etc, "hostname"), "nexus01\n");
    writeFileSync(
      join(etc, "nexus-mcp/gateway.env"),
      `UI_PORT=${tls.port}\nAPI_PORT=18444\nPUBLIC_HOSTNAMES=nexus01,192.0.2.10\nTLS_SANS=nexus01,192.0.2.10\nTLS_CN=nexus01\n`,
    );
    writeFileSync(join(etc, "nexus-mcp/appliance.env"), "BACKUP_KEEP=7\nSMTP_PASSWORD=hunter2-topsecret\n");
    writeFileSync(join(etc, "nexus-mcp/credentials/encryption-key"), "KEKMATERIAL-DO-NOT-LEAK\n");
    writeFileSync(join(etc, "nexus-mcp/extra-names"), "nexus01.example.com\n");
    writeFileSync(
      join(etc, "systemd/network/10-mgmt.network"),
      "[Match]\nType=ether\nName=ens192\n\n[Network]\nDHCP=ipv4\n",
    );
    writeFileSync(join(etc, "systemd/timesyncd.conf.d/nexus-mcp.conf"), "[Time]\nNTP=ntp1.example.com\n");
    // timedatectl of an unsynchronised machine
    const fake = join(d, "timedatectl");
    writeFileSync(
      fake,
      '#!/bin/sh\ncase "$*" in *NTPSynchronized*) echo no ;; *ServerName*) echo ntp1.example.com ;; *NTP*) echo yes ;; esac\n',
    );
    chmodSync(fake, 0o755);

    const env = Object.entries({
      ROOT: root,
      APPLY: "0",
      ...cliEnv(),
      NEXUS_CLI: `${Bun.which("bun")} ${join(REPO, "app/cli.ts")}`,
      NEXUS_NAMES: join(APPLIANCE, "bin/nexus-mcp-names"),
      TIMEDATECTL: fake,
      ROOT_SHELL: "bash --norc --noprofile -i",
      TERM: "xterm",
    })
      .map(([k, v]) => `${k}='${v}'`)
      .join(" ");
    const cmd = `cd '${REPO}' && env ${env} bash '${CONSOLE}' --menu; echo CONSOLE-EXIT=$?; sleep 120`;
    let r = run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "25", cmd]);
    for (let i = 0; i < 10 && r.code !== 0; i++) {
      Bun.sleepSync(200);
      run(["tmux", "kill-session", "-t", session]);
      r = run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "25", cmd]);
    }
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    run(["tmux", "kill-session", "-t", session]);
    tls?.stop(true);
    await db?.close();
    rmSync(d, { recursive: true, force: true });
  });

  test("the menu shows the URLs and the fingerprint of the certificate served now, on an 80x25 console", async () => {
    const s = await waitFor("Choose:");
    expect(s).toContain(`:${tls.port}/`);
    expect(s).toContain(fingerprint.slice(0, 47));
    expect(s).toContain(fingerprint.slice(48));
    expect(s).toContain("0 Root shell (recorded)");
    // Esc and Ctrl-C do not leave the menu
    keys("Escape");
    keys("C-c");
    await Bun.sleep(500);
    await waitFor("Choose:");
    expect(screen()).not.toContain("CONSOLE-EXIT");
  });

  test("status: fingerprint, health, names; the login banner is rewritten", async () => {
    const s = await choose("1", "Gateway:");
    expect(s).toContain("healthy");
    expect(s).toContain(fingerprint.slice(48));
    keys("Enter");
    const issue = readFileSync(join(root, "etc/issue.d/nexus-mcp.issue"), "utf8");
    expect(issue).toContain(fingerprint.slice(0, 47));
    expect(issue).toContain(`:${tls.port}/`);
    expect(issue).toMatch(/^Nexus MCP Gateway - \\n\n/);
  });

  test("time: a warning when the clock is not synchronised", async () => {
    const s = await choose("6", "NTP servers");
    expect(s).toContain("ntp1.example.com");
    expect(s).toContain("NOT synchronised");
    keys("Enter");
  });

  test("reset the admin password: No by default; Yes shows a one-time password that must be changed, audited", async () => {
    const before = (await db.sql<{ h: string }[]>`select password_hash as h from users where username = 'admin'`)[0]!.h;
    await choose("5", "Reset the password");
    keys("Enter"); // the default is No
    await waitFor("Choose:");
    expect((await db.sql<{ h: string }[]>`select password_hash as h from users where username = 'admin'`)[0]!.h).toBe(
      before,
    );

    await choose("5", "Reset the password");
    yes();
    const s = await waitFor("One-time password", 30_000);
    const pw = /One-time password[^\n]*\n(?:[^\n]*\n)*?[│| ]+(\S{12,})\s+[│|]/.exec(s)?.[1];
    expect(pw).toBeDefined();
    keys("Enter");
    const [u] = await db.sql<
      { h: string; must: boolean }[]
    >`select password_hash as h, must_change_password as must from users where username = 'admin'`;
    expect(u!.must).toBe(true);
    expect(await createPasswordHasher().verify(u!.h, pw!)).toBe(true);
    expect(await createPasswordHasher().verify(u!.h, "Blue-Falcon-Harbour-7")).toBe(false);
    const events = await audit("user.password.reset");
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0]!.details)).not.toContain(pw!);
  });

  test("support bundle: logs, versions, health in a file for admins, no secrets, audited", async () => {
    const s = await choose("7", "Support bundle written");
    expect(s).toContain("/var/lib/nexus-mcp/support/support-nexus01-");
    keys("Enter");
    const dir = join(root, "var/lib/nexus-mcp/support");
    const [file] = readdirSync(dir).filter((f) => f.endsWith(".tar.gz"));
    expect(file).toBeDefined();
    const x = join(d, "bundle");
    mkdirSync(x);
    expect(run(["tar", "-xzf", join(dir, file!), "-C", x]).code).toBe(0);
    const top = join(x, file!.replace(/\.tar\.gz$/, ""));
    const names = readdirSync(top).sort();
    for (const f of [
      "README.txt",
      "versions.txt",
      "health.txt",
      "system.txt",
      "config.txt",
      "journal.txt",
      "gateway-log.txt",
      "audit-verify.txt",
    ])
      expect(names).toContain(f);
    const all = names.map((f) => readFileSync(join(top, f), "utf8")).join("\n");
    expect(all).toContain("audit chain");
    expect(all).toContain("BACKUP_KEEP=7");
    expect(all).not.toContain("hunter2-topsecret");
    expect(all).not.toContain("KEKMATERIAL");
    expect((await audit("appliance.support_bundle.create"))[0]?.details.file).toBe(file);
  });

  test("reboot and shut down ask first; Yes reboots and is audited", async () => {
    await choose("9", "Really shut down");
    keys("Enter"); // No
    await choose("8", "Really reboot");
    yes();
    await waitFor("Choose:");
    const log = readFileSync(actions, "utf8");
    expect(log).toContain("systemctl reboot");
    expect(log).not.toContain("poweroff");
    expect(await audit("appliance.console.reboot")).toHaveLength(1);
    expect(await audit("appliance.console.shutdown")).toHaveLength(0);
  });

  test("root shell: only after an explicit Yes, recorded in the audit log before it opens", async () => {
    await choose("0", "Open a ROOT SHELL");
    keys("Enter"); // No
    await waitFor("Choose:");
    expect(await audit("appliance.console.shell")).toHaveLength(0);
    await choose("0", "Open a ROOT SHELL");
    yes();
    await waitFor("Type exit to return");
    expect(await audit("appliance.console.shell")).toHaveLength(1);
    type("echo INSIDE-$((40+2))");
    keys("Enter");
    await waitFor("INSIDE-42");
    type("exit");
    keys("Enter");
    await waitFor("Choose:");
  });

  test("network: a static address re-asked until the gateway is in the subnet, written for the management NIC, audited", async () => {
    await choose("2", "Management network address");
    keys("Down");
    keys("Enter");
    await waitFor("IPv4 address and prefix length");
    retype("10.1.2.3/24");
    await waitFor("Default gateway");
    retype("10.9.9.1");
    await waitFor("is not inside the subnet 10.1.2.0/24");
    keys("Enter");
    await waitGone("is not inside the subnet");
    await waitFor("Default gateway");
    retype("10.1.2.1");
    await waitFor("DNS servers");
    retype("10.1.2.53");
    const s = await waitFor("Change the management network");
    expect(s).toContain("ens192");
    expect(s).toContain("10.1.2.3/24, gateway 10.1.2.1");
    yes();
    await waitFor("Network: 10.1.2.3/24");
    keys("Enter");
    await waitFor("Choose:");
    const net = readFileSync(join(root, "etc/systemd/network/10-mgmt.network"), "utf8");
    expect(net).toContain("Name=ens192\n");
    expect(net).toContain("Address=10.1.2.3/24\nGateway=10.1.2.1\nDNS=10.1.2.53\n");
    expect(readFileSync(actions, "utf8")).toContain("networkctl reconfigure ens192");
    // the names follow: the stored other names are kept
    expect(readFileSync(join(root, "etc/nexus-mcp/gateway.env"), "utf8")).toContain(
      "TLS_SANS=nexus01,nexus01.example.com\n",
    );
    expect((await audit("appliance.network.change"))[0]?.details).toEqual({
      interface: "ens192",
      mode: "static",
      address: "10.1.2.3/24",
    });
  });

  test("names and an SSH key for root", async () => {
    await choose("3", "Host name of this appliance");
    retype("nexus09");
    await waitFor("Other names clients use");
    retype("mcp.example.com 2001:db8::9");
    await waitFor("Set the names?");
    yes();
    await waitFor("Names set.");
    keys("Enter");
    const env = readFileSync(join(root, "etc/nexus-mcp/gateway.env"), "utf8");
    expect(env).toContain("TLS_SANS=nexus09,mcp.example.com,2001:db8::9\n");
    expect(readFileSync(join(root, "etc/hostname"), "utf8")).toBe("nexus09\n");
    expect(await audit("appliance.names.change")).toHaveLength(1);

    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKyv0n5Qv0m8y2cYHfS9yq3o4Y1rPzv2qFGm9s8Jx1Ab op@laptop";
    await choose("4", "SSH public key for root");
    retype("not a key");
    await waitFor("not an OpenSSH public key line");
    keys("Enter");
    await waitGone("not an OpenSSH public key line");
    await waitFor("SSH public key for root");
    retype(key);
    await waitFor("Allow SSH logins as root");
    yes();
    await waitFor("The key was added");
    keys("Enter");
    expect(readFileSync(join(root, "root/.ssh/authorized_keys"), "utf8")).toBe(`${key}\n`);
    expect((await audit("appliance.ssh_key.set"))[0]?.details).toEqual({ type: "ssh-ed25519", comment: "op@laptop" });
    expect(existsSync(actions) && readFileSync(actions, "utf8")).toContain("systemctl enable --now ssh.service");
  });
});

describe("appliance event (the console's audit records)", () => {
  test("only the appliance's own actions, short printable details", async () => {
    const db = await freshDatabase();
    const env = { DATABASE_URL: db.url, DATA_DIR: tempDir("nexus-ev-"), LOG_LEVEL: "silent" };
    const call = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await runCli(
        argv,
        env,
        (l) => out.push(l),
        (l) => out.push(l),
      );
      return { code, out: out.join("\n") };
    };
    try {
      const forged = await call("appliance", "event", "user.password.reset", "username=admin");
      expect(forged.code).toBe(2);
      expect(forged.out).toContain('unknown appliance action "user.password.reset"');
      expect((await call("appliance", "event", "appliance.console.shell", "Bad Key=1")).code).toBe(2);
      expect((await call("appliance", "event", "appliance.console.shell", `tty=${"x".repeat(201)}`)).out).toContain(
        "at most 200",
      );
      const ok = await call("appliance", "event", "appliance.console.shell", "tty=/dev/tty1");
      expect(ok.code).toBe(0);
      const rows = await db.sql<
        { via: string; details: unknown }[]
      >`select via, details from audit_events where action = 'appliance.console.shell'`;
      expect([...rows]).toEqual([{ via: "cli", details: { tty: "/dev/tty1" } }]);
      rmSync(env.DATA_DIR, { recursive: true, force: true });
    } finally {
      await db.close();
    }
  });
});
