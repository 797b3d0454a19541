#!/bin/bash
# The same generator against aftr-dataplane and against the Linux kernel, on
# the same veth topology (issue 8's side-by-side):
#
#   pg (aftr-pktgen, lcore 0)  pg-tr ==== dut-tr   dut: the device under test
#                              pg-wan ==== dut-wan
#
# aftr: aftr-dataplane in the dut namespace on net_af_packet (main lcore 0,
# its worker on lcore 1), DS-Lite NAPT: 4in6 from the B4s, IPv4 out.
# kernel: the kernel's nftables masquerade with conntrack, forwarding between
# dut-tr and dut-wan, its receive work steered to CPU 1 (RPS) as our worker
# is. This kernel has no ip6_tunnel, so the kernel peer does the NAT44 part
# of DS-Lite only (no 4in6 decapsulation and encapsulation), with the same
# flows as plain IPv4: less work than ours per packet, labelled as such.
# Both see the generator's frames through the same veth pairs and af_packet
# sockets (the generator's), so the generator's own cost is in both.
#
# On a small machine the generator (one core, af_packet) may top out before
# either device does: then packets per second compare the generator, not
# them (the loss column says which: no loss, no limit reached). So each
# phase also reports what a forwarded packet cost the device's core:
# aftr: its busy_ns counter (polling rounds that had packets; a polling
# worker is always at 100% CPU) over the packets it received; kernel: the
# non-idle time of CPU 1 (/proc/stat: the forwarding runs there, in
# softirq) over the packets its forward hook counted. Both include the veth
# transmit to the generator, which runs on the sender's core; the aftr's
# receive side (the kernel copying frames into its af_packet ring) runs on
# the generator's core and is not in its figure.
#
# Writes bench/results/veth-DATE.json (both runs and the ratio; the
# directory BENCH_RESULTS instead if set) and prints the tables. RATE (Mpps
# per direction) paces the generator; unset, it sends flat out. NEW_RATE
# makes that many new flows (sessions) a second in the phases that send
# B4 -> Internet. VLAN=1 tags the transport's frames with 802.1Q VLAN 100
# and the WAN's with 200 (the veth pairs carry them; this kernel has no
# 802.1Q module, so there is no kernel peer then): aftr-dataplane alone.
# Usage: bench/veth.sh BUILD_DIR [SECONDS [B4S [FLOWS [SIZE]]]]
set -u
build=$(readlink -f "${1:-build}")
secs=${2:-5}
b4s=${3:-256}
flows=${4:-8}
size=${5:-100}
pmd=${PMD:-af_packet}
here=$(cd "$(dirname "$0")" && pwd)
results=${BENCH_RESULTS:-$here/results}
out="$results/veth-$(date -u +%Y%m%dT%H%M%SZ).json"
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
ns=aftrb$$
tmp=$(mktemp -d)
dp_pid=
cleanup() {
	[ -n "$dp_pid" ] && kill "$dp_pid" 2>/dev/null && wait "$dp_pid" 2>/dev/null
	ip netns del "${ns}pg" 2>/dev/null
	ip netns del "${ns}dut" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$results"

# The DPDK device on a veth end: af_packet, or AF_XDP (PMD=af_xdp: an XDP
# program hands frames to a socket before the kernel makes an skb of them;
# about twice the generator's rate here, but the kernel peer's "both" phase
# lost up to half its packets at 20 kpps in some runs, which af_packet never
# did: not the default until understood).
dev() { # number, interface
	case $pmd in
	af_xdp) echo "net_af_xdp$1,iface=$2" ;;
	*) echo "net_af_packet$1,iface=$2,framecnt=4096" ;;
	esac
}

. "$here/netns.sh"

pktgen() { # name, arguments...
	local name=$1 rc
	shift
	pg "$build/bench/aftr-pktgen" --no-huge -m 512 -l 0 --no-pci --no-telemetry \
		--file-prefix "${ns}pg" --log-level='*:error' \
		--vdev "$(dev 0 pg-tr)" --vdev "$(dev 1 pg-wan)" -- \
		--b4s "$b4s" --flows "$flows" --size "$size" --seconds "$secs" ${RATE:+--rate "$RATE"} \
		${NEW_RATE:+--new-rate "$NEW_RATE"} ${VLAN:+--vlan} \
		--commit "$commit" --json "$tmp/$name.json" "$@" >"$tmp/$name.txt" 2>"$tmp/$name.err"
	rc=$?
	[ $rc -eq 0 ] || { tail -5 "$tmp/$name.err"; return 1; }
}

# Nanoseconds of work and packets forwarded so far: the dataplane's
# counters (its stats file is rewritten every second: wait for it).
aftr_cost() {
	sleep 1.2
	awk '$1 == "busy_ns" { ns = $2 } $1 == "rx_transport" || $1 == "rx_wan" { p += $2 }
		END { print ns, p }' "$tmp/dp.stats"
}
kernel_cost() {
	local hz
	hz=$(getconf CLK_TCK)
	awk -v hz="$hz" '$1 == "cpu1" { printf "%.0f ", ($2 + $3 + $4 + $7 + $8 + $9) * 1e9 / hz }' \
		/proc/stat
	dut nft list chain ip bench count | awk '/counter packets/ { print $3 }'
}

# Each phase on its own run of the generator, with the device's cost
# around it: name, cost function, generator arguments...
phases() {
	local name=$1 cost=$2 before after
	shift 2
	for ph in up down both; do
		before=$($cost)
		pktgen "${name}_$ph" --phases "$ph" "$@" || return 1
		after=$($cost)
		echo "$before $after" >"$tmp/${name}_$ph.cost"
	done
	echo "== $name"
	head -1 "$tmp/${name}_up.txt"
	for ph in up down both; do
		sed 1d "$tmp/${name}_$ph.txt"
	done
}

run_aftr() {
	topology && stack_off dut dut-tr dut-wan || return 1
	"$build/bench/aftr-pktgen" --no-huge -m 256 -l 0 --no-pci --no-telemetry \
		--file-prefix "${ns}cfg" --log-level='*:error' -- --b4s "$b4s" --flows "$flows" \
		${VLAN:+--vlan} --write-config "$tmp/aftr.yaml" --tr-dev "$(dev 0 dut-tr)" \
		--wan-dev "$(dev 1 dut-wan)" || return 1
	# Not through dut(): a background function would be a subshell, and
	# the signal that stops the dataplane would stop at it.
	ip netns exec "${ns}dut" "$build/dataplane/aftr-dataplane" --no-huge -m 1024 -l 0,1 --no-pci --no-telemetry \
		--file-prefix "${ns}dp" --log-level='*:error' -- -c "$tmp/aftr.yaml" \
		--shm "${ns}dp" --stats-file "$tmp/dp.stats" >"$tmp/dp.log" 2>&1 &
	dp_pid=$!
	for _ in $(seq 100); do
		grep -q "running with" "$tmp/dp.log" && break
		kill -0 "$dp_pid" 2>/dev/null || { cat "$tmp/dp.log"; return 1; }
		sleep 0.1
	done
	phases aftr aftr_cost --peer aftr
	local rc=$?
	kill -TERM "$dp_pid"
	wait "$dp_pid"
	dp_pid=
	grep -E '^drop_' "$tmp/dp.log" | awk '$2 > 0 { printf "aftr drop: %s\n", $0 }'
	return $rc
}

run_kernel() {
	topology || return 1
	dut ip addr add 192.168.255.1/24 dev dut-tr
	dut ip addr add 192.0.2.1/24 dev dut-wan
	dut ip neigh replace 192.168.255.254 lladdr 02:00:00:00:00:fe dev dut-tr nud permanent
	dut ip neigh replace 192.0.2.254 lladdr 02:00:00:00:01:fe dev dut-wan nud permanent
	dut ip route add 10.0.0.0/8 via 192.168.255.254
	dut ip route add default via 192.0.2.254
	dut sysctl -qw net.ipv4.ip_forward=1
	dut nft -f - <<'NFT' || return 1
table ip bench {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "dut-wan" masquerade
	}
	chain count {
		type filter hook forward priority filter;
		counter
	}
}
NFT
	# The kernel forwards in the receive path: on CPU 1, as our worker.
	dut sh -c 'echo 2 > /sys/class/net/dut-tr/queues/rx-0/rps_cpus;
		echo 2 > /sys/class/net/dut-wan/queues/rx-0/rps_cpus'
	phases kernel kernel_cost --peer kernel
}

run_aftr || exit 1
[ -n "${VLAN:-}" ] || run_kernel || exit 1
/usr/bin/python3 - "$tmp" "$out" <<'PY'
import json, os, sys
d, out = sys.argv[1], sys.argv[2]
runs, cost = {}, {}
duts = ("aftr", "kernel") if os.path.exists("%s/kernel_up.json" % d) else ("aftr",)
for dut in duts:
    runs[dut], cost[dut] = [], {}
    for ph in ("up", "down", "both"):
        j = json.load(open("%s/%s_%s.json" % (d, dut, ph)))
        runs[dut].append(j["phases"][0])
        ns0, p0, ns1, p1 = map(float, open("%s/%s_%s.cost" % (d, dut, ph)).read().split())
        cost[dut][ph] = round((ns1 - ns0) / (p1 - p0), 1) if p1 > p0 else None
    head = j
head.pop("phases")
res = {"scenario": "veth", "setup": head, "aftr": runs["aftr"], "kernel": runs.get("kernel"),
       "ns_per_packet": cost,
       "kernel_peer": "nftables masquerade + conntrack NAT44 forwarding (no ip6_tunnel in "
                      "this kernel: no 4in6)" if "kernel" in runs else None}
if "kernel" not in runs:  # VLAN=1: the aftr alone, its frames tagged
    res["scenario"] = "veth_vlan"
    print("%-6s %16s %16s" % ("phase", "aftr Mpps", "aftr ns/pkt"))
    for a in runs["aftr"]:
        print("%-6s %16.3f %16s" % (a["phase"], a["mpps"], cost["aftr"][a["phase"]]))
    json.dump(res, open(out, "w"), indent=2)
    print("wrote", out)
    sys.exit(0)
res["ratio_pps"], res["ratio_cost"] = {}, {}
print("%-6s %16s %16s %8s %16s %16s %8s" % ("phase", "aftr Mpps", "kernel Mpps", "ratio",
      "aftr ns/pkt", "kernel ns/pkt", "ratio"))
for a, k in zip(runs["aftr"], runs["kernel"]):
    ph = a["phase"]
    rp = round(a["mpps"] / k["mpps"], 2) if k["mpps"] else None
    ca, ck = cost["aftr"][ph], cost["kernel"][ph]
    rc = round(ck / ca, 2) if ca and ck else None
    res["ratio_pps"][ph], res["ratio_cost"][ph] = rp, rc
    print("%-6s %16.3f %16.3f %8s %16s %16s %8s" % (ph, a["mpps"], k["mpps"], rp, ca, ck, rc))
json.dump(res, open(out, "w"), indent=2)
print("wrote", out)
PY
