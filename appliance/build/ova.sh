#!/bin/bash
# Packages a raw disk as an OVA: streamOptimized VMDK, OVF 1.0 descriptor, SHA-256 manifest
# (vmx-14 → SHA256, VMware's rule), ustar archive with the .ovf first, then .mf, then the disk.
# Usage: ova.sh DISK.raw OUT_DIR VERSION   → OUT_DIR/nexus-mcp.ova
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
raw=${1:?usage: ova.sh DISK.raw OUT_DIR VERSION}
out=${2:?}
version=${3:?}
work=$(mktemp -d "$out/.ova.XXXXXX")
trap 'rm -rf "$work"' EXIT
vmdk=nexus-mcp-disk1.vmdk
qemu-img convert -f raw -O vmdk -o subformat=streamOptimized,adapter_type=lsilogic,compat6 "$raw" "$work/$vmdk"
capacity=$(stat -c %s "$raw")
sed -e "s|@DISK_FILE@|$vmdk|" -e "s|@DISK_BYTES@|$(stat -c %s "$work/$vmdk")|" \
  -e "s|@CAPACITY_BYTES@|$capacity|" -e "s|@VERSION@|$version|g" \
  "$here/../ova/nexus-mcp.ovf.in" > "$work/nexus-mcp.ovf"
if command -v xmllint > /dev/null; then xmllint --noout "$work/nexus-mcp.ovf"; fi
(cd "$work" && for f in nexus-mcp.ovf "$vmdk"; do echo "SHA256($f)= $(sha256sum "$f" | cut -d' ' -f1)"; done) > "$work/nexus-mcp.mf"
tar --format=ustar --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out/nexus-mcp.ova.part" nexus-mcp.ovf nexus-mcp.mf "$vmdk"
mv "$out/nexus-mcp.ova.part" "$out/nexus-mcp.ova"
