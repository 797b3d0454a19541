#!/bin/bash
# Live path MTU through a router (RFC 2473 section 8, RFC 8201): B4 c sits
# behind a Linux router (the tr namespace, forwarding IPv6) whose link to it
# has an MTU of 1300, while the AFTR's softwire MTU is 1500. The router
# answers a 4in6 packet too big for that link with ICMPv6 packet too big to
# the endpoint; the AFTR must lower the B4's softwire MTU and tell the
# Internet source (ICMPv4 fragmentation needed, MTU 1260), or TCP through it
# stalls. B4 c is a nonat B4 (ISC nonat: it owns 198.51.100.128/28), so the
# Internet can reach its client and `ping -M do` from there.
#
#   inet -- dp (AFTR, tunnel MTU 1500) -- tr (bridge br6, router 2001:db8:1::fe)
#                                           \-- 1300 -- b4c (2001:db8:1:3::c) -- clc 198.51.100.130
#
# Checks: a 10 MB download to the client (the server's DF segments are too
# big for the router's link: only the AFTR's ICMPv4 saves the connection)
# and an upload; `ping -s 1472 -M do` from the Internet gets fragmentation
# needed with MTU 1260 and `ping -s 1232 -M do` goes through; iperf3 UDP
# with 1472-byte datagrams both ways; the counters agree.
# Usage: pmtu_live.sh AFTR_DATAPLANE AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
b4=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip curl iperf3 ping sha256sum /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TOPO="aftr$$-"
TOPO_NS="$TOPO_NS b4c clc"
ROUTER=2001:db8:1::fe
B4C=2001:db8:1:3::c
CLIENT=198.51.100.130
# shellcheck source=lib.sh
. "$here/lib.sh"

topo_up || { echo "FAIL: topology"; exit 1; }
# tr becomes a router as well as the bridge: 2001:db8:1::fe on br6, and a
# 1300-byte link to B4 c's own subnet.
topo_exec tr sysctl -qw net.ipv6.conf.all.forwarding=1
topo_exec tr sysctl -qw net.ipv6.conf.default.accept_dad=0
topo_exec tr sysctl -qw net.ipv6.conf.br6.accept_dad=0
topo_exec tr ip -6 addr add $ROUTER/64 dev br6 nodad
topo_exec tr ip -6 route add "$TOPO_ENDPOINT/128" via "$TOPO_TR_ADDR" dev br6
topo_veth tr r-b4c b4c eth0 1300
topo_exec tr ip -6 addr add 2001:db8:1:3::1/64 dev r-b4c nodad
topo_exec b4c sysctl -qw net.ipv6.conf.eth0.accept_dad=0
topo_exec b4c ip -6 addr add $B4C/64 dev eth0 nodad
topo_exec b4c ip -6 route add "$TOPO_ENDPOINT/128" via 2001:db8:1:3::1 dev eth0
topo_veth b4c lan0 clc eth0 1500
topo_exec b4c ip addr add 198.51.100.129/28 dev lan0
topo_exec b4c sysctl -qw net.ipv4.ip_forward=1
topo_exec clc ip addr add $CLIENT/28 dev eth0
topo_exec clc ip route add default via 198.51.100.129

# The AFTR reaches B4 c through the router; the softwire MTU is left at
# its default, 1500.
# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
topo_config | sed "s|^    address: $TOPO_TR_ADDR/64\$|&\n    gateway: $ROUTER|" >"$tmp/aftr.yaml"
cat >>"$tmp/aftr.yaml" <<EOF
nonat:
  - b4: "$B4C"
    prefix: 198.51.100.128/28
EOF
grep -q "gateway: $ROUTER" "$tmp/aftr.yaml" || { echo "FAIL: configuration"; exit 1; }
ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
	--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" \
	--stats-file "$tmp/dp.stats" >"$tmp/dp.log" 2>&1 &
pids+=($!)
topo_exec b4c "$b4" --local $B4C --aftr "$TOPO_ENDPOINT" --mtu 1500 >"$tmp/b4c.log" 2>&1 &
pids+=($!)
if ! wait_for 15 grep -q "running with" "$tmp/dp.log"; then
	echo "FAIL: the dataplane did not start"
	cat "$tmp/dp.log"
	exit 1
fi
wait_for 5 topo_exec b4c ip link show b4tun0
check "the client reaches the Internet through the router and the softwire" \
	wait_for 10 topo_exec clc ping -c 1 -W 1 "$TOPO_SERVER"

head -c 10000000 /dev/urandom >"$tmp/file.bin"
want=$(sha256sum <"$tmp/file.bin" | cut -d' ' -f1)
check "the server listens" http_server

download() {
	topo_exec clc curl -sS --max-time 60 -o "$tmp/got.bin" "http://$TOPO_SERVER:8080/file.bin" &&
		[ "$(sha256sum <"$tmp/got.bin" | cut -d' ' -f1)" = "$want" ]
}
upload() {
	topo_exec clc curl -sS --max-time 60 -T "$tmp/file.bin" "http://$TOPO_SERVER:8080/up.bin" &&
		[ "$(sha256sum <"$tmp/up.bin" | cut -d' ' -f1)" = "$want" ]
}
check "10 MB download past a 1300-byte router link (path MTU discovery through the AFTR), intact" \
	download
learned() {
	sleep 1.2
	echo "icmp6_error_in $(counter icmp6_error_in), tunnel_mtu_learned" \
		"$(counter tunnel_mtu_learned), icmp_sent $(counter icmp_sent)," \
		"drop_acl6 $(counter drop_acl6), drop_icmp6_error $(counter drop_icmp6_error)"
	[ "$(counter icmp6_error_in)" -ge 1 ] && [ "$(counter tunnel_mtu_learned)" -ge 1 ]
}
check "the router's packet too big reached the AFTR, which lowered the B4's MTU" learned
sed 's/^/     /' "$tmp/check.log"
check "10 MB upload through the 1300-byte link (the B4's kernel fragments), intact" upload

frag_needed() {
	# The Internet host's kernel may know the MTU already (the download
	# above went to the same client): forget it, so the AFTR is asked.
	topo_exec inet ip route flush cache
	topo_exec inet ping -c 3 -i 0.3 -W 2 -M "do" -s 1472 "$CLIENT"
	grep -Eq 'mtu ?= ?1260' "$tmp/check.log"
}
check "ping -s 1472 -M do from the Internet: fragmentation needed, MTU 1260" frag_needed
sed 's/^/     /' "$tmp/check.log" | head -4
check "ping -s 1232 -M do from the Internet (1260 bytes) goes through" \
	topo_exec inet ping -c 3 -i 0.3 -W 2 -M "do" -s 1232 "$CLIENT"

check "iperf3 UDP, 1472-byte datagrams, client to Internet" iperf_udp clc
sed 's/^/     /' "$tmp/check.log"
check "iperf3 UDP, 1472-byte datagrams, Internet to client" iperf_udp clc -R
sed 's/^/     /' "$tmp/check.log"
echo "pmtu_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
