#!/bin/bash
# Packet test of the appliance firewall (root; ≈ 3 s): two network namespaces joined by a veth
# pair. The "appliance" namespace loads the image's /etc/nftables.conf with trusted and SSH sets
# holding 192.0.2.10/32 and listens on 22, 7443, 8444 and 5432; the "client" namespace tries
# from 192.0.2.10 (trusted) and from 192.0.2.200 (not). Expected: the trusted source reaches
# 22/7443/8444, nobody reaches 5432, the untrusted source reaches nothing. Documentation
# addresses only; all traffic stays inside the test's own namespaces.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
((EUID == 0)) || { echo "test-firewall-netns: needs root (ip netns)" >&2; exit 1; }
for t in ip nft bun; do command -v $t > /dev/null || { echo "test-firewall-netns: missing $t" >&2; exit 1; }; done
srv=nxfw-srv-$$ cli=nxfw-cli-$$
root=$(mktemp -d)
cleanup() { ip netns pids "$srv" 2> /dev/null | xargs -r kill 2> /dev/null || true; ip netns del "$srv" 2> /dev/null || true; ip netns del "$cli" 2> /dev/null || true; rm -rf "$root"; }
trap cleanup EXIT

"$here/build/install-files.sh" "$root"
ROOT=$root APPLY=0 "$here/bin/nexus-mcp-firewall" set trusted 192.0.2.10/32 > /dev/null
ROOT=$root APPLY=0 "$here/bin/nexus-mcp-firewall" set mgmt 192.0.2.10/32 > /dev/null
sed "s#\"/etc/#\"$root/etc/#" "$root/etc/nftables.conf" > "$root/rules.nft"

ip netns add "$srv"; ip netns add "$cli"
ip link add nxfw-a netns "$srv" type veth peer name nxfw-b netns "$cli"
ip -n "$srv" addr add 192.0.2.1/24 dev nxfw-a
ip -n "$cli" addr add 192.0.2.10/24 dev nxfw-b
ip -n "$cli" addr add 192.0.2.200/24 dev nxfw-b
for ns in "$srv" "$cli"; do ip -n "$ns" link set lo up; done
ip -n "$srv" link set nxfw-a up; ip -n "$cli" link set nxfw-b up
ip netns exec "$srv" nft -f "$root/rules.nft"
ip netns exec "$srv" bun -e '
  for (const port of [22, 7443, 8444, 5432]) Bun.listen({ hostname: "0.0.0.0", port, socket: { open(s) { s.end("hi\n"); }, data() {} } });
  setTimeout(() => process.exit(0), 30000);' &
sleep 1

probe() { # probe SOURCE PORT → open|closed
  ip netns exec "$cli" bun -e '
    const [src, port] = [process.argv[1], Number(process.argv[2])];
    const net = require("node:net");
    const s = net.connect({ host: "192.0.2.1", port, localAddress: src });
    const t = setTimeout(() => { console.log("closed"); process.exit(0); }, 1500);
    s.on("connect", () => { clearTimeout(t); console.log("open"); process.exit(0); });
    s.on("error", () => { clearTimeout(t); console.log("closed"); process.exit(0); });' "$1" "$2"
}
fail=0
check() { local got; got=$(probe "$1" "$2"); if [[ $got == "$3" ]]; then echo "  ok   $1 → :$2 $got"; else echo "  FAIL $1 → :$2 $got (expected $3)"; fail=1; fi; }
echo "firewall packet test"
for p in 22 7443 8444; do check 192.0.2.10 $p open; done
check 192.0.2.10 5432 closed
for p in 22 7443 8444 5432; do check 192.0.2.200 $p closed; done
drops=$(ip netns exec "$srv" nft list chain inet nexus input | sed -n 's/.*dport $PG_PORT counter packets \([0-9]*\).*/\1/p; s/.*dport 5432 counter packets \([0-9]*\).*/\1/p' | head -1)
if [[ ${drops:-0} -gt 0 ]]; then echo "  ok   5432 drop counter: $drops packets"; else echo "  FAIL 5432 drop counter did not count"; fail=1; fi
((fail == 0)) && echo "firewall packet test: passed" || { echo "firewall packet test: FAILED"; exit 1; }
