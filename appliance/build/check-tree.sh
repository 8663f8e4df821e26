#!/bin/bash
# Checks of the finished root tree ROOT that need the image's own binaries and users (chroot),
# run by the build before the disk is made. Fails on the first problem.
set -euo pipefail
R=${1:?usage: check-tree.sh ROOT}
fail() { echo "check-tree: $*" >&2; exit 1; }
ok() { echo "  ok  $*"; }

# firewall: parses with the image's own nft and /etc/protocols (no netbase = no firewall)
mkdir -p "$R/etc/nexus-mcp/firewall"
unshare -n chroot "$R" nft -c -f /etc/nftables.conf || fail "nftables.conf does not load in the image"
ok "nft -c -f /etc/nftables.conf (image)"
# units: verify prints nothing (unknown keys only warn), exposure ≤ 2.0 for the gateway
units="nexus-mcp.service nexus-mcp-migrate.service nexus-mcp-db-setup.service nexus-mcp-pg-cluster.service
nexus-mcp-firstboot.service nexus-mcp-tls-renew.service nexus-mcp-tls-renew.timer
nexus-mcp-audit-retention.service nexus-mcp-audit-retention.timer nexus-mcp-backup.service nexus-mcp-backup.timer
nexus-mcp-growroot.service nexus-mcp-banner.service"
for u in $units; do
  out=$(systemd-analyze verify --root="$R" "$R/usr/lib/systemd/system/$u" 2>&1) || fail "verify $u: $out"
  [[ -z $out ]] || fail "verify $u printed: $out"
done
ok "systemd-analyze verify (silent) for $(wc -w <<< "$units") units"
systemd-analyze security --offline=yes --root="$R" --threshold=20 nexus-mcp.service > /dev/null 2>&1 \
  || fail "nexus-mcp.service exposure > 2.0"
ok "nexus-mcp.service exposure $(systemd-analyze security --offline=yes --root="$R" nexus-mcp.service 2>&1 | sed -n 's/.*exposure level for nexus-mcp.service: \([0-9.]*\).*/\1/p')"
# logs
for f in nexus-mcp postgresql-common; do
  chroot "$R" logrotate -d "/etc/logrotate.d/$f" > /dev/null 2>&1 || fail "logrotate -d /etc/logrotate.d/$f"
done
ok "logrotate -d nexus-mcp postgresql-common"
# accounts and identity
[[ $(chroot "$R" passwd -S root | awk '{print $2}') == L ]] || fail "root is not locked"
ok "root locked"
[[ ! -s $R/etc/machine-id ]] || fail "machine-id not empty"
compgen -G "$R/etc/ssh/ssh_host_*" > /dev/null && fail "SSH host keys in the image"
ok "empty machine-id, no SSH host keys"
chroot "$R" sshd -T -f /etc/ssh/sshd_config -o HostKey=/dev/null 2>/dev/null | grep -qx 'passwordauthentication no' \
  || grep -qx 'PasswordAuthentication no' "$R/etc/ssh/sshd_config.d/nexus-mcp.conf" || fail "sshd allows passwords"
ok "sshd: PasswordAuthentication no"
# no compilers or development packages
bad=$(chroot "$R" dpkg-query -W -f '${Package}\n' | grep -E '^(gcc|g\+\+|cpp|clang|make|binutils)(-[0-9.]+)?$|-dev$' || true)
[[ -z $bad ]] || fail "compilers/dev packages in the image: $bad"
ok "no compilers or -dev packages"
id nexus-mcp > /dev/null 2>&1 || chroot "$R" id nexus-mcp > /dev/null || fail "user nexus-mcp missing"
ok "users nexus-mcp, nexus-mcp-owner"
chroot "$R" /usr/local/bin/bun --version > /dev/null || fail "bun does not run in the image"
# The image's app tree loads and has the commands the appliance's scripts and the wizard use. Run
# by the host's Bun (same version) on the image's files: Bun needs /proc and /dev, which the
# build's chroot does not mount.
app=$(readlink -f "$R/opt/nexus-mcp")
[[ $app == "$R"/opt/nexus-mcp-releases/* ]] || fail "/opt/nexus-mcp does not point into the image's releases"
out=$(cd "$app" && printf 'a sufficiently long one\n' | bun app/cli.ts password check 2>&1) \
  || fail "cli.ts password check does not run on the image's app tree: $out"
commands=$(cd "$app" && bun app/cli.ts 2>&1 || true)
for c in backup restore "backup verify"; do
  grep -qx "  $c" <<< "$commands" || fail "the CLI in the image lacks '$c'"
done
ok "cli.ts loads in the image: password check, backup, restore"
grep -q 'REVOKE CREATE ON SCHEMA public' "$R/usr/share/nexus-mcp/postgres/grants.sql" && ! grep -q '^GRANT CREATE' "$R/usr/share/nexus-mcp/postgres/grants.sql" \
  || fail "grants.sql must not grant CREATE on the schema to the app role"
ok "grants.sql: no CREATE for the app role"
ok "bun $(chroot "$R" /usr/local/bin/bun --version) runs in the image"
