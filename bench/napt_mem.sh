#!/bin/bash
# NAPT established flows, in memory (aftr-bench): the worker's cycles per
# packet and the packets per second one core forwards at that cost, per
# direction and both at once, for frame sizes 54 (the smallest: 94 bytes
# as 4in6), 60 (64 with the FCS), 550, 1514 and IMIX, and for 2K, 8K and
# 64K sessions; TCP and ICMP echo flows at 100 bytes. Every run also times
# session set-up and expiry. Writes bench/results/napt_mem-DATE.json.
# Usage: bench/napt_mem.sh AFTR_BENCH [PACKETS]
set -eu
packets=${2:-2000000}
. "$(dirname "$0")/lib.sh"
bench_init napt_mem "$1"

for size in 54 60 550 1514 imix; do
	bench_run "size_$size" 1024 --b4s 1024 --flows 8 --size "$size" --packets "$packets"
done
for b4s in 256 1024 8192; do
	bench_run "sessions_$((b4s * 8))" 1024 --b4s "$b4s" --flows 8 --size 100 \
		--packets "$packets"
done
for proto in tcp icmp; do
	bench_run "proto_$proto" 1024 --b4s 1024 --flows 8 --size 100 --proto "$proto" \
		--packets "$packets"
done
bench_write
