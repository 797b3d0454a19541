#!/bin/bash
# aftr-bench in every mode and protocol, with one and two workers, briefly:
# it exits non-zero when a frame comes back wrong (translation, softwire,
# TTL, checksums), when a flow gets no session, or when the expiry sweep
# does not end them all. Runs under the sanitizer build too (bench/check,
# under valgrind, cannot).
# Usage: tests/bench/modes.sh AFTR_BENCH
set -u
bench=$1
fail=0
run() {
	local out
	if out=$("$bench" --no-huge -m 512 -l 0 --no-pci --no-telemetry --no-shconf \
		--file-prefix "modes$$" --log-level='*:error' -- --b4s 64 --flows 4 \
		--packets 2000 "$@" 2>&1); then
		echo "ok   $*"
	else
		echo "FAIL $*"
		echo "$out" | grep -v '^[a-z0-9_]* [0-9]*$' | tail -8
		fail=1
	fi
}
for mode in napt lw4o6 prr nonat; do
	for proto in udp tcp icmp; do
		run --mode "$mode" --proto "$proto"
	done
	run --mode "$mode" --workers 2 --size imix
done
# Past TABLES_AHEAD_MIN softwires (lib/tables/tables.h) the stateless
# lookups are started a burst ahead: that path too, both ways.
run --mode lw4o6 --b4s 2048 --flows 1
run --mode lw4o6 --b4s 2048 --flows 1 --workers 2 --size imix
run --size 54
run --size 1514 --nat "sessions_per_worker: 2048, subscribers_per_worker: 64"
exit $fail
