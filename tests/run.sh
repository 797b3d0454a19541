#!/bin/sh
# The project's test command (see README.md): run as root on Debian 12.
# Installs what is missing, builds into build/ and runs every test, then
# builds build-san/ with AddressSanitizer and UBSan and runs them again,
# then build-fuzz/ (clang) for a short run of each fuzz target (tests/fuzz/).
# Ends with one line "N passed, N failed" over every run.
set -u
cd "$(dirname "$0")/.." || exit 1

deploy/install-deps.sh || exit 1

total_ok=0
total_fail=0

# run_suite DIR [meson setup options...]: every test, or with $SUITE set
# only that suite's (and only what it needs built: $TARGETS).
run_suite() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		setup_log="${TMPDIR:-/tmp}/aftr-$dir-setup.log"
		echo "meson setup $dir $* (its log: $setup_log)"
		meson setup "$dir" "$@" >"$setup_log" 2>&1 || {
			cat "$setup_log"
			return 1
		}
	fi
	# shellcheck disable=SC2086 # the targets are words
	ninja -C "$dir" ${TARGETS:-} || return 1
	log="$dir/meson-logs/summary.txt"
	# Each test's line as it ends (tee), the failures' logs at the end.
	{
		meson test -C "$dir" --print-errorlogs --num-processes 2 \
			${SUITE:+--no-rebuild --suite "$SUITE"} 2>&1
		echo $? >"$log.rc"
	} | tee "$log"
	status=$(cat "$log.rc")
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log")
	fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log")
	total_ok=$((total_ok + ${ok:-0}))
	total_fail=$((total_fail + ${fail:-0}))
	return "$status"
}

rc=0
echo "== build/ (release checks)"
run_suite build || rc=1
# The README's main command, and its DHCPv6 variant (B4s that find the AFTR by
# DHCPv6 and DNS).
for args in --check "--check --dhcp"; do
	echo "== deploy/demo.sh $args"
	# shellcheck disable=SC2086 # the words of args are the demo's arguments
	if deploy/demo.sh $args >"${TMPDIR:-/tmp}/aftr-demo-check.log" 2>&1; then
		tail -1 "${TMPDIR:-/tmp}/aftr-demo-check.log"
		total_ok=$((total_ok + 1))
	else
		cat "${TMPDIR:-/tmp}/aftr-demo-check.log"
		total_fail=$((total_fail + 1))
		rc=1
	fi
done
echo "== build-san/ (AddressSanitizer, UndefinedBehaviorSanitizer)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run_suite build-san -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false || rc=1
echo "== build-fuzz/ (libFuzzer targets, clang, a minute in all: tests/fuzz/)"
CC=clang SUITE=fuzz TARGETS="tests/fuzz/fuzz_yaml tests/fuzz/fuzz_isc tests/fuzz/fuzz_api \
tests/fuzz/fuzz_ctl_msg tests/fuzz/fuzz_pcp tests/fuzz/fuzz_packet" run_suite build-fuzz \
	-Dc_args=-fsanitize=fuzzer-no-link \
	-Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false || rc=1
[ $rc -eq 0 ] || [ $total_fail -gt 0 ] || total_fail=1
echo "tests: $total_ok passed, $total_fail failed"
exit $rc
