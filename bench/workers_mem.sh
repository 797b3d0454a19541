#!/bin/bash
# Worker scaling in memory (aftr-bench --workers): NAPT and lw4o6 with one
# and with two workers, 100-byte frames, frames spread over the workers'
# queues as RSS would (every queue fed a burst a round): a B4's to the
# worker that owns it, about half of the Internet's to the worker that
# does not own their port block, handed over a ring. Both workers run in
# one thread, one round each in turn (this box has two cores: one for the
# generator): cycles per packet are summed over them, so the difference
# from one worker is the hand-off's cost.
# Writes bench/results/workers_mem-DATE.json.
# Usage: bench/workers_mem.sh AFTR_BENCH [PACKETS]
set -eu
packets=${2:-2000000}
. "$(dirname "$0")/lib.sh"
bench_init workers_mem "$1"

for mode in napt lw4o6; do
	for w in 1 2; do
		bench_run "${mode}_w$w" 1024 --mode "$mode" --workers "$w" --b4s 1024 --flows 8 \
			--size 100 --packets "$packets"
	done
done
bench_write
