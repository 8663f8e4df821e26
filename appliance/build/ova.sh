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
# qemu-img knows no PVSCSI adapter type: rewrite the embedded descriptor (text at descriptorOffset,
# NUL-padded to descriptorSize sectors, no checksum) to say what the OVF says, ddb.adapterType
# "pvscsi" (as vmkfstools -a pvscsi writes it).
bun -e '
const fs = require("node:fs"), fd = fs.openSync(process.argv[1], "r+"), head = Buffer.alloc(512);
fs.readSync(fd, head, 0, 512, 0);
if (head.toString("latin1", 0, 4) !== "KDMV") throw new Error("not a sparse VMDK");
const off = Number(head.readBigUInt64LE(28)) * 512, size = Number(head.readBigUInt64LE(36)) * 512, buf = Buffer.alloc(size);
fs.readSync(fd, buf, 0, size, off);
const text = buf.toString("latin1").replace(/\0+$/, "");
if (!text.includes("ddb.adapterType = \"lsilogic\"")) throw new Error("no lsilogic adapter type in the VMDK descriptor");
const out = Buffer.alloc(size);
out.write(text.replace("ddb.adapterType = \"lsilogic\"", "ddb.adapterType = \"pvscsi\""), "latin1");
fs.writeSync(fd, out, 0, size, off);
fs.closeSync(fd);' "$work/$vmdk"
capacity=$(stat -c %s "$raw")
sed -e "s|@DISK_FILE@|$vmdk|" -e "s|@DISK_BYTES@|$(stat -c %s "$work/$vmdk")|" \
  -e "s|@CAPACITY_BYTES@|$capacity|" -e "s|@VERSION@|$version|g" \
  "$here/../ova/nexus-mcp.ovf.in" > "$work/nexus-mcp.ovf"
if command -v xmllint > /dev/null; then xmllint --noout "$work/nexus-mcp.ovf"; fi
(cd "$work" && for f in nexus-mcp.ovf "$vmdk"; do echo "SHA256($f)= $(sha256sum "$f" | cut -d' ' -f1)"; done) > "$work/nexus-mcp.mf"
tar --format=ustar --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out/nexus-mcp.ova.part" nexus-mcp.ovf nexus-mcp.mf "$vmdk"
mv "$out/nexus-mcp.ova.part" "$out/nexus-mcp.ova"
