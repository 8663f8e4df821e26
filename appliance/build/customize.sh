#!/bin/bash
# Offline customisation of the root tree ROOT (no PID 1 needed): users, enabled units, identity
# reset, root locked, SSH by key only, PostgreSQL's build-time cluster dropped, checks that need
# the image's own binaries. Usage: customize.sh ROOT [release|test]
set -euo pipefail
R=${1:?usage: customize.sh ROOT [release|test]}
variant=${2:-release}
inroot() { chroot "$R" "$@"; }

systemd-sysusers --root="$R" > /dev/null
systemd-tmpfiles --root="$R" --create /usr/lib/tmpfiles.d/nexus-mcp.conf > /dev/null 2>&1 || true

# PostgreSQL: no cluster in the image — every appliance makes its own on first boot
if [[ -d $R/etc/postgresql/15/main ]]; then inroot pg_dropcluster 15 main; fi
sed -i 's/^#\?\s*create_main_cluster.*/create_main_cluster = false/' "$R/etc/postgresql-common/createcluster.conf"

systemctl --root="$R" enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
  nftables.service ssh.service postgresql.service nexus-mcp-pg-cluster.service nexus-mcp.service \
  nexus-mcp-firstboot.service nexus-mcp-tls-renew.timer nexus-mcp-audit-retention.timer \
  nexus-mcp-backup.timer nexus-mcp-growroot.service nexus-mcp-banner.service nexus-mcp-console.service > /dev/null 2>&1
systemctl --root="$R" disable systemd-networkd-wait-online.service > /dev/null 2>&1 || true
# the wizard owns the console on first boot
systemctl --root="$R" mask systemd-firstboot.service > /dev/null 2>&1
ln -sfn ../run/systemd/resolve/stub-resolv.conf "$R/etc/resolv.conf"

# accounts: root locked (no password login anywhere), SSH by key only
inroot passwd -l root > /dev/null
inroot usermod -p '!*' root
sed -i 's/^#\?PasswordAuthentication.*/PasswordAuthentication no/' "$R/etc/ssh/sshd_config"

# per-VM identity: empty machine-id (regenerated on first boot), no SSH host keys, no seeds
: > "$R/etc/machine-id"
rm -f "$R/var/lib/dbus/machine-id" "$R"/etc/ssh/ssh_host_* "$R/var/lib/systemd/random-seed"
echo nexus-mcp > "$R/etc/hostname"
mkdir -p "$R/var/log/journal"

# smaller image: caches and lists (mmdebstrap already emptied the apt lists)
rm -rf "$R"/var/cache/apt/*.bin "$R"/var/cache/debconf/*-old "$R"/var/lib/apt/lists/* "$R"/tmp/* "$R"/var/tmp/*

if [[ $variant == test ]]; then
  # TEST VARIANT ONLY (never shipped): root autologin on the serial console for the boot test
  mkdir -p "$R/etc/systemd/system/serial-getty@ttyS0.service.d"
  cat > "$R/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'CONF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 %I $TERM
CONF
fi
