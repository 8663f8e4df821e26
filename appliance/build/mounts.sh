# shellcheck shell=bash
# Sourced by the build: no root tree is copied, packed or deleted while something is mounted inside.
# A past build copied the mmdebstrap cache with a still-mounted /proc in it (an interrupted
# bootstrap leaves proc/sys/dev mounted; `umount` then says "target is busy") and `cp -a` filled
# the disk with a 78 GB copy of /proc/kcore; `rm -rf` of such a tree would even descend into the
# host's /dev and /sys.
#
# Guarantees: release_mounts DIR returns 0 only when nothing is mounted at or below DIR any more
# (deepest mount first, a lazy unmount when a plain one is refused); otherwise it names what is
# still mounted and returns 1. Callers also copy with --one-file-system (cp -ax), so even a mount
# that appears between the check and the copy is not followed.

# The mount points at or below DIR, deepest first (from /proc/self/mountinfo; octal escapes decoded).
mounts_under() {
  local dir
  dir=$(readlink -f "${1:?mounts_under DIR}") || return 0
  awk -v d="$dir" '{ p = $5; gsub(/\\040/, " ", p); gsub(/\\011/, "\t", p); gsub(/\\134/, "\\", p)
    if (p == d || index(p, d "/") == 1) print p }' /proc/self/mountinfo | sort -r
}

release_mounts() {
  local dir=${1:?release_mounts DIR} m left
  [[ -e $dir ]] || return 0
  while IFS= read -r m; do
    [[ -n $m ]] || continue
    umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null || true
  done < <(mounts_under "$dir")
  left=$(mounts_under "$dir")
  if [[ -n $left ]]; then
    echo "build: still mounted under $dir (unmount them, then build again):" >&2
    sed 's/^/  /' <<< "$left" >&2
    return 1
  fi
}
