# shellcheck shell=bash
# Dialogs shared by the first-boot wizard (firstboot) and the console menu (console): the caller
# defines wt (whiptail with its title), ask_input TEXT DEFAULT (sets REPLY; returns non-zero on
# Cancel/Esc) and complain TEXT. Every answer is re-asked with its reason until it is valid.
# They only set variables (NET_MODE, ADDRESS, GATEWAY, DNS); nothing is written here.

# The management network: DHCP, or a static address with a gateway inside its subnet and DNS.
# Returns 1 on Cancel/Esc.
ask_network() {
  local rc=0 choice p
  choice=$(wt --default-item "$NET_MODE" --menu "Management network address:" 12 74 2 \
    dhcp "Automatic (DHCP)" static "Static address") || rc=$?
  ((rc == 0)) || return 1
  NET_MODE=$choice
  [[ $NET_MODE == static ]] || return 0
  while :; do
    ask_input "IPv4 address and prefix length (example: 192.0.2.10/24):" "$ADDRESS" || return 1
    valid_ipv4_cidr "$REPLY" && { ADDRESS=$REPLY; break; }
    complain "\"$REPLY\" is not valid: write ADDRESS/PREFIX, e.g. 192.0.2.10/24 (each number 0-255, prefix 1-32)."
  done
  while :; do
    ask_input "Default gateway (IPv4 address):" "$GATEWAY" || return 1
    if valid_ipv4 "$REPLY"; then
      ipv4_in_subnet "$REPLY" "$ADDRESS" && { GATEWAY=$REPLY; break; }
      complain "$REPLY is not inside the subnet $(ipv4_network_of "$ADDRESS") of $ADDRESS: the appliance could not reach it."
    else
      complain "\"$REPLY\" is not a valid IPv4 address."
    fi
  done
  while :; do
    ask_input "DNS servers (IP addresses, separated by spaces or commas):" "$DNS" || return 1
    p=$(dns_problem "$REPLY")
    [[ -z $p ]] && { DNS=$REPLY; break; }
    complain "Not accepted: $p."
  done
}

# One line describing the network answers, for a summary.
network_summary() {
  if [[ $NET_MODE == static ]]; then echo "$ADDRESS, gateway $GATEWAY, DNS $(split_list "$DNS" | paste -sd' ')"; else echo "DHCP"; fi
}
