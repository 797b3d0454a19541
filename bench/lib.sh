# shellcheck shell=bash
# What the in-memory scenario scripts share: a scratch directory, runs of
# aftr-bench whose JSON and tables are kept, and one results file of them
# all. Sourced with the scenario's name after the script's arguments are
# read: bench_init NAME AFTR_BENCH.

bench_init() { # scenario name, aftr-bench
	scenario=$1
	bench=$(readlink -f "$2")
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	out="$here/results/$scenario-$(date -u +%Y%m%dT%H%M%SZ).json"
	commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$here/results"
}

# One run: its name, the EAL memory in MB, aftr-bench's arguments. Prints
# its table; its JSON is kept for bench_write.
bench_run() {
	local name=$1 mem=$2
	shift 2
	"$bench" --no-huge -m "$mem" -l 0 --no-pci --no-telemetry --no-shconf \
		--file-prefix "bench$$" --log-level='*:error' -- "$@" --commit "$commit" \
		--json "$tmp/$name.json" >"$tmp/$name.txt" 2>"$tmp/$name.err" || {
		echo "$name: aftr-bench failed" >&2
		grep -v '^[a-z0-9_]* [0-9]*$' "$tmp/$name.err" | tail -5 >&2
		return 1
	}
	echo "== $name ($*)"
	cat "$tmp/$name.txt"
}

# A field added to a run's JSON: name, key, integer value.
bench_set() {
	/usr/bin/python3 - "$tmp/$1.json" "$2" "$3" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j[sys.argv[2]] = int(sys.argv[3])
json.dump(j, open(sys.argv[1], "w"), indent=2)
PY
}

# All runs into bench/results/SCENARIO-DATE.json.
bench_write() {
	/usr/bin/python3 - "$tmp" "$out" "$scenario" <<'PY'
import glob, json, os, sys
runs = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    runs[os.path.basename(f)[:-5]] = json.load(open(f))
json.dump({"scenario": sys.argv[3], "runs": runs}, open(sys.argv[2], "w"), indent=2)
print("wrote", sys.argv[2])
PY
}
