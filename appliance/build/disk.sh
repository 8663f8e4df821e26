#!/bin/bash
# Assembles a raw GPT disk that boots under BIOS (GRUB i386-pc core.img in a BIOS boot partition)
# and UEFI (GRUB x86_64-efi as EFI/BOOT/BOOTX64.EFI on an ESP), without loop devices or mounts:
# sfdisk on a plain file, mkfs.ext4 -d / mkfs.vfat --offset + mtools at partition offsets.
# /etc/fstab and /boot/grub/grub.cfg are written into ROOT first (the tree is copied once).
# Usage: disk.sh ROOT OUT.raw [SIZE_MIB]
set -euo pipefail
R=${1:?usage: disk.sh ROOT OUT.raw [SIZE_MIB]}
# shellcheck source=mounts.sh
source "$(cd "$(dirname "$0")" && pwd)/mounts.sh"
# mkfs.ext4 -d reads the whole tree: a mounted /proc or /dev inside would land in the image
release_mounts "$R"
img=${2:?}
size_mib=${3:-4096}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# fixed UUID per build input would make clones share it; a fresh one per build is fine: the
# appliance finds its root by UUID, and each built image is one product version.
uuid=${ROOT_UUID:-$(cat /proc/sys/kernel/random/uuid)}
cmdline="root=UUID=$uuid ro console=tty0 console=ttyS0,115200n8 net.ifnames=0 systemd.firstboot=off quiet"

echo "UUID=$uuid / ext4 defaults,errors=remount-ro,noatime 0 1" > "$R/etc/fstab"
mkdir -p "$R/boot/grub"
cat > "$R/boot/grub/grub.cfg" <<CFG
# Written by appliance/build/disk.sh. Entries use Debian's stable /vmlinuz and /initrd.img links
# (kept current by kernel upgrades), so no grub-mkconfig is ever needed on the appliance.
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=2
set default=0
search --no-floppy --fs-uuid --set=root $uuid
menuentry "Nexus MCP Gateway" {
  linux /vmlinuz $cmdline
  initrd /initrd.img
}
menuentry "Nexus MCP Gateway (previous kernel)" {
  linux /vmlinuz.old $cmdline
  initrd /initrd.img.old
}
CFG

rm -f "$img"
truncate -s "${size_mib}M" "$img"
sfdisk --quiet "$img" <<SF
label: gpt
start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name="bios"
size=128MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="esp"
type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root"
SF
part() { sfdisk -J "$img" | bun -e "const p=JSON.parse(await Bun.stdin.text()).partitiontable.partitions[$1]; console.log(p.start, p.size)"; }
read -r bios_start _ < <(part 0)
read -r esp_start esp_size < <(part 1)
read -r root_start root_size < <(part 2)

# root file system straight into the file at its offset (explicit size in KiB is required)
mkfs.ext4 -q -F -L root -U "$uuid" -E offset=$((root_start * 512)) -d "$R" "$img" $((root_size / 2))k

mods="part_gpt part_msdos ext2 search search_fs_uuid normal linux configfile echo serial terminal test gzio"
cat > "$work/early.cfg" <<CFG
search --no-floppy --fs-uuid --set=root $uuid
set prefix=(\$root)/boot/grub
configfile \$prefix/grub.cfg
CFG
# BIOS: boot.img's first 440 bytes at LBA 0 (keeps the protective MBR), with the LBA of core.img
# at 0x5c; core.img at the BIOS boot partition, with the LBA of its second sector at 0x1f4.
grub-mkimage -O i386-pc -o "$work/core.img" -c "$work/early.cfg" -p /boot/grub biosdisk $mods
(($(stat -c %s "$work/core.img") <= 1048576)) || { echo "core.img larger than the BIOS boot partition" >&2; exit 1; }
le64() { local v=$1 i s=""; for ((i = 0; i < 8; i++)); do s+=$(printf '\\x%02x' $(((v >> (8 * i)) & 255))); done; printf '%b' "$s"; }
dd if=/usr/lib/grub/i386-pc/boot.img of="$img" bs=440 count=1 conv=notrunc status=none
le64 "$bios_start" | dd of="$img" bs=1 seek=$((0x5c)) conv=notrunc status=none
dd if="$work/core.img" of="$img" bs=512 seek="$bios_start" conv=notrunc status=none
le64 $((bios_start + 1)) | dd of="$img" bs=1 seek=$((bios_start * 512 + 0x1f4)) conv=notrunc status=none
# UEFI: GRUB as the removable-media path on a FAT32 ESP
grub-mkimage -O x86_64-efi -o "$work/BOOTX64.EFI" -c "$work/early.cfg" -p /boot/grub $mods efi_gop all_video
mkfs.vfat -F 32 -s 1 -n ESP --offset "$esp_start" "$img" $((esp_size / 2)) > /dev/null
mmd -i "$img@@$((esp_start * 512))" ::/EFI ::/EFI/BOOT
mcopy -i "$img@@$((esp_start * 512))" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
echo "$uuid"
