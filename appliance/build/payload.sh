#!/bin/bash
# Stages the product into ROOT: the Bun runtime and a release of the app with production
# dependencies only, as /opt/nexus-mcp-releases/<version> with /opt/nexus-mcp → that release
# (updates add a release and switch the link; rollback switches it back, see docs/appliance.md).
# The app is a clean export of the repository's tracked files (git ls-files, as in the working
# tree) minus what the appliance does not run (tests, benchmarks, the appliance build itself).
# Usage: payload.sh ROOT STAGING_DIR   → prints the release name
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$(dirname "$here")")
R=${1:?usage: payload.sh ROOT STAGING}
stage=${2:?usage: payload.sh ROOT STAGING}

version=$(cd "$repo" && bun -e 'console.log(require("./package.json").version)')
commit=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(cd "$repo" && git status --porcelain 2>/dev/null | grep -qv '^??' && echo "-dirty" || true)
release="$version-$commit$dirty"

rm -rf "$stage" && mkdir -p "$stage/app"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) \
  | grep -zvE '^(test|bench|appliance|\.ci|scripts|\.github)/|^\.gitignore$' \
  | (cd "$repo" && xargs -0 -r sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' _) \
  | (cd "$repo" && cpio --null -pdm --quiet "$stage/app")
(cd "$stage/app" && bun install --production --frozen-lockfile --ignore-scripts > "$stage/bun-install.log" 2>&1) \
  || { cat "$stage/bun-install.log" >&2; exit 1; }
# the Bun runtime: the baseline x64 build (runs on CPUs with masked AVX2), from the npm registry
if [[ ! -x $stage/../bun-runtime/node_modules/@oven/bun-linux-x64-baseline/bin/bun ]]; then
  bunver=$(bun --version)
  mkdir -p "$stage/../bun-runtime"
  (cd "$stage/../bun-runtime" && echo '{"private":true}' > package.json \
    && npm install --no-save --no-audit --no-fund --ignore-scripts "@oven/bun-linux-x64-baseline@$bunver" > /dev/null)
fi
mkdir -p "$stage/app/bin"
install -m 0755 "$stage/../bun-runtime/node_modules/@oven/bun-linux-x64-baseline/bin/bun" "$stage/app/bin/bun"

dest=/opt/nexus-mcp-releases/$release
rm -rf "${R:?}$dest"
mkdir -p "$R/opt/nexus-mcp-releases"
cp -a "$stage/app" "$R$dest"
chown -R root:root "$R$dest"
chmod -R go-w,a+rX "$R$dest"
ln -sfn "nexus-mcp-releases/$release" "$R/opt/nexus-mcp"
ln -sfn /opt/nexus-mcp/bin/bun "$R/usr/local/bin/bun"
echo "$release" > "$R$dest/RELEASE"
echo "$release"
