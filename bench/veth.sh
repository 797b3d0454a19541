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
# Writes bench/results/veth-DATE.json (both runs and the ratio) and prints
# the tables. Usage: bench/veth.sh BUILD_DIR [SECONDS [B4S [FLOWS [SIZE]]]]
set -u
build=$(readlink -f "${1:-build}")
secs=${2:-5}
b4s=${3:-256}
flows=${4:-8}
size=${5:-100}
here=$(cd "$(dirname "$0")" && pwd)
out="$here/results/veth-$(date -u +%Y%m%dT%H%M%SZ).json"
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
ns=aftrb$$
tmp=$(mktemp -d)
dp_pid=
cleanup() {
	[ -n "$dp_pid" ] && kill "$dp_pid" 2>/dev/null && wait "$dp_pid" 2>/dev/null
	ip netns del "${ns}pg" 2>/dev/null
	ip netns del "${ns}dut" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$here/results"

pg() { ip netns exec "${ns}pg" "$@"; }
dut() { ip netns exec "${ns}dut" "$@"; }

# The two namespaces and veth pairs, MAC addresses as aftr-pktgen expects.
topology() {
	ip netns del "${ns}pg" 2>/dev/null
	ip netns del "${ns}dut" 2>/dev/null
	ip netns add "${ns}pg" && ip netns add "${ns}dut" || return 1
	for side in tr:00 wan:01; do
		local n=${side%:*} x=${side#*:}
		# The softwire side carries a 1500-byte IPv4 packet whole (1540).
		ip link add "pg-$n" netns "${ns}pg" address "02:00:00:00:$x:fe" \
			mtu $((x == 0 ? 1540 : 1500)) type veth peer "dut-$n" netns "${ns}dut" \
			address "02:00:00:00:$x:01" mtu $((x == 0 ? 1540 : 1500)) || return 1
		pg ip link set "pg-$n" up && dut ip link set "dut-$n" up || return 1
	done
	# Only the traffic's frames on the wires: no Neighbor Discovery, no MLD.
	pg sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	dut sysctl -qw net.ipv6.conf.all.disable_ipv6=1
}

pktgen() { # name, arguments...
	local name=$1
	shift
	pg "$build/bench/aftr-pktgen" --no-huge -m 512 -l 0 --no-pci --no-telemetry \
		--file-prefix "${ns}pg" --log-level='*:error' \
		--vdev "net_af_packet0,iface=pg-tr,framecnt=4096" \
		--vdev "net_af_packet1,iface=pg-wan,framecnt=4096" -- \
		--b4s "$b4s" --flows "$flows" --size "$size" --seconds "$secs" \
		--commit "$commit" --json "$tmp/$name.json" "$@" >"$tmp/$name.txt" 2>"$tmp/$name.err"
	local rc=$?
	echo "== $name"
	cat "$tmp/$name.txt"
	[ $rc -eq 0 ] || { tail -5 "$tmp/$name.err"; return 1; }
}

run_aftr() {
	topology || return 1
	"$build/bench/aftr-pktgen" --no-huge -m 256 -l 0 --no-pci --no-telemetry \
		--file-prefix "${ns}cfg" --log-level='*:error' -- --b4s "$b4s" --flows "$flows" \
		--write-config "$tmp/aftr.yaml" \
		"net_af_packet0,iface=dut-tr,framecnt=4096" \
		"net_af_packet1,iface=dut-wan,framecnt=4096" || return 1
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
	pktgen aftr --peer aftr
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
}
NFT
	# The kernel forwards in the receive path: on CPU 1, as our worker.
	dut sh -c 'echo 2 > /sys/class/net/dut-tr/queues/rx-0/rps_cpus;
		echo 2 > /sys/class/net/dut-wan/queues/rx-0/rps_cpus'
	pktgen kernel --peer kernel
}

run_aftr || exit 1
run_kernel || exit 1
/usr/bin/python3 - "$tmp" "$out" <<'PY'
import json, sys
d, out = sys.argv[1], sys.argv[2]
runs = {n: json.load(open("%s/%s.json" % (d, n))) for n in ("aftr", "kernel")}
ratio = {}
for pa, pk in zip(runs["aftr"]["phases"], runs["kernel"]["phases"]):
    ratio[pa["phase"]] = round(pa["mpps"] / pk["mpps"], 2) if pk["mpps"] else None
json.dump({"scenario": "veth", "runs": runs, "ratio_aftr_to_kernel": ratio,
           "kernel_peer": "nftables masquerade + conntrack NAT44 forwarding "
                          "(no ip6_tunnel in this kernel: no 4in6)"},
          open(out, "w"), indent=2)
print("ours / kernel packets per second:", ratio)
print("wrote", out)
PY
