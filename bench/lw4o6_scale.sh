#!/bin/bash
# lw4o6 at scale (issue 6): the same traffic through aftr-dataplane with N
# softwires configured, for each N given (default 1000 and 1000000):
# load time (start to "running"), resident memory, and forwarding rate in
# both directions on one worker. Ports: net_pcap with infinite_rx (the
# generator, no NIC and no kernel in the way) into net_null. The traffic:
# 100-byte UDP frames from 1024 softwires spread evenly over the N, and
# the replies to them.
# Usage: bench/lw4o6_scale.sh AFTR_DATAPLANE [SECONDS [N...]]
set -u
dataplane=$(readlink -f "$1")
secs=${2:-5}
shift 2 2>/dev/null || shift $#
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 1000000)
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"' EXIT

for n in "${sizes[@]}"; do
	/usr/bin/python3 - "$n" "$tmp" <<'PY'
import sys
from scapy.all import Ether, IPv6, IP, UDP, Raw, wrpcap
n, d = int(sys.argv[1]), sys.argv[2]
# PSID length 6, offset 6: 64 softwires per address, ports A<<10 | PSID<<4 | M.
def sw(i):
    addr = "10.%d.%d.%d" % (100 + (i >> 22 & 63), i >> 14 & 255, (i >> 6) & 255)
    return "2001:db8:%x:%x::1" % (i >> 16, i & 0xffff), addr, i & 63
with open(d + "/aftr.yaml", "w") as f:
    f.write("endpoint: 2001:db8::1\nicmp_source: 192.0.0.1\nacl6: [2001:db8::/32]\n"
            "pools: []\nprivate: [192.168.0.0/16]\nsoftwires:\n")
    for i in range(n):
        b4, a, psid = sw(i)
        f.write('  - {b4: "%s", ipv4: %s, psid: %d, psid_len: 6, offset: 6}\n' % (b4, a, psid))
    f.write("interfaces:\n"
            "  transport: {device: \"net_pcap0,rx_pcap=%s/tr.pcap,infinite_rx=1,tx_pcap=/dev/null\", "
            "address: \"2001:db8:ffff::1/64\", gateway: \"2001:db8:ffff::fe\", "
            "gateway_mac: \"02:00:00:00:00:fe\"}\n" % d)
    f.write("  wan: {device: \"net_pcap1,rx_pcap=%s/wan.pcap,infinite_rx=1,tx_pcap=/dev/null\", "
            "address: 192.0.2.1/24, gateway: 192.0.2.254, gateway_mac: \"02:00:00:00:01:fe\"}\n" % d)
out, back = [], []
for k in range(1024):
    i = k * n // 1024
    b4, a, psid = sw(i)
    port = 1 << 10 | psid << 4 | (k & 15)
    inner = IP(src=a, dst="203.0.113.7", ttl=64) / UDP(sport=port, dport=53) / Raw(b"x" * 18)
    out.append(Ether(src="02:00:00:00:00:fe", dst="02:70:63:61:70:00")
               / IPv6(src=b4, dst="2001:db8::1") / inner)
    back.append(Ether(src="02:00:00:00:01:fe", dst="02:70:63:61:70:01")
                / IP(src="203.0.113.7", dst=a, ttl=60) / UDP(sport=53, dport=port) / Raw(b"y" * 58))
wrpcap(d + "/tr.pcap", out)
wrpcap(d + "/wan.pcap", back)
PY
	t0=$(date +%s%N)
	"$dataplane" --no-huge -m 1024 -l 0,1 --no-pci --no-telemetry --file-prefix "lwb$$" \
		--log-level='*:error' -- -c "$tmp/aftr.yaml" --shm "lwb$$" \
		--stats-file "$tmp/stats" >"$tmp/dp.log" 2>&1 &
	pid=$!
	until grep -q "running with" "$tmp/dp.log" 2>/dev/null; do
		kill -0 $pid 2>/dev/null || { cat "$tmp/dp.log"; exit 1; }
		sleep 0.05
	done
	load=$((($(date +%s%N) - t0) / 1000000))
	rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
	sleep 1
	c() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/stats"; }
	o1=$(c stateless_out); i1=$(c stateless_in)
	sleep "$secs"
	o2=$(c stateless_out); i2=$(c stateless_in)
	kill -INT $pid
	wait $pid
	drops=$(grep -E '^drop_' "$tmp/dp.log" | awk '$2 > 0' | tr '\n' ' ')
	echo "softwires=$n load_ms=$load rss_kb=$rss" \
		"out_mpps=$(awk -v a="$o1" -v b="$o2" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) / s / 1e6 }')" \
		"in_mpps=$(awk -v a="$i1" -v b="$i2" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) / s / 1e6 }')" \
		"drops: ${drops:-none}"
done
