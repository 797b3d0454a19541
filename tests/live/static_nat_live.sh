#!/bin/bash
# Live static NAT (ISC "nat", a port forward) through the API: aftr-control
# and aftr-dataplane on the namespace topology (deploy/topology.sh), one
# software B4 with a web server behind it. A static mapping added with
# POST /api/v1/static-nat lets a client in the Internet namespace fetch
# from that server at the pool address; deleted, the connection is refused
# by the AFTR (no session, counted as no_session); added again, it works.
# Faults: kill -9 of either process under traffic, once and in a loop; a
# stopped dataplane whose command rings fill.
#
# Usage: static_nat_live.sh AFTR_DATAPLANE AFTR_CONTROL AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
b4=$(readlink -f "$3")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip curl /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TOPO="aftr$$-"
# shellcheck source=lib.sh
. "$here/lib.sh"
live_api static 7

topo_up || { echo "FAIL: topology"; exit 1; }
# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
topo_config | sed "s/^  listen: 127.0.0.1$/  listen: 127.0.0.1\n  port: $port/" >"$tmp/aftr.yaml"
start_dataplane() {
	ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
		--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" --shm "$name" \
		--stats-file "$tmp/dp.stats" >>"$tmp/dp.log" 2>&1 &
	dp_pid=$!
	pids+=("$dp_pid")
}
start_dataplane
start_control() {
	"$control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" >>"$tmp/control.log" 2>&1 &
	control_pid=$!
	pids+=("$control_pid")
}
start_control
topo_exec b4a "$b4" --local 2001:db8:1::a --aftr "$TOPO_ENDPOINT" --mtu 1500 >"$tmp/b4a.log" 2>&1 &
pids+=($!)
if ! wait_for 15 grep -q "running with" "$tmp/dp.log" ||
	! wait_for 5 curl -sf "$url/health"; then
	echo "FAIL: the dataplane or the control process did not start"
	cat "$tmp/dp.log" "$tmp/control.log"
	exit 1
fi
wait_for 5 topo_exec b4a ip link show b4tun0
echo "behind B4 a" >"$tmp/index.html"
check "the server behind B4 a listens" http_server cla 192.168.1.2 8000

mapping='{"b4": "2001:db8:1::a", "protocol": "tcp", "address": "192.168.1.2", "port": 8000, "external_address": "'$TOPO_POOL'", "external_port": 80}'
fetch() {
	topo_exec inet curl -sS --interface "$TOPO_SERVER" --max-time "${1:-5}" \
		"http://$TOPO_POOL/index.html"
}
no_fetch() { ! fetch 2; }
add() {
	curl -sf -H "Content-Type: application/json" -d "$mapping" "$url/static-nat" |
		/usr/bin/python3 -c "import json,sys; sys.exit(0 if json.load(sys.stdin)['applied'] else 1)"
}
counter() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/dp.stats"; }
fetch_ok() { fetch | grep -q 'behind B4 a'; }
del() { curl -sf -X DELETE "$url/static-nat/tcp/$TOPO_POOL/80" | grep -q '"applied": true'; }
counted() { [ "$(counter static_session_created)" -ge 1 ] && [ "$(counter drop_no_session)" -ge 1 ]; }

check "before the mapping: the Internet cannot reach the server" no_fetch
check "POST /api/v1/static-nat: applied" add
check "from the Internet to $TOPO_POOL:80: the server behind the B4 answers" fetch_ok
check "the server saw the Internet client's own address" grep -q "^$TOPO_SERVER - - " "$tmp/http.log"
check "DELETE it: applied" del
check "deleted: the connection does not go through any more" no_fetch
sleep 1.2 # the stats file is written every second
check "counted: static sessions made, connections refused as no_session" counted
check "added again: applied" add
check "and the server answers again" fetch_ok
# A replacement (PUT) changes the running tables in place: to an inside
# port nothing listens on, then back.
put_port() {
	curl -sf -X PUT -H "Content-Type: application/json" -d "${mapping/8000/$1}" \
		"$url/static-nat/tcp/$TOPO_POOL/80" | grep -q '"applied": true'
}
check "PUT the mapping to inside port 8001: applied" put_port 8001
check "the connection now goes to port 8001, where nothing listens" no_fetch
check "PUT it back to 8000: applied" put_port 8000
check "and the server answers again" fetch_ok
in_place() { grep -q "changed in place" "$tmp/dp.log" && ! grep -q "a new set" "$tmp/dp.log"; }
check "the dataplane changed its running tables in place each time" wait_for 3 in_place

# kill -9 the control process under traffic: a download through the port
# forward and a ping through the NAPT go on, and a new control process has
# the mapping (and leaves the dataplane's sessions alone).
head -c 4000000 /dev/urandom >"$tmp/big.bin"
download() {
	topo_exec inet curl -sS --interface "$TOPO_SERVER" --max-time 30 --limit-rate 1500k \
		-o "$tmp/got.bin" "http://$TOPO_POOL/big.bin" && cmp -s "$tmp/got.bin" "$tmp/big.bin"
}
download &
dl=$!
topo_exec cla ping -q -i 0.05 -c 50 -W 1 "$TOPO_SERVER" >"$tmp/ping.log" 2>&1 &
pg=$!
sleep 1
{
	kill -9 "$control_pid"
	wait "$control_pid"
} 2>/dev/null
start_control
wait_for 5 curl -sf "$url/health"
wait $dl
check "kill -9 of the control process during a 4 MB download through the port forward: it completes, intact" test $? -eq 0
wait $pg
check "and a ping through the NAPT at the same time lost nothing" grep -q " 0% packet loss" "$tmp/ping.log"
mapped() { curl -sf "$url/static-nat" | grep -q '"external_port": 80'; }
check "the new control process has the mapping" mapped

# kill -9 the dataplane: a new one gets the mapping from the control
# process; the port forward works again, timed from the new start.
{
	kill -9 "$dp_pid"
	wait "$dp_pid"
} 2>/dev/null
t0=$(date +%s%N)
start_dataplane
back() { wait_for 20 fetch_ok; }
if back; then
	echo "ok   after kill -9 of the dataplane, the port forward works again $((($(date +%s%N) - t0) / 1000000)) ms after the new one started"
	pass=$((pass + 1))
else
	echo "FAIL the port forward did not come back"
	tail -5 "$tmp/dp.log" "$tmp/control.log"
	fail=$((fail + 1))
fi

# Faults in a loop under traffic: the control process killed five times
# while a ping runs through the NAPT, a change made through each new one;
# nothing lost, every change kept, the generation never going back.
gen() { curl -sf "$url/health" | /usr/bin/python3 -c \
	"import json,sys; print(json.load(sys.stdin)['dataplane']['programming']['wanted'])"; }
g0=$(gen)
lines0=$(wc -l <"$tmp/control.log")
topo_exec cla ping -q -i 0.05 -c 120 -W 1 "$TOPO_SERVER" >"$tmp/ping2.log" 2>&1 &
pg=$!
ok=0
for i in 1 2 3 4 5; do
	{
		kill -9 "$control_pid"
		wait "$control_pid"
	} 2>/dev/null
	start_control
	wait_for 5 curl -sf "$url/version" &&
		curl -sf -H "Content-Type: application/json" -d "{\"b4\": \"2001:db8:1::10$i\"}" \
			"$url/tunnels" | grep -q '"applied": true' && ok=$((ok + 1))
	sleep 0.5
done
wait $pg
check "kill -9 of the control process five times under a ping: a change applied through each new one" test "$ok" = 5
check "and the ping through the NAPT lost nothing" grep -q " 0% packet loss" "$tmp/ping2.log"
kept() { [ "$(curl -sf "$url/tunnels" | grep -c '"2001:db8:1::10[1-5]"')" = 5 ]; }
check "all five changes kept" kept
check "the generation went on from $g0 (never back)" test "$(gen)" -ge $((g0 + 5))
# Each new control process found the dataplane running its state as it
# was loaded and went on from there (nothing sent, or the change made
# before it looked as a delta); a changed configuration file (one more
# comment) is another origin: the whole tables go.
went_on() { ! tail -n +$((lines0 + 1)) "$tmp/control.log" | grep -q "the whole tables"; }
check "each restarted control process went on from the running dataplane's tables" went_on
echo "# the same, but another file" >>"$tmp/aftr.yaml"
{
	kill -9 "$control_pid"
	wait "$control_pid"
} 2>/dev/null
start_control
whole() { tail -n 3 "$tmp/control.log" | grep -q "programmed (generation [0-9]*: the whole tables"; }
check "a control process started on a changed configuration file sends the whole tables" \
	wait_for 5 whole

# The dataplane killed three times: each new one programmed and
# forwarding, the longest outage said.
worst=0
ok=0
for i in 1 2 3; do
	{
		kill -9 "$dp_pid"
		wait "$dp_pid"
	} 2>/dev/null
	t0=$(date +%s%N)
	start_dataplane
	if wait_for 20 fetch_ok; then
		ms=$((($(date +%s%N) - t0) / 1000000))
		ok=$((ok + 1))
		[ "$ms" -le "$worst" ] || worst=$ms
	fi
done
check "kill -9 of the dataplane three times: the port forward back each time (slowest ${worst} ms)" test "$ok" = 3

# A dataplane that stops answering (SIGSTOP): its command rings fill; the
# API still answers every request at once or within its waits, the
# health check says which, and all is well once it runs again.
kill -STOP "$dp_pid"
t0=$(date +%s)
hc=()
for _ in $(seq 1 40); do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 12 "$url/health" >>"$tmp/health.codes" &
	hc+=($!)
done
curl -s --max-time 12 -H "Content-Type: application/json" -d '{"b4": "2001:db8:1::200"}' \
	"$url/tunnels" >"$tmp/post.json"
wait "${hc[@]}"
took=$(($(date +%s) - t0))
stalled() { [ "$(grep -c '^503$' "$tmp/health.codes")" = 40 ]; }
check "stopped dataplane: 40 health checks at once all answer 503 (in ${took} s)" stalled
check "and a change is saved, not yet applied" grep -q '"applied": false' "$tmp/post.json"
check "the API itself stays quick" wait_for 2 curl -sf --max-time 1 "$url/version"
kill -CONT "$dp_pid"
check "running again: healthy" wait_for 10 curl -sf "$url/health"
applied() { curl -sf "$url/health" | grep -q '"dataplane": "programmed"'; }
check "and programmed with the change made while it was stopped" wait_for 10 applied
check "forwarding" fetch_ok
check "no buffer leaked or ran short through it all (in use = held, rx_nombuf 0)" \
	wait_for 5 buffers_back "$tmp/dp.stats"

echo "static_nat_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
