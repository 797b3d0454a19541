#!/bin/bash
# The demo: aftr-dataplane forwarding real traffic between two software B4s
# (each with a client behind it) and an IPv4 server, on network namespaces
# (deploy/topology.sh draws the picture).
#
#   sudo deploy/demo.sh           set up, show a ping and an HTTP fetch through
#                                 the AFTR, then stay up until Ctrl-C
#   sudo deploy/demo.sh --check   the same without waiting: one summary line,
#                                 exit 0 only if traffic really crossed the AFTR
#
# It installs the Debian packages that are missing, builds into build/, and
# removes everything it created when it stops.
set -u
cd "$(dirname "$0")/.." || exit 1
mode=${1:-}
case "$mode" in
"" | --check) ;;
*)
	echo "usage: sudo deploy/demo.sh [--check]" >&2
	exit 2
	;;
esac
[ "$(id -u)" -eq 0 ] || {
	echo "demo: run it as root (sudo deploy/demo.sh): it creates network namespaces" >&2
	exit 1
}

say() { printf '\n== %s\n' "$*"; }

say "installing what is missing, building"
deploy/install-deps.sh || exit 1
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null || exit 1
fi
ninja -C build >/dev/null || {
	ninja -C build
	exit 1
}

# shellcheck source=topology.sh
. deploy/topology.sh
TOPO=aftr-demo-
tmp=$(mktemp -d /tmp/aftr-demo.XXXXXX)
control_pid=
# shellcheck disable=SC2317 # not unreachable: the EXIT trap runs it
cleanup() {
	[ -n "$control_pid" ] && kill "$control_pid" 2>/dev/null
	topo_down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
topo_down # leftovers of an earlier demo that was killed

say "creating the topology (namespaces ${TOPO}*)"
topo_up || exit 1
# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
topo_config >"$tmp/aftr.yaml"

ip netns exec "${TOPO}dp" build/dataplane/aftr-dataplane --no-huge -m 512 -l 0,1 --no-pci \
	--no-telemetry --file-prefix aftr-demo --log-level='*:warning' -- -c "$tmp/aftr.yaml" \
	--stats-file "$tmp/stats" >"$tmp/dataplane.log" 2>&1 &
# The control process and its API, in the root namespace (shared memory
# is not namespaced): http://127.0.0.1:8080/api/v1/.
build/control/aftr-control -c "$tmp/aftr.yaml" --state "$tmp/state" >"$tmp/control.log" 2>&1 &
control_pid=$!
for x in a b; do
	ip netns exec "${TOPO}b4$x" build/deploy/b4/aftr-b4 --local "2001:db8:1::$x" \
		--aftr "$TOPO_ENDPOINT" --mtu 1500 >"$tmp/b4$x.log" 2>&1 &
done
for _ in $(seq 150); do
	grep -q "running with" "$tmp/dataplane.log" && break
	sleep 0.1
done
grep -q "running with" "$tmp/dataplane.log" || {
	echo "demo: the dataplane did not start:"
	cat "$tmp/dataplane.log"
	exit 1
}
head -c 1000000 /dev/urandom >"$tmp/hello.bin"
echo "Hello through DS-Lite!" >"$tmp/index.html"
(cd "$tmp" && exec ip netns exec "${TOPO}inet" /usr/bin/python3 -m http.server \
	--bind "$TOPO_SERVER" 80 >"$tmp/http.log" 2>&1) &
for _ in $(seq 50); do
	topo_exec inet bash -c "exec 3<>/dev/tcp/$TOPO_SERVER/80" 2>/dev/null && break
	sleep 0.1
done

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
say "the REST API: curl http://127.0.0.1:8080/api/v1/health"
curl -s --max-time 5 http://127.0.0.1:8080/api/v1/health && echo && ok=$((ok + 1))
say "aftrctl over the API: an ISC command line adds a tunnel, the workers answer a noop"
build/control/aftrctl isc "tunnel 2001:db8:1::a $TOPO_POOL" &&
	build/control/aftrctl list tunnel && build/control/aftrctl noop && ok=$((ok + 1))
say "dataplane counters: build/control/aftrctl stats --nonzero"
build/control/aftrctl stats --nonzero

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
  watch build/control/aftrctl stats --nonzero    (the dataplane's counters)
  curl http://127.0.0.1:8080/api/v1/counters     (the same through the REST API)
  curl http://127.0.0.1:8080/metrics             (Prometheus)
  build/control/aftrctl list session             (NAT sessions; also list tunnel, nat, ...)
  build/control/aftrctl nat 2001:db8:1::a tcp 192.168.1.2 22 $TOPO_POOL 2222
                                                 (a port forward, as ISC's "nat" line)
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
