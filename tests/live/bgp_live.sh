#!/bin/bash
# Live BGP announcements that follow the dataplane's health: a BIRD 2
# beside the AFTR (in its namespace) announces the endpoint address to a
# router's BIRD on the transport side (its namespace) and the pool address
# to one on the Internet side (that namespace's), over eBGP; aftr-control
# drives the AFTR's BIRD through its control socket (bgp.bird_socket). The
# router has the route while the dataplane answers; kill -9 of the
# dataplane withdraws it (the time to the router's losing it measured);
# a new dataplane brings it back; a BIRD restarted with its protocols
# disabled is told again; a BIRD that is gone is an error said once.
#
# Usage: bgp_live.sh AFTR_DATAPLANE AFTR_CONTROL AFTRCTL
# Exit 0 pass, 1 fail, 77 skip (not root, or BIRD or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
aftrctl=$(readlink -f "$3")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip curl bird birdc /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing (deploy/install-deps.sh)"; exit 77; }
done

TOPO="aftr$$-"
# shellcheck source=lib.sh
. "$here/lib.sh"
live_api bgp 13

topo_up || { echo "FAIL: topology"; exit 1; }
# The BGP session on a link of its own between the AFTR's namespace and the
# router's (the dataplane owns dtr and dwan).
topo_veth dp bgp0 tr bgp-dp 1500
topo_exec dp sysctl -qw net.ipv6.conf.bgp0.disable_ipv6=0
topo_exec dp ip -6 addr add fd00:99::2/64 dev bgp0 nodad
topo_exec tr ip -6 addr add fd00:99::1/64 dev bgp-dp nodad
topo_veth dp bgp4 inet bgp-dp 1500
topo_exec dp ip addr add 10.99.4.2/30 dev bgp4
topo_exec inet ip addr add 10.99.4.1/30 dev bgp-dp
{
	topo_config | sed "s/^  listen: 127.0.0.1$/  listen: 127.0.0.1\n  port: $port/"
	printf 'bgp:\n  bird_socket: %s\n  protocol: "aftr_*"\n  check_interval_ms: 200\n  down_after: 2\n' \
		"$tmp/aftr-bird.ctl"
} >"$tmp/aftr.yaml"
# The AFTR's BIRD: its announcements in static protocols named aftr_*,
# disabled until aftr-control says the dataplane answers.
cat >"$tmp/aftr-bird.conf" <<BIRD
router id 192.0.2.1;
protocol device {}
protocol static aftr_endpoint {
	disabled yes;
	ipv6;
	route $TOPO_ENDPOINT/128 unreachable;
}
protocol static aftr_pools {
	disabled yes;
	ipv4;
	route $TOPO_POOL/32 unreachable;
}
protocol bgp uplink {
	local fd00:99::2 as 65001;
	neighbor fd00:99::1 as 65000;
	hold time 3;
	ipv6 { import none; export where proto ~ "aftr_*"; };
}
protocol bgp internet {
	local 10.99.4.2 as 65001;
	neighbor 10.99.4.1 as 65002;
	hold time 3;
	ipv4 { import none; export where proto ~ "aftr_*"; };
}
BIRD
cat >"$tmp/router-bird.conf" <<BIRD
router id 192.0.2.254;
protocol device {}
protocol bgp aftr1 {
	local fd00:99::1 as 65000;
	neighbor fd00:99::2 as 65001;
	hold time 3;
	ipv6 { import all; export none; };
}
BIRD
cat >"$tmp/inet-bird.conf" <<BIRD
router id 192.0.2.253;
protocol device {}
protocol bgp aftr1 {
	local 10.99.4.1 as 65002;
	neighbor 10.99.4.2 as 65001;
	hold time 3;
	ipv4 { import all; export none; };
}
BIRD
start_bird() { # NAMESPACE NAME
	topo_exec "$1" bird -c "$tmp/$2-bird.conf" -s "$tmp/$2-bird.ctl" -P "$tmp/$2-bird.pid" \
		>>"$tmp/$2-bird.log" 2>&1
}
start_bird tr router
start_bird inet inet
start_bird dp aftr
start_dataplane() {
	ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
		--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" --shm "$name" \
		>>"$tmp/dp.log" 2>&1 &
	dp_pid=$!
	pids+=("$dp_pid")
}
start_dataplane
start_control() {
	"$control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" >>"$tmp/control.log" 2>&1 &
	control_pid=$!
	pids+=("$control_pid")
}
start_control
if ! wait_for 15 grep -q "running with" "$tmp/dp.log" ||
	! wait_for 5 curl -sf "$url/health"; then
	echo "FAIL: the dataplane or the control process did not start"
	cat "$tmp/dp.log" "$tmp/control.log"
	exit 1
fi

routed() { birdc -s "$tmp/router-bird.ctl" show route "$TOPO_ENDPOINT/128" | grep -q "AS65001"; }
unrouted() { ! routed; }
pool_routed() { birdc -s "$tmp/inet-bird.ctl" show route "$TOPO_POOL/32" | grep -q "AS65001"; }
state_is() { curl -sf "$url/bgp" | /usr/bin/python3 -c \
	"import json,sys; b=json.load(sys.stdin); sys.exit(0 if b['state'] == sys.argv[1] else 1)" "$1"; }
ms_until() { # SECONDS COMMAND...: milliseconds until it holds, or fails
	local t0 limit=$(($1 * 10)) i
	shift
	t0=$(date +%s%N)
	for ((i = 0; i < limit; i++)); do
		if "$@"; then
			echo $((($(date +%s%N) - t0) / 1000000))
			return 0
		fi
		sleep 0.1
	done
	return 1
}

check "the router learns the endpoint $TOPO_ENDPOINT/128 from the AFTR" wait_for 20 routed
check "the Internet's router learns the pool $TOPO_POOL/32" wait_for 20 pool_routed
check "GET /api/v1/bgp: announcing" state_is announcing
check "aftr-control said so" grep -q "bgp: the dataplane answers: announcing" "$tmp/control.log"

{
	kill -9 "$dp_pid"
	wait "$dp_pid"
} 2>/dev/null
if ms=$(ms_until 15 unrouted); then
	echo "ok   kill -9 of the dataplane: the router lost the route $ms ms later"
	pass=$((pass + 1))
else
	echo "FAIL the router kept the route after the dataplane died"
	fail=$((fail + 1))
fi
check "GET /api/v1/bgp: withdrawn" wait_for 5 state_is withdrawn
pool_gone() { ! pool_routed; }
check "the pool's route went too" wait_for 5 pool_gone
check "aftr-control said so" grep -q "bgp: the dataplane does not answer: routes withdrawn" \
	"$tmp/control.log"
start_dataplane
if ms=$(ms_until 30 routed); then
	echo "ok   a new dataplane: the router has the route again $ms ms after its start"
	pass=$((pass + 1))
else
	echo "FAIL the route did not come back"
	fail=$((fail + 1))
fi
check "and the pool's" wait_for 10 pool_routed
# (A first restoration too when aftr-control looked before the first
# dataplane answered: it withdrew at once.)
counted() { curl -sf "$url/bgp" | /usr/bin/python3 -c \
	"import json,sys; b=json.load(sys.stdin); sys.exit(0 if b['withdrawals'] == 1 and b['restorations'] in (1, 2) else 1)"; }
check "the withdrawal and the restoration counted" counted
metric() { curl -sf "http://127.0.0.1:$port/metrics" | grep -q "^aftr_bgp_announcing 1$"; }
check "/metrics: aftr_bgp_announcing 1" metric

# BIRD gone, then back with its protocols disabled by its configuration:
# told again within a few seconds, it announces again.
kill "$(cat "$tmp/aftr-bird.pid")"
wait_for 5 test ! -S "$tmp/aftr-bird.ctl"
errored() { curl -sf "$url/bgp" | grep -q '"bird_errors": [1-9]'; }
check "BIRD gone: an error counted" wait_for 10 errored
check "and said once" test "$(grep -c "bgp: BIRD: " "$tmp/control.log")" = 1
start_bird dp aftr
check "BIRD back, its protocols disabled by its configuration: told again, announcing" \
	wait_for 20 routed

# An operator drains the box (PUT /api/v1/bgp): withdrawn whatever the
# dataplane's health, across a restart of aftr-control, until undrained.
drain() { curl -sf -X PUT -H "Content-Type: application/json" -d "{\"drain\": $1}" "$url/bgp" |
	grep -q "\"drained\": $1"; }
check "PUT /api/v1/bgp {\"drain\": true}" drain true
check "drained: the router loses the route" wait_for 10 unrouted
check "GET /api/v1/bgp: withdrawn" state_is withdrawn
{
	kill "$control_pid"
	wait "$control_pid"
} 2>/dev/null
start_control
wait_for 5 curl -sf "$url/health"
still() { sleep 2 && unrouted && curl -sf "$url/bgp" | grep -q '"drained": true'; }
check "a restarted aftr-control keeps the box drained" still
bad() { [ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -d '{"drain": 1}' "$url/bgp")" = 422 ]; }
check "PUT with a drain that is not a boolean: 422" bad
shown() { "$aftrctl" --api "http://127.0.0.1:$port" bgp | grep -q "^BGP: withdrawn (drained by the operator)"; }
check "aftrctl bgp says so" shown
check "aftrctl bgp undrain" "$aftrctl" --api "http://127.0.0.1:$port" bgp undrain
check "undrained: the route is back" wait_for 20 routed

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
