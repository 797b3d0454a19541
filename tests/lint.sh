#!/bin/bash
# The lint gates (README.md, Tests), one a call; meson runs each as a test of
# the suite 'lint'. The files are found by name, wherever they move:
#   tests/lint.sh format          clang-format 14 (.clang-format) on every C
#                                 file: fails if any would change
#   tests/lint.sh shellcheck      shellcheck (.shellcheckrc) on every shell
#                                 script: *.sh and extension-less files with
#                                 a sh or bash #! line
#   tests/lint.sh tidy [BUILD]    clang-tidy 14 (.clang-tidy) on every C
#                                 file of BUILD's compile_commands.json
#                                 (build/) but the unit tests' (tests/)
#   tests/lint.sh commits         no commit subject after $LINT_BASE longer
#                                 than 72 characters
#   tests/lint.sh all [BUILD]     the four in turn
# Exit 0 pass, 1 fail, 77 skip (commits: not a git checkout, or no base).
set -u
root=$(cd "$(dirname "$0")/.." && pwd) || exit 1
cd "$root" || exit 1
# The commit this branch of the history started from: subjects before it
# were written before the rule.
LINT_BASE=${LINT_BASE:-3921b75}

in_git() {
	command -v git >/dev/null && [ -e .git ] &&
		git rev-parse --is-inside-work-tree >/dev/null 2>&1
}

# The files of the checkout, NUL-separated: git's (tracked, or new and not
# ignored), or without git every file outside .git and build directories.
files() {
	if in_git; then
		git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				[ -f "$f" ] && printf '%s\0' "$f"
			done
	else
		find . \( -name .git -o -path './build*' \) -prune -o -type f -printf '%P\0'
	fi
}

need() { # command: fails the gate when it is missing
	command -v "$1" >/dev/null && return 0
	echo "lint: $1 is missing (deploy/install-deps.sh installs it)"
	return 1
}

gate_format() {
	local f bad=0 n=0
	need clang-format-14 || return 1
	while IFS= read -r -d '' f; do
		case "$f" in
		*.c | *.h) ;;
		*) continue ;;
		esac
		n=$((n + 1))
		clang-format-14 --style=file --dry-run -Werror "$f" || bad=$((bad + 1))
	done < <(files)
	if [ "$bad" -ne 0 ]; then
		echo "format: $bad of $n C files are not formatted: clang-format-14 -i FILE"
		return 1
	fi
	echo "format: $n C files formatted"
}

gate_shellcheck() {
	local f scripts=()
	need shellcheck || return 1
	while IFS= read -r -d '' f; do
		case "${f##*/}" in
		*.sh) ;;
		*.*) continue ;;
		*) head -n 1 "$f" | grep -Eq '^#!.*[/ ](ba|da)?sh([[:space:]]|$)' || continue ;;
		esac
		scripts+=("$f")
	done < <(files)
	shellcheck "${scripts[@]}" || return 1
	echo "shellcheck: ${#scripts[@]} scripts clean"
}

gate_tidy() {
	local build=${1:-build} args=() out rc
	need clang-tidy-14 && need run-clang-tidy-14 && need python3 || return 1
	if [ ! -f "$build/compile_commands.json" ]; then
		echo "tidy: no $build/compile_commands.json (meson setup $build first)"
		return 1
	fi
	# The translation units of the source tree (not the build's generated
	# ones), as run-clang-tidy's file patterns, and every include directory
	# outside both trees (DPDK's) turned into a system one (.clang-tidy).
	mapfile -t args < <(python3 - "$root" "$build" <<'PY'
import json, os, re, shlex, sys
root, build = (os.path.normpath(os.path.abspath(p)) for p in sys.argv[1:3])
inside = lambda p, d: p == d or p.startswith(d + os.sep)
dirs, units = [], []
for e in json.load(open(os.path.join(build, "compile_commands.json"))):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    # The product's code; the unit tests (a third of the lines, and the
    # slowest to analyse) are not: the gate stays a few minutes on 2 cores.
    if inside(f, root) and not inside(f, build) and not inside(f, os.path.join(root, "tests")):
        units.append(f)
    argv = e.get("arguments") or shlex.split(e["command"])
    for i, a in enumerate(argv):
        d = argv[i + 1] if a in ("-I", "-isystem") else a[2:] if a.startswith("-I") else None
        if d and os.path.isabs(d) and not inside(d, root) and not inside(d, build):
            dirs.append(os.path.normpath(d))
for d in sorted(set(dirs)):
    print("-extra-arg=-isystem" + d)
for f in sorted(set(units)):
    print("^" + re.escape(f) + "$")
PY
	)
	# run-clang-tidy prints each command and colours; keep the findings,
	# then one line each at the end (where a truncated log still shows).
	out=$(run-clang-tidy-14 -p "$build" -quiet -j "$(nproc)" "${args[@]}" 2>&1)
	rc=$?
	out=$(printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g' |
		grep -Ev '^(clang-tidy-14 .*|[0-9]+ (warning|error)s?( and [0-9]+ (warning|error)s?)? generated\.)$')
	printf '%s\n' "$out"
	if [ "$rc" -ne 0 ]; then
		echo "tidy: the findings (.clang-tidy says which checks and why):"
		printf '%s\n' "$out" | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error): ' |
			sed "s#^\(\.\./\)*##; s#^$root/\([^/]*/\.\./\)*##" | sort -u
		return 1
	fi
	echo "tidy: $(printf '%s\n' "${args[@]}" | grep -c '^\^') C files clean"
}

gate_commits() {
	local s long=0 n=0 LC_ALL=C.UTF-8 # ${#s}: characters, not bytes
	if ! in_git; then
		echo "SKIP: not a git checkout"
		return 77
	fi
	if ! git rev-parse -q --verify "$LINT_BASE^{commit}" >/dev/null; then
		echo "SKIP: $LINT_BASE is not in this history (a shallow clone?)"
		return 77
	fi
	while IFS= read -r s; do
		n=$((n + 1))
		if [ "${#s}" -gt 72 ]; then
			echo "longer than 72 (${#s}): $s"
			long=$((long + 1))
		fi
	done < <(git log --format=%s "$LINT_BASE..HEAD")
	[ "$long" -eq 0 ] || return 1
	echo "commits: $n subjects after $LINT_BASE, none over 72 characters"
}

case "${1:-}" in
format | shellcheck | commits) "gate_$1" ;;
tidy) gate_tidy "${2:-}" ;;
all)
	rc=0
	for g in format shellcheck tidy commits; do
		echo "== $g"
		if [ "$g" = tidy ]; then gate_tidy "${2:-}"; else "gate_$g"; fi
		s=$?
		[ "$s" -eq 0 ] || [ "$s" -eq 77 ] || rc=1
	done
	exit $rc
	;;
*)
	echo "usage: tests/lint.sh format|shellcheck|tidy [BUILD]|commits|all [BUILD]" >&2
	exit 2
	;;
esac
