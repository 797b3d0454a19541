#!/bin/bash
# What the worker's idle back-off costs in latency (dataplane.idle, README):
# on the live topology (deploy/topology.sh: aftr-dataplane on net_af_packet,
# the software B4 with a client behind it, an Internet server), for
# `idle: poll` and `idle: adaptive` with idle_sleep_max_us 50, 200 (the
# default) and 1000, the round-trip time of pings from the client through
# the B4 and the AFTR to the server, two ways:
#   sparse: one every 200 ms, so the worker is asleep when each arrives
#           (both the request and the reply wake it);
#   steady: one every 10 ms, the worker backing off between them;
# and what the idle dataplane's worker thread used of a CPU over MEASURE
# seconds without traffic (/proc/PID/task/TID/stat). Prints one row a
# setting and pattern: min / median / avg / max RTT in microseconds.
# Indicative on a shared VM: veth and the kernel's scheduling are in every
# figure, the difference between rows is the back-off's.
# Usage: bench/idle.sh [BUILD_DIR]   (root; SPARSE and STEADY: ping counts)
set -u
build=$(readlink -f "${1:-build}")
sparse=${SPARSE:-25}
steady=${STEADY:-200}
measure=${MEASURE:-3}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../deploy/topology.sh
. "$here/../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip ping getconf; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TOPO="aftri$$-"
# shellcheck source=../tests/live/lib.sh
. "$here/../tests/live/lib.sh"
topo_up || { echo "FAIL: topology"; exit 1; }
topo_exec b4a "$build/deploy/b4/aftr-b4" --local 2001:db8:1::a --aftr "$TOPO_ENDPOINT" \
	--mtu 1500 >"$tmp/b4.log" 2>&1 &
pids+=($!)
wait_for 5 topo_exec b4a ip link show b4tun0 || { echo "FAIL: the B4 did not start"; exit 1; }

# The dataplane with the "dataplane:" settings $1.
start() { dp_start "$build/dataplane/aftr-dataplane" "$1"; }

# The worker thread's CPU % over $measure seconds without traffic.
worker_cpu() {
	local t hz a b
	hz=$(getconf CLK_TCK)
	for t in /proc/"$dp_pid"/task/*; do
		grep -q worker "$t/comm" && break
	done
	a=$(awk '{ print $14 + $15 }' "$t/stat")
	sleep "$measure"
	b=$(awk '{ print $14 + $15 }' "$t/stat")
	awk -v a="$a" -v b="$b" -v hz="$hz" -v s="$measure" \
		'BEGIN { printf "%.1f", (b - a) * 100 / hz / s }'
}

# min median avg max of the RTTs (us) of a ping run: count, interval.
rtt() {
	topo_exec cla ping -n -c "$1" -i "$2" -W 2 "$TOPO_SERVER" |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n |
		awk '{ v[NR] = $1 * 1000; s += v[NR] }
			END { if (NR == 0) { print "- - - - (no replies)"; exit }
			      printf "%.0f %.0f %.0f %.0f %d/'"$1"'\n",
			             v[1], v[int((NR + 1) / 2)], s / NR, v[NR], NR }'
}

printf '%-22s %8s  %-7s %6s %7s %6s %6s %8s\n' setting "idle CPU" pattern min median avg max replies
for s in "idle: poll" "idle: adaptive, idle_sleep_max_us: 50" \
	"idle: adaptive, idle_sleep_max_us: 200" "idle: adaptive, idle_sleep_max_us: 1000"; do
	start "$s"
	sleep 2 # the gateway resolved, the worker settled
	topo_exec cla ping -n -c 2 -i 0.2 -W 2 "$TOPO_SERVER" >/dev/null # neighbours warm
	cpu=$(worker_cpu)
	name=$(echo "$s" | sed 's/idle: //; s/, idle_sleep_max_us: / /')
	read -r mn md av mx n < <(rtt "$sparse" 0.2)
	printf '%-22s %7s%%  %-7s %6s %7s %6s %6s %8s\n' "$name" "$cpu" sparse "$mn" "$md" "$av" \
		"$mx" "$n"
	read -r mn md av mx n < <(rtt "$steady" 0.01)
	printf '%-22s %8s  %-7s %6s %7s %6s %6s %8s\n' "" "" steady "$mn" "$md" "$av" "$mx" "$n"
	kill "$dp_pid" && wait "$dp_pid"
done
