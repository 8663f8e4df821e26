/**
 * systemd units of the appliance, checked offline: `systemd-analyze verify` must print nothing
 * (it exits 0 on unknown keys, so any output fails), the gateway's exposure must be ≤ 2.0, and
 * the hardening the issue names must be present — with MemoryDenyWriteExecute off only on the
 * units that run Bun.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";

// shell-outs are slow when the machine is busy (an image build or a VM on the other core)
setDefaultTimeout(30_000);
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, missing, run, skipMessage, stagedRoot } from "./tools.ts";

const need = missing("systemd-analyze");
if (need.length) console.warn(skipMessage("appliance units", need));
const staged = need.length ? undefined : stagedRoot();
afterAll(() => staged?.cleanup());
const UNIT_DIR = join(REPO, "systemd");
const units = readdirSync(UNIT_DIR).filter((f) => /\.(service|timer)$/.test(f));

function unitText(name: string): string {
  return readFileSync(join(UNIT_DIR, name), "utf8");
}

/** Verify against the host, not a root: the binaries the units name exist only in the image. */
function verify(path: string): string {
  const r = run(["systemd-analyze", "verify", "--man=no", path], { env: { SYSTEMD_LOG_COLOR: "0" } });
  // Missing executables (bun, the appliance's scripts) are expected outside the image; anything
  // else — unknown keys, bad values, bad specifiers — is a failure.
  return (r.out + r.err)
    .split("\n")
    .filter((l) => l.trim() !== "")
    .filter(
      (l) =>
        !/is not executable: No such file or directory|Command .* is not executable|not found\.?$|Failed to prepare filename/.test(
          l,
        ),
    )
    .join("\n");
}

describe.skipIf(need.length > 0)("systemd units", () => {
  test("there are the units the issue asks for", () => {
    for (const u of [
      "nexus-mcp.service",
      "nexus-mcp-migrate.service",
      "nexus-mcp-firstboot.service",
      "nexus-mcp-tls-renew.service",
      "nexus-mcp-tls-renew.timer",
      "nexus-mcp-audit-retention.service",
      "nexus-mcp-audit-retention.timer",
      "nexus-mcp-backup.service",
      "nexus-mcp-backup.timer",
    ]) {
      expect(units).toContain(u);
    }
  });

  for (const u of units) {
    test(`${u}: systemd-analyze verify prints nothing`, () => {
      expect(verify(join(staged!.root, "usr/lib/systemd/system", u))).toBe("");
    });
  }

  test("the verify gate catches a misspelt key (it would exit 0)", () => {
    const bad = join(staged!.root, "usr/lib/systemd/system/typo-check.service");
    writeFileSync(bad, "[Service]\nExecStart=/bin/true\nProtectSytem=strict\n");
    const r = run(["systemd-analyze", "verify", "--man=no", bad]);
    expect(r.code).toBe(0);
    expect(verify(bad)).toContain("ProtectSytem");
  });

  test("nexus-mcp.service exposure ≤ 2.0 (systemd-analyze security --offline)", () => {
    const path = join(staged!.root, "usr/lib/systemd/system/nexus-mcp.service");
    const r = run(["systemd-analyze", "security", "--offline=yes", "--threshold=20", path]);
    const m = /Overall exposure level for \S+: ([0-9.]+)/.exec(r.out + r.err);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.0);
    expect(r.code).toBe(0);
  });

  test("every Bun unit keeps MemoryDenyWriteExecute off with the reason; the others turn it on", () => {
    for (const u of units.filter((n) => n.endsWith(".service"))) {
      const text = unitText(u);
      const runsBun = /ExecStart=\/usr\/local\/bin\/bun /.test(text);
      if (runsBun) {
        expect(text).toContain("MemoryDenyWriteExecute=no");
        expect(text).toMatch(/JIT/);
      } else if (u !== "nexus-mcp-firstboot.service" && u !== "nexus-mcp-console.service") {
        // (the wizard and the console menu are the operator's way in; the menu's root shell must
        // not inherit a sandbox that breaks what the operator runs in it)
        expect(text).toContain("MemoryDenyWriteExecute=yes");
      }
    }
  });

  test("the gateway unit carries the hardening the issue names", () => {
    const text = unitText("nexus-mcp.service");
    for (const line of [
      "User=nexus-mcp",
      "ProtectSystem=strict",
      "PrivateTmp=yes",
      "PrivateDevices=yes",
      "NoNewPrivileges=yes",
      "CapabilityBoundingSet=\n",
      "SystemCallFilter=@system-service",
      "ProtectKernelTunables=yes",
      "ProtectKernelModules=yes",
      "ProtectKernelLogs=yes",
      "StateDirectory=nexus-mcp",
      "Restart=on-failure",
      "EnvironmentFile=/etc/nexus-mcp/gateway.env",
      "LoadCredential=encryption-key:",
      "ExecReload=/bin/kill -HUP $MAINPID",
      "Requires=nexus-mcp-migrate.service",
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6/m);
  });

  test("the app role runs no DDL: MIGRATE_ON_START=false, the socket directory from DATABASE_URL, no CREATE grant", () => {
    for (const u of units.filter((n) => n.endsWith(".service"))) expect(unitText(u)).not.toContain("PGHOST");
    for (const u of ["nexus-mcp.service", "nexus-mcp-tls-renew.service", "nexus-mcp-audit-retention.service"]) {
      expect(unitText(u)).toMatch(/^Environment=.*\bPGUSER=nexus_mcp\b.*\bMIGRATE_ON_START=false\b/m);
    }
    expect(unitText("nexus-mcp-migrate.service")).toContain("PGUSER=nexus_mcp_owner");
    const grants = readFileSync(join(REPO, "appliance/postgres/grants.sql"), "utf8");
    expect(grants).not.toMatch(/^GRANT CREATE/m);
    expect(grants).toContain("REVOKE CREATE ON SCHEMA public FROM nexus_mcp_app, nexus_mcp, PUBLIC;");
  });

  test("tty1: the wizard until configured, then the console menu instead of a login prompt (root is locked)", () => {
    const menu = unitText("nexus-mcp-console.service");
    for (const line of [
      "ConditionPathExists=/etc/nexus-mcp/configured\n",
      "Conflicts=getty@tty1.service\n",
      "TTYPath=/dev/tty1\n",
      "ExecStart=/usr/lib/nexus-mcp/console --menu\n",
      "Restart=always\n",
      "StandardError=tty\n",
      "WantedBy=multi-user.target",
    ]) {
      expect(menu).toContain(line);
    }
    expect(menu).toMatch(/^After=.*\bnexus-mcp-firstboot\.service\b/m);
    expect(unitText("nexus-mcp-firstboot.service")).toContain("ConditionPathExists=!/etc/nexus-mcp/configured\n");
    expect(readFileSync(join(UNIT_DIR, "getty@tty1.service.d/nexus-mcp.conf"), "utf8")).toContain(
      "ConditionPathExists=!/etc/nexus-mcp/configured\n",
    );
    expect(readFileSync(join(REPO, "appliance/build/customize.sh"), "utf8")).toMatch(
      /systemctl --root="\$R" enable [^>]*\bnexus-mcp-console\.service\b/,
    );
    // installed where systemd finds it, with the drop-in for tty1 only
    expect(
      readFileSync(join(staged!.root, "usr/lib/systemd/system/getty@tty1.service.d/nexus-mcp.conf"), "utf8"),
    ).toContain("configured");
    expect(readFileSync(join(staged!.root, "usr/lib/nexus-mcp/dialogs.sh"), "utf8")).toContain("ask_network()");
  });

  test("timers are persistent and daily", () => {
    for (const t of ["nexus-mcp-tls-renew.timer", "nexus-mcp-audit-retention.timer", "nexus-mcp-backup.timer"]) {
      const text = unitText(t);
      expect(text).toContain("Persistent=true");
      expect(text).toMatch(/OnCalendar=(daily|\*-\*-\* \d\d:\d\d:\d\d)/);
    }
  });
});

test("the gateway unit's TimeoutStopSec exceeds the shutdown grace period with margin", async () => {
  const { CONFIG_KEYS, parseDuration } = await import("../../app/config.ts");
  const stop = /^TimeoutStopSec=(\d+)s$/m.exec(unitText("nexus-mcp.service"));
  const grace = parseDuration(CONFIG_KEYS.SHUTDOWN_GRACE.default)!;
  expect(Number(stop?.[1]) * 1000).toBeGreaterThanOrEqual(grace + 10_000);
});
