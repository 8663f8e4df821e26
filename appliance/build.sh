#!/bin/bash
# Builds the Nexus MCP Gateway appliance from Debian's packages (`bun run image`):
#   appliance/out/nexus-mcp.raw     raw GPT disk, boots under BIOS and UEFI
#   appliance/out/nexus-mcp.qcow2   compressed qcow2
#   appliance/out/nexus-mcp.ova     OVF 1.0 + SHA-256 manifest + streamOptimized VMDK (.ovf first)
#   appliance/out/BUILD-MANIFEST.txt  versions, hashes, sizes, timings
# Options: --variant test  builds appliance/out/nexus-mcp-test.raw instead: the same image plus
#          root autologin on the serial console, for appliance/boot-test.ts only — never ship it.
# Needs root (chroot, file ownership) and the host packages listed in docs/appliance.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=build/mounts.sh
source "$here/build/mounts.sh"
out=${OUT_DIR:-$here/out}
variant=release
while (($#)); do
  case $1 in
    --variant) variant=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
[[ $variant == release || $variant == test ]] || { echo "build.sh: --variant release|test" >&2; exit 64; }
((EUID == 0)) || { echo "build.sh: run as root (chroot and file ownership need it)" >&2; exit 1; }
missing=()
for t in mmdebstrap sfdisk mkfs.ext4 mkfs.vfat mcopy grub-mkimage qemu-img cpio bun npm git xmllint; do
  command -v "$t" > /dev/null || missing+=("$t")
done
[[ -f /usr/lib/grub/i386-pc/boot.img && -d /usr/lib/grub/x86_64-efi ]] || missing+=(grub-pc-bin/grub-efi-amd64-bin)
((${#missing[@]} == 0)) || { echo "build.sh: missing host tools: ${missing[*]} (see docs/appliance.md)" >&2; exit 1; }

mkdir -p "$out"
t0=$SECONDS
step() { printf '\n== %s (%ss)\n' "$1" $((SECONDS - t0)); }
declare -A took
timed() { local name=$1 s=$SECONDS; shift; "$@"; took[$name]=$((SECONDS - s)); }

step "root file system (mmdebstrap, cached)"
s=$SECONDS; cache=$("$here/build/rootfs.sh" "$out"); took[rootfs]=$((SECONDS - s))

step "working tree"
tree=$out/rootfs
s=$SECONDS
# nothing mounted in the cache or an old tree before deleting or copying (see build/mounts.sh);
# -x: the copy never follows into another file system
release_mounts "$cache" && release_mounts "$tree"
rm -rf --one-file-system "$tree" && cp -ax "$cache" "$tree" && rm -f "$tree/.complete" "$tree/.archive-dates"
trap 'release_mounts "$tree" || true' EXIT
"$here/build/install-files.sh" "$tree"
release=$("$here/build/payload.sh" "$tree" "$out/stage")
"$here/build/customize.sh" "$tree" "$variant"
took[tree]=$((SECONDS - s))

step "checks inside the image tree"
timed checks "$here/build/check-tree.sh" "$tree"

name=nexus-mcp
[[ $variant == test ]] && name=nexus-mcp-test
step "disk ($name.raw, BIOS + UEFI)"
release_mounts "$tree"
s=$SECONDS; uuid=$("$here/build/disk.sh" "$tree" "$out/$name.raw" "${DISK_MIB:-8192}"); took[disk]=$((SECONDS - s))

if [[ $variant == release ]]; then
  step "qcow2"
  timed qcow2 qemu-img convert -c -f raw -O qcow2 "$out/$name.raw" "$out/$name.qcow2.part"
  mv "$out/$name.qcow2.part" "$out/$name.qcow2"
  step "OVA"
  timed ova "$here/build/ova.sh" "$out/$name.raw" "$out" "$release"
fi

step "manifest"
manifest=$out/BUILD-MANIFEST.txt
[[ $variant == test ]] && manifest=$out/BUILD-MANIFEST-test.txt
mib() { echo "$(( ($(stat -c %s "$1") + 524287) / 1048576 )) MiB"; }
{
  echo "Nexus MCP Gateway appliance — build manifest"
  echo "release:   $release ($variant)"
  echo "built:     $(date -u +%FT%TZ) on $(uname -n)"
  echo "debian:    $(cat "$tree/etc/debian_version")"
  echo "archive:   Release dates the root file system was built from (cache key):"
  sed 's/^/  /' "$cache/.archive-dates" 2> /dev/null || echo "  unknown"
  echo "kernel:    $(basename "$(readlink "$tree/vmlinuz")")"
  echo "bun:       $(chroot "$tree" /usr/local/bin/bun --version)"
  echo "root uuid: $uuid"
  echo "tree:      $(du -smx "$tree" | cut -f1) MiB"
  echo
  echo "artifacts:"
  for f in "$out/$name.raw" "$out/$name.qcow2" "$out/$name.ova"; do
    [[ -f $f ]] || continue
    echo "  $(basename "$f")  $(mib "$f")  sha256 $(sha256sum "$f" | cut -d' ' -f1)"
  done
  echo
  echo "timings (s):"
  for k in rootfs tree checks disk qcow2 ova; do [[ -n ${took[$k]-} ]] && echo "  $k ${took[$k]}"; done
  echo "  total $((SECONDS - t0))"
  echo
  echo "packages:"
  chroot "$tree" dpkg-query -W -f '  ${Package} ${Version}\n'
} > "$manifest"
sed -n '1,/^packages:/p' "$manifest" | sed '$d'
