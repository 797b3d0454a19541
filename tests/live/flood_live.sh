#!/bin/bash
# A flood past what the worker takes: aftr-pktgen (bench/pktgen.c) sends
# DS-Lite NAPT traffic both ways as fast as it can for 3 s, on the CPU of
# the dataplane's worker, over the veth pairs of bench/netns.sh, the
# dataplane on net_af_xdp. While the generator runs the worker does not:
# frames pile up at its receive rings and the kernel drops the rest there,
# as a NIC does when its ring is full (DPDK 22.11's af_xdp and af_packet
# devices do not report those in imissed, so the dataplane's rx_missed
# stays 0 here; the kernel counts them as the interface's rx dropped).
# Checks, per port, from the counters before and after:
# - the flood went past the worker: frames dropped at the receive rings;
# - every frame the wire brought was dropped at the ring or received by
#   the port, and every frame the port received was counted by the
#   dataplane (rx_transport, rx_wan), with none received into no buffer
#   (rx_nombuf 0);
# - every packet accounted for (rx + created = tx + dropped + consumed +
#   held), and the buffers back where they were;
# - then, paced, the traffic goes through again with no loss.
# Usage: flood_live.sh AFTR_DATAPLANE AFTR_PKTGEN
# Exit 0 pass, 1 fail, 77 skip (not root, a tool or AF_XDP missing).
set -u
dataplane=$(readlink -f "$1")
pktgen=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip nft /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

# Under the sanitizers: af_xdp's own leak at exit is not ours (af_xdp.lsan).
export LSAN_OPTIONS="suppressions=$here/af_xdp.lsan${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
ns=aftrfl$$
# shellcheck source=../../bench/netns.sh
. "$here/../../bench/netns.sh"
topo_down() {
	ip netns del "${ns}pg" 2>/dev/null
	ip netns del "${ns}dut" 2>/dev/null
}
# shellcheck source=lib.sh
. "$here/lib.sh"
flood_cleanup() { rm -rf "/var/run/dpdk/$ns"*; }
live_cleanup_extra=flood_cleanup
if ! topology || ! stack_off dut dut-tr dut-wan; then
	echo "FAIL: topology"
	exit 1
fi

b4s=64
flows=16
# Each run of the generator: its name, its CPU, then its own arguments.
gen() {
	local name=$1 cpu=$2
	shift 2
	ip netns exec "${ns}pg" "$pktgen" --no-huge -m 256 -l "$cpu" --no-pci --no-telemetry \
		--file-prefix "${ns}$name" --log-level='*:error' \
		--vdev net_af_xdp0,iface=pg-tr --vdev net_af_xdp1,iface=pg-wan -- \
		--b4s $b4s --flows $flows "$@" >"$tmp/$name.txt" 2>"$tmp/$name.err"
}
gen cfg 0 --write-config "$tmp/aftr.yaml" --tr-dev net_af_xdp0,iface=dut-tr \
	--wan-dev net_af_xdp1,iface=dut-wan || { cat "$tmp/cfg.err"; exit 1; }
ip netns exec "${ns}dut" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
	--file-prefix "${ns}dp" --log-level='*:error' -- -c "$tmp/aftr.yaml" \
	--stats-file "$tmp/dp.stats" >"$tmp/dp.log" 2>&1 &
dp_pid=$!
pids+=("$dp_pid")
if ! wait_for 15 grep -q "running with" "$tmp/dp.log"; then
	if grep -qi "af_xdp" "$tmp/dp.log"; then
		echo "SKIP: no AF_XDP here ($(grep -i -m1 "af_xdp" "$tmp/dp.log"))"
		exit 77
	fi
	echo "FAIL: the dataplane did not start"
	cat "$tmp/dp.log"
	exit 1
fi

# The kernel's counters of the dataplane's interfaces: received, dropped.
kernel() { # interface, counter
	ip netns exec "${ns}dut" cat "/sys/class/net/$1/statistics/$2"
}
snapshot() { # file
	sleep 1.2 # the stats file is written once a second
	cp "$tmp/dp.stats" "$1.stats"
	for dev in tr wan; do
		echo "$dev $(kernel "dut-$dev" rx_packets) $(kernel "dut-$dev" rx_dropped)"
	done >"$1.kernel"
}
snapshot "$tmp/before"
check "the generator floods both ways for 3 s on the worker's CPU" \
	gen flood 1 --size 100 --seconds 3 --phases both --json "$tmp/flood.json"
snapshot "$tmp/after"
sed 1d "$tmp/flood.txt" | sed 's/^/     /'

# Per port: frames the wire brought, dropped at the ring, received by the
# port, counted by the dataplane; then the ports' buffer failures.
rings() {
	/usr/bin/python3 - "$tmp/before" "$tmp/after" <<'PY'
import sys
def load(p):
    c = {}
    for line in open(p + ".stats"):
        k, _, v = line.partition(" ")
        if v.strip().isdigit():
            c[k] = int(v)
    for line in open(p + ".kernel"):
        dev, rx, dropped = line.split()
        c["kernel_%s_rx" % dev], c["kernel_%s_dropped" % dev] = int(rx), int(dropped)
    return c
b, a = load(sys.argv[1]), load(sys.argv[2])
d = lambda k: a.get(k, 0) - b.get(k, 0)  # noqa: E731
ok, missed = True, 0
for dev, port in (("tr", "transport"), ("wan", "wan")):
    wire, ring, got = d("kernel_%s_rx" % dev), d("kernel_%s_dropped" % dev), \
        d("port_%s_rx_packets" % port)
    counted, nombuf = d("rx_" + port), a.get("port_%s_rx_nombuf" % port, 0)
    missed += ring
    print("%s: the wire brought %d, %d dropped at the full ring, the port received %d, "
          "the dataplane counted %d; rx_nombuf %d" % (port, wire, ring, got, counted, nombuf))
    ok = ok and wire == ring + got and got == counted and nombuf == 0
print("dropped at the rings in all: %d" % missed)
sys.exit(0 if ok and missed > 0 else 1)
PY
}
check "the flood went past the worker, and every frame is on one side of the ring" rings
sed 's/^/     /' "$tmp/check.log"
check "every packet accounted for (rx + created = tx + dropped + consumed + held)" \
	wait_for 5 accounted
# The buffers in use: af_xdp keeps its fill rings full (the level before
# the flood) and holds a burst of sent buffers a port at most until its
# next send reaps the completion ring; a leak of more than that shows.
buffers_level() {
	local base in_use held
	base=$(counter mbufs_in_use "$tmp/before.stats")
	in_use=$(counter mbufs_in_use)
	held=$(($(counter fragments_held_ip6) + $(counter fragments_held_in) +
		$(counter fragments_held_out) + $(counter neighbor_held)))
	echo "buffers in use $in_use, before the flood $base, packets held $held"
	[ "$in_use" -ge $((base + held)) ] && [ "$in_use" -le $((base + held + 64)) ] &&
		[ "$(counter port_transport_rx_nombuf)" -eq 0 ] &&
		[ "$(counter port_wan_rx_nombuf)" -eq 0 ]
}
check "no buffer leaked or ran short (in use within a burst a port of its level before)" \
	wait_for 5 buffers_level
paced() {
	gen paced 0 --size 100 --seconds 2 --rate 0.01 --phases both --json "$tmp/paced.json" &&
		/usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["phases"][0]
print("paced: sent %d, received %d, lost %d, wrong %d" % (p["sent"], p["received"], p["lost"],
      p["wrong"]))
sys.exit(0 if p["received"] > 0 and p["wrong"] == 0 and p["lost"] <= p["sent"] // 100 else 1)
' "$tmp/paced.json"
}
check "after it, paced traffic goes through again (at most 1% lost)" paced
sed 's/^/     /' "$tmp/check.log"

kill -TERM "$dp_pid" 2>/dev/null
wait "$dp_pid"
check "the dataplane stopped cleanly" grep -q "^rx_transport" "$tmp/dp.log"
echo "flood_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
