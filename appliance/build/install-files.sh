#!/bin/bash
# Installs the appliance's own files (units, firewall, wizard, configs, admin commands) from the
# repository into the root tree ROOT at their image paths. Used by the image build and by the
# offline tests (test/appliance/), so both check the very same files.
# Usage: install-files.sh ROOT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
a=$(dirname "$here")
repo=$(dirname "$a")
R=${1:?usage: install-files.sh ROOT}

inst() { install -D -m "$1" "$2" "$R$3"; }

for u in "$repo"/systemd/*.service "$repo"/systemd/*.timer; do inst 0644 "$u" "/usr/lib/systemd/system/${u##*/}"; done
for d in "$repo"/systemd/*.d; do
  name=${d##*/}
  case $name in
    sysusers.d | tmpfiles.d) for f in "$d"/*.conf; do inst 0644 "$f" "/usr/lib/$name/${f##*/}"; done ;;
    *) for f in "$d"/*.conf; do inst 0644 "$f" "/usr/lib/systemd/system/$name/${f##*/}"; done ;;
  esac
done

inst 0755 "$a/nftables/nftables.conf" /etc/nftables.conf
inst 0644 "$a/journald/nexus-mcp.conf" /etc/systemd/journald.conf.d/nexus-mcp.conf
inst 0644 "$a/resolved/nexus-mcp.conf" /etc/systemd/resolved.conf.d/nexus-mcp.conf
inst 0644 "$a/logrotate/nexus-mcp" /etc/logrotate.d/nexus-mcp
inst 0644 "$a/ssh/nexus-mcp.conf" /etc/ssh/sshd_config.d/nexus-mcp.conf
inst 0644 "$a/network/80-dhcp-default.network" /etc/systemd/network/80-dhcp-default.network

inst 0755 "$a/firstboot/firstboot" /usr/lib/nexus-mcp/firstboot
inst 0644 "$a/firstboot/lib.sh" /usr/lib/nexus-mcp/lib.sh
inst 0644 "$a/firstboot/dialogs.sh" /usr/lib/nexus-mcp/dialogs.sh
inst 0644 "$a/firstboot/common-passwords.txt" /usr/lib/nexus-mcp/common-passwords.txt
inst 0755 "$a/console/console" /usr/lib/nexus-mcp/console
for f in pg-cluster-init db-setup db-grants growroot; do inst 0755 "$a/bin/$f" "/usr/lib/nexus-mcp/$f"; done
inst 0644 "$a/bin/cli-unit.sh" /usr/lib/nexus-mcp/cli-unit.sh
for f in "$a"/bin/nexus-mcp-*; do inst 0755 "$f" "/usr/sbin/${f##*/}"; done
for f in "$a"/postgres/*; do inst 0644 "$f" "/usr/share/nexus-mcp/postgres/${f##*/}"; done

install -d -m 0755 "$R/etc/nexus-mcp" "$R/etc/nexus-mcp/firewall" "$R/etc/systemd/timesyncd.conf.d" "$R/etc/issue.d"
install -d -m 0700 "$R/etc/nexus-mcp/credentials"
