#!/bin/bash
# Pool addresses added and removed at run time, under traffic: aftr-control
# and aftr-dataplane on the namespace topology (deploy/topology.sh), two
# software B4s. A reload with a second pool address puts it to use at
# once; a reload without the first drains it: a ping running through it
# loses nothing, a new B4 gets the other address, the drained address's
# blocks come free when its B4's sessions are cleared, and that B4's next
# flow gets the other address too. Then the first address comes back.
#
# Usage: pool_live.sh AFTR_DATAPLANE AFTR_CONTROL AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
b4=$(readlink -f "$3")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip curl ping /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TOPO="aftr$$-"
# shellcheck source=lib.sh
. "$here/lib.sh"
live_api pool 11
second=198.51.100.2

topo_up || { echo "FAIL: topology"; exit 1; }
# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
topo_config | sed "s/^  listen: 127.0.0.1$/  listen: 127.0.0.1\n  port: $port/" |
	sed "s/^nat:$/nat:\n  hold_lifetime: 0/" >"$tmp/one.yaml"
sed "s/^  - address: $TOPO_POOL$/  - address: $TOPO_POOL\n  - address: $second/" "$tmp/one.yaml" \
	>"$tmp/both.yaml"
sed "s/^  - address: $TOPO_POOL$/  - address: $second/" "$tmp/one.yaml" >"$tmp/second.yaml"
cp "$tmp/one.yaml" "$tmp/aftr.yaml"
ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
	--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" --shm "$name" \
	>>"$tmp/dp.log" 2>&1 &
pids+=($!)
"$control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" >>"$tmp/control.log" 2>&1 &
pids+=($!)
for s in a b; do
	topo_exec "b4$s" "$b4" --local "2001:db8:1::$s" --aftr "$TOPO_ENDPOINT" --mtu 1500 \
		>"$tmp/b4$s.log" 2>&1 &
	pids+=($!)
done
if ! wait_for 15 grep -q "running with" "$tmp/dp.log" ||
	! wait_for 5 curl -sf "$url/health"; then
	echo "FAIL: the dataplane or the control process did not start"
	cat "$tmp/dp.log" "$tmp/control.log"
	exit 1
fi
wait_for 5 topo_exec b4a ip link show b4tun0
wait_for 5 topo_exec b4b ip link show b4tun0

reload() { # configuration file
	cp "$1" "$tmp/aftr.yaml"
	curl -sf -X POST "$url/reload" | grep -q '"applied": true'
}
# The public address of B4 s's ICMP sessions.
ext_of() {
	curl -sf "$url/sessions?b4=2001:db8:1::$1&protocol=icmp" |
		/usr/bin/python3 -c 'import json, sys; print(" ".join(sorted({s["external_address"] for s in json.load(sys.stdin)["sessions"]})))'
}
state_of() { # address: its state (udp line) in pools/usage
	curl -sf "$url/pools/usage" |
		/usr/bin/python3 -c 'import json, sys; print(" ".join(p["state"] + ":" + str(p["blocks_used"]) for p in json.load(sys.stdin)["pools"] if p["address"] == sys.argv[1] and p["protocol"] == "icmp"))' "$1"
}
is() { [ "$("${@:2}")" = "$1" ]; }

check "B4 a reaches the server through the first pool address" \
	topo_exec cla ping -q -c 2 -W 2 "$TOPO_SERVER"
check "its sessions are on $TOPO_POOL" is "$TOPO_POOL" ext_of a
topo_exec cla ping -q -i 0.05 -c 160 -W 1 "$TOPO_SERVER" >"$tmp/ping.log" 2>&1 &
ping_pid=$!
pids+=("$ping_pid")
check "reload with $second as well: applied" reload "$tmp/both.yaml"
check "the dataplane has it, active" wait_for 5 is "active:0" state_of "$second"
check "reload without $TOPO_POOL: applied" reload "$tmp/second.yaml"
check "$TOPO_POOL drains, its blocks still held" wait_for 5 is "draining:1" state_of "$TOPO_POOL"
check "B4 b, new, gets $second" topo_exec clb ping -q -c 2 -W 2 "$TOPO_SERVER"
check "its sessions are on $second" is "$second" ext_of b
wait "$ping_pid"
check "B4 a's ping through the draining address lost nothing" \
	grep -q " 0% packet loss" "$tmp/ping.log"
check "B4 a's sessions cleared" curl -sf -X DELETE "$url/sessions?b4=2001:db8:1::a"
check "the drained address's blocks are all free" wait_for 5 is "draining:0" state_of "$TOPO_POOL"
check "B4 a's next flow gets $second" topo_exec cla ping -q -c 2 -W 2 "$TOPO_SERVER"
check "its sessions are on $second now" is "$second" ext_of a
check "reload with $TOPO_POOL back: applied" reload "$tmp/both.yaml"
check "it is active again" wait_for 5 is "active:0" state_of "$TOPO_POOL"
check "the dataplane logged each change" grep -q "1 back from draining" "$tmp/dp.log"
drops=$(curl -sf "$url/counters/drops" |
	/usr/bin/python3 -c 'import json, sys; print(sum(d["count"] for d in json.load(sys.stdin)["drops"] if d["reason"] in ("no_session", "ports_exhausted", "table_full")))')
check "no packet dropped for want of a session or ports ($drops)" [ "$drops" = 0 ]

echo "pool_live: $pass passed, $fail failed"
[ "$fail" = 0 ]
