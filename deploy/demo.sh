#!/bin/bash
# The demo: aftr-dataplane forwarding real traffic between two software B4s
# (each with a client behind it) and an IPv4 server, on network namespaces
# (deploy/topology.sh draws the picture).
#
#   sudo deploy/demo.sh           set up, show a ping and an HTTP fetch through
#                                 the AFTR, then stay up until Ctrl-C
#   sudo deploy/demo.sh --check   the same without waiting: one summary line,
#                                 exit 0 only if traffic really crossed the AFTR
#   sudo deploy/demo.sh --dhcp    (with or without --check) the B4s know no AFTR:
#                                 they learn it by DHCPv6 (Kea) and DNS (unbound),
#                                 configured by aftrctl provision from the AFTR's
#
# It installs the Debian packages that are missing, builds into build/, and
# removes everything it created when it stops. Its names (namespaces, DPDK
# file prefix, shared memory) start with DEMO_NAME (default aftr-demo) and
# its API listens on 127.0.0.1:DEMO_PORT (default 8080); --check picks its
# own (aftr-checkPID, a port from the PID) unless told, so that it runs
# beside a demo that is up.
set -u
cd "$(dirname "$0")/.." || exit 1
mode=
dhcp=
for a in "$@"; do
	case "$a" in
	--check) mode=--check ;;
	--dhcp) dhcp=1 ;;
	*)
		echo "usage: sudo deploy/demo.sh [--check] [--dhcp]" >&2
		exit 2
		;;
	esac
done
[ "$(id -u)" -eq 0 ] || {
	echo "demo: run it as root (sudo deploy/demo.sh): it creates network namespaces" >&2
	exit 1
}

say() { printf '\n== %s\n' "$*"; }

say "installing what is missing, building (a few minutes the first time)"
deploy/install-deps.sh || exit 1
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null || exit 1
fi
# ninja's progress every 5 s (all of its output when a step fails).
ninja -C build >"${TMPDIR:-/tmp}/aftr-demo-build.log" 2>&1 &
build_pid=$!
waited=0
while kill -0 "$build_pid" 2>/dev/null; do
	sleep 1
	waited=$((waited + 1))
	[ $((waited % 5)) -eq 0 ] || continue
	line=$(grep -o '^\[[0-9]*/[0-9]*\]' "${TMPDIR:-/tmp}/aftr-demo-build.log" | tail -1)
	[ -n "$line" ] && echo "building $line"
done
wait "$build_pid" || {
	cat "${TMPDIR:-/tmp}/aftr-demo-build.log"
	exit 1
}

# The shared memory keeps the tools' default name ("aftr": aftrctl stats
# finds it) unless a name is given or --check runs.
if [ "$mode" = --check ]; then
	name=${DEMO_NAME:-aftr-check$$}
	port=${DEMO_PORT:-$((20000 + $$ % 20000))}
	shm=$name
else
	name=${DEMO_NAME:-aftr-demo}
	port=${DEMO_PORT:-8080}
	shm=${DEMO_NAME:-aftr}
fi
api=http://127.0.0.1:$port
# shellcheck source=topology.sh
. deploy/topology.sh
TOPO=$name-
tmp=$(mktemp -d "/tmp/$name.XXXXXX")
control_pid=
follow_pid=
# shellcheck disable=SC2317 # not unreachable: the EXIT trap runs it
cleanup() {
	[ -n "$control_pid" ] && kill "$control_pid" 2>/dev/null
	[ -n "$follow_pid" ] && kill "$follow_pid" 2>/dev/null
	topo_down
	[ -n "${DEMO_KEEP:-}" ] && cp -r "$tmp" /tmp/demo-kept
	rm -rf "$tmp" "/var/run/dpdk/$name"
	rm -f "/dev/shm/$shm"-*
}
trap cleanup EXIT
trap 'exit 130' INT TERM
topo_down # leftovers of an earlier demo that was killed

say "creating the topology (namespaces ${TOPO}*)"
topo_up || exit 1
# The softwires carry a whole 1500-byte IPv4 packet (RFC 6333 section 5.3:
# 1540 bytes of IPv6 on links of 1600), so nothing is fragmented.
{
	# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
	topo_config | sed "s|^  listen: 127.0.0.1$|  listen: 127.0.0.1\n  port: $port|"
	echo "tunnel_defaults: {mtu: 1540}"
} >"$tmp/aftr.yaml"

ip netns exec "${TOPO}dp" build/dataplane/aftr-dataplane --no-huge -m 512 -l 0,1 --no-pci \
	--no-telemetry --file-prefix "$name" --log-level='*:warning' -- -c "$tmp/aftr.yaml" \
	--shm "$shm" --stats-file "$tmp/stats" >"$tmp/dataplane.log" 2>&1 &
dp_pid=$!
# The control process and its API, in the root namespace (shared memory
# is not namespaced): $api/api/v1/.
build/control/aftr-control -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$shm" \
	>"$tmp/control.log" 2>&1 &
control_pid=$!
# With --dhcp the B4s find the AFTR as deployments tell them (deploy/b4/README.md):
# Kea's DHCPv6 server gives them AFTR-Name and a DNS server, unbound the name's
# address, both on the transport link's bridge and configured from the AFTR's own
# configuration by aftrctl provision (kept in step by --follow).
b4_aftr=(--aftr "$TOPO_ENDPOINT")
if [ -n "$dhcp" ]; then
	say "DHCPv6 (Kea) and DNS (unbound) for the B4s, from aftrctl provision"
	for _ in $(seq 100); do curl -sf "$api/api/v1/version" >/dev/null && break; sleep 0.1; done
	topo_exec tr ip -6 addr add 2001:db8:1::53/64 dev br6 nodad
	prov=(build/control/aftrctl --api "$api" provision)
	kea=(--aftr-name aftr.demo.test --dns 2001:db8:1::53 --interface br6
		--subnet 2001:db8:1::/64 --ephemeral --control-socket "$tmp/kea.sock")
	"${prov[@]}" kea "${kea[@]}" -o "$tmp/kea.json" &&
		"${prov[@]}" dns --aftr-name aftr.demo.test --listen 2001:db8:1::53 \
			-o "$tmp/aftr-dns.conf" || exit 1
	printf 'server:\n  directory: "%s"\n  username: ""\n  chroot: ""\n  pidfile: "%s/unbound.pid"\n  do-daemonize: no\n  use-syslog: no\n  do-ip4: no\n  access-control: ::/0 allow\n  module-config: "iterator"\ninclude: "%s/aftr-dns.conf"\n' \
		"$tmp" "$tmp" "$tmp" >"$tmp/unbound.conf"
	(KEA_PIDFILE_DIR=$tmp KEA_LOCKFILE_DIR=$tmp exec ip netns exec "${TOPO}tr" kea-dhcp6 \
		-c "$tmp/kea.json" >"$tmp/kea.log" 2>&1) &
	(exec ip netns exec "${TOPO}tr" unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.log" 2>&1) &
	for _ in $(seq 50); do [ -S "$tmp/kea.sock" ] && break; sleep 0.1; done
	"${prov[@]}" kea "${kea[@]}" --push "$tmp/kea.sock" --follow 2>"$tmp/follow.log" &
	follow_pid=$!
	b4_aftr=(--dhcp eth0)
fi
for x in a b; do
	ip netns exec "${TOPO}b4$x" build/deploy/b4/aftr-b4 --local "2001:db8:1::$x" \
		"${b4_aftr[@]}" --mtu 1540 >"$tmp/b4$x.log" 2>&1 &
done
# As long as it takes (a busy machine, a first start), while it lives.
waited=0
until grep -q "running with" "$tmp/dataplane.log"; do
	if ! kill -0 "$dp_pid" 2>/dev/null; then
		echo "demo: the dataplane stopped before it ran; its log ($tmp/dataplane.log):"
		cat "$tmp/dataplane.log"
		exit 1
	fi
	sleep 0.1
	waited=$((waited + 1))
	[ $((waited % 100)) -eq 0 ] && echo "demo: waiting for the dataplane ($((waited / 10)) s)..."
done
head -c 1000000 /dev/urandom >"$tmp/hello.bin"
echo "Hello through DS-Lite!" >"$tmp/index.html"
(cd "$tmp" && exec ip netns exec "${TOPO}inet" /usr/bin/python3 -m http.server \
	--bind "$TOPO_SERVER" 80 >"$tmp/http.log" 2>&1) &
for _ in $(seq 50); do
	topo_exec inet bash -c "exec 3<>/dev/tcp/$TOPO_SERVER/80" 2>/dev/null && break
	sleep 0.1
done

if [ -n "$dhcp" ]; then
	for x in a b; do
		for _ in $(seq 200); do grep -q "softwire to" "$tmp/b4$x.log" && break; sleep 0.1; done
		grep "aftr.demo.test is\|softwire to" "$tmp/b4$x.log"
	done
fi
ok=0
say "ping from the client behind B4 a (192.168.1.2) to the server $TOPO_SERVER"
topo_exec cla ping -c 3 -W 2 "$TOPO_SERVER" && ok=$((ok + 1))
say "HTTP fetch from the client behind B4 b (also 192.168.1.2)"
topo_exec clb curl -sS --max-time 20 "http://$TOPO_SERVER/index.html" && ok=$((ok + 1))
topo_exec cla curl -sS --max-time 20 -o "$tmp/got.bin" "http://$TOPO_SERVER/hello.bin" &&
	cmp -s "$tmp/got.bin" "$tmp/hello.bin" && ok=$((ok + 1)) &&
	echo "1 MB file fetched from behind B4 a, identical"
say "the server saw (the pool address, not 192.168.1.2):"
sort -u <(cut -d' ' -f1 "$tmp/http.log" | grep -E '^[0-9.]+$')
sleep 1.2
say "the REST API: curl $api/api/v1/health"
curl -s --max-time 5 "$api/api/v1/health" && echo && ok=$((ok + 1))
say "aftrctl over the API: an ISC command line adds a tunnel, the workers answer a noop"
build/control/aftrctl --api "$api" isc "tunnel 2001:db8:1::a $TOPO_POOL" &&
	build/control/aftrctl --api "$api" list tunnel &&
	build/control/aftrctl --api "$api" noop && ok=$((ok + 1))
say "dataplane counters: build/control/aftrctl stats --shm $shm --nonzero"
build/control/aftrctl stats --shm "$shm" --nonzero

counter() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/stats"; }
decap=$(counter decap)
encap=$(counter encap)
if [ "$ok" -eq 5 ] && [ "${decap:-0}" -gt 0 ] && [ "${encap:-0}" -gt 0 ]; then
	verdict="demo: OK: ping and HTTP crossed the AFTR ($decap packets decapsulated, $encap encapsulated), the API is up"
	rc=0
else
	verdict="demo: FAILED: $ok of 5 checks passed, $decap packets decapsulated, $encap encapsulated"
	rc=1
fi
if [ "$mode" = --check ]; then
	echo
	echo "$verdict"
	exit $rc
fi
say "$verdict"
cat <<EOF

The AFTR is up. Try, in another terminal:
  sudo ip netns exec ${TOPO}cla ping $TOPO_SERVER
  sudo ip netns exec ${TOPO}clb curl http://$TOPO_SERVER/index.html
  sudo ip netns exec ${TOPO}inet iperf3 -s -B $TOPO_SERVER &   then
  sudo ip netns exec ${TOPO}cla iperf3 -c $TOPO_SERVER
  watch build/control/aftrctl stats --shm $shm --nonzero   (the dataplane's counters)
  curl $api/api/v1/counters     (the same through the REST API)
  curl $api/metrics             (Prometheus)
  $api/                         (the live status page, in a browser on this box)
  build/control/aftrctl --api $api top          (rates, live)
  build/control/aftrctl --api $api show b4s     (the B4s that drop most; show b4 ADDRESS)
  build/control/aftrctl --api $api list session (NAT sessions; also list tunnel, nat, ...)
  build/control/aftrctl --api $api nat 2001:db8:1::a tcp 192.168.1.2 22 $TOPO_POOL 222
                (a port forward, as ISC's "nat" line: 222 is below the pool's
                 dynamic TCP ports, 2048-65535)
  sudo ip netns exec ${TOPO}tr tcpdump -ni br6    (the softwires on the transport link)
  sudo ip netns exec ${TOPO}inet tcpdump -ni inet0 (the NATed side)
Configuration: $tmp/aftr.yaml; logs: $tmp/*.log.
Press Ctrl-C to stop and remove everything.
EOF
while kill -0 "$(ip netns pids "${TOPO}dp" | head -1)" 2>/dev/null; do
	sleep 1
done
echo "demo: the dataplane stopped:"
tail -5 "$tmp/dataplane.log"
exit 1
