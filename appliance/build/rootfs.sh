#!/bin/bash
# Stage 1: the pristine Debian root filesystem, built by mmdebstrap from Debian's packages only.
# Cached as the directory appliance/out/cache/rootfs-<hash>/, keyed on packages.list, the suite,
# RECIPE below (bump it when the mmdebstrap options change) and the dates of the Debian archive's
# Release files (suite, -updates, -security): a rebuild that changes only the product or the overlay
# skips the bootstrap, and a cache older than the archive (a point release, a security update) is
# rebuilt. The dates are kept beside the tree (ARCHIVE-DATES) for the build manifest. Offline (the
# mirror unreachable) the existing cache is used with a warning. Later stages copy it; they never
# modify the cache.
# Usage: rootfs.sh OUT_DIR  → prints the path of the cached tree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=mounts.sh
source "$here/mounts.sh"
appliance=$(dirname "$here")
out=${1:?usage: rootfs.sh OUT_DIR}
suite=${SUITE:-bookworm}
mkdir -p "$out/cache"

packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$appliance/packages.list" | tr -s ' \n' ',' | sed 's/,$//')
RECIPE=1
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
release_date() { curl -fsS --max-time 30 "$1/dists/$2/InRelease" 2> /dev/null | sed -n 's/^Date: //p' | head -1; }
dates=$(printf '%s: %s\n' "$suite" "$(release_date "$MIRROR" "$suite")" "$suite-updates" "$(release_date "$MIRROR" "$suite-updates")" \
  "$suite-security" "$(release_date "$SECURITY_MIRROR" "$suite-security")")
if grep -q ': $' <<< "$dates"; then
  newest=$(ls -dt "$out"/cache/rootfs-*/.complete 2> /dev/null | head -1)
  if [[ -n $newest ]]; then
    echo "rootfs: WARNING: the Debian archive's dates are unknown (mirror unreachable); using the cache $(dirname "$newest")" >&2
    release_mounts "$(dirname "$newest")"
    dirname "$newest"
    exit 0
  fi
  echo "rootfs: cannot read the Debian archive's Release dates from $MIRROR and $SECURITY_MIRROR" >&2
  exit 1
fi
key=$( (cat "$appliance/packages.list"; echo "$suite $RECIPE"; echo "$dates") | sha256sum | cut -c1-16)
tree="$out/cache/rootfs-$key"
if [[ -f $tree/.complete ]]; then
  release_mounts "$tree"
  echo "rootfs: cached $tree" >&2
  echo "$tree"
  exit 0
fi
# one cached generation is enough; an interrupted bootstrap may have left proc/sys/dev mounted
for old in "$out"/cache/rootfs-*; do [[ -e $old ]] || continue; release_mounts "$old"; rm -rf --one-file-system "$old"; done

echo "rootfs: mmdebstrap $suite (minbase + $(echo "$packages" | tr ',' '\n' | wc -l) packages)" >&2
# Debian's default mirror; for a stable suite mmdebstrap also adds -updates and -security.
# The main PostgreSQL cluster that postgresql-common creates during the install is dropped in the
# customize stage: every appliance creates its own cluster on first boot (no shared system id).
mmdebstrap --variant=minbase --mode=root --format=directory \
  --include="$packages" \
  --components=main \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' \
  "$suite" "$tree" >&2
release_mounts "$tree"
echo "$dates" > "$tree/.archive-dates"
touch "$tree/.complete"
echo "$tree"
