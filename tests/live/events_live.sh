#!/bin/bash
# NAT event records received by the real programs: aftr-control beside a
# running aftr-dataplane (net_pcap and net_null ports, everything on
# loopback) sends each record to rsyslog over UDP, over TCP (RFC 5424,
# RFC 6587 octet counting) and through a local socket and as IPFIX to nfcapd, which stores them (read
# back with nfdump); tshark decodes the IPFIX datagrams it captured. A B4 makes three UDP sessions where its limit is
# two: a subscriber, a port block, two sessions and a quota exceeded.
# Then aftrctl who answers who had the public address and port: from the
# live state, from aftr-control's event log (--at) and from its files alone
# (--log-dir); and, after the same port went to another B4 (a new
# dataplane), each holder at its time. Last, the collectors die: log lines
# and counters say so.
# Usage: events_live.sh AFTR_DATAPLANE AFTR_CONTROL AFTRCTL
# Exit 0 pass, 1 fail, 77 skip (not root, or a receiver is missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
aftrctl=$(readlink -f "$3")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (capture on lo)"; exit 77; }
for t in rsyslogd tshark nfcapd nfdump curl; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done
tmp=$(mktemp -d)
chmod 755 "$tmp"
name="evtest$$"
base=$((20000 + $$ % 15000))
api=$base sudp=$((base + 1)) stcp=$((base + 2)) ipfix=$((base + 3))
pids=()
# shellcheck source=procs.sh
. "$(dirname "$0")/procs.sh"
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -f "$tmp/rsyslog.pid" ] && kill "$(cat "$tmp/rsyslog.pid")" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0
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

/usr/bin/python3 - "$tmp/in.pcap" <<'PY'
import sys
from scapy.all import Ether, IPv6, IP, UDP, wrpcap
wrpcap(sys.argv[1], [Ether(src="02:00:00:00:00:fe", dst="02:70:63:61:70:00")
                     / IPv6(src="2001:db8:1::2", dst="2001:db8::1")
                     / IP(src="192.168.1.2", dst="203.0.113.7") / UDP(sport=1000 + i, dport=53)
                     for i in range(3)])
PY

# The receivers first: aftr-control refuses to start without its TCP one.
cat >"$tmp/rsyslog.conf" <<CONF
global(workDirectory="$tmp")
module(load="imudp")
module(load="imtcp")
module(load="imuxsock" SysSock.Use="off")
template(name="fields" type="string"
         string="%inputname% %timereported:::date-rfc3339% %app-name% %msgid% %syslogfacility-text% %syslogseverity-text% %structured-data%\n")
ruleset(name="aftr") { action(type="omfile" file="$tmp/syslog.out" template="fields") }
input(type="imudp" address="127.0.0.1" port="$sudp" ruleset="aftr")
input(type="imtcp" address="127.0.0.1" port="$stcp" ruleset="aftr")
input(type="imuxsock" Socket="$tmp/log.sock" UseSpecialParser="off" ParseHostname="on" ruleset="aftr")
CONF
rsyslogd -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" >"$tmp/rsyslog.log" 2>&1 &
pids+=($!)
mkdir "$tmp/nfcapd"
nfcapd -b 127.0.0.1 -p "$ipfix" -w "$tmp/nfcapd" -t 60 >"$tmp/nfcapd.log" 2>&1 &
pids+=($!)
tshark -i lo -f "udp port $ipfix" -w "$tmp/ipfix.pcap" >"$tmp/tshark.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
	ss -ltn | grep -q "127.0.0.1:$stcp " && ss -lun | grep -q "127.0.0.1:$ipfix " &&
		[ -S "$tmp/log.sock" ] &&
		grep -q "Capturing on" "$tmp/tshark.log" && break
	sleep 0.1
done

{
	echo "endpoint: 2001:db8::1"
	echo "icmp_source: 192.0.0.1"
	echo "acl6: [2001:db8:1::/48]"
	echo "pools: [{address: 198.51.100.1}]"
	echo "tunnel_defaults: {nat_maxcount: {udp: 2}}"
	echo "logging:"
	echo "  nat_events: sessions"
	echo "  facility: local3"
	echo "  exporters:"
	echo "    - {type: syslog, address: 127.0.0.1, port: $sudp}"
	echo "    - {type: syslog, transport: tcp, address: 127.0.0.1, port: $stcp}"
	echo "    - {type: syslog, transport: local, path: $tmp/log.sock}"
	echo "    - {type: ipfix, address: 127.0.0.1, port: $ipfix, observation_domain: 9}"
	echo "interfaces:"
	echo "  transport: {device: \"net_pcap0,rx_pcap=$tmp/in.pcap,tx_pcap=/dev/null\"," \
		"address: \"2001:db8:ffff::1/64\", gateway: \"2001:db8:ffff::fe\"," \
		"gateway_mac: \"02:00:00:00:00:fe\"}"
	echo "  wan: {device: \"net_null1,no-rx=1\", address: 192.0.2.1/24, gateway: 192.0.2.254," \
		"gateway_mac: \"02:00:00:00:01:fe\"}"
	echo "api: {listen: 127.0.0.1, port: $api}"
} >"$tmp/aftr.yaml"

# A collector that cannot be reached stops aftr-control at once.
sed "s/port: $stcp}/port: $((base + 4))}/" "$tmp/aftr.yaml" >"$tmp/dead.yaml"
refused() {
	! timeout 10 "$control" -c "$tmp/dead.yaml" --state "$tmp/state0" --shm "none$$" \
		>"$tmp/dead.log" 2>&1 &&
		grep "logging.exporters\[1\] (syslog tcp 127.0.0.1:$((base + 4))): cannot reach" \
			"$tmp/dead.log"
}
check "an unreachable TCP collector: aftr-control does not start, and says which" refused

start_control
start_dataplane
for _ in $(seq 100); do
	[ -s "$tmp/syslog.out" ] && [ "$(grep -c . "$tmp/syslog.out")" -ge 15 ] && break
	sleep 0.1
done
sleep 1

# Each record twice (UDP, TCP): the subscriber, its block, two sessions,
# the quota reached by the third.
syslog_ok() {
	local today
	today=$(date -u +%Y-%m-%d)
	cat "$tmp/syslog.out"
	for input in imudp imtcp imuxsock; do
		grep -E "^$input ${today}T[0-9:.]+(Z|\+00:00) aftr subscriberAdd local3 notice \[subscriberAdd@32473 b4=\"2001:db8:1::2\" addr=\"198.51.100.1\"\]$" "$tmp/syslog.out" &&
			grep -E "^$input .* aftr blockAlloc local3 notice \[blockAlloc@32473 b4=\"2001:db8:1::2\" addr=\"198.51.100.1\" proto=\"udp\" first=\"512\" last=\"519\"\]$" "$tmp/syslog.out" &&
			[ "$(grep -cE "^$input .* aftr sessionCreate local3 notice \[sessionCreate@32473 b4=\"2001:db8:1::2\" src=\"192.168.1.2\" sport=\"100[01]\" addr=\"198.51.100.1\" port=\"51[23]\" proto=\"udp\" dst=\"203.0.113.7\" dport=\"53\"\]$" "$tmp/syslog.out")" -eq 2 ] &&
			grep -E "^$input .* aftr quotaExceeded local3 warning \[quotaExceeded@32473 b4=\"2001:db8:1::2\" addr=\"198.51.100.1\" proto=\"udp\" limit=\"sessions\" max=\"2\"\]$" "$tmp/syslog.out" ||
			return 1
	done
}
check "rsyslog stored every record, over UDP, TCP and its local socket, with its structured data" syslog_ok

metrics_ok() {
	curl -s "http://127.0.0.1:$api/metrics" >"$tmp/m.all"
	grep aftr_exporter_ "$tmp/m.all" >"$tmp/m" || { head -c 300 "$tmp/m.all"; tail -5 "$tmp/control.log"; }
	cat "$tmp/m"
	grep -q "^aftr_exporter_records_total{exporter=\"3\",destination=\"ipfix udp 127.0.0.1:$ipfix\"} 5$" "$tmp/m" &&
		grep -q "^aftr_exporter_lost_total{exporter=\"1\",destination=\"syslog tcp 127.0.0.1:$stcp\"} 0$" "$tmp/m"
}
check "/metrics: each exporter's records, none lost" metrics_ok

# Who had 198.51.100.1 port 512 (the B4's first session's port)?
who_ok() { # what "who" prints; args
	local want=$1
	shift
	"$aftrctl" --api "http://127.0.0.1:$api" who 198.51.100.1 512 "$@" | tee "$tmp/who.txt"
	# The live state has no times; the log has them all.
	grep -E "udp: B4 2001:db8:1::2, port block 512-519 \(allocated (-|$(date -u +%Y-%m-%d)T[0-9:.]+Z), released -\), host 192\.168\.1\.2 port 100[01] .*\[$want\]" "$tmp/who.txt"
}
check "aftrctl who, now: the B4, its block and its host, from the live state" who_ok live
check "aftrctl who --at: the same from the event log" who_ok log --at "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
check "aftrctl who --at with an offset (+00:00): the same" who_ok log \
	--at "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)"
check "aftrctl who --log-dir: the same from the files alone" who_ok log --log-dir "$tmp/state/events"
nobody() {
	"$aftrctl" --api "http://127.0.0.1:$api" who 198.51.100.1 512 --at 2020-01-01T00:00:00Z
	[ $? -eq 1 ] && "$aftrctl" --api "http://127.0.0.1:$api" who 198.51.100.1 512 \
		--at 2020-01-01T00:00:00Z | grep -q "nobody held it"
}
check "aftrctl who before it all: nobody (exit 1)" nobody

# IPFIX as tshark decodes it (RFC 8158 natEvent values).
kill "${pids[2]}" 2>/dev/null
sleep 0.5
ipfix_ok() {
	tshark -r "$tmp/ipfix.pcap" -d "udp.port==$ipfix,cflow" -T fields -E occurrence=a \
		-e cflow.od_id -e cflow.nat_event -e cflow.srcaddrv6 -e cflow.post_natsource_ipv4_address \
		-e cflow.port_range_start -e cflow.port_range_end -e cflow.port_range_num_ports \
		-e cflow.srcport -e cflow.post_naptsource_transport_port -e cflow.nat_quota_exceeded_event \
		-e cflow.max_entries_per_user 2>&1 | tee "$tmp/ipfix.txt"
	grep -q "^9	" "$tmp/ipfix.txt" &&
		grep -Eq "(^|	|,)14(,|	)" "$tmp/ipfix.txt" && grep -Eq "(^|	|,)16(,|	)" "$tmp/ipfix.txt" &&
		grep -Eq "(^|	|,)4(,|	)" "$tmp/ipfix.txt" && grep -Eq "(^|	|,)13(,|	)" "$tmp/ipfix.txt" &&
		grep -q "2001:db8:1::2" "$tmp/ipfix.txt" && grep -q "198.51.100.1" "$tmp/ipfix.txt" &&
		grep -q "512" "$tmp/ipfix.txt" && grep -q "519" "$tmp/ipfix.txt"
}
check "tshark decodes the IPFIX records: binding, port block, sessions, quota" ipfix_ok
# nfcapd stored them as NAT records (written out when it stops).
kill "${pids[1]}" 2>/dev/null
sleep 1
nfcapd_ok() {
	nfdump -R "$tmp/nfcapd" -o raw >"$tmp/nfdump.txt" 2>&1
	grep -E "nat event|src addr|src xlt ip" "$tmp/nfdump.txt"
	for ev in 14 16 4 13; do
		grep -qE "nat event += +$ev:" "$tmp/nfdump.txt" || return 1
	done
	grep -qE "src addr += +2001:db8:1::2$" "$tmp/nfdump.txt" &&
		grep -qE "src xlt ip += +198\.51\.100\.1$" "$tmp/nfdump.txt"
}
check "nfcapd stored the records: the B4, its public address, each event" nfcapd_ok

# The same public port given to another B4: a new dataplane (the NAT
# state starts over) whose first packet comes from 2001:db8:1::3. The
# event log tells the two holders apart by time.
before=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
sleep 1.1
kill "$dp_pid"
wait "$dp_pid" 2>/dev/null
/usr/bin/python3 - "$tmp/in.pcap" <<'PY'
import sys
from scapy.all import Ether, IPv6, IP, UDP, wrpcap
wrpcap(sys.argv[1], [Ether(src="02:00:00:00:00:fe", dst="02:70:63:61:70:00")
                     / IPv6(src="2001:db8:1::3", dst="2001:db8::1")
                     / IP(src="192.168.1.9", dst="203.0.113.7") / UDP(sport=2000, dport=53)])
PY
start_dataplane
for _ in $(seq 100); do
	grep -q 'blockAlloc@32473 b4="2001:db8:1::3"' "$tmp/syslog.out" 2>/dev/null && break
	sleep 0.1
done
reassigned() {
	"$aftrctl" --api "http://127.0.0.1:$api" who 198.51.100.1 512 --protocol udp --at "$before" |
		tee "$tmp/who1.txt"
	"$aftrctl" --api "http://127.0.0.1:$api" who 198.51.100.1 512 --protocol udp \
		--at "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" | tee "$tmp/who2.txt"
	grep -q "udp: B4 2001:db8:1::2, port block 512-519" "$tmp/who1.txt" &&
		grep -q "host 192.168.1.2 port 1000" "$tmp/who1.txt" &&
		grep -q "udp: B4 2001:db8:1::3, port block 512-519" "$tmp/who2.txt" &&
		grep -q "host 192.168.1.9 port 2000" "$tmp/who2.txt"
}
check "aftrctl who: the block's first holder before, the second after" reassigned

# Collectors gone at run time: log lines and error counters, never silence
# (a third dataplane's records meet no rsyslog).
kill "$(cat "$tmp/rsyslog.pid")"
for _ in $(seq 50); do
	grep -q "exporter syslog tcp 127.0.0.1:$stcp: the collector closed" "$tmp/control.log" &&
		break
	sleep 0.1
done
kill "$dp_pid"
wait "$dp_pid" 2>/dev/null
start_dataplane
gone() {
	for _ in $(seq 50); do
		grep -q "exporter syslog udp 127.0.0.1:$sudp: send" "$tmp/control.log" && break
		sleep 0.1
	done
	grep "exporter syslog" "$tmp/control.log"
	curl -s "http://127.0.0.1:$api/metrics" | grep -E "aftr_exporter_(lost|errors)_total" |
		tee "$tmp/m2"
	grep -q "exporter syslog tcp 127.0.0.1:$stcp: the collector closed the connection" \
		"$tmp/control.log" &&
		grep -q "exporter syslog udp 127.0.0.1:$sudp: send: Connection refused" \
			"$tmp/control.log" &&
		grep -qE "^aftr_exporter_errors_total\{exporter=\"0\",destination=\"syslog udp 127.0.0.1:$sudp\"\} [1-9]" "$tmp/m2" &&
		grep -qE "^aftr_exporter_lost_total\{exporter=\"1\",destination=\"syslog tcp 127.0.0.1:$stcp\"\} [1-9]" "$tmp/m2"
}
check "collectors gone at run time: log lines, errors and lost records counted" gone
echo "events_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
