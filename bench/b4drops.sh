#!/bin/bash
# The cost of a drop, in memory (aftr-bench --refused): NAPT traffic of 1
# B4 (32 flows), 1,024 and 100,000 B4s (one flow each), then the same B4s' frames with a
# public inner source, which the AFTR drops (not_private) and counts per
# reason and per B4 (the workers' drop tables, dataplane/worker/b4drops.h):
# 1 B4 always finds its entry, 1,024 fill the table's slots, 100,000
# replace each other (the flood of many sources). Phase "up" is the
# forwarding of the same B4s, for comparison. Writes
# bench/results/b4drops-DATE.json. Usage: bench/b4drops.sh AFTR_BENCH [PACKETS]
set -eu
packets=${2:-2000000}
. "$(dirname "$0")/lib.sh"
bench_init b4drops "$1"

for n in 1 1024 100000; do
	bench_run "b4s_$n" $((n / 100 + 512)) --b4s "$n" --flows $((n == 1 ? 32 : 1)) --size 100 \
		--packets "$packets" --phases up --refused \
		--nat "sessions_per_worker: $((n > 1024 ? n : 1024)), subscribers_per_worker: $((n > 16 ? n : 16))"
done
bench_write
