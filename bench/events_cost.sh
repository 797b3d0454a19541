#!/bin/bash
# What NAT event records cost the worker per new session: aftr-bench's
# set-up phase (cycles per new session, each B4's first with its
# subscriber and port block) with logging.nat_events off, blocks and
# sessions, alternated three times; the records are taken off the event
# rings untimed, as aftr-control would (its cost is its own process's).
# Two shapes: 1,024 B4s with 8 sessions each (a block and a subscriber
# record per 8 sessions with blocks) and 8,192 B4s with one each (two
# records per session, the worst case for block logging).
# Usage: bench/events_cost.sh AFTR_BENCH
set -u
bench=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { # events, b4s, flows: cycles per new session
	"$bench" --no-huge -m 1024 -l 0 --no-pci --no-telemetry --no-shconf \
		--file-prefix "evc$$" --log-level='*:error' -- --b4s "$2" --flows "$3" \
		--packets 20000 --size 100 --phases up --events "$1" --json "$tmp/r.json" \
		>/dev/null 2>"$tmp/r.err" || { echo "aftr-bench failed" >&2; tail -3 "$tmp/r.err" >&2; exit 1; }
	/usr/bin/python3 -c "
import json
p = [x for x in json.load(open('$tmp/r.json'))['phases'] if x['phase'] == 'setup'][0]
print('%.0f' % p['cycles_per_packet'])"
}
for shape in "1024 8" "8192 1"; do
	# shellcheck disable=SC2086 # two words
	set -- $shape
	declare -A c=()
	for _ in 1 2 3; do
		for ev in off blocks sessions; do
			c[$ev]="${c[$ev]:-} $(run "$ev" "$1" "$2")"
		done
	done
	/usr/bin/python3 - "$1" "$2" "${c[off]}" "${c[blocks]}" "${c[sessions]}" <<'PY'
import statistics, sys
b4s, flows = sys.argv[1], sys.argv[2]
med = {k: statistics.median(map(int, v.split())) for k, v in zip(("off", "blocks", "sessions"), sys.argv[3:])}
print(f"{b4s} B4s x {flows} sessions: cycles per new session, median of 3: off {med['off']:.0f}, "
      f"blocks {med['blocks']:.0f} (+{med['blocks'] - med['off']:.0f}), "
      f"sessions {med['sessions']:.0f} (+{med['sessions'] - med['off']:.0f})")
PY
done
