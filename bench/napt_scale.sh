#!/bin/bash
# NAPT table scale, in memory (aftr-bench): 1K, 100K, 1M and 10M sessions on
# one worker (nat.sessions_per_worker sized to fit), 100-byte frames: the
# cost of making them (setup), of forwarding over them (up, down, both),
# and of expiring them all (expire: the sweep, cycles per session ended),
# with the bytes per session the NAT tables took from the DPDK heap (the
# dataplane's start-up log). Writes bench/results/napt_scale-DATE.json.
# Usage: bench/napt_scale.sh AFTR_BENCH [PACKETS [SESSIONS...]]
set -eu
packets=${2:-2000000}
. "$(dirname "$0")/lib.sh"
bench_init napt_scale "$1"
shift 2 2>/dev/null || shift $#
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 100000 1000000 10000000)

for n in "${sizes[@]}"; do
	# 250 flows a B4 (under its 255 new sessions a second), 8 for the
	# smallest table.
	flows=$((n >= 100000 ? 250 : 8))
	b4s=$(((n + flows - 1) / flows))
	bench_run "sessions_$n" $((n * 600 / 1000000 + 1024)) --b4s "$b4s" --flows "$flows" \
		--size 100 --packets "$packets" \
		--nat "sessions_per_worker: $((b4s * flows > 1024 ? b4s * flows : 1024)), subscribers_per_worker: $((b4s > 16 ? b4s : 16))"
	per=$(sed -n 's/.*(\([0-9]*\) per session).*/\1/p' "$tmp/sessions_$n.err")
	echo "   ($b4s B4s x $flows flows; $per bytes per session)"
	bench_set "sessions_$n" bytes_per_session "$per"
done
bench_write
