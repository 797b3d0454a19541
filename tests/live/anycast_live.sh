#!/bin/bash
# Two AFTRs behind anycast: each box (a dataplane, aftr-control and BIRD 2
# in namespace dp1 or dp2) announces the same endpoint to the B4s' router
# (rt: BIRD, BGP routes merged into the kernel as an ECMP route hashed on
# the outer source and destination) and its pool address plus the shared
# nonat prefix to the Internet's router (inet: BIRD, ECMP too). Four
# software B4s with nonat clients (their own public /28, ISC nonat) ping
# the server every 10 ms; the routers spread them over both boxes. Their
# bindings are given to box 1's API only: box 2 follows box 1
# (cluster.follow), as every box of a group would.
#
#   b4a..b4d --br6-- rt ==ECMP== dp1 (2001:db8:a1::1) == inet (br4, 203.0.113.10)
#                         \===== dp2 (2001:db8:a2::1) ==/
#   BGP and BFD on links of their own: dp1-rt fd00:99:1::/64, dp1-inet
#   10.99.1.0/30, and dp2's likewise.
#
# Checks: both paths in both routers; each B4's box found by its counters;
# kill -9 of one box's dataplane: aftr-control withdraws its routes, the
# routers move its B4s to the other box, the loss window measured for each
# (nothing lost by the other box's B4s), a TCP download through it goes on
# intact; a new dataplane: routes back, measured again; a box that hangs
# (dataplane killed, BIRD and aftr-control stopped: nothing withdraws its
# routes) is dropped by BFD, measured. NAPT: each box has an endpoint of
# its own for its NAPT B4s, and announces the other's (and its pool
# address) with a longer AS path; one NAPT B4 a box sends UDP every 10 ms
# from one port: the other box takes it over with the same public address
# and port (nat.deterministic, nat.any_endpoint), and gives it back.
#
# Usage: anycast_live.sh AFTR_DATAPLANE AFTR_CONTROL AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or BIRD or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
b4=$(readlink -f "$3")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip curl ping bird birdc ethtool /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing (deploy/install-deps.sh)"; exit 77; }
done

TOPO="aftr$$-"
TOPO_NS="dp1 dp2 rt inet b4a b4b b4c b4d b4e b4f"
B4S="a b c d"
# NAPT: each box's own endpoint for its NAPT B4s, which the other box
# takes over (a longer AS path until then), and one deterministic mapping
# over both pool addresses: B4 e (subscriber 0x20 of 2001:db8:1::/120)
# holds ports 3072-3135 of 198.51.100.1 and uses box 1's endpoint, B4 f
# (0xa0) the same ports of 198.51.100.2 and box 2's.
napt_b4() { case $1 in 1) echo e ;; 2) echo f ;; esac; }
napt_addr() { case $1 in e) echo 2001:db8:1::20 ;; f) echo 2001:db8:1::a0 ;; esac; }
box_ep() { echo "2001:db8::1$1"; }
BLOCK_FIRST=3072 BLOCK_LAST=3135
# shellcheck source=lib.sh
. "$here/lib.sh"
live_api any 17
# The nonat client of B4 x: the first host of its /28 (a: .129, b: .145...).
client() { case $1 in a) echo 198.51.100.129 ;; b) echo 198.51.100.145 ;;
	c) echo 198.51.100.161 ;; d) echo 198.51.100.177 ;; esac; }

anycast_up() {
	local n i x
	for n in $TOPO_NS; do
		ip netns add "$(topo_ns "$n")" || return 1
		topo_exec "$n" ip link set lo up
	done
	# rt: routes between the B4s' link and the boxes, ECMP hashed on the
	# outer addresses only (SCALE.md: what the routers need); a fixed seed
	# so that the spread of the B4s is the same every run.
	topo_exec rt sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.fib_multipath_hash_policy=3 net.ipv6.fib_multipath_hash_fields=3
	topo_exec rt sysctl -qw net.ipv4.fib_multipath_hash_seed=7 2>/dev/null
	topo_exec rt ip link add br6 mtu $TOPO_MTU6 type bridge
	topo_exec rt ip link set br6 up
	topo_exec rt ip -6 addr add 2001:db8:1::fe/64 dev br6 nodad
	topo_exec inet ip link add br4 type bridge
	topo_exec inet ip link set br4 up
	topo_exec inet ip addr add 192.0.2.254/24 dev br4
	topo_exec inet ip addr add $TOPO_SERVER/32 dev lo
	topo_exec inet sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
	for i in 1 2; do
		topo_veth "dp$i" dtr rt "t$i" $TOPO_MTU6
		topo_exec rt ip -6 addr add "2001:db8:a$i::fe/64" dev "t$i" nodad
		topo_veth "dp$i" dwan inet "w$i" 1500
		topo_exec inet ip link set "w$i" master br4
		# The dataplane owns dtr and dwan: the kernel keeps off them.
		topo_exec "dp$i" sysctl -qw net.ipv6.conf.dtr.disable_ipv6=1 \
			net.ipv6.conf.dwan.disable_ipv6=1
		topo_veth "dp$i" bgp6 rt "b$i" 1500
		topo_exec "dp$i" ip -6 addr add "fd00:99:$i::2/64" dev bgp6 nodad
		topo_exec rt ip -6 addr add "fd00:99:$i::1/64" dev "b$i" nodad
		topo_veth "dp$i" bgp4 inet "b$i" 1500
		topo_exec "dp$i" ip addr add "10.99.$i.2/30" dev bgp4
		topo_exec inet ip addr add "10.99.$i.1/30" dev "b$i"
		topo_exec inet ethtool -K "w$i" tx off >/dev/null
	done
	topo_exec inet ethtool -K br4 tx off >/dev/null
	for x in $B4S; do
		topo_veth rt "br-$x" "b4$x" eth0 $TOPO_MTU6
		topo_exec rt ip link set "br-$x" master br6
		topo_exec "b4$x" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
		topo_exec "b4$x" ip -6 addr add "2001:db8:1::$x/64" dev eth0 nodad
		topo_exec "b4$x" ip -6 route add "$TOPO_ENDPOINT/128" via 2001:db8:1::fe dev eth0
		topo_exec "b4$x" ip addr add "$(client "$x")/32" dev lo
	done
	for i in 1 2; do
		x=$(napt_b4 $i)
		topo_veth rt "br-$x" "b4$x" eth0 $TOPO_MTU6
		topo_exec rt ip link set "br-$x" master br6
		topo_exec "b4$x" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
		topo_exec "b4$x" ip -6 addr add "$(napt_addr "$x")/64" dev eth0 nodad
		topo_exec "b4$x" ip -6 route add "$(box_ep $i)/128" via 2001:db8:1::fe dev eth0
		topo_exec "b4$x" ip addr add 192.168.1.2/32 dev lo
	done
}

box_config() { # box
	local i=$1
	cat <<EOF
endpoint: $TOPO_ENDPOINT
endpoints: [$(box_ep 1), $(box_ep 2)]
icmp_source: 192.0.0.1
acl6: [2001:db8:1::/48]
pools:
  - {address: 198.51.100.1, tcp: 1024-9215, udp: 1024-9215, echo: 1024-9215}
  - {address: 198.51.100.2, tcp: 1024-9215, udp: 1024-9215, echo: 1024-9215}
nat:
  port_block: {tcp: 64, udp: 64, icmp: 64}
  max_blocks: {tcp: 1, udp: 1, icmp: 1}
  deterministic: {prefix: "2001:db8:1::/120", subscriber_length: 128}
  any_endpoint: true
interfaces:
  transport:
    device: net_af_packet0,iface=dtr
    address: 2001:db8:a$i::1/64
    gateway: 2001:db8:a$i::fe
    mtu: $TOPO_MTU6
  wan:
    device: net_af_packet1,iface=dwan
    address: 192.0.2.$i/24
    gateway: 192.0.2.254
api:
  listen: 127.0.0.1
  port: $((port + i - 1))
bgp:
  bird_socket: $tmp/aftr$i-bird.ctl
  protocol: "aftr_*"
  check_interval_ms: 200
  down_after: 2
EOF
	# Box 2 takes the group's bindings from box 1.
	[ "$i" = 2 ] && printf 'cluster:\n  follow: http://127.0.0.1:%s\n  retry_interval_ms: 200\n' "$port"
	return 0
}

# BFD 3 x 100 ms on every session; hold time 3 s behind it.
BFD='protocol bfd { interface "*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }'
box_bird() { # box: its announcements disabled until aftr-control says
	local i=$1
	cat <<BIRD
router id 10.99.$i.2;
protocol device {}
$BFD
protocol static aftr_endpoint {
	disabled yes;
	ipv6;
	route $TOPO_ENDPOINT/128 unreachable;
	route $(box_ep "$i")/128 unreachable;
}
protocol static aftr_pools {
	disabled yes;
	ipv4;
	route 198.51.100.$i/32 unreachable;
	route 198.51.100.128/26 unreachable;
}
# The other box's NAPT endpoint and pool address, announced with a longer
# AS path: the routers take them only when that box's own are gone.
protocol static aftr_takeover6 {
	disabled yes;
	ipv6;
	route $(box_ep $((3 - i)))/128 unreachable;
}
protocol static aftr_takeover4 {
	disabled yes;
	ipv4;
	route 198.51.100.$((3 - i))/32 unreachable;
}
filter takeover_longer {
	if proto ~ "aftr_takeover*" then { bgp_path.prepend(65001); bgp_path.prepend(65001); accept; }
	if proto ~ "aftr_*" then accept;
	reject;
}
protocol bgp b4_side {
	local fd00:99:$i::2 as 65001;
	neighbor fd00:99:$i::1 as 65000;
	hold time 3;
	bfd on;
	ipv6 { import none; export filter takeover_longer; next hop address 2001:db8:a$i::1; };
}
protocol bgp wan_side {
	local 10.99.$i.2 as 65001;
	neighbor 10.99.$i.1 as 65002;
	hold time 3;
	bfd on;
	ipv4 { import none; export filter takeover_longer; next hop address 192.0.2.$i; };
}
BIRD
}
router_bird() { # AF, own AS, 6 (rt) or 4 (inet)
	local af=$1 as=$2 v=$3 i l n
	echo "router id 10.255.0.$v;"
	echo "protocol device {}"
	echo "$BFD"
	echo "protocol kernel { $af { import none; export all; }; merge paths yes; }"
	for i in 1 2; do
		if [ "$v" = 6 ]; then l=fd00:99:$i::1 n=fd00:99:$i::2; else l=10.99.$i.1 n=10.99.$i.2; fi
		echo "protocol bgp aftr$i { local $l as $as; neighbor $n as 65001; hold time 3; bfd on;"
		echo "	$af { import all; export none; }; }"
	done
}
start_bird() { # namespace, name
	topo_exec "$1" bird -c "$tmp/$2-bird.conf" -s "$tmp/$2-bird.ctl" -P "$tmp/$2-bird.pid" \
		>>"$tmp/$2-bird.log" 2>&1
}
dp_pid=(0 0 0)
start_dataplane() { # box
	ip netns exec "${TOPO}dp$1" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
		--file-prefix "${TOPO}$1" --log-level='*:warning' -- -c "$tmp/aftr$1.yaml" \
		--shm "$name-$1" --stats-file "$tmp/dp$1.stats" >>"$tmp/dp$1.log" 2>&1 &
	dp_pid[$1]=$!
	pids+=($!)
}
ctl_pid=(0 0 0)
start_control() { # box
	"$control" -c "$tmp/aftr$1.yaml" --state "$tmp/state$1" --shm "$name-$1" \
		>>"$tmp/control$1.log" 2>&1 &
	ctl_pid[$1]=$!
	pids+=($!)
}

anycast_up || { echo "FAIL: topology"; exit 1; }
router_bird ipv6 65000 6 >"$tmp/rt-bird.conf"
router_bird ipv4 65002 4 >"$tmp/inet-bird.conf"
start_bird rt rt
start_bird inet inet
for i in 1 2; do
	box_config $i >"$tmp/aftr$i.yaml"
	box_bird $i >"$tmp/aftr$i-bird.conf"
	start_bird "dp$i" "aftr$i"
	start_dataplane $i
	start_control $i
done
for i in 1 2; do
	if ! wait_for 15 grep -q "running with" "$tmp/dp$i.log" ||
		! wait_for 5 curl -sf "http://127.0.0.1:$((port + i - 1))/api/v1/health"; then
		echo "FAIL: box $i did not start"
		cat "$tmp/dp$i.log" "$tmp/control$i.log"
		exit 1
	fi
done
# The group's nonat bindings, given to box 1 only: box 2 follows it.
cat >"$tmp/nonat.json" <<EOF
[{"b4": "2001:db8:1::a", "prefix": "198.51.100.128/28"},
 {"b4": "2001:db8:1::b", "prefix": "198.51.100.144/28"},
 {"b4": "2001:db8:1::c", "prefix": "198.51.100.160/28"},
 {"b4": "2001:db8:1::d", "prefix": "198.51.100.176/28"}]
EOF
check "the group's bindings given to box 1" \
	curl -sf -X POST --data-binary "@$tmp/nonat.json" "$url/nonat" -o /dev/null
followed() { curl -sf "http://127.0.0.1:$((port + 1))/api/v1/nonat" | grep -c '"b4"' | grep -qx 4; }
check "box 2 holds them too (cluster.follow)" wait_for 5 followed
for x in $B4S; do
	topo_exec "b4$x" "$b4" --local "2001:db8:1::$x" --aftr "$TOPO_ENDPOINT" --mtu 1500 \
		>"$tmp/b4$x.log" 2>&1 &
	pids+=($!)
done
for x in $B4S; do wait_for 5 topo_exec "b4$x" ip link show b4tun0; done
for i in 1 2; do
	x=$(napt_b4 $i)
	topo_exec "b4$x" "$b4" --local "$(napt_addr "$x")" --aftr "$(box_ep $i)" --mtu 1500 \
		>"$tmp/b4$x.log" 2>&1 &
	pids+=($!)
	wait_for 5 topo_exec "b4$x" ip link show b4tun0
done

paths() { # namespace, route, count: the route has that many next hops
	local af=-4
	case $2 in *:*) af=-6 ;; esac
	[ "$(topo_exec "$1" ip "$af" route show "$2" | grep -c "nexthop via")" -eq "$3" ]
}
check "the B4s' router has two paths to the endpoint (both boxes announce it)" \
	wait_for 30 paths rt "$TOPO_ENDPOINT" 2
check "the Internet's router has two paths to the nonat prefix" \
	wait_for 10 paths inet 198.51.100.128/26 2
one_path() { topo_exec inet ip route show "198.51.100.$1" | grep -q "via 192.0.2.$1 "; }
check "and each box's pool address through that box" eval "one_path 1 && one_path 2"
reach() { topo_exec "b4$1" ping -c 1 -W 1 -I "$(client "$1")" "$TOPO_SERVER"; }
for x in $B4S; do check "B4 $x's client reaches the server" wait_for 10 reach "$x"; done

# Which box carries each B4's packets, and which the replies to its client
# (the Internet's router hashes those on its own): 30 quick pings, then
# whose transport and WAN counters grew by as much (the stats files are
# written once a second). Prints "OUT IN", each 1 or 2 (? if unclear).
grew() { # counter, before on box 1, before on box 2
	local d1 d2
	d1=$(($(counter "$1" "$tmp/dp1.stats") - $2))
	d2=$(($(counter "$1" "$tmp/dp2.stats") - $3))
	if [ $d1 -ge 30 ] && [ $d2 -lt 30 ]; then echo 1; elif [ $d2 -ge 30 ] && [ $d1 -lt 30 ]; then echo 2; else echo "?"; fi
}
box_of() { # B4
	local t1 t2 w1 w2
	t1=$(counter rx_transport "$tmp/dp1.stats") t2=$(counter rx_transport "$tmp/dp2.stats")
	w1=$(counter rx_wan "$tmp/dp1.stats") w2=$(counter rx_wan "$tmp/dp2.stats")
	topo_exec "b4$1" ping -q -c 30 -i 0.002 -W 1 -I "$(client "$1")" "$TOPO_SERVER" >/dev/null
	sleep 1.2
	echo "$(grew rx_transport "$t1" "$t2") $(grew rx_wan "$w1" "$w2")"
}
# Finds each B4's boxes, then sorts the B4s by the box that is to go
# ($victim): movers have a direction through it, stayers none.
declare -A on
movers="" stayers=""
find_boxes() {
	local x spread=""
	for x in $B4S; do
		for _ in 1 2 3; do # again if a moment of ND or a late stats file blurred it
			on[$x]=$(box_of "$x")
			[[ ${on[$x]} != *"?"* ]] && break
		done
		spread="$spread $x:${on[$x]/ //}"
	done
	echo "     B4s and their boxes (out/in):$spread"
	for x in $B4S; do [[ ${on[$x]} != *"?"* ]] || return 1; done
}
sort_b4s() {
	local x
	movers="" stayers=""
	for x in $B4S; do
		case " ${on[$x]} " in
		*" $victim "*) movers="$movers $x" ;;
		*) stayers="$stayers $x" ;;
		esac
	done
}
check "each B4's packets and its replies go through one box each" find_boxes
sed -n 1p "$tmp/check.log"
victim=${on[a]%% *}
[ "$victim" = 1 ] || [ "$victim" = 2 ] || victim=1
other=$((3 - victim))
sort_b4s

# Every client pings the server every 10 ms for $1 seconds in the
# background; loss_window says, in milliseconds, the longest time between
# two replies (by their timestamps: a busy machine stretches the 10 ms),
# and fails when the last echoes did not come back.
ping_all() { # seconds
	for x in $B4S; do
		topo_exec "b4$x" ping -n -D -i 0.01 -c "$(($1 * 100))" -W 1 -I "$(client "$x")" "$TOPO_SERVER" \
			>"$tmp/ping-$x.log" 2>&1 &
		ping_pid[$x]=$!
	done
}
declare -A ping_pid
ping_wait() { for x in $B4S; do wait "${ping_pid[$x]}"; done; }
loss_window() { # B4
	awk '
		/icmp_seq=/ { t = substr($1, 2) + 0; split($0, a, "icmp_seq="); s = a[2] + 0
			if (last && t - last > gap) gap = t - last; last = t; seq = s }
		/packets transmitted/ { sent = $1 + 0 }
		END { gap = gap * 1000 - 10; printf "%d\n", (gap > 0 ? gap : 0); exit !(sent - seq <= 1) }
	' "$tmp/ping-$1.log"
}
# The longest loss window of the movers in $window: a check that passes
# when every mover's last echoes came back.
window=
measure() { # what happened, what it is when it passes
	local x w worst=0 ok=0
	for x in $movers; do
		w=$(loss_window "$x") || ok=1
		[ "$w" -gt "$worst" ] && worst=$w
	done
	window=$worst
	if [ $ok -eq 0 ]; then
		echo "ok   $1: $2, the longest loss window $worst ms"
		pass=$((pass + 1))
	else
		echo "FAIL $1: its B4s ($movers) did not get through box $other (longest window $worst ms)"
		fail=$((fail + 1))
		window=
	fi
}

# NAPT probes: a UDP echo server in the Internet namespace that notes each
# public address and port it hears from, and a client behind each NAPT B4
# sending from one port every 10 ms (udp_probe prints the longest time
# between two answers less the 10 ms, the answers, the datagrams sent and
# whether the last ones were answered).
cat >"$tmp/udp_echo.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
seen = set()
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
    if peer not in seen:
        seen.add(peer)
        with open(sys.argv[3], "a") as f:
            f.write("%s %d\n" % peer)
PY
cat >"$tmp/udp_probe.py" <<'PY'
import select, socket, sys, time
src, server, port, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 5555))
start = time.time()
end, sent, got = start + secs, 0, [start]
while time.time() < end + 0.3:
    if time.time() < end:
        s.sendto(b"%d" % sent, (server, port))
        sent += 1
    until = time.time() + 0.01
    while (left := until - time.time()) > 0:
        if select.select([s], [], [], left)[0]:
            s.recv(2048)
            got.append(time.time())
gap = max(b - a for a, b in zip(got, got[1:] + [end]))
print(max(0, int(gap * 1000) - 10), len(got) - 1, sent, int(got[-1] > end - 0.2))
PY
topo_exec inet /usr/bin/python3 "$tmp/udp_echo.py" "$TOPO_SERVER" 7777 "$tmp/udp-peers.log" \
	>"$tmp/udp_echo.log" 2>&1 &
pids+=($!)
probe() { # NAPT B4, seconds: in the background, to $tmp/probe-B4.log
	topo_exec "b4$1" /usr/bin/python3 "$tmp/udp_probe.py" 192.168.1.2 "$TOPO_SERVER" 7777 "$2" \
		>"$tmp/probe-$1.log" 2>&1 &
	probe_pid[$1]=$!
}
declare -A probe_pid
own_path() { # box: its NAPT endpoint goes to it alone
	local r
	r=$(topo_exec rt ip -6 route show "$(box_ep "$1")")
	[[ $r == *"via 2001:db8:a$1::1"* ]] && [[ $r != *nexthop* ]]
}
own_paths() { own_path 1 && own_path 2; }
check "each box's NAPT endpoint goes to it alone (the other box's route is longer)" \
	wait_for 10 own_paths
probe e 1
probe f 1
answered() { wait "${probe_pid[$1]}" && [ "$(cut -d' ' -f2 "$tmp/probe-$1.log")" -ge 50 ]; }
check "NAPT B4 e's client gets UDP answers through box 1" answered e
check "and B4 f's through box 2" answered f

# 1. The dataplane of the box carrying B4 a dies.
http_file 8000000
check "the server listens" http_server
topo_exec b4a curl -sS --max-time 60 --limit-rate 1500K --interface "$(client a)" \
	-o "$tmp/got.bin" "http://$TOPO_SERVER:8080/file.bin" >"$tmp/curl.log" 2>&1 &
curl_pid=$!
# ... and an upload from the victim's NAPT B4's client (one TCP connection:
# the first port of its block on either box). An upload, whose client's
# next segment makes the session again on the takeover box; a download's
# client has nothing to send, and the server's segments find no session
# there (deploy/SCALE.md).
vx=$(napt_b4 "$victim") ox=$(napt_b4 "$other")
topo_exec "b4$vx" curl -sS --max-time 60 --limit-rate 1500K --interface 192.168.1.2 \
	-T "$tmp/file.bin" "http://$TOPO_SERVER:8080/up.bin" >"$tmp/curl-napt.log" 2>&1 &
curl_napt=$!
ping_all 6
probe e 6
probe f 6
sleep 2
{
	kill -9 "${dp_pid[$victim]}"
	wait "${dp_pid[$victim]}"
} 2>/dev/null
ping_wait
echo "     box $victim's dataplane killed; B4s through it:$movers; the others:$stayers"
for x in $B4S; do echo "     B4 $x: $(tail -2 "$tmp/ping-$x.log" | head -1)"; done
measure "box $victim's dataplane killed" "its B4s moved to box $other"
kill_window=$window
stayed() { # the B4s of the box that stays: every echo back, or all but one
	for x in $stayers; do
		awk '/packets transmitted/ { exit !($4 >= $1 - 1) }' "$tmp/ping-$x.log" || return 1
	done
}
check "the B4s with no direction through it lost nothing (at most one echo)" stayed
check "the routers hold one path now" eval "paths rt $TOPO_ENDPOINT 0 && paths inet 198.51.100.128/26 0"
check "box $victim's aftr-control withdrew its routes" \
	grep -q "bgp: the dataplane does not answer: routes withdrawn" "$tmp/control$victim.log"
intact() { wait $curl_pid && [ "$(sha256sum <"$tmp/got.bin" | cut -d' ' -f1)" = "$want" ]; }
check "a TCP download of B4 a's client across the failover arrived intact" intact
# NAPT: the victim's own NAPT B4 is taken over by the other box, which
# gives it the same address and block (nat.deterministic).
intact_napt() { wait $curl_napt && [ "$(sha256sum <"$tmp/up.bin" | cut -d' ' -f1)" = "$want" ]; }
check "a TCP upload of its NAPT B4's client across the takeover arrived intact" intact_napt
wait "${probe_pid[e]}" "${probe_pid[f]}"
read -r napt_window got sent tail <"$tmp/probe-$vx.log"
echo "     NAPT B4 $vx: $got of $sent answered; B4 $ox: $(cut -d' ' -f2,3 "$tmp/probe-$ox.log")"
check "box $victim's NAPT B4 $vx taken over by box $other: answered again ($napt_window ms without)" \
	test "$tail" = 1
same_block() { # every public port the server heard from box $victim's address is the B4's block's
	local a p n=0
	while read -r a p; do
		[ "$a" = "198.51.100.$victim" ] || continue
		n=$((n + 1))
		[ "$p" -ge $BLOCK_FIRST ] && [ "$p" -le $BLOCK_LAST ] || return 1
	done <"$tmp/udp-peers.log"
	echo "     the server heard B4 $vx from 198.51.100.$victim on $n port(s):" \
		"$(awk -v a="198.51.100.$victim" '$1 == a { printf "%s ", $2 }' "$tmp/udp-peers.log")"
	[ $n -ge 1 ]
}
check "through the takeover its public address stayed 198.51.100.$victim, its ports in its block" \
	same_block
sed -n 1p "$tmp/check.log"
lossless() { awk '{ exit !($2 >= $3 - 1) }' "$tmp/probe-$1.log"; }
check "box $other's own NAPT B4 $ox lost nothing" lossless "$ox"

# 2. A new dataplane on that box: its routes come back, its NAPT B4 with
# them (the new box makes its session again, on the same port).
ping_all 6
probe "$vx" 6
sleep 1
start_dataplane "$victim"
check "a new dataplane: both paths again" wait_for 20 paths rt "$TOPO_ENDPOINT" 2
check "and its NAPT endpoint through it alone again" wait_for 10 own_paths
ping_wait
wait "${probe_pid[$vx]}"
back=0
for x in $B4S; do
	w=$(loss_window "$x") || w=99999
	[ "$w" -gt "$back" ] && back=$w
done
echo "     the longest loss window while the box came back: $back ms"
check "the box came back without a loss over 100 ms" test "$back" -le 100
read -r napt_back got sent tail <"$tmp/probe-$vx.log"
one_port() { [ "$(grep -c "^198.51.100.$victim " "$tmp/udp-peers.log")" = 1 ]; }
check "its NAPT B4 $vx went back to it: $got of $sent answered, $napt_back ms without, one port" \
	eval "[ $tail = 1 ] && one_port"

# 3. The box hangs: its dataplane dies and its BIRD and aftr-control stop
# (SIGSTOP): nothing withdraws its routes; the routers' BFD drops it.
find_boxes >"$tmp/check.log"
cat "$tmp/check.log"
sort_b4s
ping_all 6
probe "$vx" 6
sleep 2
kill -STOP "$(cat "$tmp/aftr$victim-bird.pid")" "${ctl_pid[$victim]}"
{
	kill -9 "${dp_pid[$victim]}"
	wait "${dp_pid[$victim]}"
} 2>/dev/null
ping_wait
if [ -z "$movers" ]; then
	echo "ok   box $victim carries no B4 now (the hash moved them): nothing to measure"
	pass=$((pass + 1))
	window=
else
	measure "box $victim hung" "its B4s ($movers) moved by BFD"
fi
hang_window=$window
check "the B4s with no direction through it lost nothing" stayed
wait "${probe_pid[$vx]}"
read -r napt_hang got sent tail <"$tmp/probe-$vx.log"
check "its NAPT B4 $vx taken over again: $got of $sent answered, $napt_hang ms without, one port" \
	eval "[ $tail = 1 ] && one_port"
bfd_down() { birdc -s "$tmp/rt-bird.ctl" show protocols all "aftr$victim" | grep -q "BFD session down"; }
check "the router's BIRD says why: BFD" bfd_down
kill -CONT "$(cat "$tmp/aftr$victim-bird.pid")" "${ctl_pid[$victim]}"

echo "loss windows: dataplane killed ${kill_window:-?} ms (NAPT takeover ${napt_window:-?} ms)," \
	"box hung ${hang_window:-?} ms (NAPT ${napt_hang:-?} ms), box back (NAPT) ${napt_back:-?} ms"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
