#!/bin/bash
# lw4o6 (RFC 7596) in memory (aftr-bench --mode lw4o6): the worker's cycles
# per packet per direction with 1K and 1M softwires (one flow each, so the
# lookups spread over the whole table), at 54 bytes (94 as 4in6, the
# smallest frame, like Snabb lwAFTR's 94-byte pcaps) and 550 bytes (its
# other published size), and IMIX. Writes bench/results/lw4o6_mem-DATE.json.
# Usage: bench/lw4o6_mem.sh AFTR_BENCH [PACKETS]
set -eu
bench=$(readlink -f "$1")
packets=${2:-2000000}
here=$(cd "$(dirname "$0")" && pwd)
out="$here/results/lw4o6_mem-$(date -u +%Y%m%dT%H%M%SZ).json"
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$here/results"

run() { # name, aftr-bench arguments...
	local name=$1
	shift
	"$bench" --no-huge -m 2048 -l 0 --no-pci --no-telemetry --no-shconf \
		--file-prefix "lw$$" --log-level='*:error' -- --mode lw4o6 "$@" \
		--packets "$packets" --commit "$commit" --json "$tmp/$name.json" \
		>"$tmp/$name.txt" 2>"$tmp/$name.err" || {
		echo "$name: aftr-bench failed" >&2
		tail -5 "$tmp/$name.err" >&2
		return 1
	}
	echo "== $name ($*)"
	cat "$tmp/$name.txt"
}

for b4s in 1024 1048576; do
	for size in 54 550 imix; do
		run "sw${b4s}_$size" --b4s "$b4s" --flows 1 --size "$size"
	done
done
/usr/bin/python3 - "$tmp" "$out" <<'PY'
import glob, json, os, sys
runs = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    runs[os.path.basename(f)[:-5]] = json.load(open(f))
json.dump({"scenario": "lw4o6_mem", "runs": runs}, open(sys.argv[2], "w"), indent=2)
print("wrote", sys.argv[2])
PY
