#!/bin/bash
# Live NAPT test: aftr-dataplane on net_af_packet ports between two software
# B4s (each with a client behind it, both clients on 192.168.1.2) and an
# "Internet" server, all in network namespaces (deploy/topology.sh).
#
# Checks: ping through each B4; a 10 MB HTTP download through each B4 at
# the same time, checksums matching; the server sees the pool address;
# iperf3 TCP and UDP for 5 s; the dataplane's counters agree with the B4s'.
#
# Usage: napt_live.sh AFTR_DATAPLANE AFTR_B4 [WORKERS [QUEUES]]
# B4=kernel uses the kernel's ip4ip6 tunnel as the B4 (as OpenWrt's ds-lite
# package does) instead of aftr-b4; the test skips where the kernel has no
# ip6_tunnel.
# With fewer queues (qpairs of net_af_packet) than workers, the workers
# without a queue get and send their packets through the others.
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
b4=$(readlink -f "$2")
workers=${3:-1}
queues=${4:-$workers}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip ethtool curl iperf3 ping sha256sum /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TOPO="aftr$$-"
b4_kind=${B4:-software}
# shellcheck source=lib.sh
. "$here/lib.sh"

if [ "$b4_kind" = kernel ]; then
	ns="aftr$$-probe"
	ip netns add "$ns" || exit 1
	if ! ip netns exec "$ns" ip -6 tunnel add t0 mode ip4ip6 local 2001:db8::2 \
		remote 2001:db8::1 >/dev/null 2>&1; then
		ip netns del "$ns"
		echo "SKIP: this kernel has no ip6_tunnel: no kernel B4 here (the software B4 runs instead)"
		exit 77
	fi
	ip netns del "$ns"
fi
topo_up || { echo "FAIL: topology"; exit 1; }
topo_config "$queues" >"$tmp/aftr.yaml"

# Extra workers share the CPUs (slow, but it proves the hand-off).
eal_lcores=(-l "0,1")
[ "$workers" -gt 1 ] && eal_lcores=(--lcores "0@0,1@1,2@1")
ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 "${eal_lcores[@]}" --no-pci --no-telemetry \
	--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" \
	--stats-file "$tmp/dp.stats" >"$tmp/dp.log" 2>&1 &
dp_pid=$!
start_b4() {
	if [ "$b4_kind" = kernel ]; then
		# RFC 6333 section 5 with Linux: an ip4ip6 tunnel (it adds the RFC
		# 2473 encapsulation limit option: the AFTR must accept it).
		topo_exec "b4$1" ip -6 tunnel add b4tun0 mode ip4ip6 local "2001:db8:1::$1" \
			remote "$TOPO_ENDPOINT" &&
			topo_exec "b4$1" ip link set b4tun0 mtu 1500 up &&
			topo_exec "b4$1" ip addr add 192.0.0.2/29 dev b4tun0 &&
			topo_exec "b4$1" ip route add default dev b4tun0
		return
	fi
	topo_exec "b4$1" "$b4" --local "2001:db8:1::$1" --aftr "$TOPO_ENDPOINT" --mtu 1500 \
		--stats-file "$tmp/b4$1.stats" >"$tmp/b4$1.log" 2>&1 &
}
# A B4's packet counters: aftr-b4's stats file, or the kernel tunnel's.
b4_packets() { # a|b tx|rx
	if [ "$b4_kind" = kernel ]; then
		topo_exec "b4$1" cat "/sys/class/net/b4tun0/statistics/${2}_packets"
	else
		counter "${2}_packets" "$tmp/b4$1.stats"
	fi
}
for x in a b; do
	start_b4 $x
done
if ! wait_for 15 grep -q "running with" "$tmp/dp.log"; then
	echo "FAIL: the dataplane did not start"
	cat "$tmp/dp.log"
	exit 1
fi
wait_for 5 topo_exec b4a ip link show b4tun0 && wait_for 5 topo_exec b4b ip link show b4tun0

head -c 10000000 /dev/urandom >"$tmp/file.bin"
(cd "$tmp" && exec ip netns exec "${TOPO}inet" /usr/bin/python3 -m http.server --bind "$TOPO_SERVER" 8080 \
	>"$tmp/http.log" 2>&1) &
wait_for 5 topo_exec inet bash -c "exec 3<>/dev/tcp/$TOPO_SERVER/8080"
want=$(sha256sum <"$tmp/file.bin" | cut -d' ' -f1)

check "ping from the client behind B4 a" topo_exec cla ping -c 3 -W 2 "$TOPO_SERVER"
check "ping from the client behind B4 b (same private address)" topo_exec clb ping -c 3 -W 2 "$TOPO_SERVER"

fetch() {
	topo_exec "$1" curl -sS --max-time 60 -o "$tmp/got-$1" "http://$TOPO_SERVER:8080/file.bin" &&
		[ "$(sha256sum <"$tmp/got-$1" | cut -d' ' -f1)" = "$want" ]
}
both_fetch() {
	fetch cla &
	local a=$!
	fetch clb
	local rb=$?
	wait $a && [ $rb -eq 0 ]
}
check "10 MB over HTTP through both B4s at once, checksums match" both_fetch
check "the server saw the pool address" grep -q "^$TOPO_POOL - - " "$tmp/http.log"

iperf() {
	topo_exec inet iperf3 -s -1 -B "$TOPO_SERVER" >"$tmp/iperf-s.log" 2>&1 &
	local s=$!
	wait_for 5 topo_exec inet bash -c "ss -ltn | grep -q ':5201'"
	topo_exec "$1" iperf3 -c "$TOPO_SERVER" -t 5 "${@:2}" --json >"$tmp/iperf-$1.json"
	local rc=$?
	wait $s
	return $rc
}
check "iperf3 TCP for 5 s through B4 a" iperf cla
check "iperf3 UDP for 5 s through B4 b" iperf clb -u -b 20M
/usr/bin/python3 - "$tmp" <<'EOF' || true
import json, sys
d = sys.argv[1]
for who, kind in (("cla", "TCP"), ("clb", "UDP")):
    try:
        j = json.load(open("%s/iperf-%s.json" % (d, who)))
        end = j["end"]
        if kind == "TCP":
            s = end["sum_received"]
            print("     iperf3 TCP: %.1f Mbit/s received, %d retransmits" % (
                s["bits_per_second"] / 1e6, end["sum_sent"].get("retransmits", 0)))
        else:
            s = end["sum"]
            print("     iperf3 UDP: %.1f Mbit/s, %.0f packets/s, %.2f%% lost" % (
                s["bits_per_second"] / 1e6, s["packets"] / max(s["seconds"], 1e-9),
                s["lost_percent"]))
    except Exception as e:  # the check above already failed
        print("     iperf3 %s: no result (%s)" % (kind, e))
EOF

# Counters: every packet decapsulated was translated and every packet
# translated in was encapsulated; nothing of the softwires' traffic was
# dropped inside the dataplane (drops of other link chatter, such as MLD
# reports and router solicitations from the B4s' kernels or ARP between
# other hosts, are allowed); the B4s' counts match, but for
# what the kernels lost on the way under load (veth and packet-socket queues
# on two busy CPUs: reported, and at most 3%).
sleep 1.5
ip netns pids "${TOPO}b4a" | xargs -r kill -USR1
ip netns pids "${TOPO}b4b" | xargs -r kill -USR1
sleep 0.5
counters_agree() {
	local s=$tmp/dp.stats
	local tx=$(($(b4_packets a tx) + $(b4_packets b tx)))
	local rx=$(($(b4_packets a rx) + $(b4_packets b rx)))
	local decap enc chatter other lost_in
	decap=$(counter decap "$s")
	enc=$(counter encap "$s")
	chatter=$(($(counter drop_bad_ether "$s") + $(counter drop_not_endpoint "$s") +
		$(counter drop_arp_ignored "$s") + $(counter drop_icmp_ignored "$s")))
	other=$(($(counter dropped "$s") - chatter))
	lost_in=$((tx - decap))
	echo "B4s sent $tx, received $rx; dataplane decapsulated $decap, translated" \
		"$(counter nat_out "$s") out and $(counter nat_in "$s") in, encapsulated $enc;" \
		"dropped $other softwire packets and $chatter other frames; the kernels lost" \
		"$lost_in before it ($(counter port_transport_rx_missed "$s") counted by the port)" \
		"and $((enc - rx)) after it"
	[ "$(counter nat_out "$s")" -eq "$decap" ] && [ "$(counter nat_in "$s")" -eq "$enc" ] &&
		[ "$other" -eq 0 ] && [ "$lost_in" -ge 0 ] && [ "$rx" -le "$enc" ] &&
		[ $((lost_in * 100)) -le $((tx * 3)) ]
}
check "dataplane counters agree with the B4s'" counters_agree
sed 's/^/     /' "$tmp/check.log"
echo "     $(grep -E '^(rx_transport|rx_wan|session_created|block_allocated|handoff_sent|handoff_received) ' "$tmp/dp.stats" | tr '\n' ' ')"

check "every packet accounted for (rx + created = tx + dropped + consumed + held)" wait_for 5 accounted
check "no buffer leaked or ran short (in use = held, rx_nombuf 0)" wait_for 5 buffers_back

kill -TERM $dp_pid 2>/dev/null
wait $dp_pid
check "the dataplane stopped cleanly" grep -q "^rx_transport" "$tmp/dp.log"
echo "napt_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
