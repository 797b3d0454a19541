#!/bin/bash
# The control plane at scale (issue 18): aftr-control and aftr-dataplane
# with N lw4o6 softwires (default 1,000,000) in the state directory, the
# dataplane forwarding lw4o6 traffic both ways all along (net_pcap with
# infinite_rx into /dev/null: 1024 of the softwires, 100-byte frames).
# Measured:
# - starts, each until the dataplane runs the state: aftr-control on an
#   older version's state.json; aftr-control restarted on its snapshot
#   (the dataplane runs that state already: nothing sent); a new dataplane
#   (the whole tables sent); both started at once (the box boots);
# - bench/control_bench.py: single changes (add, replace, delete), a bulk
#   of 10,000 each way, and a mixed load of reads and writes at a fixed
#   rate, each write answered once the dataplane runs it;
# - the forwarding rate while it ran, and the dataplane's log of how each
#   delta went (in place or a new set).
# Prints a summary and writes bench/results/control_scale-TIME.json.
# Usage: bench/control_scale.sh BUILD_DIR [N [SINGLE [RATE [SECONDS]]]]
set -u
build=$(readlink -f "$1")
n=${2:-1000000}
single=${3:-300}
rate=${4:-1000}
secs=${5:-10}
here=$(dirname "$(readlink -f "$0")")
tmp=$(mktemp -d)
name="cb$$"
port=$((20000 + ($$ + 7) % 20000))
url="http://127.0.0.1:$port"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -f /dev/shm/"$name"-*
	if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

/usr/bin/python3 - "$n" "$tmp" "$port" <<'PY'
import json, os, sys
from scapy.all import Ether, IPv6, IP, UDP, Raw, wrpcap
n, d, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
# Softwire i: address i // 63, PSID i % 63 (length 6, offset 6): PSID 63
# of every address stays free for the changes control_bench.py makes.
def sw(i):
    a = i // 63
    return ("2001:db8:%x:%x::1" % (i >> 16, i & 0xffff),
            "10.%d.%d.%d" % (100 + (a >> 16 & 63), a >> 8 & 255, a & 255), i % 63)
with open(d + "/aftr.yaml", "w") as f:
    f.write("endpoint: 2001:db8::1\nicmp_source: 192.0.0.1\nacl6: [2001:db8::/32]\n"
            "pools: [{address: 198.51.100.1}]\nprivate: [192.168.0.0/16]\n"
            "api: {listen: 127.0.0.1, port: %d}\n" % port)
    f.write("interfaces:\n"
            "  transport: {device: \"net_pcap0,rx_pcap=%s/tr.pcap,infinite_rx=1,tx_pcap=/dev/null\", "
            "address: \"2001:db8:ffff::1/64\", gateway: \"2001:db8:ffff::fe\", "
            "gateway_mac: \"02:00:00:00:00:fe\"}\n" % d)
    f.write("  wan: {device: \"net_pcap1,rx_pcap=%s/wan.pcap,infinite_rx=1,tx_pcap=/dev/null\", "
            "address: 192.0.2.1/24, gateway: 192.0.2.254, gateway_mac: \"02:00:00:00:01:fe\"}\n" % d)
os.mkdir(d + "/state")
with open(d + "/state/state.json", "w") as f:
    f.write('{"version": 2, "generation": 1, "softwires": [')
    for i in range(n):
        b4, a, psid = sw(i)
        f.write('%s{"b4": "%s", "ipv4": "%s", "psid": %d, "psid_len": 6, "offset": 6}'
                % ("," if i else "", b4, a, psid))
    f.write("]}\n")
out, back = [], []
for k in range(1024):
    b4, a, psid = sw(k * n // 1024)
    p = 1 << 10 | psid << 4 | (k & 15)
    inner = IP(src=a, dst="203.0.113.7", ttl=64) / UDP(sport=p, dport=53) / Raw(b"x" * 18)
    out.append(Ether(src="02:00:00:00:00:fe", dst="02:70:63:61:70:00")
               / IPv6(src=b4, dst="2001:db8::1") / inner)
    back.append(Ether(src="02:00:00:00:01:fe", dst="02:70:63:61:70:01")
                / IP(src="203.0.113.7", dst=a, ttl=60) / UDP(sport=53, dport=p) / Raw(b"y" * 58))
wrpcap(d + "/tr.pcap", out)
wrpcap(d + "/wan.pcap", back)
PY

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
start_dp() {
	"$build/dataplane/aftr-dataplane" --no-huge -m 1024 -l 0,1 --no-pci --no-telemetry \
		--file-prefix "$name" --log-level='*:error' -- -c "$tmp/aftr.yaml" --shm "$name" \
		--stats-file "$tmp/stats" >>"$tmp/dp.log" 2>&1 &
	dp_pid=$!
	pids+=("$dp_pid")
	until [ "$(grep -c "running with" "$tmp/dp.log" 2>/dev/null)" -gt "$1" ]; do
		kill -0 $dp_pid 2>/dev/null || { cat "$tmp/dp.log"; exit 1; }
		sleep 0.05
	done
}
start_ctl_bg() {
	"$build/control/aftr-control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" \
		>>"$tmp/control.log" 2>&1 &
	ctl_pid=$!
	pids+=("$ctl_pid")
}
# Starts aftr-control; returns once it programmed a dataplane $1 times in all.
start_ctl() {
	start_ctl_bg
	programmed "$1"
}
programmed() {
	until [ "$(grep -c "dataplane programmed" "$tmp/control.log" 2>/dev/null)" -ge "$1" ]; do
		kill -0 "$ctl_pid" 2>/dev/null || { cat "$tmp/control.log"; exit 1; }
		sleep 0.02
	done
}
: >"$tmp/dp.log"
: >"$tmp/control.log"
start_dp 0
# 1. The first start reads the state file of JSON (an older aftr-control's).
t0=$(date +%s%N)
start_ctl 1
first_ms=$(ms_since "$t0")
# 2. A restart reads the binary snapshot the first one wrote at exit.
kill -INT "$ctl_pid"
wait "$ctl_pid"
t0=$(date +%s%N)
start_ctl 2
start_ms=$(ms_since "$t0")
# 3. A new dataplane gets the whole tables from the running aftr-control.
kill -9 "$dp_pid"
wait "$dp_pid" 2>/dev/null
t0=$(date +%s%N)
start_dp 1
programmed 3
dp_ms=$(ms_since "$t0")
# 4. Both at once, as when the box boots.
kill -INT "$ctl_pid"
wait "$ctl_pid"
kill -9 "$dp_pid"
wait "$dp_pid" 2>/dev/null
t0=$(date +%s%N)
start_ctl_bg
start_dp 2
programmed 4
boot_ms=$(ms_since "$t0")

c() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/stats"; }
sleep 1
o1=$(c stateless_out)
i1=$(c stateless_in)
t1=$(date +%s%N)
/usr/bin/python3 "$here/control_bench.py" "$url" "$n" "$single" "$rate" "$secs" \
	>"$tmp/bench.json" || { tail -n 5 "$tmp/control.log" "$tmp/dp.log"; exit 1; }
wall=$(ms_since "$t1")
o2=$(c stateless_out)
i2=$(c stateless_in)
sleep 1.2 # the dataplane sums up its quiet deltas once a second
in_place=$(awk '/deltas changed in place/ { n += $5 } /\): in use, changed in place/ { n++ } END { print n + 0 }' "$tmp/dp.log")
new_set=$(grep -c "): in use, a new set" "$tmp/dp.log")
full=$(grep -c "dataplane programmed.*the whole tables" "$tmp/control.log")
rss_dp=$(awk '/VmRSS/ {print $2}' "/proc/$dp_pid/status")
rss_ctl=$(awk '/VmRSS/ {print $2}' "/proc/$ctl_pid/status")

mkdir -p "$here/results"
result="$here/results/control_scale-$(date -u +%Y%m%dT%H%M%SZ).json"
/usr/bin/python3 - "$tmp/bench.json" "$result" "$start_ms" "$wall" "$o1" "$o2" "$i1" "$i2" \
	"$in_place" "$new_set" "$full" "$rss_dp" "$rss_ctl" "$first_ms" "$dp_ms" "$boot_ms" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
(start, wall, o1, o2, i1, i2, inp, new, full, rdp, rctl, first, dpms,
 boot) = (int(a) for a in sys.argv[3:])
j.update({"start_ms": {"first_from_json": first, "restart_from_snapshot": start,
                       "new_dataplane": dpms, "both_at_once": boot}, "forwarding_mpps": {
    "out": round((o2 - o1) / wall / 1e3, 3), "in": round((i2 - i1) / wall / 1e3, 3)},
    "deltas_in_place": inp, "deltas_new_set": new, "full_pushes": full,
    "rss_kb": {"dataplane": rdp, "control": rctl}})
json.dump(j, open(sys.argv[2], "w"), indent=1)
s, b, m = j["single"], j["bulk"], j["mixed"]
print("softwires %d, each start until the dataplane runs them: aftr-control from a JSON "
      "state file %.2f s, restarted from its snapshot %.2f s; a new dataplane %.2f s; "
      "both at once %.2f s" % (j["softwires"], first / 1e3, start / 1e3, dpms / 1e3, boot / 1e3))
print("  forwarding meanwhile: %.2f/%.2f Mpps out/in"
      % (j["forwarding_mpps"]["out"], j["forwarding_mpps"]["in"]))
for k in ("add", "replace", "delete"):
    print("  one %-8s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%d)"
          % (k, s[k]["p50_ms"], s[k]["p99_ms"], s[k]["max_ms"], s[k]["n"]))
for kind, t in j["others"].items():
    print("  one of %-10s " % kind + ", ".join(
        "%s p50 %.2f p99 %.2f max %.2f ms" % (k, t[k]["p50_ms"], t[k]["p99_ms"], t[k]["max_ms"])
        for k in ("add", "replace", "delete")))
print("  %d in one request: add %.3f s, delete %.3f s" % (b["size"], b["add_s"], b["delete_s"]))
print("  mixed %d req/s for %d s: reads p99 %.2f ms, writes p99 %.2f ms, all p99 %.2f ms "
      "max %.2f ms, %d errors" % (m["rate"], m["seconds"], m["reads"]["p99_ms"],
      m["writes"]["p99_ms"], m["all"]["p99_ms"], m["all"]["max_ms"], m["errors"]))
print("  dataplane: %d deltas in place, %d by a new set, %d whole pushes; RSS %d MB, control %d MB"
      % (inp, new, full, rdp // 1024, rctl // 1024))
PY
echo "written $result"
