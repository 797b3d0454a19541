#!/bin/bash
# Live lw4o6 (RFC 7596) through restricted port sets, the two ways a lwB4
# translates into its set: B4 a with aftr-b4's own NAPT (--lw4o6, its
# options read from a --config file), B4 b with nftables on its TUN
# device, the corrected recipe of deploy/b4/README.md (ICMP identifiers
# into the set too). Both share 198.51.100.77 with PSID length 5 and offset
# 0: B4 a PSID 1 (ports 2048-4095), B4 b PSID 2 (4096-6143).
# Through each: ping from the client (and, for a, from the B4 itself),
# UDP echoes, TCP with iperf3, a port unreachable for a UDP datagram sent to
# a closed port coming back to the client (RFC 5508), for B4 a a flow to
# another of its flows through the AFTR's hairpin, and a client opening
# more UDP flows than the set holds: the server sees only ports of the set
# (at most 2048 of them), aftr-b4 counts the rest as exhaustion, TCP still
# passes, and the AFTR never sees a port outside a set.
# Usage: lw4o6_napt_live.sh AFTR_DATAPLANE AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
b4=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip nft iperf3 /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TOPO="aftr$$-"
LW=198.51.100.77
ECHO_PORT=7007
# shellcheck source=lib.sh
. "$here/lib.sh"

lo_of() { [ "$1" = a ] && echo 2048 || echo 4096; }
hi_of() { [ "$1" = a ] && echo 4095 || echo 6143; }

topo_up || { echo "FAIL: topology"; exit 1; }
{
	# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
	topo_config
	echo "softwires:"
	echo "  - {b4: \"2001:db8:1::a\", ipv4: $LW, psid: 1, psid_len: 5, offset: 0}"
	echo "  - {b4: \"2001:db8:1::b\", ipv4: $LW, psid: 2, psid_len: 5, offset: 0}"
} >"$tmp/aftr.yaml"
dp_run "$dataplane" 512

# B4 a: the lwB4 NAPT of aftr-b4, from a file.
cat >"$tmp/b4a.conf" <<EOF
# lwB4 a (RFC 7596): its binding as the AFTR has it
local 2001:db8:1::a
aftr $TOPO_ENDPOINT
mtu 1500
lw4o6
ipv4 $LW
psid 1
psid-len 5
offset 0
stats-file $tmp/b4a.stats
EOF
# Not through topo_exec: $! must be aftr-b4 itself (SIGUSR1 below).
ip netns exec "$(topo_ns b4a)" "$b4" --config "$tmp/b4a.conf" >"$tmp/b4a.log" 2>&1 &
b4a_pid=$!
pids+=("$b4a_pid")
# B4 b: the address on the TUN, nftables translating into the set.
topo_exec b4b "$b4" --local 2001:db8:1::b --aftr "$TOPO_ENDPOINT" --mtu 1500 \
	--ipv4 $LW/32 >"$tmp/b4b.log" 2>&1 &
pids+=($!)
wait_for 5 topo_exec b4a ip link show b4tun0 || { echo "FAIL: B4 a"; cat "$tmp/b4a.log"; exit 1; }
wait_for 5 topo_exec b4b ip link show b4tun0 || { echo "FAIL: B4 b"; cat "$tmp/b4b.log"; exit 1; }
topo_exec b4b nft -f - <<NFT
table ip b4 {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "b4tun0" meta l4proto { tcp, udp } snat to $LW:4096-6143
		oifname "b4tun0" meta l4proto icmp snat to $LW:4096-6143
	}
}
NFT
check "B4 a says which set it translates into" \
	grep -q "lw4o6 NAPT (options) into $LW, offset 0 PSID length 5 PSID 1: 2048 ports, 2048 to 4095" \
	"$tmp/b4a.log"

# The Internet's UDP echo server: one line "ADDRESS PORT" per datagram; it
# answers "whoami" with the sender's address and port.
topo_exec inet timeout 600 /usr/bin/python3 -u -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(('$TOPO_SERVER', $ECHO_PORT))
while True:
    d, a = s.recvfrom(2048)
    print(a[0], a[1], flush=True)
    s.sendto(('%s %d' % a).encode() if d == b'whoami' else d, a)
" >"$tmp/echo.log" 2>&1 &
pids+=($!)
topo_exec inet iperf3 -s -B "$TOPO_SERVER" >"$tmp/iperf-s.log" 2>&1 &
pids+=($!)
wait_for 5 topo_exec inet bash -c "ss -ltn | grep -q ':5201'"

# Sent from namespace $1: $2 datagrams from one socket, each echoed back.
udp_echo() {
	topo_exec "$1" /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for i in range($2):
    s.sendto(b'echo %d' % i, ('$TOPO_SERVER', $ECHO_PORT))
    d, a = s.recvfrom(2048)
    assert d == b'echo %d' % i, d
print('echoed', $2)"
}
# Every port the echo server saw from $LW lies in B4 $1's set or the other's;
# at least one in $1's.
echo_ports_in() {
	awk -v a="$LW" -v lo="$(lo_of "$1")" -v hi="$(hi_of "$1")" '
		$1 == a { if ($2 < 2048 || $2 > 6143) { print "outside both sets: " $2; bad = 1 }
		          if ($2 >= lo && $2 <= hi) n++ }
		END { print n + 0, "datagrams from the set", lo "-" hi; exit bad || n == 0 }' "$tmp/echo.log"
}
# A datagram to a closed port: the client's connected socket hears the port
# unreachable (ECONNREFUSED) only if the error was translated back to it.
refused() {
	topo_exec "$1" /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(('$TOPO_SERVER', 9999))
s.send(b'anyone?')
try:
    s.recv(100)
    raise SystemExit('answered?')
except ConnectionRefusedError:
    print('connection refused: the port unreachable came back')"
}
iperf_tcp() {
	topo_exec "$1" iperf3 -c "$TOPO_SERVER" -t 2 --json >"$tmp/iperf-$1.json" &&
		/usr/bin/python3 -c "
import json
r = json.load(open('$tmp/iperf-$1.json'))['end']['sum_received']
print('%.1f Mbit/s, %d bytes' % (r['bits_per_second'] / 1e6, r['bytes']))
assert r['bytes'] > 1000000"
}

for x in a b; do
	how=$([ $x = a ] && echo "aftr-b4's NAPT" || echo "nftables")
	check "B4 $x ($how): the client pings the server" \
		topo_exec "cl$x" ping -c 3 -i 0.2 -W 2 "$TOPO_SERVER"
	check "B4 $x ($how): UDP echoes come back" udp_echo "cl$x" 20
	check "B4 $x ($how): the server saw only ports of the sets" echo_ports_in $x
	check "B4 $x ($how): TCP with iperf3" iperf_tcp "cl$x"
	check "B4 $x ($how): a port unreachable reaches the client" refused "cl$x"
done
check "B4 a: the B4 itself pings through its own NAPT" \
	topo_exec b4a ping -c 2 -i 0.2 -W 2 "$TOPO_SERVER"
# An echo request to the shared address with an identifier of B4 a's set
# (the AFTR sends it there): aftr-b4 lets it in, its host answers.
ping_public() {
	topo_exec inet /usr/bin/python3 -c "
import socket, struct, time
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    return ~((s & 0xffff) + (s >> 16)) & 0xffff
m = struct.pack('!BBHHH', 8, 0, 0, 3000, 1) + b'public?'
m = m[:2] + struct.pack('!H', csum(m + b'\\0')) + m[4:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(1)
s.sendto(m, ('$LW', 0))
end = time.time() + 3
while time.time() < end:
    try:
        d, a = s.recvfrom(2048)
    except socket.timeout:
        continue
    t, _, _, i = struct.unpack('!BBHH', d[20:26])
    if a[0] == '$LW' and t == 0 and i == 3000:
        print('echo reply from', a[0]); raise SystemExit(0)
raise SystemExit('no answer')"
}
check "B4 a: a ping of its public address (an identifier of its set) is answered" \
	ping_public

# Hairpinning: a client of B4 a sends to the shared address at the public
# port of another of its own flows; the AFTR turns it around (RFC 7596
# section 6), B4 a translates it in, and the first socket hears the second
# from the shared address. (The nftables way cannot: the address is its
# host's own there, so the packet would never leave the B4.)
hairpin() {
	topo_exec cla /usr/bin/python3 -c "
import socket
s1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s1.settimeout(3)
s1.sendto(b'whoami', ('$TOPO_SERVER', $ECHO_PORT))
addr, port = s1.recvfrom(100)[0].decode().split()
s2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s2.sendto(b'hairpin', (addr, int(port)))
d, a = s1.recvfrom(100)
assert d == b'hairpin' and a[0] == '$LW', (d, a)
print('public port', port, 'heard', a)"
}
check "B4 a: from one flow to another through the AFTR's hairpin" hairpin

# More UDP flows than the set holds (2048): 2100 sockets, one datagram each.
flood() {
	topo_exec "$1" /usr/bin/python3 -c "
import socket, time
for p in range(20000, 22100):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('0.0.0.0', p))
    s.sendto(b'flow', ('$TOPO_SERVER', $ECHO_PORT))
    s.close()
    if p % 20 == 0:
        time.sleep(0.01)  # paced: what is lost must be the set's doing"
}
# The distinct ports the server saw in B4 $1's set: at most 2048, none outside.
distinct_ports() {
	sleep 1
	awk -v a="$LW" -v lo="$(lo_of "$1")" -v hi="$(hi_of "$1")" '
		$1 == a && $2 >= lo && $2 <= hi && !seen[$2]++ { n++ }
		$1 == a && ($2 < 2048 || $2 > 6143) { bad = 1 }
		END { print n + 0, "distinct ports of", lo "-" hi; exit bad || n < 2000 || n > 2048 }' \
		"$tmp/echo.log"
}
b4a_counter() { kill -USR1 "$b4a_pid" && sleep 0.3 && counter "$1" "$tmp/b4a.stats"; }
exhausted() {
	local e u
	e=$(b4a_counter tx_drop_ports_exhausted)
	u=$(counter napt_active_udp "$tmp/b4a.stats")
	echo "aftr-b4: tx_drop_ports_exhausted $e, napt_active_udp $u"
	[ "$e" -ge 52 ] && [ "$u" -eq 2048 ] &&
		[ "$(grep -c "UDP: every port of the set (2048) is mapped" "$tmp/b4a.log")" -eq 1 ]
}
for x in a b; do
	how=$([ $x = a ] && echo "aftr-b4's NAPT" || echo "nftables")
	check "B4 $x ($how): 2100 UDP flows, more than the set holds, are sent" flood "cl$x"
	check "B4 $x ($how): the server saw at most 2048 ports, all of the set" distinct_ports $x
	check "B4 $x ($how): TCP still passes with every UDP port taken" iperf_tcp "cl$x"
done
check "aftr-b4 counts the flows it had no port for, 2048 UDP mappings alive" exhausted
sleep 1.2
check "the AFTR never saw a port outside a set (drop_out_of_range 0)" \
	bash -c "[ $(counter drop_out_of_range) -eq 0 ] && [ $(counter stateless_out) -gt 4000 ]"
echo "lw4o6_napt_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
