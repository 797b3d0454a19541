#!/bin/bash
# bench/veth.sh end to end, small and paced: aftr-pktgen against
# aftr-dataplane and against the kernel's NAT44 on veth pairs in namespaces
# of its own (deleted on exit by veth.sh). Every phase of both must bring
# traffic back, none of it wrong, with little loss at this rate, and the
# cost per packet of both devices must have been measured; new flows made
# while sending out must be answered (new sessions at both devices).
# With VLAN=1 (802.1Q tags both ways): aftr-dataplane alone, and no frame
# refused for its tag.
# Usage: tests/bench/veth.sh BUILD_DIR
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for tool in ip nft getconf; do
	command -v $tool >/dev/null || { echo "SKIP: $tool is missing"; exit 77; }
done
build=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
BENCH_RESULTS=$tmp RATE=0.02 NEW_RATE=100 "$here/../../bench/veth.sh" "$build" 2 16 4 >"$tmp/log" 2>&1 || {
	echo "FAIL bench/veth.sh"
	grep -v 'libbpf\|libxdp' "$tmp/log" | tail -30
	exit 1
}
grep -v 'libbpf\|libxdp' "$tmp/log" | tail -6
if grep -q "aftr drop: drop_wrong_vlan" "$tmp/log"; then
	echo "FAIL frames refused for their tag"
	exit 1
fi
/usr/bin/python3 - "$tmp"/veth-*.json <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
bad = []
for dut in ("aftr", "kernel") if j["kernel"] else ("aftr",):
    for p in j[dut]:
        name = "%s %s" % (dut, p["phase"])
        if p["received"] == 0 or p["wrong"] != 0 or p["lost"] > p["sent"] * 0.02:
            bad.append("%s: sent %d, received %d, wrong %d, lost %d" %
                       (name, p["sent"], p["received"], p["wrong"], p["lost"]))
        if p["phase"] != "down" and p.get("new_flows_answered", 0) < p.get("new_flows", 1) / 2:
            bad.append("%s: new flows %d, answered %d" % (name, p.get("new_flows", 0),
                                                         p.get("new_flows_answered", 0)))
        if not j["ns_per_packet"][dut][p["phase"]]:
            bad.append("%s: no cost per packet" % name)
for b in bad:
    print("FAIL", b)
print("ok   every phase of each device" if not bad else "")
sys.exit(1 if bad else 0)
PY
