#!/bin/bash
# Installs the product into ROOT: one release staged by stage-app.sh as
# /opt/nexus-mcp-releases/<release>, /opt/nexus-mcp → that release (updates add a release and
# switch the link, nexus-mcp-update; rollback switches it back), /usr/local/bin/bun → its Bun.
# Usage: payload.sh ROOT STAGING_DIR   → prints the release name
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
R=${1:?usage: payload.sh ROOT STAGING}
stage=${2:?usage: payload.sh ROOT STAGING}

release=$("$here/stage-app.sh" "$stage")
dest=/opt/nexus-mcp-releases/$release
rm -rf "${R:?}$dest"
mkdir -p "$R/opt/nexus-mcp-releases"
cp -a "$stage/app" "$R$dest"
chown -R root:root "$R$dest"
chmod -R go-w,a+rX "$R$dest"
ln -sfn "nexus-mcp-releases/$release" "$R/opt/nexus-mcp"
ln -sfn /opt/nexus-mcp/bin/bun "$R/usr/local/bin/bun"
echo "$release"
