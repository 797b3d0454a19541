#!/bin/bash
# Live fragmentation and MTU (RFC 6333 section 6.3): B4 a's link to the
# AFTR has an MTU of 1300 while its tunnel MTU is 1500, so its kernel sends
# 4in6 packets above 1300 in IPv6 fragments; the AFTR's tunnel MTU is 1300,
# so it fragments what it sends to the B4. The Internet side is 1500.
# Checks: 10 MB over HTTP both ways (download and upload), iperf3 UDP with
# 1472-byte datagrams both ways, and the counters show the reassemblies and
# fragments; again with the B4's tunnel MTU at 1260 (its clients then send
# IPv4 fragments, which the AFTR reassembles inside the softwire). A live
# ping -M do from the Internet, and a router's packet too big, are in
# pmtu_live.sh.
# Usage: frag_live.sh AFTR_DATAPLANE AFTR_B4
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
# shellcheck source=lib.sh
. "$here/lib.sh"

topo_up || { echo "FAIL: topology"; exit 1; }
topo_exec b4a ip link set eth0 mtu 1300
topo_exec tr ip link set br-b4a mtu 1300
{
	# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
	topo_config
	echo "tunnel_defaults: {mtu: 1300}"
} >"$tmp/aftr.yaml"
ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
	--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" \
	--stats-file "$tmp/dp.stats" >"$tmp/dp.log" 2>&1 &
pids+=($!)
start_b4() { # tunnel MTU
	topo_exec b4a "$b4" --local 2001:db8:1::a --aftr "$TOPO_ENDPOINT" --mtu "$1" \
		>>"$tmp/b4a.log" 2>&1 &
	b4_pid=$!
	pids+=("$b4_pid")
}
start_b4 1500
if ! wait_for 15 grep -q "running with" "$tmp/dp.log"; then
	echo "FAIL: the dataplane did not start"
	cat "$tmp/dp.log"
	exit 1
fi
wait_for 5 topo_exec b4a ip link show b4tun0

http_file 10000000
check "the server listens" http_server

check "10 MB download through a 1300-byte softwire, intact" http_get cla
check "10 MB upload from a B4 whose kernel fragments, intact" http_put cla

check "iperf3 UDP, 1472-byte datagrams, B4 to Internet" iperf_udp cla
sed 's/^/     /' "$tmp/check.log"
check "iperf3 UDP, 1472-byte datagrams, Internet to B4" iperf_udp cla -R
sed 's/^/     /' "$tmp/check.log"
show() {
	sleep 1.2
	grep -E '^(ip6_fragments_received|ip6_reassembled|encap_fragmented|ip6_fragments_sent|ip4_fragments_received|ip4_reassembled|icmp_sent|drop_ip6_fragment_dropped|drop_ip4_fragment_dropped|drop_too_big) ' "$tmp/dp.stats" | tr '\n' ' '
	echo
	[ "$(counter ip6_reassembled)" -gt 100 ] && [ "$(counter encap_fragmented)" -gt 100 ]
}
check "the AFTR reassembled the B4's fragments and fragmented towards it" show
sed 's/^/     /' "$tmp/check.log"

# Tunnel MTU 1260 on the B4: its clients learn the path MTU from it and
# fragment their UDP in IPv4: the AFTR reassembles those inside the softwire.
kill "$b4_pid"
wait "$b4_pid" 2>/dev/null
start_b4 1260
wait_for 5 topo_exec b4a ip link show b4tun0
topo_exec b4a ip link set b4tun0 mtu 1260
check "tunnel MTU 1260: 10 MB download intact" http_get cla
check "tunnel MTU 1260: 10 MB upload intact" http_put cla
big_ping() {
	# The first one teaches the client the path MTU (the B4 answers
	# fragmentation needed); then the client sends IPv4 fragments.
	topo_exec cla ping -c 1 -W 2 -s 1472 "$TOPO_SERVER" >/dev/null 2>&1
	topo_exec cla ping -c 5 -i 0.2 -W 2 -s 1472 "$TOPO_SERVER"
}
check "tunnel MTU 1260: ping -s 1472 from the client, its IPv4 fragments through" big_ping
check "tunnel MTU 1260: iperf3 UDP, B4 to Internet" iperf_udp cla
sed 's/^/     /' "$tmp/check.log"
check "tunnel MTU 1260: iperf3 UDP, Internet to B4" iperf_udp cla -R
sed 's/^/     /' "$tmp/check.log"
inner() {
	sleep 1.2
	echo "ip4_fragments_received $(counter ip4_fragments_received)," \
		"ip4_reassembled $(counter ip4_reassembled)"
	[ "$(counter ip4_reassembled)" -ge 5 ]
}
check "the AFTR reassembled the clients' IPv4 fragments inside the softwire" inner
sed 's/^/     /' "$tmp/check.log"
check "every packet accounted for, fragments and all" wait_for 5 accounted
check "no buffer leaked or ran short (in use = held, rx_nombuf 0)" wait_for 5 buffers_back
sed 's/^/     /' "$tmp/check.log"
echo "frag_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
