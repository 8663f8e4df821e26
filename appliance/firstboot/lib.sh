# shellcheck shell=bash
# Shared by the first-boot wizard (firstboot) and nexus-mcp-firewall: input validators and the
# writers of every file the wizard owns. Pure bash + coreutils; no writes outside "$ROOT".
#
# Guarantees: validators return 0/1 and never print; `*_problem` functions print one sentence
# saying what is wrong (empty = fine); writers stage into a temporary file in the target directory
# and rename it into place, so a reader sees the old file or the new one, never half of either.

# ---------------------------------------------------------------- validators

valid_ipv4() {
  local ip=${1-} IFS=.
  [[ $ip =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || return 1
  local -a o
  read -r -a o <<< "$ip"
  local x
  for x in "${o[@]}"; do
    [[ $x =~ ^(0|[1-9][0-9]{0,2})$ ]] && ((x <= 255)) || return 1
  done
}

valid_ipv6() {
  local ip=${1-}
  [[ $ip =~ ^[0-9A-Fa-f:]+$ && $ip == *:* && ${#ip} -le 39 ]] || return 1
  [[ $ip == *:::* ]] && return 1
  local rest=${ip//[^:]/} double=0
  [[ $ip == *::* ]] && double=1
  local tmp=${ip//::/@}
  [[ $tmp == *::* || $tmp == *@*@* ]] && return 1
  local -a groups
  IFS=':@' read -r -a groups <<< "$tmp"
  local g n=0
  for g in "${groups[@]}"; do
    [[ -z $g ]] && continue
    [[ $g =~ ^[0-9A-Fa-f]{1,4}$ ]] || return 1
    n=$((n + 1))
  done
  # a lone leading or trailing ':' (not part of '::') is invalid
  [[ $ip == :* && $ip != ::* ]] && return 1
  [[ $ip == *: && $ip != *:: ]] && return 1
  if ((double)); then ((n <= 7)); else ((n == 8)); fi
  : "$rest"
}

# ADDRESS/PREFIX for an interface (host bits allowed), IPv4 only.
valid_ipv4_cidr() {
  local c=${1-}
  [[ $c == */* ]] || return 1
  valid_ipv4 "${c%/*}" || return 1
  local p=${c#*/}
  [[ $p =~ ^(0|[1-9][0-9]?)$ ]] && ((p >= 1 && p <= 32))
}

# A network or a single host for a firewall set: IPv4 or IPv6, with or without /prefix.
valid_network() {
  local c=${1-} a p
  a=${c%/*}
  if [[ $c == */* ]]; then p=${c#*/}; [[ $p =~ ^(0|[1-9][0-9]{0,2})$ ]] || return 1; else p=""; fi
  if valid_ipv4 "$a"; then [[ -z $p ]] || ((p <= 32)); return; fi
  if valid_ipv6 "$a"; then [[ -z $p ]] || ((p <= 128)); return; fi
  return 1
}

# RFC 1123 host name: labels of letters, digits and inner hyphens, ≤ 63 each, ≤ 253 in all.
valid_hostname() {
  local h=${1-}
  ((${#h} >= 1 && ${#h} <= 253)) || return 1
  [[ $h =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$ ]] || return 1
  # all-numeric names look like addresses
  [[ ! $h =~ ^[0-9.]+$ ]]
}

# An NTP or DNS server: an address or a host name.
valid_server() { valid_ipv4 "${1-}" || valid_ipv6 "${1-}" || valid_hostname "${1-}"; }

# Splits a comma/space separated list into one item per line.
split_list() { tr ', \t' '\n\n\n' <<< "${1-}" | sed '/^$/d'; }

# Prints the problem with a list of networks ("" when every item is valid and there is one).
networks_problem() {
  local list=${1-} item n=0
  while IFS= read -r item; do
    valid_network "$item" || { echo "\"$item\" is not a valid IPv4/IPv6 address or network (example: 192.0.2.0/24)"; return; }
    n=$((n + 1))
  done < <(split_list "$list")
  ((n > 0)) || echo "enter at least one network; with none, nobody could reach the appliance"
}

servers_problem() {
  local list=${1-} what=${2-server} item n=0
  while IFS= read -r item; do
    valid_server "$item" || { echo "\"$item\" is not a valid $what address or host name"; return; }
    n=$((n + 1))
  done < <(split_list "$list")
  ((n > 0)) || echo "enter at least one $what"
}

dns_problem() {
  local list=${1-} item n=0
  while IFS= read -r item; do
    { valid_ipv4 "$item" || valid_ipv6 "$item"; } || { echo "\"$item\" is not a valid DNS server address (an IP address, not a name)"; return; }
    n=$((n + 1))
  done < <(split_list "$list")
  ((n > 0)) || echo "enter at least one DNS server"
}

# Words that, followed only by digits or punctuation, make a common password.
COMMON_BASE_WORDS="password passw0rd p@ssw0rd p@ssword pass admin administrator root qwerty
qwertyuiop qwertz azerty letmein welcome iloveyou changeme secret default test guest login
master monkey dragon football baseball sunshine princess shadow superman batman trustno1 access
cisco nexus dashboard network gateway abc abcdef abcdefgh"

# Prints why PASSWORD is unacceptable for USER, or nothing. Policy: ≥ 12 characters, printable,
# not the user name, not a common password.
password_problem() {
  local pw=${1-} user=${2-admin} lower base
  ((${#pw} >= 12)) || { echo "the password must have at least 12 characters (it has ${#pw})"; return; }
  ((${#pw} <= 256)) || { echo "the password must have at most 256 characters"; return; }
  [[ $pw =~ ^[[:print:]]+$ ]] || { echo "the password may contain printable characters only"; return; }
  lower=${pw,,}
  [[ $lower == "${user,,}" ]] && { echo "the password must not be the user name"; return; }
  if _common_password "$lower"; then echo "this password is too common; choose another"; return; fi
  base=$(sed -E 's/[0-9[:punct:]]+$//' <<< "$lower")
  local w
  for w in $COMMON_BASE_WORDS "${user,,}"; do
    [[ $base == "$w" || $base == "$w$w" ]] && { echo "a common word followed by digits is too easy to guess"; return; }
  done
  # one character or one short chunk repeated (aaaaaaaaaaaa, abcabcabcabc)
  local k
  for k in 1 2 3 4 5 6; do
    local chunk=${lower:0:k} rep=""
    while ((${#rep} < ${#lower})); do rep+=$chunk; done
    [[ ${rep:0:${#lower}} == "$lower" ]] && { echo "a repeated pattern is too easy to guess"; return; }
  done
  # runs along the digits, the alphabet or a keyboard row
  local run
  for run in 01234567890123456789 98765432109876543210 abcdefghijklmnopqrstuvwxyz zyxwvutsrqponmlkjihgfedcba \
    qwertyuiopasdfghjklzxcvbnm 1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p; do
    [[ $run == *"$lower"* ]] && { echo "a run of neighbouring keys or letters is too easy to guess"; return; }
  done
  _app_password_problem "$pw" "$user"
  return 0
}

# The product's own policy (app/identity/password-policy.ts, `cli.ts password check`) has the last
# word when the app is installed: the wizard must never accept a password that the gateway would
# then refuse when it creates the first administrator. Silent when the app cannot be run.
APP_BUN=${APP_BUN:-/usr/local/bin/bun}
APP_DIR=${APP_DIR:-/opt/nexus-mcp}
_app_password_problem() {
  local pw=$1 user=$2 out rc=0
  [[ -x $APP_BUN && -r $APP_DIR/app/cli.ts ]] || return 0
  out=$(printf '%s\n' "$pw" | "$APP_BUN" "$APP_DIR/app/cli.ts" password check --user "$user" 2> /dev/null) || rc=$?
  ((rc == 1)) && [[ -n $out ]] && echo "$out"
  return 0
}

_common_password() {
  local lower=$1 f
  for f in "${COMMON_PASSWORDS_FILES[@]}"; do
    [[ -r $f ]] || continue
    grep -v '^#' "$f" | tr 'A-Z' 'a-z' | grep -qxF -- "$lower" && return 0
  done
  return 1
}

# The IPv4 network of ADDRESS/PREFIX (192.0.2.10/24 → 192.0.2.0/24).
ipv4_network_of() {
  local c=$1 a p IFS=.
  a=${c%/*}; p=${c#*/}
  local -a o
  read -r -a o <<< "$a"
  local n=$(((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]))
  local mask=$(((0xffffffff << (32 - p)) & 0xffffffff))
  n=$((n & mask))
  echo "$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))/$p"
}

# IPV4 inside the subnet of ADDRESS/PREFIX?
ipv4_in_subnet() {
  local ip=$1 cidr=$2
  [[ $(ipv4_network_of "$ip/${cidr#*/}") == "$(ipv4_network_of "$cidr")" ]]
}

# One OpenSSH public key line: type, base64 blob, optional comment.
valid_ssh_key() {
  [[ ${1-} =~ ^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)\ AAAA[A-Za-z0-9+/]+={0,3}(\ [[:print:]]*)?$ ]]
}

# Prints the problem with a list of extra names (host names or IP addresses; empty is fine).
names_problem() {
  local item
  while IFS= read -r item; do
    valid_hostname "$item" || valid_ipv4 "$item" || valid_ipv6 "$item" \
      || { echo "\"$item\" is not a host name or an IP address"; return; }
  done < <(split_list "${1-}")
}

# The gateway's names (PUBLIC_HOSTNAMES, TLS_SANS): host name, its short form, address, extras; no
# duplicates, comma-separated.
gateway_names() {
  local host=$1 ip=${2-} extra=${3-}
  { echo "$host"; [[ $host == *.* ]] && echo "${host%%.*}"; [[ -n $ip ]] && echo "$ip"; split_list "$extra"; } | awk 'NF && !seen[tolower($0)]++' | paste -sd,
}

# A SHA-256 fingerprint (95 characters) as two lines of 16 pairs: it fits the console and reads.
wrap_fingerprint() {
  local fp=${1-}
  if ((${#fp} == 95)); then echo "${fp:0:47}"; echo "${fp:48}"; else echo "$fp"; fi
}

# The OVF environment (vApp properties from vCenter, VMware Tools' guestinfo.ovfEnv) as answers:
# KEY=VALUE lines for the keys the OVF declares (appliance/ova/nexus-mcp.ovf.in), XML entities
# decoded, anything else dropped. The caller parses the lines against its allow-list; nothing here
# is ever evaluated.
ovf_env_answers() {
  local xml=${1-} key value
  while IFS=$'\t' read -r key value; do
    case $key in
      hostname | extra_names | interface | net_mode | address | gateway | dns | ntp | trusted_networks | ssh_authorized_key) ;;
      *) continue ;;
    esac
    [[ -n $value ]] || continue
    value=$(sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&#10;/ /g' -e 's/&amp;/\&/g' <<< "$value")
    printf '%s=%s\n' "${key^^}" "$value"
  done < <(grep -o '<[A-Za-z]*:\?Property [^>]*>' <<< "$xml" \
    | sed -nE 's/.*[A-Za-z]*:key="([^"]*)".*[A-Za-z]*:value="([^"]*)".*/\1\t\2/p')
}

# ---------------------------------------------------------------- writers

# atomic_write PATH MODE < content — stage beside the target, then rename over it.
atomic_write() {
  local path=$1 mode=${2:-0644} dir tmp
  dir=$(dirname "$path")
  mkdir -p "$dir"
  tmp=$(mktemp "$dir/.${path##*/}.XXXXXX")
  cat > "$tmp"
  chmod "$mode" "$tmp"
  sync -- "$tmp" 2>/dev/null || true
  mv -f "$tmp" "$path"
}

# The nft statements that replace the contents of set NAME in table inet nexus with LIST.
nft_set_statements() {
  local name=$1 list=${2-} v4=() v6=() item
  while IFS= read -r item; do
    if [[ $item == *:* ]]; then v6+=("$item"); else v4+=("$item"); fi
  done < <(split_list "$list")
  echo "flush set inet nexus ${name}_v4"
  echo "flush set inet nexus ${name}_v6"
  if ((${#v4[@]})); then local IFS=,; echo "add element inet nexus ${name}_v4 { ${v4[*]} }"; fi
  if ((${#v6[@]})); then local IFS=,; echo "add element inet nexus ${name}_v6 { ${v6[*]} }"; fi
}

# write_firewall_set ROOT NAME LIST — /etc/nexus-mcp/firewall/NAME.nft (applied by the caller).
write_firewall_set() {
  local root=$1 name=$2 list=${3-}
  {
    echo "# Sources/destinations of set $name (table inet nexus), written by nexus-mcp on $(date -u +%FT%TZ)."
    echo "# Change with: nexus-mcp-firewall set $name NETWORK... (applies atomically, then saves this file)."
    nft_set_statements "$name" "$list"
  } | atomic_write "$root/etc/nexus-mcp/firewall/$name.nft" 0644
}

# write_network ROOT WHO — the management NIC's systemd-networkd file from NET_MODE, ADDRESS,
# GATEWAY, DNS and INTERFACE. It matches that NIC only: other NICs stay unconfigured.
write_network() {
  local root=$1 who=${2-nexus-mcp} d
  {
    echo "# Management network, written by $who on $(date -u +%FT%TZ)."
    echo "[Match]"
    echo "Type=ether"
    echo "Name=$INTERFACE"
    echo
    echo "[Network]"
    if [[ $NET_MODE == dhcp ]]; then
      echo "DHCP=ipv4"
    else
      echo "Address=$ADDRESS"
      echo "Gateway=$GATEWAY"
      while IFS= read -r d; do echo "DNS=$d"; done < <(split_list "$DNS")
    fi
    echo "LinkLocalAddressing=ipv6"
    echo "IPv6AcceptRA=yes"
  } | atomic_write "$root/etc/systemd/network/10-mgmt.network" 0644
}

# read_network ROOT — NET_MODE, ADDRESS, GATEWAY, DNS and INTERFACE from the file write_network wrote.
read_network() {
  local f=$1/etc/systemd/network/10-mgmt.network
  NET_MODE=dhcp ADDRESS="" GATEWAY="" DNS="" INTERFACE=${INTERFACE:-eth0}
  [[ -r $f ]] || return 0
  ADDRESS=$(sed -n 's/^Address=//p' "$f" | head -1)
  GATEWAY=$(sed -n 's/^Gateway=//p' "$f" | head -1)
  DNS=$(sed -n 's/^DNS=//p' "$f" | paste -sd' ')
  INTERFACE=$(sed -n 's/^Name=//p' "$f" | head -1)
  INTERFACE=${INTERFACE:-eth0}
  [[ -n $ADDRESS ]] && NET_MODE=static
  return 0
}
