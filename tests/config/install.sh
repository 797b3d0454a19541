#!/bin/bash
# meson install into a scratch directory (DESTDIR), then what it put there
# checked by the tools that will read it: every file in place; the manual
# pages through groff without a warning; the systemd units through
# systemd-analyze verify (their programs and pages those of the scratch
# install); bash completion of aftrctl's verbs, objects and filters; the
# rsyslog rule through rsyslogd -N1 and the logrotate file through
# logrotate -d. A tool that is missing skips its part, said.
# Usage: install.sh BUILD_DIR
set -u
build=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
fail=0
ok() { echo "ok   $1"; }
ko() {
	echo "FAIL $1"
	fail=1
}

DESTDIR=$dest meson install -C "$build" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; exit 1; }
prefix=$(meson introspect "$build" --buildoptions |
	/usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
root=$dest$prefix
missing=0
for f in sbin/aftr-dataplane sbin/aftr-control sbin/aftr-b4 bin/aftrctl lib/systemd/system/aftr-dataplane.service \
	lib/systemd/system/aftr-control.service share/man/man8/aftr-dataplane.8 \
	share/man/man8/aftr-control.8 share/man/man8/aftr-b4.8 share/man/man1/aftrctl.1 \
	share/man/man5/aftr.yaml.5 \
	share/doc/aftr/reference.yaml share/bash-completion/completions/aftrctl \
	share/aftr/examples/aftr-dataplane.default share/aftr/examples/aftr-rsyslog.conf \
	share/aftr/examples/aftr-logrotate; do
	[ -f "$root/$f" ] || { echo "     missing: $prefix/$f"; missing=1; }
done
if [ $missing -eq 0 ]; then
	ok "meson install: programs, units, pages, completion, examples"
else
	ko "meson install left files out"
fi

if command -v groff >/dev/null; then
	warn=$(for m in "$root"/share/man/man*/*; do groff -man -ww -z "$m" 2>&1; done)
	if [ -z "$warn" ]; then
		ok "manual pages: groff has nothing to say"
	else
		ko "groff:"
		echo "$warn"
	fi
else
	echo "skip manual pages: no groff"
fi

if command -v systemd-analyze >/dev/null; then
	mkdir "$tmp/units"
	for u in "$root"/lib/systemd/system/*.service; do
		sed "s|$prefix/sbin/|$root/sbin/|; s|$prefix/bin/|$root/bin/|" "$u" >"$tmp/units/${u##*/}"
	done
	if MANPATH=$root/share/man systemd-analyze verify "$tmp"/units/*.service >"$tmp/verify" 2>&1 &&
		! grep -q . "$tmp/verify"; then
		ok "systemd units: systemd-analyze verify has nothing to say"
	else
		ko "systemd-analyze verify:"
		cat "$tmp/verify"
	fi
else
	echo "skip systemd units: no systemd-analyze"
fi

if [ -f /usr/share/bash-completion/bash_completion ]; then
	complete_words() { # the words so far, the last one being completed
		bash -c 'source /usr/share/bash-completion/bash_completion
			source "$1"; shift
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			_aftrctl aftrctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
			echo "${COMPREPLY[*]}"' _ "$root/share/bash-completion/completions/aftrctl" "$@" \
			2>/dev/null
	}
	if [ "$(complete_words aftrctl sh)" = show ] &&
		[ "$(complete_words aftrctl show "")" = "stat dropped rates pools pcp b4 b4s" ] &&
		[ "$(complete_words aftrctl bgp "")" = "drain undrain" ] &&
		[ "$(complete_words aftrctl limit 2001:db8::2 u)" = udp ] &&
		[ "$(complete_words aftrctl --api http://x list session ex)" = \
			"external_address= external_port=" ] &&
		[ "$(complete_words aftrctl config c)" = check ]; then
		ok "bash completion: verbs, objects, filters, after options"
	else
		ko "bash completion: sh -> '$(complete_words aftrctl sh)', show -> '$(complete_words aftrctl show "")'"
	fi
else
	echo "skip bash completion: no bash-completion package"
fi

if command -v rsyslogd >/dev/null; then
	printf "module(load=\"imuxsock\")\n\$IncludeConfig %s\n" \
		"$root/share/aftr/examples/aftr-rsyslog.conf" >"$tmp/rsyslog.conf"
	if rsyslogd -N1 -f "$tmp/rsyslog.conf" >"$tmp/rsyslog.out" 2>&1; then
		ok "the rsyslog rule: rsyslogd -N1 takes it"
	else
		ko "rsyslogd -N1:"
		cat "$tmp/rsyslog.out"
	fi
else
	echo "skip the rsyslog rule: no rsyslogd"
fi
if command -v logrotate >/dev/null; then
	if logrotate -d -s "$tmp/logrotate.state" "$root/share/aftr/examples/aftr-logrotate" \
		>"$tmp/logrotate.out" 2>&1 && ! grep -qi "error" "$tmp/logrotate.out"; then
		ok "the logrotate file: logrotate -d takes it"
	else
		ko "logrotate -d:"
		cat "$tmp/logrotate.out"
	fi
else
	echo "skip the logrotate file: no logrotate"
fi
exit $fail
