#!/bin/bash
# NAPT table scale, in memory (aftr-bench): 1K, 100K, 1M and 10M sessions on
# one worker (nat.sessions_per_worker sized to fit), 100-byte frames: the
# cost of making them (setup), of forwarding over them (up, down, both),
# and of expiring them all (expire: the sweep, cycles per session ended),
# with the bytes per session the NAT tables took from the DPDK heap (the
# dataplane's start-up log). Writes bench/results/napt_scale-DATE.json.
# Usage: bench/napt_scale.sh AFTR_BENCH [PACKETS [SESSIONS...]]
set -eu
bench=$(readlink -f "$1")
packets=${2:-2000000}
shift 2 2>/dev/null || shift $#
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 100000 1000000 10000000)
here=$(cd "$(dirname "$0")" && pwd)
out="$here/results/napt_scale-$(date -u +%Y%m%dT%H%M%SZ).json"
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$here/results"

for n in "${sizes[@]}"; do
	# 250 flows a B4 (under its 255 new sessions a second), 8 for the
	# smallest table.
	flows=$((n >= 100000 ? 250 : 8))
	b4s=$(((n + flows - 1) / flows))
	slots=$((n > 1024 ? n : 1024))
	mem=$((n * 600 / 1000000 + 1024))
	name="sessions_$n"
	"$bench" --no-huge -m "$mem" -l 0 --no-pci --no-telemetry --no-shconf \
		--file-prefix "nscale$$" --log-level='*:error' -- --b4s "$b4s" --flows "$flows" \
		--size 100 --packets "$packets" --commit "$commit" --json "$tmp/$name.json" \
		--nat "sessions_per_worker: $slots, subscribers_per_worker: $((b4s > 16 ? b4s : 16))" \
		>"$tmp/$name.txt" 2>"$tmp/$name.err" || {
		echo "$name: aftr-bench failed" >&2
		grep -v '^[a-z0-9_]* [0-9]*$' "$tmp/$name.err" | tail -5 >&2
		exit 1
	}
	per=$(sed -n 's/.*(\([0-9]*\) per session).*/\1/p' "$tmp/$name.err")
	echo "== $name ($b4s B4s x $flows flows; $per bytes per session)"
	cat "$tmp/$name.txt"
	/usr/bin/python3 - "$tmp/$name.json" "$per" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["bytes_per_session"] = int(sys.argv[2])
json.dump(j, open(sys.argv[1], "w"), indent=2)
PY
done
/usr/bin/python3 - "$tmp" "$out" <<'PY'
import glob, json, os, sys
runs = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    runs[os.path.basename(f)[:-5]] = json.load(open(f))
json.dump({"scenario": "napt_scale", "runs": runs}, open(sys.argv[2], "w"), indent=2)
print("wrote", sys.argv[2])
PY
