#!/bin/bash
# Provisioning as deployments do it: two software B4s with no AFTR address configured
# find it through DHCPv6 and DNS, with the real servers. On the namespace topology
# (deploy/topology.sh), the transport link's bridge namespace runs Kea's DHCPv6 server
# (kea-dhcp6) and unbound, configured by aftrctl provision kea|dns from the running AFTR's
# configuration. aftr-b4 --dhcp asks (RFC 8415 Information-Request) for AFTR-Name (RFC
# 6334) and the DNS servers, resolves the name (AAAA), and carries traffic; asked again
# (SIGUSR2), it stays. With no DHCPv6 server the B4 keeps asking and drops what it cannot
# send yet.
#
# Usage: provision_live.sh AFTR_DATAPLANE AFTR_CONTROL AFTRCTL AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or Kea, unbound or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
aftrctl=$(readlink -f "$3")
b4=$(readlink -f "$4")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip curl ping kea-dhcp6 unbound unbound-checkconf /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing (deploy/install-deps.sh)"; exit 77; }
done

TOPO="aftr$$-"
# shellcheck source=lib.sh
. "$here/lib.sh"
live_api prov 13
name_=aftr.lab.test
dns6=2001:db8:1::53

topo_up || { echo "FAIL: topology"; exit 1; }
# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
topo_config | sed "s/^  listen: 127.0.0.1$/  listen: 127.0.0.1\n  port: $port/" >"$tmp/aftr.yaml"
ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
	--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" --shm "$name" \
	>>"$tmp/dp.log" 2>&1 &
pids+=($!)
"$control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" >>"$tmp/control.log" 2>&1 &
pids+=($!)
if ! wait_for 15 grep -q "running with" "$tmp/dp.log" ||
	! wait_for 5 curl -sf "$url/health"; then
	echo "FAIL: the dataplane or the control process did not start"
	cat "$tmp/dp.log" "$tmp/control.log"
	exit 1
fi
api="http://127.0.0.1:$port"

# The servers on the transport link's bridge: its own address for DNS.
topo_exec tr ip -6 addr add "$dns6/64" dev br6 nodad
check "aftrctl provision kea: Kea's configuration from the AFTR's" \
	"$aftrctl" --api "$api" provision kea --aftr-name "$name_" --dns "$dns6" --interface br6 \
	--subnet 2001:db8:1::/64 --refresh 600 --ephemeral -o "$tmp/kea.json"
check "kea-dhcp6 takes it (-t)" env KEA_PIDFILE_DIR="$tmp" KEA_LOCKFILE_DIR="$tmp" \
	ip netns exec "${TOPO}tr" kea-dhcp6 -t "$tmp/kea.json"
check "aftrctl provision dns: the AFTR's name and addresses" \
	"$aftrctl" --api "$api" provision dns --aftr-name "$name_" --listen "$dns6" -o "$tmp/aftr-dns.conf"
check "the name answers with the endpoint" grep -q "\"$name_. 300 IN AAAA $TOPO_ENDPOINT\"" \
	"$tmp/aftr-dns.conf"
cat >"$tmp/unbound.conf" <<CONF
server:
  directory: "$tmp"
  username: ""
  chroot: ""
  pidfile: "$tmp/unbound.pid"
  do-daemonize: no
  use-syslog: no
  logfile: ""
  do-ip4: no
  access-control: ::/0 allow
  module-config: "iterator"
include: "$tmp/aftr-dns.conf"
CONF
check "unbound-checkconf takes it" unbound-checkconf "$tmp/unbound.conf"

# B4s first: with no server yet they keep asking and drop what they cannot send.
for s in a b; do
	topo_exec "b4$s" "$b4" --local "2001:db8:1::$s" --dhcp eth0 --mtu 1500 \
		--stats-file "$tmp/b4$s.stats" >"$tmp/b4$s.log" 2>&1 &
	pids+=($!)
done
wait_for 5 topo_exec b4a ip link show b4tun0
# A B4's counter, its stats file written (SIGUSR1) first.
counter_of() { # a|b name
	topo_exec "b4$1" pkill -USR1 -f "aftr-b4 --local 2001:db8:1::$1 " 2>/dev/null
	sleep 0.2
	awk -v k="$2" '$1 == k { print $2 }' "$tmp/b4$1.stats"
}
at_least() { [ "$(counter_of "$1" "$2")" -ge "$3" ]; }
topo_exec cla ping -q -c 1 -W 1 "$TOPO_SERVER" >/dev/null 2>&1
check "no server: B4 a asks again (RFC 8415 retransmission)" wait_for 5 at_least a dhcp_sent 2
check "and drops what it cannot send yet" at_least a tx_drop_no_aftr 1

# Kea writes its PID and lock files where told (its default, /run/kea, is the host's).
(KEA_PIDFILE_DIR=$tmp KEA_LOCKFILE_DIR=$tmp exec ip netns exec "${TOPO}tr" kea-dhcp6 \
	-c "$tmp/kea.json" >"$tmp/kea.log" 2>&1) &
pids+=($!)
(exec ip netns exec "${TOPO}tr" unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.log" 2>&1) &
pids+=($!)
for s in a b; do
	check "B4 $s: DHCPv6 then DNS give it the AFTR" \
		wait_for 20 grep -q "softwire to $TOPO_ENDPOINT (AFTR-Name $name_)" "$tmp/b4$s.log"
done
check "ping through B4 a" topo_exec cla ping -q -c 3 -W 2 "$TOPO_SERVER"
check "ping through B4 b" topo_exec clb ping -q -c 3 -W 2 "$TOPO_SERVER"
sessions() { curl -sf "$url/sessions?b4=2001:db8:1::$1" | grep -q '"protocol": "icmp"'; }
check "the AFTR has both B4s' sessions" bash -c "$(declare -f sessions); url=$url; sessions a && sessions b"
sent=$(counter_of a dhcp_sent)
topo_exec b4a pkill -USR2 -f "aftr-b4 --local 2001:db8:1::a "
check "SIGUSR2: B4 a asks again, and is answered" wait_for 5 at_least a dhcp_replies 2
check "its softwire stays" topo_exec cla ping -q -c 2 -W 2 "$TOPO_SERVER"
check "every DHCPv6 Reply was one to take" [ "$(counter_of a dhcp_bad)" = 0 ]
check "and DNS answered B4 b" at_least b dns_answers 1
[ "$(counter_of a dhcp_sent)" -gt "$sent" ] || echo "     (dhcp_sent $sent -> $(counter_of a dhcp_sent))"

echo "provision_live: $pass passed, $fail failed"
[ "$fail" = 0 ]
