#!/bin/sh
# Configuration files through aftrctl (run by meson test):
#  1. every YAML example in config/ checks;
#  2. every ISC example in config/isc/ imports to exactly its committed .yaml,
#     and the .conf and the .yaml give the same effective configuration;
#  3. every file in tests/config/bad/ and tests/config/seeds/ fails with exactly
#     the messages in its .err file (exit status 1).
# Usage: check_configs.sh AFTRCTL SOURCE_ROOT [--regenerate]
# --regenerate rewrites the committed .yaml and .err files from the current
# output; review the diff before committing it.
set -u
aftrctl=$1
root=$2
regen=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1
pass=0
fail=0

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

for f in config/*.yaml config/isc/*.yaml; do
	if "$aftrctl" config check "$f" >"$tmp/out" 2>&1; then ok; else ko "check $f"; cat "$tmp/out"; fi
done

for conf in config/isc/*.conf; do
	yaml=${conf%.conf}.yaml
	if ! "$aftrctl" config import "$conf" >"$tmp/imported.yaml" 2>"$tmp/err"; then
		ko "import $conf"; cat "$tmp/err"; continue
	fi
	[ "$regen" = --regenerate ] && cp "$tmp/imported.yaml" "$yaml"
	if diff -u "$yaml" "$tmp/imported.yaml"; then ok; else ko "import $conf differs from $yaml"; fi
	"$aftrctl" config show --json "$conf" >"$tmp/a.json" 2>&1
	"$aftrctl" config show --json "$yaml" >"$tmp/b.json" 2>&1
	if cmp -s "$tmp/a.json" "$tmp/b.json"; then ok; else ko "round trip $conf -> $yaml"; diff -u "$tmp/a.json" "$tmp/b.json"; fi
done

for f in tests/config/bad/*.yaml tests/config/bad/*.conf tests/config/seeds/*.conf; do
	[ -e "$f" ] || continue
	exp=${f%.*}.err
	"$aftrctl" config check "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$regen" = --regenerate ] && cp "$tmp/err" "$exp"
	if [ $rc -ne 1 ]; then ko "$f: exit status $rc, expected 1"; continue; fi
	if diff -u "$exp" "$tmp/err"; then ok; else ko "$f: messages differ from $exp"; fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
