#!/bin/bash
# Idle cost: aftr-dataplane with no traffic must leave the CPUs alone.
# The live topology (deploy/topology.sh: the dataplane on net_af_packet,
# a software B4 with a client behind it, an Internet server), then per
# thread of the dataplane over MEASURE seconds without traffic, from
# /proc/PID/task/TID/stat (utime + stime) and status (voluntary context
# switches, one a sleep):
#   dataplane.idle adaptive (the default): the main lcore under 5% of a
#     CPU and at most ~1000 wake-ups a second, the worker under 25%, and
#     it slept (idle_sleeps); then, from sleep, a ping from the client
#     through the B4 to the server, and pings to the dataplane's own WAN
#     and transport addresses (ARP/ND and echo on the main lcore) all come
#     back;
#   dataplane.idle poll: the worker spins (at least 30% of a CPU, all it
#     gets on a busy box; no sleeps), the main lcore still under 5%.
# Usage: idle_live.sh AFTR_DATAPLANE AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
b4=$(readlink -f "$2")
measure=${MEASURE:-5}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip ethtool ping getconf; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TOPO="aftr$$-"
# shellcheck source=lib.sh
. "$here/lib.sh"
topo_up || { echo "FAIL: topology"; exit 1; }
topo_exec b4a "$b4" --local 2001:db8:1::a --aftr "$TOPO_ENDPOINT" --mtu 1500 \
	>"$tmp/b4.log" 2>&1 &
pids+=($!)
wait_for 5 topo_exec b4a ip link show b4tun0 || { echo "FAIL: the B4 did not start"; exit 1; }

# The dataplane with dataplane.idle set to $1 (adaptive, poll).
start() { dp_start "$dataplane" "idle: $1"; }

stop() {
	kill "$dp_pid" && wait "$dp_pid"
}

# Per thread of the dataplane: TID, CPU ticks (utime + stime), voluntary
# context switches, name.
threads() {
	local t
	for t in /proc/"$dp_pid"/task/*; do
		printf '%s %s %s %s\n' "${t##*/}" "$(awk '{ print $14 + $15 }' "$t/stat")" \
			"$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status")" \
			"$(tr ' ' _ <"$t/comm")"
	done
}

# Over $measure seconds, lines "main|worker CPU% wake-ups/s": the main lcore
# (the process's first thread) and the worker lcore (rte-worker-1).
measure() {
	local hz
	hz=$(getconf CLK_TCK)
	threads >"$tmp/t0"
	sleep "$measure"
	threads >"$tmp/t1"
	join "$tmp/t0" "$tmp/t1" | awk -v pid="$dp_pid" -v hz="$hz" -v s="$measure" '
		$1 == pid || $4 ~ /worker/ {
			printf "%s %.1f %.0f\n", $1 == pid ? "main" : "worker",
				($5 - $2) * 100 / hz / s, ($6 - $3) / s }' | tee "$tmp/m"
}
figure() { awk -v w="$1" -v f="$2" '$1 == w { print $f }' "$tmp/m"; }

below() { # what, value, limit
	echo "$1: $2 (below $3)"
	awk -v v="$2" -v l="$3" 'BEGIN { exit !(v != "" && v < l) }'
}
at_least() {
	echo "$1: $2 (at least $3)"
	awk -v v="$2" -v l="$3" 'BEGIN { exit !(v != "" && v >= l) }'
}

start adaptive
sleep 2 # the gateway resolved, the first stats written
measure
check "adaptive: the main lcore uses under 5% of a CPU" \
	below "main lcore CPU %" "$(figure main 2)" 5
check "adaptive: the main lcore wakes at most ~1000 times a second" \
	below "main lcore wake-ups/s" "$(figure main 3)" 1100
check "adaptive: the worker uses under 25% of a CPU" below "worker CPU %" "$(figure worker 2)" 25
check "adaptive: the worker slept (idle_sleeps)" at_least "idle_sleeps" "$(counter idle_sleeps)" 1
check "adaptive, from sleep: ping from the client through the B4 to the server" \
	topo_exec cla ping -c 5 -i 0.2 -W 2 $TOPO_SERVER
grep rtt "$tmp/check.log"
check "adaptive, from sleep: ping to the WAN address (ARP, echo)" \
	topo_exec inet ping -c 3 -i 0.2 -W 2 192.0.2.1
check "adaptive, from sleep: ping to the transport address (ND, echo)" \
	topo_exec b4a ping -6 -c 3 -i 0.2 -W 2 $TOPO_TR_ADDR
stop

start poll
sleep 2
measure
check "poll: the worker spins (at least 30% of a CPU)" \
	at_least "worker CPU %" "$(figure worker 2)" 30
check "poll: the worker never slept" below "idle_sleeps" "$(counter idle_sleeps)" 1
check "poll: the main lcore uses under 5% of a CPU" below "main lcore CPU %" "$(figure main 2)" 5
check "poll: ping from the client through the B4 to the server" \
	topo_exec cla ping -c 3 -i 0.2 -W 2 $TOPO_SERVER
stop

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
