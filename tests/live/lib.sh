# shellcheck shell=bash
# What the live tests share: a scratch directory, processes stopped and the
# topology deleted on exit (also on failure), pass/fail checks, waits, the
# dataplane's counters, a web server and iperf3 UDP in the Internet
# namespace. Sourced after deploy/topology.sh, with TOPO set.
#
# A test may set live_cleanup_extra to a function run on exit, before the
# topology goes.

tmp=$(mktemp -d)
pids=()
fail=0
pass=0
live_cleanup_extra=
live_cleanup() {
	# A stopped process (a test's SIGSTOP) takes its SIGTERM once continued.
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null && kill -CONT "$p" 2>/dev/null; done
	# Processes in the namespaces stop with them; then nothing is left to
	# wait for.
	topo_down
	wait 2>/dev/null
	[ -n "$live_cleanup_extra" ] && "$live_cleanup_extra"
	# DPDK's runtime directories of this test's processes (a clean exit
	# removes its own; a killed one leaves it).
	[ -n "${TOPO:-}" ] && rm -rf "/var/run/dpdk/$TOPO"*
	if [ -n "${KEEP:-}" ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap live_cleanup EXIT
trap 'exit 1' INT TERM

# A test's own API port and shared-memory name (so that it runs beside the
# demo and other tests): sets name (PREFIX and the PID), port, url, and
# removes /dev/shm/NAME-* on exit.
# shellcheck disable=SC2034 # name, port and url are the tests'
live_api() { # name prefix, port salt
	name="$1$$"
	port=$((20000 + ($$ + $2) % 20000))
	url="http://127.0.0.1:$port/api/v1"
	live_cleanup_extra=live_api_cleanup
}
live_api_cleanup() { rm -f /dev/shm/"$name"-*; }

check() { # description, command...
	local what=$1
	shift
	if "$@" >"$tmp/check.log" 2>&1; then
		echo "ok   $what"
		pass=$((pass + 1))
	else
		echo "FAIL $what"
		sed 's/^/     /' "$tmp/check.log" | tail -20
		fail=$((fail + 1))
	fi
}

wait_for() { # seconds, command...
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# Starts aftr-dataplane $1 in the dp namespace with the topology's
# configuration for one queue pair and "dataplane: {$2}" (its counters in
# $tmp/dp.stats, its log in $tmp/dp.log); dp_pid is its PID. Exits the
# test if it does not start.
dp_pid=
dp_start() {
	topo_config 1 >"$tmp/aftr.yaml"
	echo "dataplane: {$2}" >>"$tmp/aftr.yaml"
	dp_run "$1" 512 "$2"
}

# Starts aftr-dataplane $1 in the dp namespace on $tmp/aftr.yaml with $2
# MB of memory, as dp_start does; $3 says which start failed, if one does.
dp_run() {
	ip netns exec "${TOPO}dp" "$1" --no-huge -m "$2" -l 0,1 --no-pci --no-telemetry \
		--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" \
		--stats-file "$tmp/dp.stats" >"$tmp/dp.log" 2>&1 &
	dp_pid=$!
	pids+=("$dp_pid")
	wait_for 15 grep -q "running with" "$tmp/dp.log" && return 0
	echo "FAIL: the dataplane did not start${3:+ ($3)}"
	cat "$tmp/dp.log"
	exit 1
}

# A counter of the dataplane's --stats-file (default $tmp/dp.stats).
counter() { awk -v k="$1" '$1 == k { print $2 }' "${2:-$tmp/dp.stats}"; }

# Whether the dataplane's counters account for every packet
# (lib/shm/counters.h): received and made = sent, dropped, consumed and
# held. The file is written once a second while packets may be on their
# way: call it through wait_for, for a moment of quiet.
accounted() { # [stats file]
	/usr/bin/python3 - "${1:-$tmp/dp.stats}" <<'PY'
import sys
c = {}
for line in open(sys.argv[1]):
    k, _, v = line.partition(" ")
    if v.strip().isdigit():
        c[k] = int(v)
g = lambda k: c.get(k, 0)  # noqa: E731
into = g("rx_transport") + g("rx_wan") + g("created")
out = (g("tx_transport") + g("tx_wan") + g("consumed") + g("neighbor_held")
       + sum(g(k) for k in ("fragments_held_ip6", "fragments_held_in", "fragments_held_out"))
       + sum(v for k, v in c.items() if k.startswith("drop_")))
print("%d in, %d out" % (into, out))
sys.exit(0 if into == out else 1)
PY
}

# Whether no packet buffer leaked or ran short: the buffers in use
# (mbufs_in_use: net_af_packet fills no receive ring ahead) are exactly
# the packets held (fragments waiting for the rest, packets waiting for a
# neighbour), and no port ever lacked a buffer to receive into. Through
# wait_for, as accounted.
buffers_back() { # [stats file]
	local s=${1:-$tmp/dp.stats} held
	held=$(($(counter fragments_held_ip6 "$s") + $(counter fragments_held_in "$s") +
		$(counter fragments_held_out "$s") + $(counter neighbor_held "$s")))
	echo "buffers in use $(counter mbufs_in_use "$s"), packets held $held, receive" \
		"failures for want of one $(counter port_transport_rx_nombuf "$s")" \
		"$(counter port_wan_rx_nombuf "$s")"
	[ "$(counter mbufs_in_use "$s")" -eq "$held" ] &&
		[ "$(counter port_transport_rx_nombuf "$s")" -eq 0 ] &&
		[ "$(counter port_wan_rx_nombuf "$s")" -eq 0 ]
}

# A web server serving $tmp, logging to $tmp/http.log: by default on
# $TOPO_SERVER:8080 in the Internet namespace, else in namespace NS on
# ADDRESS:PORT (a host behind a B4); PUT stores the body as $tmp/up.bin.
# Its own start looks nothing up in the DNS (http.server's would, and there
# is none here). Returns once it listens.
# shellcheck disable=SC2120 # the arguments are optional: most callers give none
http_server() { # [NS ADDRESS PORT]
	local ns=${1:-inet} addr=${2:-$TOPO_SERVER} port=${3:-8080}
	(cd "$tmp" && exec ip netns exec "${TOPO}$ns" /usr/bin/python3 -u -c '
import http.server, socketserver, sys
class H(http.server.SimpleHTTPRequestHandler):
    def do_PUT(self):
        n = int(self.headers["Content-Length"])
        with open("up.bin", "wb") as f:
            while n > 0:
                b = self.rfile.read(min(n, 65536))
                if not b:
                    break
                f.write(b)
                n -= len(b)
        self.send_response(201)
        self.end_headers()
class S(http.server.ThreadingHTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = sys.argv[3], int(sys.argv[2])
S((sys.argv[1], int(sys.argv[2])), H).serve_forever()
' "$addr" "$port" "$ns" >"$tmp/http.log" 2>&1) &
	pids+=($!)
	wait_for 10 topo_exec "$ns" bash -c "exec 3<>/dev/tcp/$addr/$port"
}

# A file of $1 random bytes for the web server to serve ($tmp/file.bin),
# its SHA-256 in $want; http_get and http_put move it through the AFTR
# from the client namespace $1 and compare what arrived.
want=
http_file() {
	head -c "$1" /dev/urandom >"$tmp/file.bin"
	want=$(sha256sum <"$tmp/file.bin" | cut -d' ' -f1)
}
http_get() {
	topo_exec "$1" curl -sS --max-time 60 -o "$tmp/got.bin" "http://$TOPO_SERVER:8080/file.bin" &&
		[ "$(sha256sum <"$tmp/got.bin" | cut -d' ' -f1)" = "$want" ]
}
http_put() {
	topo_exec "$1" curl -sS --max-time 60 -T "$tmp/file.bin" "http://$TOPO_SERVER:8080/up.bin" &&
		[ "$(sha256sum <"$tmp/up.bin" | cut -d' ' -f1)" = "$want" ]
}

# iperf3 UDP, 1472-byte datagrams at 20 Mbit/s for 3 s, between a client
# namespace and the server (-R: the other way); passes with more than 100
# datagrams and under 10% lost, and prints the rate and loss.
iperf_udp() { # client namespace, extra iperf3 args
	local cl=$1 s rc
	shift
	topo_exec inet iperf3 -s -1 -B "$TOPO_SERVER" >"$tmp/iperf-s.log" 2>&1 &
	s=$!
	wait_for 5 topo_exec inet bash -c "ss -ltn | grep -q ':5201'"
	topo_exec "$cl" iperf3 -c "$TOPO_SERVER" -u -l 1472 -b 20M -t 3 "$@" --json >"$tmp/iperf.json"
	rc=$?
	wait $s
	[ $rc -eq 0 ] && /usr/bin/python3 -c "
import json, sys
e = json.load(open('$tmp/iperf.json'))['end']['sum']
print('%.1f Mbit/s, %.2f%% lost' % (e['bits_per_second'] / 1e6, e['lost_percent']))
sys.exit(0 if e['packets'] > 100 and e['lost_percent'] < 10 else 1)"
}
