#!/bin/bash
# Stages one release of the product into STAGE/app: a clean export of the repository's committed
# tree (`git archive HEAD`, so work in progress never reaches an image or a bundle) minus what the
# appliance does not run (tests, benchmarks, the appliance build itself), its production
# dependencies, the Bun runtime (bin/bun, the baseline x64 build from npm) and a RELEASE file.
# Usage: stage-app.sh STAGE_DIR [RELEASE_SUFFIX]   → prints the release name (VERSION-COMMIT[SUFFIX])
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$(dirname "$here")")
stage=${1:?usage: stage-app.sh STAGE_DIR [RELEASE_SUFFIX]}
suffix=${2-}

commit=$(git -C "$repo" rev-parse --short HEAD)
version=$(git -C "$repo" show HEAD:package.json | bun -e 'console.log(JSON.parse(await Bun.stdin.text()).version)')
release="$version-$commit$suffix"

rm -rf "$stage/app" && mkdir -p "$stage/app"
git -C "$repo" archive --format=tar HEAD -- . ':(exclude)test' ':(exclude)bench' ':(exclude)appliance' \
  ':(exclude).ci' ':(exclude)scripts' ':(exclude).github' ':(exclude).gitignore' | tar -x -C "$stage/app"
(cd "$stage/app" && bun install --production --frozen-lockfile --ignore-scripts > "$stage/bun-install.log" 2>&1) \
  || { cat "$stage/bun-install.log" >&2; exit 1; }
# the Bun runtime: the baseline x64 build (runs on CPUs with masked AVX2), from the npm registry
runtime=$stage/../bun-runtime
if [[ ! -x $runtime/node_modules/@oven/bun-linux-x64-baseline/bin/bun ]]; then
  bunver=$(bun --version)
  mkdir -p "$runtime"
  (cd "$runtime" && echo '{"private":true}' > package.json \
    && npm install --no-save --no-audit --no-fund --ignore-scripts "@oven/bun-linux-x64-baseline@$bunver" > /dev/null)
fi
install -D -m 0755 "$runtime/node_modules/@oven/bun-linux-x64-baseline/bin/bun" "$stage/app/bin/bun"
echo "$release" > "$stage/app/RELEASE"
echo "$release"
