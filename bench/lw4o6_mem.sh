#!/bin/bash
# The stateless modes in memory (aftr-bench): lw4o6 (RFC 7596) with 1K and
# 1M softwires (one flow each, so the lookups spread over the whole
# table), and ISC's prr and nonat (1024 B4s x 8 flows), at 54 bytes (94 as
# 4in6, the smallest frame, like Snabb lwAFTR's 94-byte pcaps), 550 bytes
# (its other published size) and IMIX: the worker's cycles per packet per
# direction. Writes bench/results/lw4o6_mem-DATE.json.
# Usage: bench/lw4o6_mem.sh AFTR_BENCH [PACKETS]
set -eu
packets=${2:-2000000}
. "$(dirname "$0")/lib.sh"
bench_init lw4o6_mem "$1"

for size in 54 550 imix; do
	for b4s in 1024 1048576; do
		bench_run "sw${b4s}_$size" 2048 --mode lw4o6 --b4s "$b4s" --flows 1 --size "$size" \
			--packets "$packets"
	done
	for mode in prr nonat; do
		bench_run "${mode}_$size" 1024 --mode "$mode" --b4s 1024 --flows 8 --size "$size" \
			--packets "$packets"
	done
done
bench_write
