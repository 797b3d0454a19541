#!/bin/bash
# A longer fuzzing campaign than tests/run.sh's minute: builds build-fuzz/
# (clang, ASan, UBSan; see tests/fuzz/meson.build) if needed, then runs
# each target (or those named) for SECONDS with JOBS parallel jobs, its
# corpus kept in CORPUS/TARGET (default /var/tmp/aftr-fuzz) to grow from
# one campaign to the next. Crashes land in CORPUS/TARGET-crashes: fix
# them, then copy each input into tests/fuzz/regress/TARGET/.
# Usage: campaign.sh [-s SECONDS] [-j JOBS] [-c CORPUS] [TARGET...]
set -u
secs=600
jobs=2
corpus=/var/tmp/aftr-fuzz
while getopts "s:j:c:" o; do
	case $o in
	s) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	c) corpus=$OPTARG ;;
	*) sed -n '2,9p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(yaml isc api ctl_msg pcp packet)
build=$root/build-fuzz
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dc_args=-fsanitize=fuzzer-no-link \
		-Db_sanitize=address,undefined \
		-Db_lundef=false -Db_lto=false >/dev/null || exit 1
fi
rc=0
for t in "${targets[@]}"; do
	ninja -C "$build" "tests/fuzz/fuzz_$t" >/dev/null || exit 1
	mkdir -p "$corpus/$t" "$corpus/$t-crashes" "$corpus/$t-seeds"
	/usr/bin/python3 "$here/seeds.py" "$t" "$corpus/$t-seeds" || exit 1
	echo "== fuzz_$t: $secs s, $jobs jobs, corpus $corpus/$t"
	# Each job stops at the campaign's end; a crash stops its job only.
	# libFuzzer writes its jobs' logs (fuzz-N.log) where it runs.
	cd "$corpus" || exit 1
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		"$build/tests/fuzz/fuzz_$t" -rss_limit_mb=4096 -timeout=20 \
		-max_total_time="$secs" -jobs="$jobs" -workers="$jobs" \
		-artifact_prefix="$corpus/$t-crashes/" "$corpus/$t" "$corpus/$t-seeds" \
		>"$corpus/$t.log" 2>&1
	# What its jobs that stopped on a crash left (named by their pids).
	for f in /dev/shm/fuzz_api.* /dev/shm/fuzzpkt*-stats; do
		[ -e "$f" ] || continue
		p=${f##*[.t]}
		[ -d "/proc/${p%-stats}" ] || rm -rf "$f"
	done
	n=$(find "$corpus/$t-crashes" -type f | wc -l)
	echo "fuzz_$t: corpus $(find "$corpus/$t" -type f | wc -l) inputs, $n crash inputs"
	[ "$n" = 0 ] || rc=1
done
exit $rc
