#!/bin/bash
# Runs one libFuzzer target: first over its kept crash inputs (regress/NAME:
# each must now pass), then for SECONDS from its seed corpus (seeds.py).
# A crash is kept in a temporary folder named in the output: copy it into
# regress/NAME once fixed. Usage: run.sh FUZZ_EXE NAME SECONDS [FUZZER OPTIONS]
set -u
exe=$1
name=$2
secs=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
opts=(-rss_limit_mb=4096 -timeout=20 -print_final_stats=1)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# The target with these arguments; what one that stopped on a crash could
# not remove itself goes after it (named by its pid).
fuzz() {
	local pid rc
	"$exe" "${opts[@]}" "$@" &
	pid=$!
	wait $pid
	rc=$?
	rm -rf "/dev/shm/fuzz_api.$pid" "/dev/shm/fuzzpkt$pid-stats"
	return $rc
}

if [ -d "$here/regress/$name" ] && [ -n "$(ls -A "$here/regress/$name")" ]; then
	fuzz "$here"/regress/"$name"/* || exit 1
	echo "fuzz_$name: $(find "$here/regress/$name" -type f | wc -l) kept inputs pass"
fi
/usr/bin/python3 "$here/seeds.py" "$name" "$tmp/seeds" || exit 1
mkdir -p "$tmp/corpus" "$tmp/crash"
fuzz -max_total_time="$secs" -artifact_prefix="$tmp/crash/" "$@" "$tmp/corpus" "$tmp/seeds"
rc=$?
if [ $rc != 0 ]; then
	keep=$(mktemp -d /tmp/fuzz_"$name".XXXXXX)
	cp "$tmp"/crash/* "$keep"/ 2>/dev/null
	echo "fuzz_$name: FAILED; the input is kept in $keep"
	exit 1 # never the sanitizers' own status: 77 would read as a skip
fi
exit 0
