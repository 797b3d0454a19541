#!/bin/bash
# Live lw4o6 (RFC 7596) with B4s that NAT into their own port set, as the
# seed's lightweight DS-Lite lab does: two software B4s share the IPv4
# address 198.51.100.77, B4 a with PSID 1 (ports 1024-2047: PSID length 6,
# offset 0) and B4 b with PSID 2 (2048-3071), each SNATting its LAN into
# its range with nftables on its TUN device. Both clients fetch over HTTP
# through the AFTR at the same time; the server sees 198.51.100.77 from
# ports in each range. A packet B4 a sends from a port outside its set
# gets ICMPv6 type 1 code 5 (source address failed ingress/egress policy,
# RFC 7596 section 5.2) back from the endpoint, caught with tcpdump on the
# B4's IPv6 link; with icmp.transport.errors off, nothing comes back.
# Usage: lw4o6_live.sh AFTR_DATAPLANE AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
b4=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip nft tcpdump curl /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TOPO="aftr$$-"
LW=198.51.100.77
# shellcheck source=lib.sh
. "$here/lib.sh"

start() { # icmp.transport.errors
	{
		# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
		topo_config
		echo "softwires:"
		echo "  - {b4: \"2001:db8:1::a\", ipv4: $LW, psid: 1, psid_len: 6, offset: 0}"
		echo "  - {b4: \"2001:db8:1::b\", ipv4: $LW, psid: 2, psid_len: 6, offset: 0}"
		echo "icmp: {transport: {errors: $1}}"
	} >"$tmp/aftr.yaml"
	ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
		--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" \
		--stats-file "$tmp/dp.stats" >"$tmp/dp.log" 2>&1 &
	dp_pid=$!
	wait_for 15 grep -q "running with" "$tmp/dp.log"
}

topo_up || { echo "FAIL: topology"; exit 1; }
# Each B4: the shared address on its TUN, and its LAN NATed into its range.
for x in a b; do
	range=$([ $x = a ] && echo 1024-2047 || echo 2048-3071)
	topo_exec "b4$x" "$b4" --local "2001:db8:1::$x" --aftr "$TOPO_ENDPOINT" --mtu 1500 \
		--ipv4 $LW/32 >"$tmp/b4$x.log" 2>&1 &
	pids+=($!)
	wait_for 5 topo_exec "b4$x" ip link show b4tun0
	topo_exec "b4$x" nft -f - <<NFT
table ip lw4o6 {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "b4tun0" ip saddr 192.168.1.0/24 ip protocol { tcp, udp } snat to $LW:$range
		oifname "b4tun0" ip saddr 192.168.1.0/24 ip protocol icmp snat to $LW:$range
	}
}
NFT
done
start true || { echo "FAIL: the dataplane did not start"; cat "$tmp/dp.log"; exit 1; }

head -c 3000000 /dev/urandom >"$tmp/file.bin"
want=$(sha256sum <"$tmp/file.bin" | cut -d' ' -f1)
check "the server listens" http_server

fetch() {
	topo_exec "$1" curl -sS --max-time 30 -o "$tmp/got-$1" "http://$TOPO_SERVER:8080/file.bin" &&
		[ "$(sha256sum <"$tmp/got-$1" | cut -d' ' -f1)" = "$want" ]
}
both_fetch() {
	fetch cla &
	local a=$!
	fetch clb
	local rb=$?
	wait $a && [ $rb -eq 0 ]
}
check "both B4s fetch 3 MB over HTTP at once, sharing $LW by PSID" both_fetch
# The server's log: "ADDRESS - - [...]"; the ports come from its connections.
seen_ports() {
	topo_exec inet ss -tn state time-wait "( sport = :8080 )" | awk 'NR > 1 { print $4 }' |
		sed -n "s/^$LW:\([0-9]*\)$/\1/p"
}
in_ranges() {
	local ports a=0 b=0
	ports=$(seen_ports)
	for p in $ports; do
		[ "$p" -ge 1024 ] && [ "$p" -le 2047 ] && a=1
		[ "$p" -ge 2048 ] && [ "$p" -le 3071 ] && b=1
		{ [ "$p" -ge 1024 ] && [ "$p" -le 3071 ]; } || { echo "port $p outside both sets"; return 1; }
	done
	echo "ports seen: $ports"
	[ $a -eq 1 ] && [ $b -eq 1 ]
}
check "the server saw $LW, from a port of each B4's set" in_ranges
sleep 1.2
check "the dataplane forwarded them untranslated (stateless_out, stateless_in)" \
	bash -c "[ $(counter stateless_out) -gt 100 ] && [ $(counter stateless_in) -gt 100 ] && [ $(counter nat_out) -eq 0 ]"

# B4 a sends from a port outside its set (not NATed: its own address).
send_outside() {
	topo_exec b4a /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$LW', 5000))
s.sendto(b'outside', ('$TOPO_SERVER', 9))"
}
# The quote: the softwire packet, its IPv6 header (40 bytes), then the
# inner IPv4 one (20) and UDP, whose source port is at 60.
policy_fail() { # expect: 1 or 0 errors caught
	topo_exec b4a timeout 3 tcpdump -ni eth0 -U -w "$tmp/icmp.pcap" icmp6 >/dev/null 2>&1 &
	local td=$! n
	sleep 1
	send_outside
	wait $td
	n=$(/usr/bin/python3 -c "
from scapy.all import rdpcap, IPv6, ICMPv6DestUnreach
try:
    p = rdpcap('$tmp/icmp.pcap')
except Exception:
    p = []
def about(x):
    q = bytes(x[ICMPv6DestUnreach].payload)
    return len(q) >= 62 and q[6] == 4 and int.from_bytes(q[60:62], 'big') == 5000
print(sum(1 for x in p if ICMPv6DestUnreach in x and x[ICMPv6DestUnreach].code == 5
          and x[IPv6].src == '$TOPO_ENDPOINT' and x[IPv6].dst == '2001:db8:1::a' and about(x)))")
	echo "source address failed policy caught: $n"
	[ "$n" -eq "$1" ]
}
check "a port outside B4 a's set: ICMPv6 1/5 from the endpoint comes back (RFC 7596 5.2)" \
	policy_fail 1
sleep 1.2
check "counted as out_of_range" bash -c "[ $(counter drop_out_of_range) -ge 1 ]"

kill -INT $dp_pid
wait $dp_pid
start false || { echo "FAIL: the dataplane did not start again"; exit 1; }
check "with icmp.transport.errors off: dropped, nothing comes back" policy_fail 0
kill -INT $dp_pid
wait $dp_pid
echo "lw4o6_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
