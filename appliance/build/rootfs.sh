#!/bin/bash
# Stage 1: the pristine Debian root filesystem, built by mmdebstrap from Debian's packages only.
# Cached as the directory appliance/out/cache/rootfs-<hash>/, keyed on packages.list, the suite and
# RECIPE below (bump it when the mmdebstrap options change), so a rebuild that changes only the
# product or the overlay skips the bootstrap. Later stages copy it; they never modify the cache.
# Usage: rootfs.sh OUT_DIR  → prints the path of the cached tree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
appliance=$(dirname "$here")
out=${1:?usage: rootfs.sh OUT_DIR}
suite=${SUITE:-bookworm}
mkdir -p "$out/cache"

packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$appliance/packages.list" | tr -s ' \n' ',' | sed 's/,$//')
RECIPE=1
key=$( (cat "$appliance/packages.list"; echo "$suite $RECIPE") | sha256sum | cut -c1-16)
tree="$out/cache/rootfs-$key"
if [[ -f $tree/.complete ]]; then
  echo "rootfs: cached $tree" >&2
  echo "$tree"
  exit 0
fi
rm -rf "$out"/cache/rootfs-*   # one cached generation is enough

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
touch "$tree/.complete"
echo "$tree"
