#!/bin/bash
# Builds an update bundle for running appliances (nexus-mcp-update): the same release tree the
# image build stages, as OUT/nexus-mcp-<release>.tar.gz plus its .sha256.
# Usage: bundle.sh [--without-bun] [--suffix S] [OUT_DIR]
#   --without-bun  leave bin/bun out (≈ 35 MB smaller); the appliance reuses its running Bun
#   --suffix S     appended to the release name (VERSION-COMMIT), e.g. for a rebuilt bundle
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(dirname "$here")/out
withbun=1 suffix=""
while (($#)); do
  case $1 in
    --without-bun) withbun=0; shift ;;
    --suffix) suffix=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) out=$1; shift ;;
  esac
done
mkdir -p "$out"
stage=$out/bundle-stage
release=$("$here/stage-app.sh" "$stage" "$suffix")
((withbun)) || rm -rf "$stage/app/bin"
file=$out/nexus-mcp-$release.tar.gz
tar -C "$stage/app" --owner=0 --group=0 --numeric-owner -czf "$file.part" .
mv "$file.part" "$file"
(cd "$out" && sha256sum "$(basename "$file")" > "$(basename "$file").sha256")
echo "$file"
