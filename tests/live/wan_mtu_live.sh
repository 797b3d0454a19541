#!/bin/bash
# Live WAN MTU (RFC 791, RFC 1191): the AFTR's interfaces.wan.mtu is 1280
# (the WAN link's: the Internet side's end is set to 1280 too, so the
# server's kernel fragments what it sends back), while the B4's links and
# softwire are 1500 or more, so what a client behind B4 a sends
# above 1280 bytes must leave the WAN in IPv4 fragments (DF clear) or come
# back to the client as ICMP fragmentation needed with MTU 1280 (DF set),
# through NAPT and the softwire; the client's kernel then sends smaller
# packets (path MTU discovery). Checks, with the real kernels as receivers:
# ping -M dont -s 1400 reaches the server in fragments and is answered;
# a 10 MB upload over TCP arrives intact; ping -M do -s 1400 gets
# "mtu = 1280"; iperf3 UDP with 1472-byte datagrams; the counters.
# Usage: wan_mtu_live.sh AFTR_DATAPLANE AFTR_B4
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
topo_exec inet ip link set inet0 mtu 1280
# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
topo_config | sed 's|^    gateway: 192.0.2.254$|&\n    mtu: 1280|' >"$tmp/aftr.yaml"
grep -q "mtu: 1280" "$tmp/aftr.yaml" || { echo "FAIL: configuration"; exit 1; }
topo_exec b4a "$b4" --local 2001:db8:1::a --aftr "$TOPO_ENDPOINT" >"$tmp/b4a.log" 2>&1 &
pids+=($!)
dp_run "$dataplane" 512
wait_for 5 topo_exec b4a ip link show b4tun0

ping_dont() { topo_exec cla ping -c 3 -i 0.2 -W 2 -M dont -s 1400 "$TOPO_SERVER"; }
check "ping -M dont -s 1400: fragmented both ways on the WAN, answered" ping_dont
http_file 10000000
check "the server listens" http_server
# The server's MSS (1240, from its 1280-byte link) keeps TCP under the
# WAN MTU: no fragments, no errors.
check "10 MB upload over TCP, intact" http_put cla
ping_do() {
	# Linux reports the ICMP error ("Frag needed and DF set (mtu =
	# 1280)"), or refuses locally with the MTU it learned ("message too
	# long, mtu=1280").
	topo_exec cla ping -c 2 -i 0.3 -W 2 -M "do" -s 1400 "$TOPO_SERVER" >"$tmp/ping.log" 2>&1
	cat "$tmp/ping.log"
	grep -Eq 'mtu ?= ?1280' "$tmp/ping.log"
}
check "ping -M do -s 1400: fragmentation needed with MTU 1280 back" ping_do
sed 's/^/     /' "$tmp/check.log"

check "iperf3 UDP, 1472-byte datagrams, B4 to Internet" iperf_udp cla
sed 's/^/     /' "$tmp/check.log"
show() {
	sleep 1.2
	grep -E '^(ip4_fragmented|ip4_fragments_sent|drop_wan_too_big|icmp_sent|icmp_error_in|ip4_reassembled|ip4_fragments_received) ' "$tmp/dp.stats" | tr '\n' ' '
	echo
	[ "$(counter ip4_fragmented)" -ge 3 ] && [ "$(counter drop_wan_too_big)" -ge 1 ] &&
		[ "$(counter ip4_fragments_sent)" -gt "$(counter ip4_fragmented)" ] &&
		[ "$(counter ip4_fragments_received)" -ge 6 ]
}
check "the counters: fragmented, too big with DF, the replies' fragments reassembled" show
sed 's/^/     /' "$tmp/check.log"
echo "wan_mtu_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
