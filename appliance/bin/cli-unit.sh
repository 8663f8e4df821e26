# Sourced by the appliance's admin commands (nexus-mcp-cli, -backup, -restore, -update): runs the
# gateway's CLI (`bun app/cli.ts ARGS…`) in a transient, sandboxed systemd unit, exactly as the
# services run it, with stdin/stdout/stderr passed through (`--pipe`).
#
#   new_cli_unit                       picks a unit name: sets CLI_UNIT and CLI_CREDS (its credentials dir)
#   cli_unit ROLE [PROPERTY…] -- ARG…  runs the CLI; PROPERTY is a systemd-run -p value
#
# ROLE gateway: user nexus-mcp, database role nexus_mcp (DML only), state /var/lib/nexus-mcp.
# ROLE owner:   user nexus-mcp-owner, database role nexus_mcp_owner (owns the schema: backup,
#               restore), scratch state /var/lib/nexus-mcp-migrate.
# The key-encryption key reaches the CLI as a credential (KEY_FILE, default the appliance's key):
# an in-memory copy readable only by the unit, never in argv or the environment.
CLI_KEY_DEFAULT=/etc/nexus-mcp/credentials/encryption-key

new_cli_unit() {
  CLI_UNIT="nexus-mcp-cli-$$-$RANDOM"
  CLI_CREDS="/run/credentials/$CLI_UNIT.service"
}

cli_unit() {
  local role=$1 user pguser state
  shift
  case $role in
    gateway) user=nexus-mcp pguser=nexus_mcp state=nexus-mcp ;;
    owner) user=nexus-mcp-owner pguser=nexus_mcp_owner state=nexus-mcp-migrate ;;
    *) echo "cli_unit: unknown role $role" >&2; return 64 ;;
  esac
  local -a props=()
  while (($#)) && [[ $1 != -- ]]; do props+=(-p "$1"); shift; done
  (($#)) && shift
  [[ -n ${CLI_UNIT-} ]] || new_cli_unit
  local unit=$CLI_UNIT
  CLI_UNIT=""
  systemd-run --quiet --wait --pipe --collect --service-type=exec --unit="$unit" \
    -p User="$user" -p Group="$user" -p WorkingDirectory=/opt/nexus-mcp \
    -p "Environment=NODE_ENV=production MIGRATE_ON_START=false" \
    -p EnvironmentFile=/etc/nexus-mcp/gateway.env \
    -p "Environment=DATA_DIR=/var/lib/$state PGUSER=$pguser" \
    -p "LoadCredential=encryption-key:${KEY_FILE:-$CLI_KEY_DEFAULT}" \
    -p "Environment=ENCRYPTION_KEY_FILE=/run/credentials/$unit.service/encryption-key" \
    -p StateDirectory="$state" -p StateDirectoryMode=0700 -p UMask=0077 \
    -p NoNewPrivileges=yes -p PrivateTmp=yes -p PrivateDevices=yes -p ProtectSystem=strict \
    -p ProtectHome=yes -p ProtectKernelTunables=yes -p ProtectKernelModules=yes \
    -p ProtectControlGroups=yes -p RestrictSUIDSGID=yes -p LockPersonality=yes \
    -p "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK" \
    "${props[@]}" \
    /usr/local/bin/bun /opt/nexus-mcp/app/cli.ts "$@"
}

# The database's schema version (applied migrations), as the postgres superuser; empty if unknown.
schema_version() {
  runuser -u postgres -- psql -XtAq -d nexus_mcp -c 'select count(*) from schema_migrations' 2> /dev/null || true
}

# Waits until both listeners answer /healthz (TIMEOUT seconds, default 180); 0 when healthy.
# Gives up early when the unit failed or systemd had to restart it three times (a crash loop).
wait_gateway_healthy() {
  local timeout=${1:-180} start=$SECONDS ui api restarts
  restarts=$(systemctl show -p NRestarts --value nexus-mcp.service 2> /dev/null || echo 0)
  ui=$(sed -n 's/^UI_PORT=//p' /etc/nexus-mcp/gateway.env 2> /dev/null | tail -1)
  api=$(sed -n 's/^API_PORT=//p' /etc/nexus-mcp/gateway.env 2> /dev/null | tail -1)
  while ((SECONDS - start < timeout)); do
    if systemctl is-active --quiet nexus-mcp.service \
      && curl -fsk --max-time 5 "https://127.0.0.1:${ui:-7443}/healthz" > /dev/null 2>&1 \
      && curl -fsk --max-time 5 "https://127.0.0.1:${api:-8444}/healthz" > /dev/null 2>&1; then
      return 0
    fi
    systemctl is-failed --quiet nexus-mcp.service && return 1
    (($(systemctl show -p NRestarts --value nexus-mcp.service 2> /dev/null || echo 0) >= ${restarts:-0} + 3)) && return 1
    sleep 3
  done
  return 1
}
