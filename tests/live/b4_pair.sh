#!/bin/bash
# Live test of the software B4 (deploy/b4/aftr-b4): two B4s back to back in two network
# namespaces form a point-to-point IPv4-in-IPv6 tunnel over a veth pair whose MTU is 1280.
#
#   ns A: b4tun0 192.0.0.2/29, aftr-b4 fd00:b4::1 == veth, MTU 1280 == ns B: fd00:b4::2 aftr-b4,
#         b4tun0 192.0.0.1/29
#
# Checks: the TUN devices come up as configured; ping across works; 1400-byte pings (a 1468-
# byte IPv6 packet on a 1280-byte link) work with and without DF because the kernel fragments
# the IPv6 packet (seen in /proc/net/snmp6 on both sides) and never the inner IPv4 one; the
# outer traffic class is the inner TOS and the hop limit is 64; packets from another source,
# non-IPv4 and malformed payloads are dropped under their own counters; RFC 6040 ECN
# decapsulation; SIGUSR1 counters (stderr and --stats-file); a B4 with the default route
# adds and removes it; SIGTERM: exit 0, counters printed, TUN devices gone; option errors.
#
# usage: b4_pair.sh PATH/TO/aftr-b4    (as root; exit 0 pass, 1 fail, 77 skip)
set -u

B4=${1:-}
A="aftrt-b4a-$$"
B="aftrt-b4b-$$"
tmp=""
pids=""

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	for f in "$tmp"/*.log; do
		[ -f "$f" ] || continue
		echo "--- $f"
		cat "$f"
	done
	exit 1
}

ok() {
	echo "ok - $*"
}

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# shellcheck disable=SC2317 # not unreachable: the EXIT trap runs it
cleanup() {
	local p _
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		for _ in $(seq 30); do
			alive "$p" || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
}

if [ -z "$B4" ] || [ ! -x "$B4" ]; then
	echo "usage: $0 PATH/TO/aftr-b4"
	exit 1
fi
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v ip >/dev/null || skip "no ip(8) (iproute2)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v ping >/dev/null || skip "no ping (apt-get install iputils-ping)"
PY=""
for p in /usr/bin/python3 python3; do
	command -v "$p" >/dev/null && PY=$p && break
done

trap cleanup EXIT
trap 'exit 1' INT TERM HUP
tmp=$(mktemp -d) || fail "mktemp"
ip netns add "$A" 2>/dev/null || skip "ip netns add failed: no network namespace support"
ip netns add "$B" 2>/dev/null || skip "ip netns add failed: no network namespace support"

# --- option errors (no privileges needed for these, no namespace touched)
out=$("$B4" --local fd00:b4::1 --aftr xyz 2>&1)
{ [ $? -eq 1 ] && echo "$out" | grep -q -- "--aftr: not an IPv6 address: xyz"; } ||
	fail "bad --aftr: want exit 1 and a message, got: $out"
out=$("$B4" --aftr fd00:b4::2 2>&1)
{ [ $? -eq 1 ] && echo "$out" | grep -q -- "--local is required"; } ||
	fail "missing --local: got: $out"
"$B4" --help | grep -q -- "--no-default-route" || fail "--help"
ok "option errors exit 1 with a message; --help"

# --- topology
{ ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
	ip -n "$A" link add veth0 type veth peer name veth1 netns "$B" &&
	ip -n "$A" link set veth0 mtu 1280 up && ip -n "$B" link set veth1 mtu 1280 up &&
	ip -n "$A" addr add fd00:b4::1/64 dev veth0 nodad &&
	ip -n "$B" addr add fd00:b4::2/64 dev veth1 nodad &&
	ip -n "$B" addr add fd00:b4::3/64 dev veth1 nodad; } || fail "topology set-up"

# start_b4 NS NAME ARGS...: starts aftr-b4 in NS, logging to $tmp/NAME.log, stats in
# $tmp/NAME.stats; sets last_pid. `ip netns exec` execs, so the pid is aftr-b4's.
start_b4() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$B4" --stats-file "$tmp/$name.stats" "$@" 2>"$tmp/$name.log" &
	last_pid=$!
	pids="$pids $last_pid"
}

# wait_up NS PID LOG DEV: up to 5 s for the "DEV up:" line and the device.
wait_up() {
	local _
	for _ in $(seq 50); do
		if grep -q "$4 up:" "$3" && ip -n "$1" link show "$4" >/dev/null 2>&1; then
			return 0
		fi
		alive "$2" || return 1
		sleep 0.1
	done
	return 1
}

# stop PID: SIGTERM, up to 5 s for the exit; sets exit_rc.
stop() {
	local _
	kill -TERM "$1"
	for _ in $(seq 50); do
		alive "$1" || break
		sleep 0.1
	done
	alive "$1" && return 1
	wait "$1"
	exit_rc=$?
	pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
	return 0
}

# counters PID NAME: SIGUSR1, up to 5 s for the fresh stats file; prints it.
counters() {
	local _ f="$tmp/$2.stats"
	rm -f "$f"
	kill -USR1 "$1"
	for _ in $(seq 50); do
		[ -f "$f" ] && break
		sleep 0.1
	done
	[ -f "$f" ] || fail "$2: no --stats-file after SIGUSR1"
	cat "$f"
}

# ctr FILE NAME: one counter's value
ctr() {
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}

# snmp6 NS NAME: one /proc/net/snmp6 counter of NS
snmp6() {
	# shellcheck disable=SC2016 # $1 and $2 are awk's fields
	ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/snmp6
}

start_b4 "$A" a --local fd00:b4::1 --aftr fd00:b4::2 --ipv4 192.0.0.2/29 --no-default-route
pid_a=$last_pid
start_b4 "$B" b --local fd00:b4::2 --aftr fd00:b4::1 --ipv4 192.0.0.1/29 --no-default-route
pid_b=$last_pid
wait_up "$A" "$pid_a" "$tmp/a.log" b4tun0 || fail "B4 A did not come up within 5 s"
wait_up "$B" "$pid_b" "$tmp/b.log" b4tun0 || fail "B4 B did not come up within 5 s"
link=$(ip -n "$A" -d addr show dev b4tun0)
{ echo "$link" | grep -q "mtu 1460 " && echo "$link" | grep -q "inet 192.0.0.2/29 " &&
	echo "$link" | grep -q "tun type tun pi off" && echo "$link" | grep -q "UP"; } ||
	fail "b4tun0 in A is not as configured: $link"
ip -n "$A" route show default | grep -q . && fail "--no-default-route added a route"
ok "TUN devices up: b4tun0 mtu 1460, 192.0.0.2/29, IFF_NO_PI, no default route"

# --- small pings
ip netns exec "$A" ping -n -c 3 -i 0.2 -W 2 192.0.0.1 >"$tmp/ping.out" 2>&1 ||
	fail "ping 192.0.0.1 from A: $(cat "$tmp/ping.out")"
ok "ping -c 3 192.0.0.1: rtt min/avg/max/mdev $(sed -n 's/^rtt [^=]*= //p' "$tmp/ping.out")"

# --- large pings: 1428-byte IPv4 (fits the TUN MTU 1460), 1468-byte IPv6 (> 1280)
fa0=$(snmp6 "$A" Ip6FragOKs) ra0=$(snmp6 "$A" Ip6ReasmOKs)
fb0=$(snmp6 "$B" Ip6FragOKs) rb0=$(snmp6 "$B" Ip6ReasmOKs)
for df in "dont" "do"; do
	ip netns exec "$A" ping -n -c 3 -i 0.2 -W 2 -s 1400 -M $df 192.0.0.1 >"$tmp/ping.out" 2>&1 ||
		fail "ping -s 1400 -M $df: $(cat "$tmp/ping.out")"
	ok "ping -c 3 -s 1400 -M $df 192.0.0.1: rtt $(sed -n 's/^rtt [^=]*= //p' "$tmp/ping.out")"
done
fa=$(($(snmp6 "$A" Ip6FragOKs) - fa0)) ra=$(($(snmp6 "$A" Ip6ReasmOKs) - ra0))
fb=$(($(snmp6 "$B" Ip6FragOKs) - fb0)) rb=$(($(snmp6 "$B" Ip6ReasmOKs) - rb0))
{ [ $fa -ge 6 ] && [ $rb -ge 6 ] && [ $fb -ge 6 ] && [ $ra -ge 6 ]; } ||
	fail "IPv6 fragmentation not seen: A FragOKs +$fa ReasmOKs +$ra, B FragOKs +$fb ReasmOKs +$rb"
ok "IPv6 fragmentation: A fragmented $fa and reassembled $ra, B fragmented $fb and reassembled $rb"

# --- counters after 3 + 3 + 3 echo requests and replies
counters "$pid_a" a >"$tmp/a.c1"
counters "$pid_b" b >"$tmp/b.c1"
grep -q "^tx_packets " "$tmp/a.log" || fail "SIGUSR1: no counters on stderr"
for side in a b; do
	f="$tmp/$side.c1"
	{ [ "$(ctr "$f" tx_packets)" -ge 9 ] && [ "$(ctr "$f" rx_packets)" -ge 9 ] &&
		[ "$(ctr "$f" tx_bytes)" -ge $((6 * 1428 + 3 * 84)) ] &&
		[ "$(ctr "$f" rx_bytes)" -ge $((6 * 1428 + 3 * 84)) ]; } ||
		fail "$side: counters too low: $(tr '\n' ' ' <"$f")"
	bad=$(awk '$1 ~ /drop|error/ && $2 != 0' "$f")
	[ -z "$bad" ] || fail "$side: drops or errors: $bad"
done
sum=$(awk '$1 ~ /^(tx|rx)_(packets|bytes)$/ { printf "%s %s ", $1, $2 }' "$tmp/a.c1")
ok "SIGUSR1 counters: A ${sum}and no drops"

# --- outer header: traffic class = inner TOS, hop limit 64 (a raw socket in B sees a copy)
if [ -n "$PY" ]; then
	ip netns exec "$B" "$PY" - >"$tmp/sniff.out" 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 4)
s.bind(("fd00:b4::2", 0))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
s.settimeout(5)
print("ready", flush=True)
while True:
    data, anc, _, src = s.recvmsg(65536, 256)
    if data[1] != 0xb8:
        continue
    v = {t: int.from_bytes(d[:4], sys.byteorder) for _, t, d in anc}
    print("tclass=%#x hlim=%d inner_tos=%#x" % (v.get(socket.IPV6_TCLASS, -1),
          v.get(socket.IPV6_HOPLIMIT, -1), data[1]), flush=True)
    break
EOF
	sniff=$!
	for _ in $(seq 50); do
		grep -q ready "$tmp/sniff.out" && break
		sleep 0.1
	done
	ip netns exec "$A" ping -n -c 1 -W 2 -Q 0xb8 192.0.0.1 >/dev/null 2>&1 || fail "ping -Q 0xb8"
	wait "$sniff"
	grep -q "tclass=0xb8 hlim=64 inner_tos=0xb8" "$tmp/sniff.out" ||
		fail "outer header: $(cat "$tmp/sniff.out")"
	ok "outer traffic class 0xb8 from inner TOS 0xb8 (DSCP EF), hop limit 64"

	# --- what A must drop, and RFC 6040 ECN, injected from B with raw sockets
	counters "$pid_a" a >"$tmp/a.c2"
	tx0=$(ctr "$tmp/a.c2" tx_packets)
	ip netns exec "$B" "$PY" - <<'EOF' || fail "injecting packets"
import socket, struct
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    return ~((s & 0xffff) + (s >> 16)) & 0xffff
def echo(tos, lenfix=0):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4b34, 1) + b"b4-test-payload!"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(icmp) + lenfix, 7, 0, 64, 1, 0,
                    socket.inet_aton("192.0.0.1"), socket.inet_aton("192.0.0.2"))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + icmp
def send(src, tclass, pkt, dstopts=None):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 4)
    s.bind((src, 0))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tclass)
    if dstopts:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, dstopts)
    s.sendto(pkt, ("fd00:b4::1", 0))
    s.close()
send("fd00:b4::3", 0, echo(0))            # rx_drop_wrong_source
send("fd00:b4::2", 0, b"\x60" + bytes(39)) # rx_drop_not_ipv4
send("fd00:b4::2", 0, echo(0, 4))          # rx_drop_bad_header
send("fd00:b4::2", 3, echo(0))             # rx_drop_ecn: CE over not-ECT
send("fd00:b4::2", 3, echo(2))             # delivered as CE: rx_ecn_ce, A replies
# as Linux ip6tnl sends: a Tunnel Encapsulation Limit option (RFC 2473 4.1.1); A replies
send("fd00:b4::2", 0, echo(0), bytes([0, 0, 4, 1, 4, 1, 1, 0]))
EOF
	for _ in $(seq 50); do
		counters "$pid_a" a >"$tmp/a.c3"
		[ "$(ctr "$tmp/a.c3" tx_packets)" -ge $((tx0 + 2)) ] && break
		sleep 0.1
	done
	for c in rx_drop_wrong_source rx_drop_not_ipv4 rx_drop_bad_header rx_drop_ecn rx_ecn_ce; do
		[ "$(ctr "$tmp/a.c3" $c)" = 1 ] || fail "$c: want 1: $(tr '\n' ' ' <"$tmp/a.c3")"
	done
	[ "$(ctr "$tmp/a.c3" tx_packets)" -eq $((tx0 + 2)) ] ||
		fail "A should have answered the CE-marked echo (checksum kept valid) and the" \
			"one with an encapsulation limit option, and nothing else:" \
			"$(tr '\n' ' ' <"$tmp/a.c3")"
	ok "A dropped wrong source, non-IPv4, bad header, CE over not-ECT;" \
		"marked CE over ECT(0); took a packet with an encapsulation limit option"
else
	echo "# no python3: outer-header, drop and ECN checks not run"
fi

# --- a B4 with the default route (in B, another softwire source, another TUN name)
start_b4 "$B" c --local fd00:b4::3 --aftr fd00:b4::1 --name b4def0 --ipv4 192.0.0.9/29
pid_c=$last_pid
wait_up "$B" "$pid_c" "$tmp/c.log" b4def0 || fail "B4 C did not come up within 5 s"
ip -n "$B" route show default | grep -q "dev b4def0" || fail "no default route via b4def0"
stop "$pid_c" || fail "B4 C did not exit within 5 s of SIGTERM"
[ "$exit_rc" -eq 0 ] || fail "B4 C exit status $exit_rc"
ip -n "$B" route show default | grep -q . && fail "default route left behind"
ip -n "$B" link show b4def0 >/dev/null 2>&1 && fail "b4def0 left behind"
grep -q "warning" "$tmp/c.log" && fail "B4 C: $(grep warning "$tmp/c.log")"
ok "default route added via b4def0 and removed at exit"

# --- SIGTERM
for side in a b; do
	if [ $side = a ]; then
		pid=$pid_a ns=$A
	else
		pid=$pid_b ns=$B
	fi
	n0=$(grep -c '^tx_packets ' "$tmp/$side.log")
	stop "$pid" || fail "B4 $side did not exit within 5 s of SIGTERM"
	[ "$exit_rc" -eq 0 ] || fail "B4 $side exit status $exit_rc"
	ip -n "$ns" link show b4tun0 >/dev/null 2>&1 && fail "b4tun0 left behind in $side"
	[ "$(grep -c '^tx_packets ' "$tmp/$side.log")" -eq $((n0 + 1)) ] ||
		fail "$side: no counters printed at exit"
	[ "$(ctr "$tmp/$side.stats" rx_packets)" -ge 9 ] || fail "$side: stats file at exit"
done
ok "SIGTERM: both exit 0, counters printed and written, TUN devices gone"
echo "PASS"
exit 0
