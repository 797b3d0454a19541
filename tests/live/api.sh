#!/bin/bash
# API test: aftr-control beside a running aftr-dataplane (net_pcap and
# net_null ports, no network needed), every resource and every error class
# with curl, and aftrctl's API verbs. Usage: api.sh AFTR_DATAPLANE AFTR_CONTROL AFTRCTL
# Exit 0 pass, 1 fail, 77 skip (curl missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
aftrctl=$(readlink -f "$3")
command -v curl >/dev/null || { echo "SKIP: curl is missing"; exit 77; }
tmp=$(mktemp -d)
name="apitest$$"
port=$((20000 + $$ % 20000))
pids=()
# shellcheck source=procs.sh
. "$(dirname "$0")/procs.sh"
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0

/usr/bin/python3 - "$tmp/in.pcap" <<'PY'
import sys
from scapy.all import Ether, IPv6, IP, UDP, wrpcap
wrpcap(sys.argv[1], [Ether(src="02:00:00:00:00:fe", dst="02:70:63:61:70:00")
                     / IPv6(src="2001:db8:1::2", dst="2001:db8::1")
                     / IP(src="192.168.1.2", dst="203.0.113.7") / UDP(sport=1000 + i, dport=53)
                     for i in range(3)]
       # A B4 whose packets are dropped: a public inner source (not_private).
       + [Ether(src="02:00:00:00:00:fe", dst="02:70:63:61:70:00")
          / IPv6(src="2001:db8:1::3", dst="2001:db8::1")
          / IP(src="8.8.8.8", dst="203.0.113.7") / UDP(sport=2000 + i, dport=53)
          for i in range(2)])
PY
echo "t0k3n-$$" >"$tmp/token"
{
	echo "endpoint: 2001:db8::1"
	echo "icmp_source: 192.0.0.1"
	echo "acl6: [2001:db8:1::/48]"
	echo "pools: [{address: 198.51.100.1}]"
	echo "logging: {nat_events: sessions}"
	echo "filters: {transport: {in: [{action: accept, protocol: udp, destination_port: 53}]}}"
	echo "interfaces:"
	echo "  transport: {device: \"net_pcap0,rx_pcap=$tmp/in.pcap,tx_pcap=/dev/null\"," \
		"address: \"2001:db8:ffff::1/64\", gateway: \"2001:db8:ffff::fe\"," \
		"gateway_mac: \"02:00:00:00:00:fe\"}"
	echo "  wan: {device: \"net_null1,no-rx=1\", address: 192.0.2.1/24, gateway: 192.0.2.254," \
		"gateway_mac: \"02:00:00:00:01:fe\"}"
} >"$tmp/base.yaml"
cp "$tmp/base.yaml" "$tmp/aftr.yaml"
echo "api: {listen: 127.0.0.1, port: $port, token_file: $tmp/token}" >>"$tmp/aftr.yaml"
url="http://127.0.0.1:$port"
auth=(-H "Authorization: Bearer t0k3n-$$")

# expect DESCRIPTION STATUS CHECK CURL_ARGS...: CHECK is a Python expression
# on the JSON body j, or - for none.
expect() {
	local what=$1 want=$2 test=$3
	shift 3
	local got
	got=$(curl -s -o "$tmp/body" -w '%{http_code}' "$@")
	if [ "$got" = "$want" ] && { [ "$test" = - ] ||
		/usr/bin/python3 -c "import json,sys; j=json.load(open('$tmp/body')); sys.exit(0 if ($test) else 1)"; }; then
		echo "ok   $what"
		pass=$((pass + 1))
	else
		echo "FAIL $what: HTTP $got (expected $want)"
		head -c 600 "$tmp/body" 2>/dev/null | sed 's/^/     /'
		echo
		fail=$((fail + 1))
	fi
}

start_control
for _ in $(seq 50); do curl -s "$url/api/v1/health" >/dev/null && break; sleep 0.1; done
expect "health without a dataplane: 503, degraded" 503 \
	"j['status'] == 'degraded' and not j['dataplane']['running']" "$url/api/v1/health"
expect "counters without a dataplane: 503 with an error object" 503 \
	"j['error'] == 'no dataplane' and 'detail' in j" "${auth[@]}" "$url/api/v1/counters"
expect "rates without a dataplane: 503" 503 "j['error'] == 'no rates yet'" "${auth[@]}" \
	"$url/api/v1/rates"
if curl -s "${auth[@]}" "$url/metrics" | grep -q '^aftr_dataplane_up 0$'; then
	echo "ok   metrics without a dataplane: a scrape that works, aftr_dataplane_up 0"
	pass=$((pass + 1))
else
	echo "FAIL metrics without a dataplane"
	fail=$((fail + 1))
fi

start_dataplane
for _ in $(seq 100); do
	curl -s "$url/api/v1/health" | grep -q '"running": true' && break
	sleep 0.1
done
sleep 1.5 # the first second of port statistics

expect "health with the dataplane: ok, its pid, its worker answered through its ring" 200 \
	"j['status'] == 'ok' and j['dataplane']['workers'] == 1 and j['dataplane']['pid'] > 0 and j['dataplane']['workers_alive'][0]['responsive']" \
	"$url/api/v1/health"
expect "version" 200 "j['api'] == 'v1' and len(j['version']) > 0" "${auth[@]}" \
	"$url/api/v1/version"
expect "no token: 401 with an error object" 401 "j['error'] == 'unauthorized'" \
	"$url/api/v1/version"
expect "wrong token: 401" 401 - -H "Authorization: Bearer nope" "$url/api/v1/version"
expect "token without Bearer: 401" 401 - -H "Authorization: t0k3n-$$" "$url/api/v1/version"
expect "effective configuration: every knob" 200 \
	"j['endpoint'] == '2001:db8::1' and j['nat']['lifetime']['tcp'] == 7440 and j['nat']['sessions_per_worker'] == 65536 and j['api']['port'] == $port" \
	"${auth[@]}" "$url/api/v1/config"
expect "sparse configuration: what differs from the defaults" 200 \
	"'nat' not in j and j['pools'][0]['address'] == '198.51.100.1'" "${auth[@]}" \
	"$url/api/v1/config?sparse=1"
if [ "$(grep -c 'NAT tables per worker: [0-9]* bytes: 65536 sessions' "$tmp/dp.log")" = 1 ]; then
	echo "ok   the dataplane logged its NAT tables' memory once"
	pass=$((pass + 1))
else
	echo "FAIL the dataplane's log of its NAT tables' memory"
	cat "$tmp/dp.log"
	fail=$((fail + 1))
fi
expect "counters: the 3 packets were translated" 200 \
	"j['counters']['nat_out'] == 3 and j['counters']['session_created'] == 3 and 'per_lcore' not in j" \
	"${auth[@]}" "$url/api/v1/counters"
expect "counters per lcore: worker 0, then main" 200 \
	"len(j['per_lcore']) == 2 and j['per_lcore'][0]['nat_out'] == 3 and j['per_lcore'][1]['port_transport_rx_packets'] == 5" \
	"${auth[@]}" "$url/api/v1/counters?per_worker=1"
expect "drop reasons with their meaning" 200 \
	"any(d['reason'] == 'acl6' and d['help'] for d in j['drops'])" "${auth[@]}" \
	"$url/api/v1/counters/drops"
expect "sessions: the three, with their public ports" 200 \
	"[x['external_port'] for x in j['sessions']] == [512, 513, 514] and j['next'] is None and j['sessions'][0]['b4'] == '2001:db8:1::2' and j['sessions'][0]['state'] == 'new'" \
	"${auth[@]}" "$url/api/v1/sessions"
expect "sessions, paged: two, then a cursor" 200 \
	"len(j['sessions']) == 2 and j['next'] == '0:2'" "${auth[@]}" "$url/api/v1/sessions?limit=2"
expect "sessions, the next page" 200 \
	"[x['port'] for x in j['sessions']] == [1002] and j['next'] is None" "${auth[@]}" \
	"$url/api/v1/sessions?limit=2&cursor=0:2"
expect "sessions filtered by protocol and public port" 200 \
	"len(j['sessions']) == 1 and j['sessions'][0]['port'] == 1001" "${auth[@]}" \
	"$url/api/v1/sessions?protocol=udp&external_port=513&external_address=198.51.100.1"
expect "sessions of another B4: none" 200 "j['sessions'] == []" "${auth[@]}" \
	"$url/api/v1/sessions?b4=2001:db8:1::99"
expect "subscribers: the B4, its sessions and its port block" 200 \
	"j['subscribers'] == [{'worker': 0, 'b4': '2001:db8:1::2', 'external_address': '198.51.100.1', 'sessions': {'tcp': 0, 'udp': 3, 'icmp': 0}, 'block_count': {'tcp': 0, 'udp': 1, 'icmp': 0}, 'blocks': [{'protocol': 'udp', 'first': 512, 'last': 519}]}] and j['next'] is None" \
	"${auth[@]}" "$url/api/v1/subscribers"
expect "subscribers of another pool address: none" 200 "j['subscribers'] == []" "${auth[@]}" \
	"$url/api/v1/subscribers?external_address=198.51.100.9"
expect "a bad filter: 422 naming the field" 422 \
	"j['field'] == 'b4' and 'not an IPv6 address' in j['detail']" "${auth[@]}" \
	"$url/api/v1/sessions?b4=nope"
expect "a limit out of range: 422" 422 "j['field'] == 'limit'" "${auth[@]}" \
	"$url/api/v1/sessions?limit=0"
expect "a cursor that is not one: 422" 422 "j['field'] == 'cursor'" "${auth[@]}" \
	"$url/api/v1/sessions?cursor=-1:0"
expect "a cursor past the last worker: 422" 422 "j['field'] == 'cursor'" "${auth[@]}" \
	"$url/api/v1/sessions?cursor=9:0"
expect "a boolean that is not one: 422" 422 "j['field'] == 'per_worker'" "${auth[@]}" \
	"$url/api/v1/counters?per_worker=yes"
expect "OpenAPI document" 200 "j['openapi'].startswith('3.') and '/metrics' in j['paths']" \
	"${auth[@]}" "$url/api/v1/openapi.json"
# Clients generated from it need an operationId on each operation, and an
# error's body described wherever one comes.
expect "OpenAPI: every operation named once, every error response with its schema" 200 \
	"len({o['operationId'] for v in j['paths'].values() for o in v.values()}) == sum(len(v) for v in j['paths'].values()) and all('content' in r or '\$ref' in r for v in j['paths'].values() for o in v.values() for c, r in o['responses'].items() if c[0] in '45')" \
	"${auth[@]}" "$url/api/v1/openapi.json"
expect "pools, with their ranges" 200 \
	"j['pools'][0]['address'] == '198.51.100.1' and j['pool_defaults']['udp'] == '512-65535'" \
	"${auth[@]}" "$url/api/v1/pools"
expect "defaults (ISC section zero)" 200 \
	"j['nat']['lifetime']['tcp'] == 7440 and 'tunnel_defaults' in j and 'pools' not in j" \
	"${auth[@]}" "$url/api/v1/defaults"
expect "OpenAPI documents the run-time lists and reload" 200 \
	"all('/api/v1/' + k in j['paths'] for k in ('tunnels', 'static-nat', 'prr', 'nonat', 'softwires', 'acl6', 'private', 'reload'))" \
	"${auth[@]}" "$url/api/v1/openapi.json"
expect "unknown resource: 404" 404 "j['error'] == 'not found' and '/api/v1/nope' in j['detail']" \
	"${auth[@]}" "$url/api/v1/nope"
expect "POST on a read-only resource: 405" 405 "j['error'] == 'method not allowed'" \
	"${auth[@]}" -X POST -d '{}' "$url/api/v1/config"
expect "metrics need the token too" 401 - "$url/metrics"

# Prometheus conventions: one family per counter kind with labels, no
# total series (sum() over lcore is the whole), seconds, build_info; and
# promtool's own lint where Debian's prometheus package is installed.
metrics() {
	local m=$tmp/metrics re
	curl -s "${auth[@]}" "$url/metrics" >"$m" || return 1
	for re in '^# TYPE aftr_nat_out_total counter$' '^aftr_nat_out_total\{lcore="worker0"\} 3$' \
		'^aftr_drops_total\{reason="acl6",lcore="main"\} 0$' \
		'^# TYPE aftr_fragments_held_ip6 gauge$' '^aftr_fragments_held_ip6\{lcore="worker0"\} 0$' \
		'^aftr_port_rx_packets_total\{interface="transport"\} [0-9]+$' \
		'^aftr_rx_packets_total\{interface="wan",lcore="worker0"\} [0-9]+$' \
		'^# TYPE aftr_busy_seconds_total counter$' '^aftr_build_info\{version="[0-9.]+"\} 1$' \
		'^aftr_dataplane_up 1$' '^aftr_worker_up\{lcore="worker0"\} 1$'; do
		grep -qE "$re" "$m" || { echo "no line matches $re"; return 1; }
	done
	! grep -E 'lcore="total"|_ns[{ ]' "$m" || { echo "a total series or nanoseconds"; return 1; }
	[ "$(grep -c '^# TYPE aftr_drops_total counter$' "$m")" -eq 1 ] ||
		{ echo "aftr_drops_total is not one family"; return 1; }
	[ "$(awk '/^aftr_filter_matches_total\{interface="transport",direction="in",rule="0",/ { n += $2 } END { print n + 0 }' "$m")" -eq 5 ] ||
		{ echo "the filter rule's matches are not 5"; return 1; }
	! grep -vE '^(# (HELP|TYPE) aftr_[a-z0-9_]+ .*|aftr_[a-z0-9_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+)$' "$m" ||
		{ echo "lines above are not well formed"; return 1; }
	if command -v promtool >/dev/null; then
		promtool check metrics <"$m" || return 1
	fi
}
if metrics >"$tmp/metrics.check" 2>&1; then
	echo "ok   Prometheus metrics: well formed, labelled families, a filter rule's" \
		"matches$(command -v promtool >/dev/null && echo "; promtool check metrics clean")"
	pass=$((pass + 1))
else
	echo "FAIL Prometheus metrics"
	cat "$tmp/metrics.check"
	head -5 "$tmp/metrics"
	fail=$((fail + 1))
fi

# The subscriber, its port block and its three sessions, logged as ISC's
# trace messages (nat_events: sessions).
if grep -qE '^[0-9]+ tunnel add 2001:db8:1::2$' "$tmp/control.log" &&
	grep -qE '^[0-9]+ bucket add 2001:db8:1::2 198\.51\.100\.1 udp 512-519$' "$tmp/control.log" &&
	[ "$(grep -cE '^[0-9]+ nat add 2001:db8:1::2 udp 198\.51\.100\.1 51[234]$' "$tmp/control.log")" -eq 3 ]; then
	echo "ok   the tunnel, its port block and its sessions were logged (ISC trace format)"
	pass=$((pass + 1))
else
	echo "FAIL the trace messages were not logged"
	cat "$tmp/control.log"
	fail=$((fail + 1))
fi

# aftrctl's verbs through the API (ISC's interactive commands).
ctl() { # description, expected exit status, grep pattern or -, aftrctl args...
	local what=$1 want=$2 pat=$3
	shift 3
	"$aftrctl" --api "$url" "$@" >"$tmp/ctl.out" 2>&1
	local got=$?
	if [ "$got" -eq "$want" ] && { [ "$pat" = - ] || grep -qE "$pat" "$tmp/ctl.out"; }; then
		echo "ok   aftrctl $*: $what"
		pass=$((pass + 1))
	else
		echo "FAIL aftrctl $*: $what (exit $got, expected $want)"
		sed 's/^/     /' "$tmp/ctl.out"
		fail=$((fail + 1))
	fi
}
# listed N OK_TEXT FAIL_NOUN: the last ctl printed N entries added through the API.
listed() {
	local got
	got=$(grep -c ' api$' "$tmp/ctl.out")
	if [ "$got" -eq "$1" ]; then
		echo "ok   $2"
		pass=$((pass + 1))
	else
		echo "FAIL: $got $3"
		fail=$((fail + 1))
	fi
}
ctl "every worker alive" 0 '^worker 0: alive$' --token-file "$tmp/token" noop
ctl "counters" 0 '^nat_out +3$' --token-file "$tmp/token" show stat
ctl "drop reasons" 0 '^acl6 +0  B4 address' --token-file "$tmp/token" show dropped
ctl "the configuration as JSON" 0 '"endpoint": "2001:db8::1"' --token-file "$tmp/token" list default
ctl "without the token: the API's error, exit 1" 1 '401 unauthorized' show stat
AFTR_TOKEN_FILE="$tmp/token" ctl "token from AFTR_TOKEN_FILE" 0 '^nat_out' show stat
ctl "unreachable: exit 3" 3 'cannot reach' --api http://127.0.0.1:1 noop
# Rates (ISC decay): once the dataplane has been followed for a second.
for _ in $(seq 30); do curl -sf -o /dev/null "${auth[@]}" "$url/api/v1/rates" && break; sleep 0.1; done
expect "rates: each counter's last second and 1, 5, 15 minute averages, gauges left out" 200 \
	"j['seconds'] >= 1 and abs(j['decay']['1min'] - 0.98347145382) < 1e-9 and set(j['rates']['nat_out']) == {'last', '1min', '5min', '15min'} and 'mbufs_in_use' not in j['rates'] and all(v >= 0 for r in j['rates'].values() for v in r.values())" \
	"${auth[@]}" "$url/api/v1/rates"
ctl "top: the main rates and the drop reasons, once" 0 '^NAT out +[0-9.]+ +[0-9.]+' \
	--token-file "$tmp/token" top 1 1
ctl "show rates" 0 '^per second +last second' --token-file "$tmp/token" show rates
# Pool utilisation, summed over the workers: every protocol of the pool
# address, blocks used and free adding up, the sessions' among them.
expect "pool utilisation: blocks used and free, ports in use, per protocol" 200 \
	"{p['protocol'] for p in j['pools']} == {'tcp', 'udp', 'icmp'} and all(p['address'] == '198.51.100.1' and p['blocks'] > 0 and p['blocks_used'] + p['blocks_free'] == p['blocks'] and p['ports'] >= p['ports_used'] for p in j['pools']) and any(p['blocks_used'] >= 1 and p['ports_used'] >= 1 for p in j['pools'])" \
	"${auth[@]}" "$url/api/v1/pools/usage"
ctl "show pools: a line per address and protocol" 0 '^198\.51\.100\.1 +udp +active +[0-9]+ +[1-9]' \
	--token-file "$tmp/token" show pools
if curl -s "${auth[@]}" "$url/metrics" |
	grep -qE '^aftr_pool_blocks_used\{address="198\.51\.100\.1",protocol="udp"\} [1-9]'; then
	echo "ok   metrics: the pool's blocks in use"
	pass=$((pass + 1))
else
	echo "FAIL metrics: no aftr_pool_blocks_used of the pool"
	fail=$((fail + 1))
fi
ctl "top with a bad interval: usage" 2 'usage: aftrctl top' --token-file "$tmp/token" top 0

# The run-time lists: added, refused, saved, deleted, kept over a restart.
json=(-H "Content-Type: application/json")
expect "no tunnels yet" 200 "j == []" "${auth[@]}" "$url/api/v1/tunnels"
expect "add a tunnel: 201, in the dataplane" 201 "j['added'] == 1 and j['applied']" \
	"${auth[@]}" "${json[@]}" -d '{"b4": "2001:db8:1::2", "mtu": 1400}' "$url/api/v1/tunnels"
expect "listed, from the API" 200 \
	"j == [{'b4': '2001:db8:1::2', 'mtu': 1400, 'source': 'api'}]" "${auth[@]}" \
	"$url/api/v1/tunnels"
expect "the same tunnel again: 409" 409 "j['error'] == 'conflict'" "${auth[@]}" "${json[@]}" \
	-d '{"b4": "2001:db8:1::2"}' "$url/api/v1/tunnels"
expect "a body that is not JSON: 400" 400 "j['error'] == 'bad request'" "${auth[@]}" \
	"${json[@]}" -d '{"b4": ' "$url/api/v1/tunnels"
expect "no body: 400" 400 "j['error'] == 'bad request'" "${auth[@]}" -X POST \
	"$url/api/v1/tunnels"
expect "a bad value: 422 naming the field" 422 "j['field'] == 'b4'" "${auth[@]}" "${json[@]}" \
	-d '{"b4": "nope"}' "$url/api/v1/tunnels"
expect "an unknown key: 422" 422 "j['field'] == 'colour'" "${auth[@]}" "${json[@]}" \
	-d '{"b4": "2001:db8:1::9", "colour": 1}' "$url/api/v1/tunnels"
expect "bulk: one bad entry refuses them all" 422 "j['field'].startswith('[1]')" \
	"${auth[@]}" "${json[@]}" -d '[{"b4": "2001:db8:1::10"}, {"b4": "2001:db8:1::11", "mtu": 5}]' \
	"$url/api/v1/tunnels"
expect "bulk: three tunnels" 201 "j['added'] == 3 and j['applied']" "${auth[@]}" "${json[@]}" \
	-d '[{"b4": "2001:db8:1::10"}, {"b4": "2001:db8:1::11"}, {"b4": "2001:db8:1::12"}]' \
	"$url/api/v1/tunnels"
expect "bulk: a duplicate inside the array: 409" 409 "j['error'] == 'conflict'" "${auth[@]}" \
	"${json[@]}" -d '[{"b4": "2001:db8:1::20"}, {"b4": "2001:db8:1::20"}]' "$url/api/v1/tunnels"
nat='{"b4": "2001:db8:1::2", "protocol": "tcp", "address": "192.168.1.2", "port": 80, "external_address": "198.51.100.1", "external_port": 80}'
expect "a static NAT entry" 201 "j['applied']" "${auth[@]}" "${json[@]}" -d "$nat" \
	"$url/api/v1/static-nat"
expect "another inside port on the same public port: 409" 409 "j['error'] == 'conflict'" \
	"${auth[@]}" "${json[@]}" -d "${nat/\"port\": 80,/\"port\": 81,}" "$url/api/v1/static-nat"
expect "a public port inside the dynamic range: 422" 422 "'dynamic' in j['detail']" \
	"${auth[@]}" "${json[@]}" \
	-d '{"b4": "2001:db8:1::2", "protocol": "udp", "address": "192.168.1.2", "port": 53, "external_address": "198.51.100.1", "external_port": 3000}' \
	"$url/api/v1/static-nat"
expect "acl6 and private prefixes are resources too" 201 "j['applied']" "${auth[@]}" \
	"${json[@]}" -d '{"prefix": "2001:db8:2::/48"}' "$url/api/v1/acl6"
expect "the private list, from the defaults of the file" 200 \
	"{'prefix': '10.0.0.0/8', 'source': 'config'} in j" "${auth[@]}" "$url/api/v1/private"
expect "deleting what the file defines: 409" 409 "'reload' in j['detail']" "${auth[@]}" \
	-X DELETE "$url/api/v1/private/10.0.0.0/8"
expect "delete the static NAT entry" 200 "j['deleted'] == 1 and j['applied']" "${auth[@]}" \
	-X DELETE "$url/api/v1/static-nat/tcp/198.51.100.1/80"
expect "deleted twice: 404" 404 "j['error'] == 'not found'" "${auth[@]}" -X DELETE \
	"$url/api/v1/static-nat/tcp/198.51.100.1/80"
expect "a name that is not one: 400" 400 "'tcp|udp' in j['detail']" "${auth[@]}" -X DELETE \
	"$url/api/v1/static-nat/gre/198.51.100.1/80"
expect "PUT on a list: 405" 405 "j['error'] == 'method not allowed'" "${auth[@]}" -X PUT -d '{}' \
	"$url/api/v1/tunnels"
expect "PUT replaces an entry in one change" 200 "j['replaced'] == 1 and j['applied']" \
	"${auth[@]}" "${json[@]}" -X PUT -d '{"b4": "2001:db8:1::10", "mtu": 1300}' \
	"$url/api/v1/tunnels/2001:db8:1::10"
expect "PUT of a body naming another entry: 422" 422 "'another' in j['detail']" \
	"${auth[@]}" "${json[@]}" -X PUT -d '{"b4": "2001:db8:1::11"}' \
	"$url/api/v1/tunnels/2001:db8:1::10"
expect "PUT of an entry that is not there: 404" 404 - "${auth[@]}" "${json[@]}" -X PUT \
	-d '{"b4": "2001:db8:1::30"}' "$url/api/v1/tunnels/2001:db8:1::30"
expect "PUT of an array: 400" 400 - "${auth[@]}" "${json[@]}" -X PUT \
	-d '[{"b4": "2001:db8:1::10"}]' "$url/api/v1/tunnels/2001:db8:1::10"
expect "a change without the token: 401, the body unread" 401 "j['error'] == 'unauthorized'" \
	"${json[@]}" -d '{"b4": "2001:db8:1::31"}' "$url/api/v1/tunnels"
expect "the effective configuration has the additions" 200 \
	"len(j['tunnels']) == 4 and '2001:db8:2::/48' in j['acl6']" "${auth[@]}" "$url/api/v1/config"
# The journal holds the api layer (no snapshot while aftr-control runs).
journal_check="
import glob, json, sys
t, a, n = {}, [], 0
for f in sorted(glob.glob('$tmp/state/journal.*')):
    for line in open(f):
        r = json.loads(line)
        for e in r.get('entries', []):
            if r['kind'] == 'tunnels':
                t.pop(e['b4']) if r['op'] == 'delete' else t.__setitem__(e['b4'], e)
            if r['kind'] == 'acl6':
                a.remove(e['prefix']) if r['op'] == 'delete' else a.append(e['prefix'])
            if r['kind'] == 'static-nat':
                n += -1 if r['op'] == 'delete' else 1 if r['op'] == 'add' else 0
sys.exit(0 if len(t) == 4 and a == ['2001:db8:2::/48'] and n == 0 else 1)"
if /usr/bin/python3 -c "$journal_check" &&
	grep -q "tables generation .*: in use" "$tmp/dp.log"; then
	echo "ok   saved in the state journal; the dataplane runs the new tables"
	pass=$((pass + 1))
else
	echo "FAIL the state journal or the dataplane's tables"
	cat "$tmp"/state/journal.* "$tmp/dp.log"
	fail=$((fail + 1))
fi

# kill -9 the control process: a new one has everything, and programs the dataplane.
{
	kill -9 "$control_pid"
	wait "$control_pid"
} 2>/dev/null
start_control
for _ in $(seq 50); do curl -s "$url/api/v1/health" >/dev/null && break; sleep 0.1; done
sleep 0.5
expect "after kill -9 and a restart: the tunnels are back" 200 \
	"len(j) == 4 and all(t['source'] == 'api' for t in j)" "${auth[@]}" "$url/api/v1/tunnels"
expect "and the dataplane is programmed again, its sessions kept" 200 \
	"j['dataplane']['programming']['dataplane'] == 'programmed'" "$url/api/v1/health"
expect "sessions survived the control restart" 200 "len(j['sessions']) == 3" "${auth[@]}" \
	"$url/api/v1/sessions"

# The state directory lost while a dataplane runs: said before it is
# programmed with the file's lists alone (and never when the state is there).
say_lost() { # description, command...
	if "${@:2}"; then
		echo "ok   $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1"
		tail -5 "$tmp/control.log"
		fail=$((fail + 1))
	fi
}
say_lost "a restart with its state says nothing of a lost one" \
	bash -c "! grep -q 'no saved state' '$tmp/control.log'"
{
	kill -9 "$control_pid"
	wait "$control_pid"
} 2>/dev/null
mv "$tmp/state" "$tmp/state.away"
start_control
for _ in $(seq 50); do curl -s "$url/api/v1/health" >/dev/null && break; sleep 0.1; done
say_lost "a restart without it warns that the running dataplane's API entries go" \
	grep -q "warning: no saved state in $tmp/state, yet a dataplane runs (pid $dp_pid)" \
	"$tmp/control.log"
{
	kill -9 "$control_pid"
	wait "$control_pid"
} 2>/dev/null
rm -rf "$tmp/state"
mv "$tmp/state.away" "$tmp/state"
start_control
for _ in $(seq 50); do curl -s "$url/api/v1/health" >/dev/null && break; sleep 0.1; done
sleep 0.5
expect "the state put back: the tunnels are back" 200 "len(j) == 4" "${auth[@]}" \
	"$url/api/v1/tunnels"

# kill -9 the dataplane: a new one gets the tunnels and entries back.
{
	kill -9 "$dp_pid"
	wait "$dp_pid"
} 2>/dev/null
t0=$(date +%s%N)
start_dataplane
programmed=
for _ in $(seq 300); do
	if curl -s "$url/api/v1/health" | /usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if j['dataplane'].get('programming', {}).get('dataplane') == 'programmed' and j['dataplane']['pid'] == $dp_pid else 1)" 2>/dev/null; then
		programmed=$((($(date +%s%N) - t0) / 1000000))
		break
	fi
	sleep 0.05
done
if [ -n "$programmed" ] && [ "$(grep -c 'tables generation .*: in use' "$tmp/dp.log")" -ge 1 ]; then
	echo "ok   after kill -9 of the dataplane, a new one is programmed in $programmed ms (start included)"
	pass=$((pass + 1))
else
	echo "FAIL the new dataplane was not programmed"
	tail -5 "$tmp/dp.log" "$tmp/control.log"
	fail=$((fail + 1))
fi
expect "its effective configuration has the API's tunnels" 200 "len(j['tunnels']) == 4" \
	"${auth[@]}" "$url/api/v1/config"

# reload: the file's new entries come in; a change that needs a restart does not.
echo "tunnels: [{b4: \"2001:db8:1::99\", mtu: 1300}]" >>"$tmp/aftr.yaml"
expect "reload takes the file's new tunnel" 200 "j['reloaded'] and j['applied']" "${auth[@]}" \
	-X POST "$url/api/v1/reload"
expect "listed as from the file" 200 \
	"{'b4': '2001:db8:1::99', 'mtu': 1300, 'source': 'config'} in j and len(j) == 5" \
	"${auth[@]}" "$url/api/v1/tunnels"
# Filters are live: a changed rule runs after a reload, its counter starts over.
filter_hits() {
	curl -s "${auth[@]}" "$url/metrics" |
		awk '/^aftr_filter_matches_total\{interface="transport",direction="in",rule="0",/ { n += $2; seen = 1 }
			END { if (seen) print n }'
}
sed -i 's/destination_port: 53}/destination_port: 54}/' "$tmp/aftr.yaml"
expect "reload takes changed filters" 200 "j['reloaded'] and j['applied']" "${auth[@]}" \
	-X POST "$url/api/v1/reload"
# Each worker starts over at its next loop; the counters are read a second later.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(filter_hits)" = 0 ] && break
	sleep 0.5
done
if [ "$(filter_hits)" = 0 ]; then
	echo "ok   the changed rule's counter starts over"
	pass=$((pass + 1))
else
	echo "FAIL the changed rule's counter: $(filter_hits)"
	fail=$((fail + 1))
fi
# Pool addresses added and removed by a reload: an added one is used at
# once, a removed one drains; a pool's ranges change only at restart.
cp "$tmp/aftr.yaml" "$tmp/aftr.good"
sed -i 's/pools: \[{address: 198.51.100.1}\]/pools: [{address: 198.51.100.1}, {address: 198.51.100.3}]/' \
	"$tmp/aftr.yaml"
expect "reload of a file with a pool address more: applied" 200 "j['reloaded'] and j['applied']" \
	"${auth[@]}" -X POST "$url/api/v1/reload"
expect "the pools: both" 200 "[p['address'] for p in j['pools']] == ['198.51.100.1', '198.51.100.3']" \
	"${auth[@]}" "$url/api/v1/pools"
expect "the dataplane uses the added one: its blocks, active" 200 \
	"any(p['address'] == '198.51.100.3' and p['state'] == 'active' and p['blocks'] > 0 for p in j['pools'])" \
	"${auth[@]}" "$url/api/v1/pools/usage"
cp "$tmp/aftr.good" "$tmp/aftr.yaml"
expect "reload of a file without it: applied" 200 "j['reloaded'] and j['applied']" \
	"${auth[@]}" -X POST "$url/api/v1/reload"
expect "the removed one drains" 200 \
	"[(p['address'], p['state']) for p in j['pools'] if p['protocol'] == 'udp'] == [('198.51.100.1', 'active'), ('198.51.100.3', 'draining')]" \
	"${auth[@]}" "$url/api/v1/pools/usage"
ctl "show pools: its state" 0 '^198\.51\.100\.3 +udp +draining ' --token-file "$tmp/token" \
	show pools
if curl -s "${auth[@]}" "$url/metrics" |
	grep -q '^aftr_pool_draining{address="198.51.100.3",protocol="udp"} 1$'; then
	echo "ok   metrics: aftr_pool_draining of the removed pool"
	pass=$((pass + 1))
else
	echo "FAIL metrics: no aftr_pool_draining 1 for the removed pool"
	fail=$((fail + 1))
fi
if grep -q 'pools: 1 added, 0 draining' "$tmp/dp.log" &&
	grep -q 'pools: 0 added, 1 draining' "$tmp/dp.log"; then
	echo "ok   the dataplane's log says what the pools did"
	pass=$((pass + 1))
else
	echo "FAIL the dataplane's log does not say the pools changed"
	fail=$((fail + 1))
fi
expect "a static entry on the pool" 201 - "${auth[@]}" "${json[@]}" -X POST \
	-d '{"b4": "2001:db8:1::2", "protocol": "tcp", "address": "192.168.1.9", "port": 22, "external_address": "198.51.100.1", "external_port": 2022}' \
	"$url/api/v1/static-nat"
sed -i 's/198.51.100.1/198.51.100.2/' "$tmp/aftr.yaml"
expect "reload of a file without the pool an API static entry uses: refused, naming it" 422 \
	"'static' in (j.get('field') or '') + j['detail']" "${auth[@]}" -X POST "$url/api/v1/reload"
expect "and the pools as they were" 200 "[p['address'] for p in j['pools']] == ['198.51.100.1']" \
	"${auth[@]}" "$url/api/v1/pools"
expect "the static entry deleted" 200 - "${auth[@]}" -X DELETE \
	"$url/api/v1/static-nat/tcp/198.51.100.1/2022"
cp "$tmp/aftr.good" "$tmp/aftr.yaml"
sed -i 's/pools: \[{address: 198.51.100.1}\]/pools: [{address: 198.51.100.1, udp: 1024-65535}]/' \
	"$tmp/aftr.yaml"
expect "reload of a file that changes a pool's ranges: 409, restart" 409 \
	"j['field'] == 'pools' and 'restart' in j['detail']" "${auth[@]}" -X POST "$url/api/v1/reload"
cp "$tmp/aftr.good" "$tmp/aftr.yaml"
echo "nat: {sessions_per_worker: 1048576}" >>"$tmp/aftr.yaml"
expect "reload of a file that resizes the session tables: 409 naming the key" 409 \
	"j['field'] == 'nat.sessions_per_worker' and 'restart' in j['detail']" "${auth[@]}" \
	-X POST "$url/api/v1/reload"
cp "$tmp/aftr.good" "$tmp/aftr.yaml"
sed -i 's/b4: "2001:db8:1::99"/b4: "2001:db8:1::2"/' "$tmp/aftr.yaml"
expect "reload of a file that collides with an API entry: 409" 409 \
	"j['error'] == 'conflict'" "${auth[@]}" -X POST "$url/api/v1/reload"
cp "$tmp/aftr.good" "$tmp/aftr.yaml"
expect "GET on reload: 405" 405 - "${auth[@]}" "$url/api/v1/reload"

# aftrctl on the lists: ISC command lines, lists, bulk files.
export AFTR_TOKEN_FILE="$tmp/token"
ctl "an ISC tunnel line becomes an API addition" 0 \
	'^POST /api/v1/tunnels: generation [0-9]+, applied$' isc 'tunnel 2001:db8:1::77'
ctl "listed as a table" 0 '^2001:db8:1::77 +- +api$' list tunnel
ctl "an ISC edit of an entry: replaced in place (PUT)" 0 \
	'^PUT /api/v1/tunnels/2001:db8:1::77: generation' mtu 2001:db8:1::77 1400
ctl "the edit holds" 0 '^2001:db8:1::77 +1400 +api$' list tunnel
ctl "ISC delete" 0 '^DELETE /api/v1/tunnels/2001:db8:1::77: generation' isc \
	'delete tunnel 2001:db8:1::77'
ctl "ISC static NAT line" 0 '^POST /api/v1/static-nat: ' \
	nat 2001:db8:1::2 tcp 192.168.1.2 8080 198.51.100.1 1080
ctl "listed" 0 '^2001:db8:1::2 +tcp +192.168.1.2 +8080 +198.51.100.1 +1080 +api$' list nat
ctl "ISC delete nat" 0 '^DELETE /api/v1/static-nat/tcp/198.51.100.1/1080: ' \
	delete nat 2001:db8:1::2 tcp 192.168.1.2 8080
ctl "a section-zero command is not a run-time change" 1 'not a run-time setting' isc \
	'default tunnel mss on'
ctl "a misspelt ISC command: the parser's error" 1 'unknown command' isc 'tunel 2001:db8::1'
ctl "ISC interactive commands through isc" 0 '^nat_out +3$' isc 'show stat'
ctl "ISC help: the lines isc takes" 0 '^  list default \| list pool' isc help
ctl "ISC list nat dynamic: the sessions, every page, counted" 0 '^[1-9][0-9]* sessions$' \
	isc 'list nat dynamic'
ctl "list session filtered as the API filters" 0 '^[1-9][0-9]* sessions$' list session \
	protocol=udp external_address=198.51.100.1
ctl "list session of another address: none" 0 '^0 sessions$' list session \
	external_address=198.51.100.99
ctl "list session with an unknown filter: usage" 2 'a filter is KEY=VALUE' list session port=5
# One B4 as the NOC asks about it: mode, entries, NAT state, limits.
expect "a B4's view: its mode, NAT state and how near its limits" 200 \
	"j['mode'].startswith('napt') and j['entries']['acl6'] == '2001:db8:1::/48' and j['nat']['external_address'] == '198.51.100.1' and j['limits']['udp']['sessions'] == 3 and j['limits']['udp']['sessions_max'] > 0 and j['dataplane'] == 'running'" \
	"${auth[@]}" "$url/api/v1/b4s/2001:db8:1::2"
expect "a B4's view: its drops by reason, its learned MTU, when it was last active" 200 \
	"j['drops'] is None and j['pmtu'] is None and isinstance(j['last_active_s'], int) and j['last_active_s'] >= 0" \
	"${auth[@]}" "$url/api/v1/b4s/2001:db8:1::2"
expect "a dropping B4's view: its drops by reason" 200 \
	"j['drops']['drops'] == 2 and j['drops']['reasons'] == {'not_private': 2} and j['drops']['last_drop_s'] >= 0 and j['last_active_s'] is None" \
	"${auth[@]}" "$url/api/v1/b4s/2001:db8:1::3"
expect "the B4s that drop most" 200 \
	"j['b4s'][0]['b4'] == '2001:db8:1::3' and j['b4s'][0]['drops'] == 2 and len(j['b4s']) == 1 and j['tracked'] == 1 and j['capacity'] >= 1024" \
	"${auth[@]}" "$url/api/v1/b4s?top=5"
expect "top out of range: 422 naming it" 422 "j['field'] == 'top'" "${auth[@]}" \
	"$url/api/v1/b4s?top=0"
expect "top past its most: 422" 422 "j['field'] == 'top'" "${auth[@]}" "$url/api/v1/b4s?top=1001"
ctl "show b4 of a dropping B4: its drops" 0 '^drops: 2 \(not_private 2\)' show b4 2001:db8:1::3
ctl "show b4s: the B4s that drop most" 0 '^2001:db8:1::3 +2 +not_private 2' show b4s
expect "a B4 outside acl6: none, dropped, no NAT state" 200 \
	"j['mode'].startswith('none') and j['nat'] is None and j['entries']['acl6'] is None" \
	"${auth[@]}" "$url/api/v1/b4s/2001:db9::7"
expect "a B4 that is not an address: 422" 422 "j['field'] == 'address'" "${auth[@]}" \
	"$url/api/v1/b4s/nope"
expect "a B4's view is read-only: 405" 405 - "${auth[@]}" -X POST "$url/api/v1/b4s/2001:db8:1::2"
ctl "show b4: mode, NAT state, limits" 0 '^  udp  sessions 3 of [0-9]+ \([0-9]+%\)' \
	show b4 2001:db8:1::2
# A B4's own NAT limits (RFC 6888 REQ-4/5 per subscriber), in its tunnel entry.
ctl "limit: a B4's own UDP session limit" 0 '^(POST|PUT) /api/v1/tunnels' \
	limit 2001:db8:1::2 udp maxcount 7
ctl "and its own TCP rate" 0 - limit 2001:db8:1::2 tcp rate 9
expect "its tunnel entry holds them" 200 \
	"j['nat_maxcount'] == {'udp': 7} and j['nat_rate'] == {'tcp': 9}" \
	"${auth[@]}" "$url/api/v1/tunnels/2001:db8:1::2"
expect "its view: its own limits, the defaults for the rest" 200 \
	"j['limits']['udp']['sessions_max'] == 7 and j['limits']['udp']['sessions_max_from'] == 'tunnel' and j['limits']['tcp']['new_sessions_per_s'] == 9 and j['limits']['tcp']['sessions_max_from'] == 'default'" \
	"${auth[@]}" "$url/api/v1/b4s/2001:db8:1::2"
ctl "show b4: its own limit said" 0 '^  udp  sessions 3 of 7 \(its own\) \(43%\)' \
	show b4 2001:db8:1::2
ctl "limit back to the default" 0 - limit 2001:db8:1::2 udp maxcount default
ctl "limit of the rate back to the default" 0 - limit 2001:db8:1::2 tcp rate default
expect "no limits of its own left" 200 "'nat_maxcount' not in j and 'nat_rate' not in j" \
	"${auth[@]}" "$url/api/v1/tunnels/2001:db8:1::2"
ctl "limit out of range: usage" 2 'rate 0-255' limit 2001:db8:1::2 udp rate 256
ctl "limit of a protocol there is none of: usage" 2 'maxcount' limit 2001:db8:1::2 sctp rate 1
expect "a tunnel's limit out of range: 422 naming it" 422 \
	"'nat_maxcount' in j['field'] and 'udp' in j['field']" "${auth[@]}" "${json[@]}" -X PUT \
	-d '{"b4": "2001:db8:1::2", "nat_maxcount": {"udp": 70000}}' \
	"$url/api/v1/tunnels/2001:db8:1::2"
expect "a tunnel's limit of an unknown protocol: 422" 422 "'nat_rate' in j['field']" \
	"${auth[@]}" "${json[@]}" -X PUT -d '{"b4": "2001:db8:1::2", "nat_rate": {"sctp": 1}}' \
	"$url/api/v1/tunnels/2001:db8:1::2"
ctl "list subscriber: sessions and port blocks as text" 0 \
	'^2001:db8:1::2 +198\.51\.100\.1 +0 +udp [0-9]+ +udp [0-9]+-[0-9]+$' list subscriber
ctl "an ISC delete of nothing: the parser says so" 1 'no such tunnel' isc \
	'delete tunnel 2001:db8:1::78'
/usr/bin/python3 -c 'import json; print(json.dumps([{"b4": "2001:db8:1::2", "protocol": "udp", "address": "192.168.1.2", "port": 5000 + i, "external_address": "198.51.100.1", "external_port": 100 + i} for i in range(300)]))' >"$tmp/bulk.json"
ctl "a bulk file of 300 static entries" 0 '^POST /api/v1/static-nat: generation [0-9]+, applied$' \
	add nat "@$tmp/bulk.json"
expect "a page of a list: offset and limit" 200 \
	"len(j) == 10 and j[0]['external_port'] == 150" "${auth[@]}" \
	"$url/api/v1/static-nat?offset=50&limit=10"
expect "past the end: an empty page" 200 "j == []" "${auth[@]}" \
	"$url/api/v1/static-nat?offset=300"
expect "a limit of 0: 422" 422 "j['field'] == 'limit'" "${auth[@]}" \
	"$url/api/v1/static-nat?limit=0"
ctl "all listed" 0 - list nat
listed 300 "300 entries" "entries listed"
ctl "del by its public endpoint" 0 '^DELETE ' del nat udp 198.51.100.1 100
/usr/bin/python3 -c 'import json; print(json.dumps([{"b4": "2001:db8:1::2", "protocol": "udp", "address": "192.168.1.2", "port": 5000 + i, "external_address": "198.51.100.1", "external_port": 100 + i} for i in range(1, 11)]))' >"$tmp/del10.json"
expect "bulk delete of an entry that differs from the AFTR's: 409, nothing deleted" 409 \
	"j['field'] == '[0]' and 'differs' in j['detail']" "${auth[@]}" "${json[@]}" -X DELETE \
	-d '[{"b4": "2001:db8:1::2", "protocol": "udp", "address": "192.168.1.2", "port": 9999, "external_address": "198.51.100.1", "external_port": 101}]' \
	"$url/api/v1/static-nat"
expect "bulk delete: ten entries in one DELETE" 200 "j['deleted'] == 10 and j['applied']" \
	"${auth[@]}" "${json[@]}" -X DELETE --data-binary "@$tmp/del10.json" "$url/api/v1/static-nat"
expect "bulk delete again: the first is gone, 404 naming it, nothing deleted" 404 \
	"j['field'] == '[0]'" "${auth[@]}" "${json[@]}" -X DELETE --data-binary "@$tmp/del10.json" \
	"$url/api/v1/static-nat"
expect "289 left" 200 "len(j) == 289" "${auth[@]}" "$url/api/v1/static-nat"
{
	echo "b4,ipv4,psid,psid_len,offset"
	echo "# lw4o6 bindings, RFC 7596"
	echo "2001:db8:1::40, 192.0.2.200, 1, 6, 6"
	echo ""
	echo "2001:db8:1::41,192.0.2.200,2,6,6"
	echo "2001:db8:1::42,192.0.2.200,3,6,6"
} >"$tmp/sw.csv"
ctl "a CSV bulk file of softwires" 0 '^POST /api/v1/softwires: 3 from .*sw.csv, generation [0-9]+, applied$' \
	add softwire "@$tmp/sw.csv"
ctl "listed, its port set as ranges" 0 \
	'^2001:db8:1::42 +192.0.2.200 +3 +6 +6 +1072-1087, 2096-2111, \.\.\. \(63 ranges of 16\) +api$' \
	list softwire
printf '2001:db8:1::40,192.0.2.201,1,6,6,2001:db8::1\n' >"$tmp/sw2.csv"
ctl "a second softwire of one B4, its endpoint in column six" 0 '^POST /api/v1/softwires: 1 from ' \
	add softwire "@$tmp/sw2.csv"
ctl "listed with its endpoint" 0 \
	'^2001:db8:1::40 +192.0.2.201 +1 +6 +6 +1040-1055, 2064-2079, \.\.\. \(63 ranges of 16\) +2001:db8::1 +api$' \
	list softwire
expect "a lw4o6 B4's view: both its softwires" 200 \
	"j['mode'] == 'lw4o6' and sorted(e['ipv4'] for e in j['entries']['softwires']) == ['192.0.2.200', '192.0.2.201']" \
	"${auth[@]}" "$url/api/v1/b4s/2001:db8:1::40"
ctl "deleted by its address and PSID" 0 '^DELETE /api/v1/softwires/192.0.2.201/1: ' \
	del softwire 192.0.2.201 1
printf '2001:db8:1::43,192.0.2.200,4,6,6\n2001:db8:1::44,192.0.2.200,x,6,6\n' >"$tmp/bad.csv"
ctl "a CSV row that is not one: its line, nothing sent" 2 'bad.csv:2: psid: "x" is not a number' \
	add softwire "@$tmp/bad.csv"
printf '2001:db8:1::43,192.0.2.200,4,6,6\n\n2001:db8:1::44,192.0.2.200,70,6,6\n' >"$tmp/bad2.csv"
ctl "a CSV row the AFTR refuses: its line, nothing added" 1 'bad2.csv:3: PSID 70 does not fit' \
	add softwire "@$tmp/bad2.csv"
ctl "still three" 0 - list softwire
listed 3 "nothing half-loaded" softwires
ctl "del softwire @file.csv: the same rows, deleted" 0 '^DELETE /api/v1/softwires: 3 from ' \
	del softwire "@$tmp/sw.csv"
ctl "del with a wrong name: usage" 2 'tcp\|udp/ADDRESS/PORT' del nat udp 198.51.100.1
ctl "debug tunnel: the tunnel and its sessions" 0 '^sessions: 3$' debug tunnel 2001:db8:1::2
ctl "and its port blocks" 0 '^NAT state: .*blocks=\[\{"protocol":"udp","first":512,"last":519\}\]' \
	debug tunnel 2001:db8:1::2
ctl "list subscriber" 0 '^2001:db8:1::2 +198\.51\.100\.1 +0 +udp 3 +udp 512-519$' list subscriber
ctl "tunnel add, ISC words with add spelt out" 0 '^POST /api/v1/tunnels: ' tunnel add 2001:db8:1::79
ctl "tunnel del" 0 '^DELETE /api/v1/tunnels/2001:db8:1::79: ' tunnel del 2001:db8:1::79
ctl "an empty list says so" 0 '^\(none\)$' list nonat
ctl "list pool, with its ranges" 0 '^198.51.100.1 +2048-65535 +512-65535 +0-65535$' list pool
ctl "reload" 0 '^POST /api/v1/reload: generation' reload
# Clearing one B4's sessions (VPP "nat44 del session"): those that match
# end now, as an expiry would; a B4 is required.
expect "clearing sessions needs a B4: 422" 422 "j['field'] == 'b4'" "${auth[@]}" -X DELETE \
	"$url/api/v1/sessions?protocol=udp"
expect "clearing a B4's TCP sessions: none" 200 "j['cleared'] == 0" "${auth[@]}" -X DELETE \
	"$url/api/v1/sessions?b4=2001:db8:1::2&protocol=tcp"
ctl "clear sessions B4: its three UDP sessions end" 0 '^3 sessions of 2001:db8:1::2 ended$' \
	clear sessions 2001:db8:1::2
expect "and none are left" 200 "j['sessions'] == []" "${auth[@]}" \
	"$url/api/v1/sessions?b4=2001:db8:1::2"
ctl "clear with a bad filter: usage" 2 'a filter is KEY=VALUE' clear sessions 2001:db8:1::2 port=1
unset AFTR_TOKEN_FILE

# Bad starts: clear errors, exit status 1.
refused() { # description, expected message, config file
	if ! "$control" -c "$3" --state "$tmp/state2" >"$tmp/refused.log" 2>&1 &&
		grep -q "$2" "$tmp/refused.log"; then
		echo "ok   $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1"
		cat "$tmp/refused.log"
		fail=$((fail + 1))
	fi
}
cp "$tmp/base.yaml" "$tmp/bad.yaml"
echo "api: {port: 0}" >>"$tmp/bad.yaml"
refused "a bad configuration is refused with its error" "api.port: 0 is out of range" "$tmp/bad.yaml"
cp "$tmp/base.yaml" "$tmp/busy.yaml"
echo "api: {listen: 127.0.0.1, port: $port}" >>"$tmp/busy.yaml"
refused "a port in use is refused with a clear error" "cannot listen" "$tmp/busy.yaml"
cp "$tmp/base.yaml" "$tmp/notoken.yaml"
echo "api: {token_file: $tmp/missing}" >>"$tmp/notoken.yaml"
refused "a missing token file is refused" "api.token_file" "$tmp/notoken.yaml"

# HTTPS (api.tls_cert, api.tls_key) with a certificate made for the test; a
# second control process on another port, following no dataplane.
if command -v openssl >/dev/null &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/api.key" -out "$tmp/api.crt" \
		-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
	tport=$((port + 1))
	cp "$tmp/base.yaml" "$tmp/tls.yaml"
	echo "api: {listen: 127.0.0.1, port: $tport, token_file: $tmp/token, tls_cert: $tmp/api.crt, tls_key: $tmp/api.key}" >>"$tmp/tls.yaml"
	"$control" -c "$tmp/tls.yaml" --state "$tmp/state-tls" --shm "none$$" >"$tmp/tls.log" 2>&1 &
	tpid=$!
	pids+=("$tpid")
	# Up to 20 s: on a loaded machine (tests run side by side) the start
	# may take more than a few seconds; a process that died says why.
	for _ in $(seq 200); do
		curl -s --cacert "$tmp/api.crt" "https://127.0.0.1:$tport/api/v1/health" >/dev/null && break
		kill -0 "$tpid" 2>/dev/null || { echo "the TLS control process exited:"; cat "$tmp/tls.log"; break; }
		sleep 0.1
	done
	expect "HTTPS: the API over TLS" 200 "j['api'] == 'v1'" --cacert "$tmp/api.crt" "${auth[@]}" \
		"https://127.0.0.1:$tport/api/v1/version"
	if ! curl -s --max-time 3 "http://127.0.0.1:$tport/api/v1/version" | grep -q '"v1"'; then
		echo "ok   HTTPS: no plain HTTP on that port"
		pass=$((pass + 1))
	else
		echo "FAIL HTTPS: plain HTTP answered"
		fail=$((fail + 1))
	fi
	AFTR_TOKEN_FILE="$tmp/token" ctl "aftrctl over HTTPS with --cacert: saved, no dataplane to apply it" 0 \
		'^POST /api/v1/tunnels: generation [0-9]+, saved, not applied yet' \
		--api "https://127.0.0.1:$tport" --cacert "$tmp/api.crt" isc 'tunnel 2001:db8:1::2'
	AFTR_TOKEN_FILE="$tmp/token" ctl "aftrctl over HTTPS without the CA: refused, says why" 3 \
		'certificate' --api "https://127.0.0.1:$tport" list tunnel
	cp "$tmp/base.yaml" "$tmp/tlshalf.yaml"
	echo "api: {tls_cert: $tmp/api.crt}" >>"$tmp/tlshalf.yaml"
	refused "a certificate without its key is refused" "tls_cert and tls_key go together" \
		"$tmp/tlshalf.yaml"
else
	echo "skip HTTPS checks: openssl cannot make a test certificate here"
fi

echo "api: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
