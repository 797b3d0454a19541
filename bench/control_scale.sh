#!/bin/bash
# The control plane at scale (issue 18): aftr-control and aftr-dataplane
# with N lw4o6 softwires (default 1,000,000) in the state directory and a
# NAPT session table of SESSIONS (default 1,000,000) made and kept alive
# by aftr-pktgen's DS-Lite traffic (64 UDP flows from each of SESSIONS/64
# B4s, 100-byte frames, PG_RATE Mpps a direction, default 0.05) over the
# veth topology of bench/netns.sh, the dataplane on net_af_packet in its
# own namespace. Measured:
# - starts, each until the dataplane runs the state: aftr-control on an
#   older version's state.json; aftr-control restarted on its snapshot
#   (the dataplane runs that state already: nothing sent); a new dataplane
#   (the whole tables sent); both started at once (the box boots);
# - then, with every session made and the traffic running through them
#   all, bench/control_bench.py: single changes (add, replace, delete), a
#   bulk of 10,000 each way, and a mixed load of reads and writes at a
#   fixed rate, each write answered once the dataplane runs it;
# - the forwarding meanwhile (the dataplane's counters and aftr-pktgen's
#   loss), and the dataplane's log of how each delta went (in place or a
#   new set).
# The generator runs at nice 10: on a 2-core machine it shares a core with
# aftr-control and the API client, which it must not starve.
# Prints a summary and writes bench/results/control_scale-TIME.json.
# Usage: sudo bench/control_scale.sh BUILD_DIR [N [SINGLE [RATE [SECONDS [SESSIONS]]]]]
set -u
build=$(readlink -f "$1")
n=${2:-1000000}
single=${3:-300}
rate=${4:-1000}
secs=${5:-10}
sessions=${6:-1000000}
pg_rate=${PG_RATE:-0.05}
flows=64
b4s=$(((sessions + flows - 1) / flows))
pools=$(((b4s + 749) / 750)) # as aftr-pktgen counts them: 750 B4s an address
here=$(dirname "$(readlink -f "$0")")
tmp=$(mktemp -d)
name="cb$$"
ns=$name
port=$((20000 + ($$ + 7) % 20000))
url="http://127.0.0.1:$port"
pids=()
pg_pid=
cleanup() {
	[ -n "$pg_pid" ] && kill -INT "$pg_pid" 2>/dev/null
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -f /dev/shm/"$name"-*
	ip netns del "${ns}pg" 2>/dev/null
	ip netns del "${ns}dut" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$here/netns.sh"
topology && stack_off dut dut-tr dut-wan || exit 1

/usr/bin/python3 - "$n" "$tmp" "$port" "$sessions" "$b4s" "$pools" <<'PY'
import os, sys
n, d, port, sessions, b4s, pools = int(sys.argv[1]), sys.argv[2], *map(int, sys.argv[3:])
# Softwire i: B4 2001:db8:1XX:YYYY::1 (aftr-pktgen's DS-Lite B4s are in
# 2001:db8:1::/48, control_bench.py's new softwires in 2001:db8:8000::/33),
# address i // 63, PSID i % 63 (length 6, offset 6): PSID 63 of every
# address stays free for the changes control_bench.py makes.
def sw(i):
    a = i // 63
    return ("2001:db8:%x:%x::1" % (0x100 + (i >> 16), i & 0xffff),
            "10.%d.%d.%d" % (100 + (a >> 16 & 63), a >> 8 & 255, a & 255), i % 63)
pool = "".join("  - address: 198.51.%d.%d\n" % (100 + (i + 1) // 256, (i + 1) % 256)
               for i in range(pools))
with open(d + "/aftr.yaml", "w") as f:
    f.write("endpoint: 2001:db8::1\nicmp_source: 192.0.0.1\nacl6: [2001:db8::/32]\n"
            "pools:\n" + pool +
            "pool_defaults: {tcp: 2048-65535, udp: 2048-65535, echo: 2048-65535}\n"
            "private: [192.168.0.0/16]\n"
            "tunnel_defaults: {nat_maxcount: {tcp: 200, udp: 200, icmp: 200}}\n"
            "nat: {port_block: {tcp: 64, udp: 64, icmp: 64}, sessions_per_worker: %d, "
            "subscribers_per_worker: %d}\n" % (max(sessions * 9 // 8, 65536),
                                               max(b4s * 9 // 8, 16384)))
    f.write("api: {listen: 127.0.0.1, port: %d}\n" % port)
    f.write("interfaces:\n"
            "  transport: {device: \"net_af_packet0,iface=dut-tr,framecnt=4096\", mtu: 1540, "
            "address: \"2001:db8:ffff::1/64\", gateway: \"2001:db8:ffff::fe\", "
            "gateway_mac: \"02:00:00:00:00:fe\"}\n"
            "  wan: {device: \"net_af_packet1,iface=dut-wan,framecnt=4096\", mtu: 1500, "
            "address: 192.0.2.1/24, gateway: 192.0.2.254, gateway_mac: \"02:00:00:00:01:fe\"}\n")
os.mkdir(d + "/state")
with open(d + "/state/state.json", "w") as f:
    f.write('{"version": 2, "generation": 1, "softwires": [')
    for i in range(n):
        b4, a, psid = sw(i)
        f.write('%s{"b4": "%s", "ipv4": "%s", "psid": %d, "psid_len": 6, "offset": 6}'
                % ("," if i else "", b4, a, psid))
    f.write("]}\n")
PY

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# Not through dut(): a background function would be a subshell, and the
# signals that stop the dataplane would stop at it.
start_dp() {
	ip netns exec "${ns}dut" "$build/dataplane/aftr-dataplane" --no-huge -m $((1024 + sessions / 500)) \
		-l 0,1 --no-pci --no-telemetry \
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
# The sessions: every flow answered once (aftr-pktgen says so), then sent
# through round after round until the end.
ip netns exec "${ns}pg" nice -n 10 "$build/bench/aftr-pktgen" --no-huge -m 512 -l 0 --no-pci \
	--no-telemetry --file-prefix "${ns}pg" --log-level='*:error' \
	--vdev net_af_packet0,iface=pg-tr,framecnt=4096 --vdev net_af_packet1,iface=pg-wan,framecnt=4096 \
	-- --mode napt --b4s "$b4s" --flows "$flows" --size 100 --seconds 86400 --rate "$pg_rate" \
	--phases both --json "$tmp/pg.json" >"$tmp/pg.txt" 2>"$tmp/pg.err" &
pg_pid=$!
t0=$(date +%s%N)
until grep -q "flows answered" "$tmp/pg.err"; do
	kill -0 "$pg_pid" 2>/dev/null || { cat "$tmp/pg.err"; exit 1; }
	sleep 0.2
done
prime_ms=$(ms_since "$t0")
sleep 1.2 # the stats file is rewritten once a second
live() { echo $(($(c session_created) - $(c session_expired))); }
s1=$(live)
o1=$(c nat_out)
i1=$(c nat_in)
t1=$(date +%s%N)
/usr/bin/python3 "$here/control_bench.py" "$url" "$n" "$single" "$rate" "$secs" \
	>"$tmp/bench.json" || { tail -n 5 "$tmp/control.log" "$tmp/dp.log"; exit 1; }
wall=$(ms_since "$t1")
o2=$(c nat_out)
i2=$(c nat_in)
s2=$(live)
kill -INT "$pg_pid"
wait "$pg_pid"
pg_pid=
sleep 1.2 # the dataplane sums up its quiet deltas once a second
in_place=$(awk '/deltas changed in place/ { n += $5 } /\): in use, changed in place/ { n++ } END { print n + 0 }' "$tmp/dp.log")
new_set=$(grep -c "): in use, a new set" "$tmp/dp.log")
full=$(grep -c "dataplane programmed.*the whole tables" "$tmp/control.log")
rss_dp=$(awk '/VmRSS/ {print $2}' "/proc/$dp_pid/status")
rss_ctl=$(awk '/VmRSS/ {print $2}' "/proc/$ctl_pid/status")

mkdir -p "$here/results"
result="$here/results/control_scale-$(date -u +%Y%m%dT%H%M%SZ).json"
/usr/bin/python3 - "$tmp/bench.json" "$result" "$start_ms" "$wall" "$o1" "$o2" "$i1" "$i2" \
	"$in_place" "$new_set" "$full" "$rss_dp" "$rss_ctl" "$first_ms" "$dp_ms" "$boot_ms" \
	"$s1" "$s2" "$prime_ms" "$tmp/pg.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
(start, wall, o1, o2, i1, i2, inp, new, full, rdp, rctl, first, dpms,
 boot, s1, s2, prime) = (int(a) for a in sys.argv[3:20])
pg = json.load(open(sys.argv[20]))["phases"][0]
j.update({"start_ms": {"first_from_json": first, "restart_from_snapshot": start,
                       "new_dataplane": dpms, "both_at_once": boot},
    "sessions": {"before": s1, "after": s2, "made_in_ms": prime},
    "forwarding_mpps": {"out": round((o2 - o1) / wall / 1e3, 3),
                        "in": round((i2 - i1) / wall / 1e3, 3)},
    "generator": {k: pg[k] for k in ("mpps", "sent", "lost", "wrong", "latency_p50_us",
                                      "latency_p99_us")},
    "deltas_in_place": inp, "deltas_new_set": new, "full_pushes": full,
    "rss_kb": {"dataplane": rdp, "control": rctl}})
json.dump(j, open(sys.argv[2], "w"), indent=1)
s, b, m = j["single"], j["bulk"], j["mixed"]
print("softwires %d, each start until the dataplane runs them: aftr-control from a JSON "
      "state file %.2f s, restarted from its snapshot %.2f s; a new dataplane %.2f s; "
      "both at once %.2f s" % (j["softwires"], first / 1e3, start / 1e3, dpms / 1e3, boot / 1e3))
print("  NAPT sessions %d (made in %.1f s), %d at the end; forwarding meanwhile %.3f/%.3f "
      "Mpps out/in; the generator lost %d of %d, p99 %.0f us" % (s1, prime / 1e3, s2,
      j["forwarding_mpps"]["out"], j["forwarding_mpps"]["in"], pg["lost"], pg["sent"],
      pg["latency_p99_us"]))
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
