#!/bin/bash
# The Debian package, built from the tree (deploy/debian/build.sh),
# installed with apt (its dependencies from the archive), its files checked
# (programs, units, pages, the conffile) and its units verified where they
# now are; then the installed programs started: aftr-dataplane on two
# net_null ports and aftr-control beside it, until /health says every
# worker answers and the installed aftrctl gets a noop through; then
# stopped, and the package purged. (systemd does not run these VMs' init,
# so the units are verified, not started.) It refuses to touch a machine
# where a package named aftr is installed already.
# Usage: deb.sh   Exit 0 pass, 1 fail, 77 skip (not root, no debhelper, aftr installed).
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (it installs the package)"; exit 77; }
command -v dh >/dev/null || { echo "SKIP: debhelper is missing"; exit 77; }
if dpkg-query -W -f='${Status}' aftr 2>/dev/null | grep -q "install ok installed"; then
	echo "SKIP: a package named aftr is installed already; not touching it"
	exit 77
fi
tmp=$(mktemp -d)
name=aftrdeb$$
port=$((20000 + ($$ + 11) % 20000))
pids=()
installed=
# shellcheck disable=SC2317 # the EXIT trap runs it
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "$installed" ] && dpkg --purge aftr >/dev/null 2>&1
	rm -rf "$tmp" "/var/run/dpdk/$name" /dev/shm/"$name"-*
}
trap cleanup EXIT
fail=0
ok() { echo "ok   $1"; }
ko() {
	echo "FAIL $1"
	fail=1
}

if ! "$here/../../deploy/debian/build.sh" "$tmp/out" >"$tmp/build.out" 2>&1; then
	echo "FAIL the package does not build:"
	cat "$tmp/build.out"
	exit 1
fi
deb=$(ls "$tmp"/out/aftr_*.deb)
ok "dpkg-buildpackage: ${deb##*/}"
installed=1
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" \
	>"$tmp/apt.out" 2>&1; then
	ok "apt-get install: the package and its dependencies"
else
	ko "apt-get install:"
	tail -20 "$tmp/apt.out"
	exit 1
fi
missing=
for f in /usr/sbin/aftr-dataplane /usr/sbin/aftr-control /usr/bin/aftrctl \
	/usr/lib/systemd/system/aftr-dataplane.service /usr/lib/systemd/system/aftr-control.service \
	/usr/share/man/man8/aftr-dataplane.8.gz /usr/share/man/man5/aftr.yaml.5.gz \
	/usr/share/doc/aftr/reference.yaml /usr/share/bash-completion/completions/aftrctl \
	/etc/default/aftr-dataplane; do
	[ -e "$f" ] || missing="$missing $f"
done
if [ -z "$missing" ] && dpkg-query -W -f='${Conffiles}' aftr | grep -q /etc/default/aftr-dataplane; then
	ok "its files in place, /etc/default/aftr-dataplane a conffile"
else
	ko "files missing:$missing"
fi
if systemd-analyze verify /usr/lib/systemd/system/aftr-dataplane.service \
	/usr/lib/systemd/system/aftr-control.service >"$tmp/verify" 2>&1 && ! grep -q . "$tmp/verify"; then
	ok "systemd-analyze verify: the installed units, their programs and pages"
else
	ko "systemd-analyze verify:"
	cat "$tmp/verify"
fi

cat >"$tmp/aftr.yaml" <<YAML
endpoint: 2001:db8::1
icmp_source: 192.0.0.1
acl6: [2001:db8:1::/48]
pools: [{address: 198.51.100.1}]
interfaces:
  transport: {device: net_null0, address: 2001:db8:ffff::1/64}
  wan: {device: net_null1, address: 192.0.2.1/24, gateway: 192.0.2.254}
api: {listen: 127.0.0.1, port: $port}
YAML
/usr/sbin/aftr-dataplane --no-huge -m 256 -l 0,1 --no-pci --no-telemetry --file-prefix "$name" \
	--log-level='*:warning' -- -c "$tmp/aftr.yaml" --shm "$name" >"$tmp/dp.log" 2>&1 &
pids+=($!)
/usr/sbin/aftr-control -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" \
	>"$tmp/control.log" 2>&1 &
pids+=($!)
healthy() { curl -sf "http://127.0.0.1:$port/api/v1/health" | grep -q '"status": "ok"'; }
for _ in $(seq 150); do healthy && break; sleep 0.1; done
if healthy && /usr/bin/aftrctl --api "http://127.0.0.1:$port" noop >"$tmp/noop" 2>&1; then
	ok "the installed programs run: /health ok, aftrctl noop answered"
else
	ko "the installed programs did not come up:"
	tail -5 "$tmp/dp.log" "$tmp/control.log" "$tmp/noop"
fi
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=()
if dpkg --purge aftr >"$tmp/purge" 2>&1 && [ ! -e /usr/sbin/aftr-dataplane ]; then
	installed=
	ok "dpkg --purge: gone"
else
	ko "dpkg --purge:"
	cat "$tmp/purge"
fi
exit $fail
