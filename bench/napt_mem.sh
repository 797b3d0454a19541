#!/bin/bash
# NAPT established flows, in memory (aftr-bench): the worker's cycles per
# packet and the packets per second one core forwards at that cost, per
# direction and both at once, for frame sizes 54 (the smallest: 94 bytes
# as 4in6), 60 (64 with the FCS), 550, 1514 and IMIX, and for 2K, 8K and
# 64K sessions. Writes bench/results/napt_mem-DATE.json and prints a table.
# Usage: bench/napt_mem.sh AFTR_BENCH [PACKETS]
set -eu
bench=$(readlink -f "$1")
packets=${2:-2000000}
here=$(cd "$(dirname "$0")" && pwd)
out="$here/results/napt_mem-$(date -u +%Y%m%dT%H%M%SZ).json"
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$here/results"

run() { # name, aftr-bench arguments...
	local name=$1
	shift
	"$bench" --no-huge -m 1024 -l 0 --no-pci --no-telemetry --no-shconf \
		--file-prefix "napt$$" --log-level='*:error' -- "$@" --packets "$packets" \
		--commit "$commit" --json "$tmp/$name.json" >"$tmp/$name.txt" 2>"$tmp/$name.err" || {
		echo "$name: aftr-bench failed" >&2
		tail -5 "$tmp/$name.err" >&2
		return 1
	}
	echo "== $name ($*)"
	cat "$tmp/$name.txt"
}

for size in 54 60 550 1514 imix; do
	run "size_$size" --b4s 1024 --flows 8 --size "$size"
done
for b4s in 256 1024 8192; do
	run "sessions_$((b4s * 8))" --b4s "$b4s" --flows 8 --size 100
done
/usr/bin/python3 - "$tmp" "$out" <<'PY'
import glob, json, os, sys
runs = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    runs[os.path.basename(f)[:-5]] = json.load(open(f))
json.dump({"scenario": "napt_mem", "runs": runs}, open(sys.argv[2], "w"), indent=2)
print("wrote", sys.argv[2])
PY
