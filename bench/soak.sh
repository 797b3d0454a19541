#!/bin/bash
# The soak (issue 18): aftr-dataplane and aftr-control on the namespace
# topology (deploy/topology.sh) for SECONDS (default 1800) with two
# software B4s, under
# - session churn: a new UDP flow every 20 ms from behind B4 a (each a new
#   session, answered by an echo server), an HTTP download every second
#   from behind B4 b (a new TCP session each), a ping through each;
# - configuration churn through the API: a tunnel, a static NAT entry and
#   a softwire added and deleted again, over and over (static ports below
#   the pool's dynamic range);
# - aftr-control restarted every 60 s, by kill -9 and SIGTERM in turn.
# Short NAT lifetimes (udp 10 s, closed TCP 5 s, hold 5 s) make sessions
# end about as fast as they start. Every 30 s it samples the buffers in
# use (mbufs_in_use), live sessions (made - ended), both processes'
# resident memory and aftr-control's open files into soak.csv.
# Passes when, after the traffic stops and the lifetimes run out: no
# session is left, the buffers in use are back to their level before the
# traffic, every packet is accounted for (rx + created = tx + dropped +
# consumed + held), the pings lost nothing (the dataplane never restarts),
# every change was applied or refused only while aftr-control was down,
# and neither process grew (resident memory within 10% of its sample
# after the first minute, aftr-control's open files within 2).
# Writes bench/results/soak-TIME.json.
# Usage: bench/soak.sh BUILD_DIR [SECONDS]
set -u
build=$(readlink -f "$1")
secs=${2:-1800}
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=../deploy/topology.sh
. "$here/../deploy/topology.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip curl ping /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done
TOPO="soak$$-"
# shellcheck source=../tests/live/lib.sh
. "$here/../tests/live/lib.sh"
live_api soak 11

topo_up || { echo "FAIL: topology"; exit 1; }
topo_config 1 | sed -e "s/^  listen: 127.0.0.1$/  listen: 127.0.0.1\n  port: $port/" \
	-e "s/^nat:$/nat:\n  lifetime: {tcp: 60, closed: 5, udp: 10, icmp: 5, retrans: 5}\n  hold_lifetime: 5/" \
	>"$tmp/aftr.yaml"
# 50 new UDP flows a second from one B4: over the default rate (20).
cat >>"$tmp/aftr.yaml" <<EOF
tunnel_defaults:
  nat_rate: {tcp: 50, udp: 200, icmp: 5}
  nat_maxcount: {tcp: 2000, udp: 2000, icmp: 50}
EOF
ip netns exec "${TOPO}dp" "$build/dataplane/aftr-dataplane" --no-huge -m 512 -l 0,1 --no-pci \
	--no-telemetry --file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" \
	--shm "$name" --stats-file "$tmp/dp.stats" >"$tmp/dp.log" 2>&1 &
dp_pid=$!
pids+=("$dp_pid")
start_control() {
	"$build/control/aftr-control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" \
		>>"$tmp/control.log" 2>&1 &
	ctl_pid=$!
	pids+=("$ctl_pid")
}
start_control
for x in a b; do
	topo_exec "b4$x" "$build/deploy/b4/aftr-b4" --local "2001:db8:1::$x" \
		--aftr "$TOPO_ENDPOINT" --mtu 1500 >"$tmp/b4$x.log" 2>&1 &
	pids+=($!)
done
if ! wait_for 15 grep -q "running with" "$tmp/dp.log" || ! wait_for 10 curl -sf "$url/health"; then
	echo "FAIL: the dataplane or the control process did not start"
	cat "$tmp/dp.log" "$tmp/control.log"
	exit 1
fi
for x in a b; do
	wait_for 5 topo_exec "b4$x" ip link show b4tun0 || { echo "FAIL: B4 $x"; exit 1; }
	curl -sf -H "Content-Type: application/json" -d "{\"b4\": \"2001:db8:1::$x\"}" \
		"$url/tunnels" >/dev/null
done
head -c 200000 /dev/urandom >"$tmp/page.bin"
check "the web server listens" http_server
# A UDP echo server in the Internet namespace (port 7).
ip netns exec "${TOPO}inet" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 7))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)' &
pids+=($!)
sleep 2
c() { counter "$1"; }
live_sessions() { echo $(($(c session_created) + $(c static_session_created) - $(c session_expired))); }
mbufs0=$(c mbufs_in_use)
rss() { awk '/VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

end=$(($(date +%s) + secs))
echo "soak: $secs s from $(date -u +%H:%M:%S), buffers in use before the traffic: $mbufs0"
# Session churn and pings, each loop bounded by the end time.
topo_exec cla /usr/bin/python3 - "$TOPO_SERVER" "$end" >"$tmp/udp.log" 2>&1 <<'PY' &
import socket, sys, time
server, end = sys.argv[1], int(sys.argv[2])
sent = answered = 0
while time.time() < end:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    s.sendto(b"soak %d" % sent, (server, 7))
    sent += 1
    try:
        s.recv(64)
        answered += 1
    except OSError:
        pass
    s.close()
    time.sleep(0.02)
print("udp flows %d answered %d" % (sent, answered))
PY
pids+=($!)
(
	ok=0 bad=0
	while [ "$(date +%s)" -lt "$end" ]; do
		if topo_exec clb curl -sf --max-time 5 -o /dev/null "http://$TOPO_SERVER:8080/page.bin"; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
		sleep 1
	done
	echo "downloads $ok failed $bad"
) >"$tmp/downloads.log" 2>&1 &
pids+=($!)
for x in a b; do
	topo_exec "cl$x" ping -q -i 0.2 -W 2 -c $((secs * 5)) "$TOPO_SERVER" >"$tmp/ping$x.log" 2>&1 &
	pids+=($!)
done
# Configuration churn: an entry of three kinds added and deleted again.
(
	i=0 ok=0 refused=0
	while [ "$(date +%s)" -lt "$end" ]; do
		i=$(((i + 1) % 200))
		b4="2001:db8:1::f$(printf %03x $i)"
		for req in "POST tunnels {\"b4\":\"$b4\"}" \
			"POST static-nat {\"b4\":\"$b4\",\"protocol\":\"udp\",\"address\":\"192.168.1.2\",\"port\":5000,\"external_address\":\"$TOPO_POOL\",\"external_port\":$((100 + i))}" \
			"POST softwires {\"b4\":\"$b4\",\"ipv4\":\"198.51.100.200\",\"psid\":$((i % 64)),\"psid_len\":6,\"offset\":6}" \
			"DELETE softwires/198.51.100.200/$((i % 64))" \
			"DELETE static-nat/udp/$TOPO_POOL/$((100 + i))" \
			"DELETE tunnels/$b4"; do
			read -r method path body <<<"$req"
			if curl -sf --max-time 10 -X "$method" -H "Content-Type: application/json" \
				${body:+-d "$body"} "$url/$path" | grep -q '"applied": true'; then
				ok=$((ok + 1))
			else
				refused=$((refused + 1))
			fi
		done
		sleep 0.2
	done
	echo "changes applied $ok not $refused"
) >"$tmp/changes.log" 2>&1 &
pids+=($!)

# aftr-control restarted every 60 s; samples every 30 s.
echo "t,mbufs_in_use,sessions,rss_dataplane_kb,rss_control_kb,control_fds" >"$tmp/soak.csv"
t0=$(date +%s)
restarts=0
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 30
	t=$(($(date +%s) - t0))
	echo "$t,$(c mbufs_in_use),$(live_sessions),$(rss "$dp_pid"),$(rss "$ctl_pid"),$(fds "$ctl_pid")" \
		>>"$tmp/soak.csv"
	if [ $((t / 30 % 2)) -eq 0 ] && [ "$(date +%s)" -lt $((end - 20)) ]; then
		if [ $((restarts % 2)) -eq 0 ]; then kill -9 "$ctl_pid"; else kill -TERM "$ctl_pid"; fi
		wait "$ctl_pid" 2>/dev/null
		start_control
		restarts=$((restarts + 1))
		wait_for 10 curl -sf "$url/health"
	fi
done
echo "traffic stopped; waiting for the sessions to end"
sleep 3
wait_for 90 test "$(live_sessions)" = 0
check "no session left once the lifetimes ran out ($(live_sessions) live)" test "$(live_sessions)" = 0
sleep 2
mbufs1=$(c mbufs_in_use)
check "buffers in use back to their level ($mbufs0 before, $mbufs1 after)" test "$mbufs1" -le "$mbufs0"
check "no buffer leaked or ran short (in use = held, rx_nombuf 0)" wait_for 5 buffers_back
check "every packet accounted for" wait_for 5 accounted
for x in a b; do
	check "ping through B4 $x: $(grep -o '[0-9]* packets transmitted.*loss' "$tmp/ping$x.log")" \
		grep -q " 0% packet loss" "$tmp/ping$x.log"
done
grep -h . "$tmp/udp.log" "$tmp/downloads.log" "$tmp/changes.log"
# Every change applied but those made while aftr-control was down (the
# API refused the connection): at most a few a restart.
not=$(sed -n 's/.* not \([0-9]*\)$/\1/p' "$tmp/changes.log")
check "changes refused only around the $restarts restarts ($not)" test "${not:-999}" -le $((restarts * 12))
grown() { # column: the last sample within 10% of the one after a minute (or 2 files)
	awk -F, -v k="$1" 'NR == 3 { a = $k } NR > 3 { b = $k }
		END { exit !(b <= (k == 6 ? a + 2 : a * 1.1)) }' "$tmp/soak.csv"
}
check "the dataplane's memory did not grow" grown 4
check "aftr-control's memory did not grow" grown 5
check "aftr-control's open files did not grow" grown 6
cat "$tmp/soak.csv"

mkdir -p "$here/results"
result="$here/results/soak-$(date -u +%Y%m%dT%H%M%SZ).json"
/usr/bin/python3 - "$tmp/soak.csv" "$result" "$secs" "$restarts" "$pass" "$fail" \
	"$tmp/udp.log" "$tmp/downloads.log" "$tmp/changes.log" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
json.dump({"seconds": int(sys.argv[3]), "control_restarts": int(sys.argv[4]),
           "checks_passed": int(sys.argv[5]), "checks_failed": int(sys.argv[6]),
           "traffic": [open(f).read().strip() for f in sys.argv[7:10]],
           "samples": rows}, open(sys.argv[2], "w"), indent=1)
PY
echo "soak: $pass passed, $fail failed; written $result"
[ "$fail" -eq 0 ]
