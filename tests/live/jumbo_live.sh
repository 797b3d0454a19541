#!/bin/bash
# Live jumbo frames: every link at 9,000 bytes of IPv4 (9,100 on the B4
# side's IPv6 bridge), the AFTR's transport MTU 9040 and WAN MTU 9000
# (net_af_packet with 9 KB frames), its softwires' MTU 9040, aftr-b4's
# tunnel 9000. Checks, with the kernels as receivers: ping -M do -s 8972
# (a 9,000-byte IPv4 packet, DF) both ways whole; a 10 MB download and
# upload over HTTP (TCP with a jumbo MSS); iperf3 UDP with 8,972-byte
# datagrams both ways; no fragments made or reassembled on the way.
# Usage: jumbo_live.sh AFTR_DATAPLANE AFTR_B4
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
TOPO_MTU6=9100
# shellcheck source=lib.sh
. "$here/lib.sh"

topo_up || { echo "FAIL: topology"; exit 1; }
topo_exec b4a ip link set lan0 mtu 9000
topo_exec cla ip link set eth0 mtu 9000
topo_exec dp ip link set dwan mtu 9000
topo_exec inet ip link set inet0 mtu 9000
# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
topo_config | sed -e 's|^\(    device: net_af_packet[01],iface=[a-z]*,qpairs=1\)$|\1,framesz=9216,blocksz=36864|' \
	-e "s|^    mtu: $TOPO_MTU6\$|    mtu: 9040|" \
	-e 's|^    gateway: 192.0.2.254$|&\n    mtu: 9000|' >"$tmp/aftr.yaml"
echo "tunnel_defaults: {mtu: 9040}" >>"$tmp/aftr.yaml"
[ "$(grep -c 'framesz=9216\|mtu: 9040\|mtu: 9000' "$tmp/aftr.yaml")" -eq 5 ] ||
	{ echo "FAIL: configuration"; cat "$tmp/aftr.yaml"; exit 1; }
topo_exec b4a "$b4" --local 2001:db8:1::a --aftr "$TOPO_ENDPOINT" --mtu 9000 >"$tmp/b4a.log" 2>&1 &
pids+=($!)
dp_run "$dataplane" 1024
wait_for 5 topo_exec b4a ip link show b4tun0

ping_jumbo() { topo_exec cla ping -c 3 -i 0.2 -W 2 -M "do" -s 8972 "$TOPO_SERVER"; }
check "ping -M do -s 8972: 9,000-byte packets whole both ways" ping_jumbo
sed 's/^/     /' "$tmp/check.log"

http_file 10000000
check "the server listens" http_server
check "10 MB download, intact" http_get cla
check "10 MB upload, intact" http_put cla
iperf_jumbo() { # extra iperf3 args
	local s rc
	topo_exec inet iperf3 -s -1 -B "$TOPO_SERVER" >"$tmp/iperf-s.log" 2>&1 &
	s=$!
	wait_for 5 topo_exec inet bash -c "ss -ltn | grep -q ':5201'"
	topo_exec cla iperf3 -c "$TOPO_SERVER" -u -l 8972 -b 50M -t 3 "$@" --json >"$tmp/iperf.json"
	rc=$?
	wait $s
	[ $rc -eq 0 ] && /usr/bin/python3 -c "
import json, sys
e = json.load(open('$tmp/iperf.json'))['end']['sum']
print('%.1f Mbit/s, %d datagrams, %.2f%% lost' % (e['bits_per_second'] / 1e6, e['packets'], e['lost_percent']))
sys.exit(0 if e['packets'] > 100 and e['lost_percent'] < 10 else 1)"
}
check "iperf3 UDP, 8,972-byte datagrams, B4 to Internet" iperf_jumbo
sed 's/^/     /' "$tmp/check.log"
check "iperf3 UDP, 8,972-byte datagrams, Internet to B4" iperf_jumbo -R
sed 's/^/     /' "$tmp/check.log"
show() {
	sleep 1.2
	grep -E '^(decap|encap|nat_out|nat_in|ip4_fragmented|encap_fragmented|ip6_reassembled|ip4_reassembled|drop_multi_segment) ' "$tmp/dp.stats" | tr '\n' ' '
	echo
	[ "$(counter nat_out)" -gt 1000 ] && [ "$(counter nat_in)" -gt 1000 ] &&
		[ "$(counter ip4_fragmented)" -eq 0 ] && [ "$(counter encap_fragmented)" -eq 0 ] &&
		[ "$(counter ip6_reassembled)" -eq 0 ] && [ "$(counter ip4_reassembled)" -eq 0 ] &&
		[ "$(counter drop_multi_segment)" -eq 0 ]
}
check "the counters: all whole, nothing fragmented or reassembled" show
sed 's/^/     /' "$tmp/check.log"
echo "jumbo_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
