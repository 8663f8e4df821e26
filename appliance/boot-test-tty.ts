/**
 * Keystroke test of the first-boot wizard on the VM's console (tty1), as an operator would use it
 * (QEMU in software emulation, no KVM; ≈ 3-4 min).
 *
 *   bun appliance/boot-test-tty.ts [--image appliance/out/nexus-mcp-test.raw] [--keep]
 *
 * Needs the TEST variant (`bash appliance/build.sh --variant test`: the release image plus root
 * autologin on the serial console — never shipped). Boots it with no answers file, so the wizard
 * waits on tty1; types into it through the QEMU monitor (`sendkey`, one key at a time) and reads
 * tty1 back through the serial root shell (`/dev/vcs1`), waiting for each dialog before the next
 * keystroke: a bad host name is re-asked, DHCP and the suggested trusted network are accepted, a
 * common password is refused by the product's policy, two different passwords are refused, the
 * summary is confirmed. Then checks that the box is configured, the gateway is healthy from the
 * host, and tty1 shows the console menu with the URLs and the certificate fingerprint; then the
 * menu's time, password reset, support bundle and root shell, checked in the database.
 * Prints `N passed, N failed`; exits non-zero on any failure.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";

import { join, resolve } from "node:path";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const image = resolve(opt("--image", join(import.meta.dir, "out/nexus-mcp-test.raw")));
const keep = args.includes("--keep");
const PORTS = { ui: 17543, api: 18544 };
const HOST = "nexus-tty";
const PASSWORD = "Tty-Wizard-Passw0rd-7";

let passed = 0,
  failed = 0;
function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "  ok  " : "  FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
}
const t0 = Date.now();
const elapsed = () => `${Math.round((Date.now() - t0) / 1000)}s`;

if (!existsSync(image)) {
  console.error(`boot-test-tty: no image at ${image}; run: bash appliance/build.sh --variant test`);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), "nexus-tty-"));
const overlay = join(work, "disk.qcow2");
const fmt = image.endsWith(".raw") ? "raw" : "qcow2";
if (Bun.spawnSync(["qemu-img", "create", "-q", "-f", "qcow2", "-b", image, "-F", fmt, overlay]).exitCode !== 0)
  throw new Error("qemu-img create failed");
const monPath = join(work, "mon.sock");
const serialPath = join(work, "serial.sock");
const vm = Bun.spawn(
  [
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
    "-vga",
    "std",
    "-serial",
    `unix:${serialPath},server,nowait`,
    "-monitor",
    `unix:${monPath},server,nowait`,
    "-drive",
    `file=${overlay},if=virtio,format=qcow2`,
    "-netdev",
    `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${PORTS.ui}-:7443,hostfwd=tcp:127.0.0.1:${PORTS.api}-:8444`,
    "-device",
    "virtio-net-pci,netdev=n0",
  ],
  { stdout: "ignore", stderr: "pipe" },
);
process.on("exit", () => {
  try {
    vm.kill();
  } catch {}
  if (!keep) rmSync(work, { recursive: true, force: true });
});

async function connectUnix(path: string): Promise<Socket> {
  for (let i = 0; i < 100; i++) {
    const s = await new Promise<Socket | undefined>((res) => {
      const sock = connect(path);
      sock.once("connect", () => res(sock));
      sock.once("error", () => res(undefined));
    });
    if (s) return s;
    await Bun.sleep(200);
  }
  throw new Error(`cannot connect to ${path}`);
}

/** The serial console: everything received, and commands run in the autologin root shell. */
class Serial {
  log = "";
  #n = 0;
  constructor(readonly sock: Socket) {
    sock.on("data", (d) => {
      this.log += d.toString("latin1");
      if (this.log.length > 4_000_000) this.log = this.log.slice(-1_000_000);
    });
  }
  async waitFor(re: RegExp, timeoutS: number, from = 0): Promise<boolean> {
    const end = Date.now() + timeoutS * 1000;
    while (Date.now() < end) {
      if (re.test(this.log.slice(from))) return true;
      await Bun.sleep(500);
    }
    return false;
  }
  /** Runs CMD; its output is what appears between two markers the echoed command line cannot contain. */
  async run(cmd: string, timeoutS = 60): Promise<string | undefined> {
    const n = ++this.#n;
    const from = this.log.length;
    this.sock.write(`printf '%s_%s\\n' __BEGIN ${n}; ${cmd}; printf '%s_%s\\n' __END ${n}\n`);
    const re = new RegExp(`__BEGIN_${n}\\r?\\n([\\s\\S]*?)__END_${n}`);
    const end = Date.now() + timeoutS * 1000;
    while (Date.now() < end) {
      const m = re.exec(this.log.slice(from));
      if (m) return m[1]!.replace(/\r/g, "");
      await Bun.sleep(300);
    }
    return undefined;
  }
}

/** The QEMU monitor: `sendkey` per character. */
class Keyboard {
  constructor(readonly sock: Socket) {
    sock.on("data", () => {});
  }
  static keyName(ch: string): string {
    if (/^[a-z0-9]$/.test(ch)) return ch;
    if (/^[A-Z]$/.test(ch)) return `shift-${ch.toLowerCase()}`;
    const named: Record<string, string> = {
      "-": "minus",
      ".": "dot",
      "/": "slash",
      " ": "spc",
      ",": "comma",
      "=": "equal",
      _: "shift-minus",
      "!": "shift-1",
      "@": "shift-2",
      ":": "shift-semicolon",
    };
    const k = named[ch];
    if (!k) throw new Error(`no key for ${JSON.stringify(ch)}`);
    return k;
  }
  async key(name: string): Promise<void> {
    this.sock.write(`sendkey ${name}\n`);
    await Bun.sleep(150);
  }
  async type(text: string): Promise<void> {
    for (const ch of text) await this.key(Keyboard.keyName(ch));
  }
  async clearField(n = 24): Promise<void> {
    await this.key("end");
    for (let i = 0; i < n; i++) await this.key("backspace");
  }
}

const serial = new Serial(await connectUnix(serialPath));
const keyboard = new Keyboard(await connectUnix(monPath));

/** tty1's text, one line per screen row. */
async function screen(): Promise<string> {
  return (
    (await serial.run(
      "c=$(stty -F /dev/tty1 size 2>/dev/null | cut -d' ' -f2); tr -c '[:print:]' ' ' < /dev/vcs1 | fold -w \"${c:-80}\"",
      30,
    )) ?? ""
  );
}
async function waitScreen(text: string | RegExp, timeoutS = 120): Promise<string | undefined> {
  const end = Date.now() + timeoutS * 1000;
  let last = "";
  while (Date.now() < end) {
    last = await screen();
    if (typeof text === "string" ? last.includes(text) : text.test(last)) return last;
    await Bun.sleep(1500);
  }
  console.log(
    `  … waited ${timeoutS}s for ${String(text)}; tty1 shows:\n${last
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => `    | ${l.trimEnd()}`)
      .join("\n")}`,
  );
  return undefined;
}
/** Dialog text as one string: rows joined, box borders and wrapping gone (a fingerprint wraps). */
const flat = (text: string | undefined) => (text ?? "").replace(/\s+/g, "");
const FINGERPRINT = /([0-9A-F]{2}:){31}[0-9A-F]{2}/;
function show(text: string | undefined): string {
  return (text ?? "")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => `    | ${l.trimEnd()}`)
    .join("\n");
}
async function step(name: string, waitFor: string | RegExp, timeoutS = 120): Promise<boolean> {
  const ok = (await waitScreen(waitFor, timeoutS)) !== undefined;
  check(name, ok, elapsed());
  return ok;
}

console.log(`boot-test-tty: ${image}, work dir ${work}`);
const loggedIn = await serial.waitFor(/root@[^\s]*:~# *$/m, 600);
check("serial console: root autologin of the test variant", loggedIn, elapsed());
if (!loggedIn) {
  console.log(serial.log.slice(-2000));
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}
await serial.run("dmesg -n 1; stty -echo");

let ok = await step("the wizard's welcome is on tty1", "Welcome", 600);
if (ok) {
  await keyboard.key("ret");
  ok = await step("host name dialog", "Host name of this appliance");
}
if (ok) {
  await keyboard.clearField();
  await keyboard.type("-bad");
  await keyboard.key("ret");
  ok = await step("a bad host name is refused with the reason", "is not a valid host name");
  await keyboard.key("ret");
}
if (ok) {
  ok = (await waitScreen("Host name of this appliance")) !== undefined;
  await keyboard.clearField();
  await keyboard.type(HOST);
  await keyboard.key("ret");
  ok = await step("other names dialog (FQDN, aliases)", "Other names clients use");
}
if (ok) {
  await keyboard.key("ret");
  ok = await step("network mode menu (DHCP is the default)", "Management network address");
}
if (ok) {
  await keyboard.key("ret");
  ok = await step("NTP dialog", "NTP servers");
}
if (ok) {
  await keyboard.key("ret");
  const s = await waitScreen("Trusted networks");
  check("trusted networks dialog suggests the DHCP subnet 10.0.2.0/24", s?.includes("10.0.2.0/24") ?? false, elapsed());
  ok = s !== undefined;
}
if (ok) {
  await keyboard.key("ret");
  ok = await step("administrator password dialog", "Password of the administrator");
}
if (ok) {
  await keyboard.type("Password1234");
  await keyboard.key("ret");
  ok = await step("a common password is refused", /too common|common word/, 180);
  await keyboard.key("ret");
}
if (ok) {
  ok = (await waitScreen("Password of the administrator")) !== undefined;
  await keyboard.type(PASSWORD);
  await keyboard.key("ret");
  ok = await step(
    "repeat dialog after a policy-conforming password (checked by the app's own policy)",
    "Repeat the password",
    180,
  );
}
if (ok) {
  await keyboard.type(`${PASSWORD}x`);
  await keyboard.key("ret");
  ok = await step("two different passwords are refused", "differ");
  await keyboard.key("ret");
}
if (ok) {
  ok = (await waitScreen("Password of the administrator")) !== undefined;
  await keyboard.type(PASSWORD);
  await keyboard.key("ret");
  ok = (await waitScreen("Repeat the password", 180)) !== undefined;
  await keyboard.type(PASSWORD);
  await keyboard.key("ret");
  ok = await step("SSH key dialog (optional; skipped here)", "SSH public key for root");
  await keyboard.key("ret");
  const s = await waitScreen("Please confirm");
  check(
    "summary names the host name and DHCP",
    (s?.includes(HOST) ?? false) && (s?.includes("DHCP") ?? false),
    elapsed(),
  );
  ok = s !== undefined;
}
if (ok) {
  const before = await serial.run("test -e /etc/nexus-mcp/configured && echo CONFIGURED || echo NOT-CONFIGURED");
  check("nothing is configured before the summary is confirmed", before?.includes("NOT-CONFIGURED") ?? false);
  await keyboard.key("ret");
  const s = await waitScreen("The appliance is configured", 900);
  const shown = flat(s).includes("https://10.0.2.15:7443/") && FINGERPRINT.test(flat(s));
  check("applied: the result dialog shows the URLs and a SHA-256 fingerprint", shown, elapsed());
  if (!shown) console.log(show(s));
  ok = s !== undefined;
  await keyboard.key("ret");
}
if (ok) {
  const menu = await waitScreen("Choose:", 180);
  const shown = flat(menu).includes("https://10.0.2.15:7443/") && FINGERPRINT.test(flat(menu));
  check("tty1 then shows the console menu with the URLs and the served fingerprint", shown, elapsed());
  if (!shown) console.log(show(menu));
  const state = await serial.run(
    'cd /; cat /etc/hostname; test -e /etc/nexus-mcp/configured && echo CONFIGURED; systemctl is-active nexus-mcp; systemctl is-active nexus-mcp-firstboot; runuser -u postgres -- psql -XtAq -d nexus_mcp -c "select username from users"',
    60,
  );
  check(
    "configured: host name, flag file, gateway active, wizard finished, admin exists",
    !!state &&
      state.includes(HOST) &&
      state.includes("CONFIGURED") &&
      /^active$/m.test(state) &&
      /^admin$/m.test(state),
    state?.replace(/\s+/g, " ").trim(),
  );
  let healthy = false;
  for (let i = 0; i < 20 && !healthy; i++) {
    try {
      const r = await fetch(`https://127.0.0.1:${PORTS.ui}/healthz`, {
        tls: { rejectUnauthorized: false },
        signal: AbortSignal.timeout(5000),
      } as any);
      healthy = r.ok;
    } catch {
      await Bun.sleep(3000);
    }
  }
  check("the gateway answers from the host (trusted network from the wizard)", healthy, elapsed());

  // the console menu, by keystrokes: lines are chosen with the arrow keys from the top
  const choose = async (index: number) => {
    await waitScreen("Choose:", 60);
    for (let i = 0; i < index; i++) await keyboard.key("down");
    await keyboard.key("ret");
  };
  await choose(5);
  const time = await waitScreen("NTP servers", 60);
  check("console: time and NTP status (synchronised or a warning)", /synchronised/.test(time ?? ""), elapsed());
  await keyboard.key("ret");
  await choose(4);
  await waitScreen("Reset the password", 60);
  await keyboard.key("left");
  await keyboard.key("ret");
  const reset = await waitScreen("One-time password", 120);
  check("console: the admin password reset shows a one-time password", reset !== undefined, elapsed());
  await keyboard.key("ret");
  const must = await serial.run(
    "runuser -u postgres -- psql -XtAq -d nexus_mcp -c \"select must_change_password from users where username = 'admin'\"",
    30,
  );
  check("  … which must be changed at the next sign-in", /^t$/m.test(must ?? ""), must?.trim());
  await choose(6);
  const bundle = await waitScreen("Support bundle written", 180);
  check("console: a support bundle is written", bundle !== undefined, elapsed());
  await keyboard.key("ret");
  await choose(9);
  await waitScreen("Open a ROOT SHELL", 60);
  await keyboard.key("left");
  await keyboard.key("ret");
  check(
    "console: the root shell opens after Yes",
    (await waitScreen("Type exit to return", 60)) !== undefined,
    elapsed(),
  );
  await keyboard.type("exit");
  await keyboard.key("ret");
  const events = await serial.run(
    "runuser -u postgres -- psql -XtAq -d nexus_mcp -c \"select action from audit_events where action like 'appliance.%' or action = 'user.password.reset' order by id\"",
    30,
  );
  check(
    "console actions are in the audit log",
    ["user.password.reset", "appliance.support_bundle.create", "appliance.console.shell"].every((a) =>
      events?.includes(a),
    ),
    events?.replace(/\s+/g, " ").trim(),
  );
  check("back in the console menu after the shell", (await waitScreen("Choose:", 60)) !== undefined, elapsed());
}
writeFileSync(join(work, "serial.log"), serial.log);
serial.sock.write("systemctl poweroff\n");
await Promise.race([vm.exited, Bun.sleep(60_000)]);
console.log(`boot-test-tty finished in ${elapsed()}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
