#!/bin/bash
# Live PCP (RFC 6887): the PCP server of aftr-control answering, through a
# software B4's softwire, a small PCP client (tests/live/pcp_client.py) on
# a host behind it (192.168.1.2 in namespace cla), with a web server
# there. A MAP gives a port of the subscriber's own block on the pool
# address; a client in the Internet namespace then fetches from the host
# through it. Renewal (same nonce), another client's nonce, PREFER_FAILURE,
# FILTER, THIRD_PARTY, PEER, deletion, expiry, the per-subscriber quota,
# malformed and unsupported requests (each refused with its result code,
# counted in GET /api/v1/pcp, logged once); the mappings in the API, the
# event log's trace lines and the dataplane's sessions; after kill -9 of
# the dataplane the client hears an ANNOUNCE (section 14.1.3) with a new
# epoch, maps again and the host is reachable again.
#
# Usage: pcp_live.sh AFTR_DATAPLANE AFTR_CONTROL AFTR_B4 AFTRCTL
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
b4=$(readlink -f "$3")
aftrctl=$(readlink -f "$4")
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
live_api pcp 11

topo_up || { echo "FAIL: topology"; exit 1; }
# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
{
	topo_config | sed "s/^  listen: 127.0.0.1$/  listen: 127.0.0.1\n  port: $port/"
	cat <<YAML
pcp:
  daemon: encapsulate
  min_lifetime: 2
  max_lifetime: 600
  max_mappings: 4
YAML
} >"$tmp/aftr.yaml"
start_dataplane() {
	ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
		--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" --shm "$name" \
		--stats-file "$tmp/dp.stats" >>"$tmp/dp.log" 2>&1 &
	dp_pid=$!
	pids+=("$dp_pid")
}
start_dataplane
"$control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" >>"$tmp/control.log" 2>&1 &
pids+=($!)
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

nonce=0123456789abcdef01234567
pcp() { # pcp_client.py arguments: its JSON answer in $tmp/pcp.json
	topo_exec cla /usr/bin/python3 "$here/pcp_client.py" --server 192.0.0.1 --timeout 1 \
		--tries 3 "$@" >"$tmp/pcp.json"
}
field() { # KEY: the last answer's field
	/usr/bin/python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])" \
		"$tmp/pcp.json" "$1"
}
result_is() { # NAME pcp arguments...: the answer's result
	local want=$1
	shift
	pcp "$@" || return 1
	cat "$tmp/pcp.json"
	[ "$(field result_name)" = "$want" ]
}
fetch() { # PORT: from the Internet to the pool address
	topo_exec inet curl -sS --interface "$TOPO_SERVER" --max-time "${2:-5}" \
		"http://$TOPO_POOL:$1/index.html"
}
fetch_ok() { fetch "$1" | grep -q 'behind B4 a'; }
no_fetch() { ! fetch "$1" 2; }
api_pcp() { curl -sf "$url/pcp"; }
api_has() { # PYTHON EXPRESSION over the answer of GET /api/v1/pcp as p
	api_pcp | /usr/bin/python3 -c "import json,sys; p=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}

check "MAP tcp 8000 (lifetime 300): SUCCESS" result_is SUCCESS map --proto tcp --internal-port 8000 \
	--lifetime 300 --nonce $nonce
ext=$(field external_port)
check "the mapping is on the pool address $TOPO_POOL, lifetime 300, nonce echoed" \
	test "$(field external_addr) $(field lifetime) $(field nonce_ok)" = "$TOPO_POOL 300 True"
in_block() { # the port is one of the B4's blocks (the event log's bucket lines)
	grep -E "bucket add 2001:db8:1::a $TOPO_POOL tcp" "$tmp/control.log" |
		awk -v p="$ext" '{ split($NF, r, "-"); if (p >= r[1] && p <= r[2]) f = 1 } END { exit !f }'
}
check "external port $ext is inside a port block of B4 a's" in_block
check "from the Internet to $TOPO_POOL:$ext: the server behind the B4 answers" fetch_ok "$ext"
check "the server saw the Internet client's own address" grep -q "^$TOPO_SERVER - - " "$tmp/http.log"
check "GET /api/v1/pcp lists it (internal 192.168.1.2:8000, external $ext)" api_has \
	"any(m['internal'] == '192.168.1.2' and m['internal_port'] == 8000 and m['external_port'] == $ext and m['b4'] == '2001:db8:1::a' for m in p['mappings'])"
show_pcp() { "$aftrctl" --api "http://127.0.0.1:$port" show pcp | tee /dev/stderr | grep -E "^map +tcp +2001:db8:1::a +192.168.1.2:8000 +$TOPO_POOL:$ext "; }
check "aftrctl show pcp shows it" show_pcp
check "the event log has its trace line" grep -q "pcp add 2001:db8:1::a tcp 192.168.1.2 8000 $TOPO_POOL $ext 300" "$tmp/control.log"
check "renewed with the same nonce: SUCCESS, the same port" result_is SUCCESS map --proto tcp \
	--internal-port 8000 --lifetime 400 --nonce $nonce
check "the same port ($ext) and the new lifetime (400)" test "$(field external_port) $(field lifetime)" = "$ext 400"
check "another client's nonce for it: NOT_AUTHORIZED" result_is NOT_AUTHORIZED map --proto tcp \
	--internal-port 8000 --lifetime 400 --nonce ffffffffffffffffffffffff
check "a lifetime over pcp.max_lifetime is cut to 600" result_is SUCCESS map --proto tcp \
	--internal-port 8000 --lifetime 90000 --nonce $nonce
check "(lifetime 600)" test "$(field lifetime)" = 600

# FILTER (section 13.3): only the remotes named get in.
check "FILTER 198.51.100.77/32 on it: SUCCESS" result_is SUCCESS map --proto tcp --internal-port 8000 \
	--lifetime 300 --nonce $nonce --filter 198.51.100.77/32:0
check "the Internet client, not in the filter, no longer gets in" no_fetch "$ext"
check "FILTER $TOPO_SERVER/32 instead: SUCCESS" result_is SUCCESS map --proto tcp --internal-port 8000 \
	--lifetime 300 --nonce $nonce --filter "$TOPO_SERVER/32:0"
check "and it gets in again" fetch_ok "$ext"
check "a FILTER of a /24 (not held): EXCESSIVE_REMOTE_PEERS" result_is EXCESSIVE_REMOTE_PEERS map \
	--proto tcp --internal-port 8000 --lifetime 300 --nonce $nonce --filter 203.0.113.0/24:0
check "a prefix length 0 FILTER lets anyone in again: SUCCESS" result_is SUCCESS map --proto tcp \
	--internal-port 8000 --lifetime 300 --nonce $nonce --filter 0.0.0.0/0:0

# PREFER_FAILURE (section 13.2): that port or none.
check "PREFER_FAILURE for port 1 (not the B4's): CANNOT_PROVIDE_EXTERNAL" result_is \
	CANNOT_PROVIDE_EXTERNAL map --proto udp --internal-port 6000 --external-port 1 --prefer-failure
check "PREFER_FAILURE for its own port: SUCCESS" result_is SUCCESS map --proto tcp \
	--internal-port 8000 --lifetime 300 --nonce $nonce --external-port "$ext" --prefer-failure

# THIRD_PARTY (section 13.1), PEER (section 12), the quota.
check "THIRD_PARTY for 192.168.1.3 (another host of the B4): SUCCESS" result_is SUCCESS map \
	--proto udp --internal-port 7000 --third-party 192.168.1.3 --lifetime 300
third() { api_has "any(m['internal'] == '192.168.1.3' and m['internal_port'] == 7000 for m in p['mappings'])"; }
check "the mapping is 192.168.1.3's" third
check "THIRD_PARTY of a public address: NOT_AUTHORIZED" result_is NOT_AUTHORIZED map --proto udp \
	--internal-port 7000 --third-party 203.0.113.5 --lifetime 300
peer_nonce=00112233445566778899aabb
check "PEER udp 5000 -> $TOPO_SERVER:9: SUCCESS" result_is SUCCESS peer --proto udp --internal-port 5000 \
	--remote-addr "$TOPO_SERVER" --remote-port 9 --lifetime 300 --nonce $peer_nonce
# A MAP of the PEER's internal endpoint: a mapping of its own (section 12),
# in the same session here; deleting it leaves the PEER.
map_nonce=ffeeddccbbaa998877665544
peer_port=$(field external_port)
check "a MAP of the PEER's internal port: SUCCESS, the same external port" result_is SUCCESS map \
	--proto udp --internal-port 5000 --lifetime 300 --nonce $map_nonce
check "the same external port" test "$(field external_port)" = "$peer_port"
check "deleting that MAP (lifetime 0): SUCCESS" result_is SUCCESS map --proto udp \
	--internal-port 5000 --lifetime 0 --nonce $map_nonce
peer_stays() { api_has "any(m['opcode'] == 'peer' and m['internal_port'] == 5000 for m in p['mappings']) and not any(m['opcode'] == 'map' and m['internal_port'] == 5000 for m in p['mappings'])"; }
check "the PEER stays (its own mapping), the MAP is gone" peer_stays
check "a fourth mapping (pcp.max_mappings 4): SUCCESS" result_is SUCCESS map --proto udp \
	--internal-port 6001 --lifetime 300
check "a fifth: USER_EX_QUOTA" result_is USER_EX_QUOTA map --proto udp --internal-port 6002 --lifetime 300
check "the quota's error lifetime is short (30 s)" test "$(field lifetime)" = 30
check "deleting the PEER's (lifetime 0): SUCCESS, lifetime 0" result_is SUCCESS peer --proto udp \
	--internal-port 5000 --remote-addr "$TOPO_SERVER" --remote-port 9 --lifetime 0 --nonce $peer_nonce
check "and now the fifth fits" result_is SUCCESS map --proto udp --internal-port 6002 --lifetime 2

# Errors: each answered with its code, counted, logged once.
addr=00000000000000000000ffffc0a80102 # ::ffff:192.168.1.2, the client's own
check "version 1: UNSUPP_VERSION" result_is UNSUPP_VERSION raw --hex "0101000000000078$addr"
check "opcode 5: UNSUPP_OPCODE" result_is UNSUPP_OPCODE raw --hex "0205000000000078$addr"
check "a request of 26 octets (not a multiple of 4): MALFORMED_REQUEST" result_is MALFORMED_REQUEST \
	raw --hex "0201000000000078${addr}0000"
check "a MAP cut short (no opcode data): MALFORMED_REQUEST" result_is MALFORMED_REQUEST \
	raw --hex "0201000000000078$addr"
check "a client address that is not its own: ADDRESS_MISMATCH" result_is ADDRESS_MISMATCH \
	--client-addr 192.168.1.99 map --proto tcp --internal-port 8001
check "and again: ADDRESS_MISMATCH" result_is ADDRESS_MISMATCH --client-addr 192.168.1.99 map \
	--proto tcp --internal-port 8001
check "protocol 1 (ICMP): UNSUPP_PROTOCOL" result_is UNSUPP_PROTOCOL map --proto 1 --internal-port 8001
once() { [ "$(grep -c "pcp: MAP request from 192.168.1.2:.* refused: ADDRESS_MISMATCH" "$tmp/control.log")" = 1 ]; }
check "the refusal is logged once for the client and result" once
counted() { api_has "p['results']['ADDRESS_MISMATCH'] == 2 and p['results']['UNSUPP_VERSION'] == 1 and p['results']['USER_EX_QUOTA'] == 1 and p['requests']['map'] >= 10"; }
check "GET /api/v1/pcp counts each result" counted

# Lifetimes: the 2-second mapping ends by itself (no traffic kept it).
gone() { ! api_has "any(m['internal_port'] == 6002 for m in p['mappings'])"; }
check "the 2-second mapping (udp 6002) expires" wait_for 8 gone
expired() { grep -q "pcp expire 2001:db8:1::a udp 192.168.1.2 6002" "$tmp/control.log"; }
check "its end is in the event log (pcp expire)" wait_for 5 expired
check "deleting the web mapping (lifetime 0): SUCCESS" result_is SUCCESS map --proto tcp \
	--internal-port 8000 --lifetime 0 --nonce $nonce
del_logged() { grep -q "pcp del 2001:db8:1::a tcp 192.168.1.2 8000" "$tmp/control.log"; }
check "its deletion is in the event log" del_logged
# A mapping no packet used goes with its session when deleted; the
# deletion's answer repeats the suggested port (RFC 6887 erratum 3621).
check "MAP udp 6003: SUCCESS" result_is SUCCESS map --proto udp --internal-port 6003 --lifetime 300 \
	--nonce $nonce
e3=$(field external_port)
has_sess() { curl -sf "$url/sessions?b4=2001:db8:1::a" | grep -q "\"external_port\": $e3\b"; }
check "its session is in the dataplane (external port $e3)" has_sess
check "deleted (lifetime 0, suggesting port 7): SUCCESS" result_is SUCCESS map --proto udp \
	--internal-port 6003 --lifetime 0 --nonce $nonce --external-port 7
check "the answer repeats the suggestion (port 7, lifetime 0)" test "$(field external_port) $(field lifetime)" = "7 0"
no_sess() { ! has_sess; }
check "its session went with it" no_sess
check "a MAP of internal port 0 with a lifetime: MALFORMED_REQUEST" result_is MALFORMED_REQUEST map \
	--proto udp --internal-port 0 --lifetime 300
# A static mapping (ISC "nat") of the endpoint answers for itself, and is
# not PCP's to delete.
static='{"b4": "2001:db8:1::a", "protocol": "tcp", "address": "192.168.1.2", "port": 8100, "external_address": "'$TOPO_POOL'", "external_port": 80}'
add_static() { curl -sf -H "Content-Type: application/json" -d "$static" "$url/static-nat" | grep -q '"applied": true'; }
check "a static mapping 192.168.1.2:8100 -> $TOPO_POOL:80 (POST /api/v1/static-nat)" add_static
check "MAP tcp 8100: SUCCESS" result_is SUCCESS map --proto tcp --internal-port 8100 --lifetime 300
check "with the static mapping's public port, 80" test "$(field external_port)" = 80
not_recorded() { ! api_has "any(m['internal_port'] == 8100 for m in p['mappings'])"; }
check "not recorded as a PCP mapping" not_recorded
check "deleting it through PCP: NOT_AUTHORIZED" result_is NOT_AUTHORIZED map --proto tcp \
	--internal-port 8100 --lifetime 0
# Section 15: lifetime 0 for every port deletes all of the client's (its nonce).
n2=aaaaaaaaaaaaaaaaaaaaaaaa
check "MAP udp 6010 (a second nonce): SUCCESS" result_is SUCCESS map --proto udp --internal-port 6010 \
	--lifetime 300 --nonce $n2
check "MAP udp 6011 (the same): SUCCESS" result_is SUCCESS map --proto udp --internal-port 6011 \
	--lifetime 300 --nonce $n2
check "MAP udp port 0 lifetime 0 with that nonce: SUCCESS" result_is SUCCESS map --proto udp \
	--internal-port 0 --lifetime 0 --nonce $n2
all_gone() { api_has "not any(m['internal_port'] in (6010, 6011) for m in p['mappings']) and any(m['internal_port'] == 6001 for m in p['mappings'])"; }
check "both went, the mapping of another nonce (udp 6001) stayed" all_gone
check "mapped again: SUCCESS" result_is SUCCESS map --proto tcp --internal-port 8000 --lifetime 300 \
	--nonce $nonce
ext=$(field external_port)
check "through the new mapping ($ext): the server answers" fetch_ok "$ext"
sess() { curl -sf "$url/sessions?b4=2001:db8:1::a" | grep -q "\"external_port\": $ext"; }
check "the dataplane's sessions hold the mapping" sess

# Over plain IPv6 from the B4 itself to the endpoint, for a host behind it
# (THIRD_PARTY), as a CPE's own PCP client asks.
pcp6() {
	topo_exec b4a /usr/bin/python3 "$here/pcp_client.py" --server "$TOPO_ENDPOINT" --timeout 1 \
		--tries 3 "$@" >"$tmp/pcp.json"
}
result6_is() {
	local want=$1
	shift
	pcp6 "$@" || return 1
	cat "$tmp/pcp.json"
	[ "$(field result_name)" = "$want" ]
}
n6=bbbbbbbbbbbbbbbbbbbbbbbb
# The B4's own UDP leaves it with whole checksums, as on a real link (a
# veth leaves them to a NIC that is not there; its raw softwire has none).
topo_exec b4a ethtool -K eth0 tx off >/dev/null
check "plain IPv6 from the B4, THIRD_PARTY 192.168.1.2, udp 9000: SUCCESS" result6_is SUCCESS map \
	--proto udp --internal-port 9000 --third-party 192.168.1.2 --lifetime 300 --nonce $n6
check "on the pool address" test "$(field external_addr)" = "$TOPO_POOL"
v6_listed() { api_has "any(m['internal'] == '192.168.1.2' and m['internal_port'] == 9000 and m['transport'] == 'ipv6' for m in p['mappings'])"; }
check "listed as the host's, asked over IPv6" v6_listed
check "plain IPv6 without THIRD_PARTY (an IPv6 host): NOT_AUTHORIZED" result6_is NOT_AUTHORIZED map \
	--proto udp --internal-port 9001 --lifetime 300
check "plain IPv6 from a client address not the B4's: ADDRESS_MISMATCH" result6_is ADDRESS_MISMATCH \
	--client-addr 2001:db8:1::99 map --proto udp --internal-port 9000 --third-party 192.168.1.2
check "deleted over IPv6 (lifetime 0, its nonce): SUCCESS" result6_is SUCCESS map --proto udp \
	--internal-port 9000 --third-party 192.168.1.2 --lifetime 0 --nonce $n6

# ANNOUNCE (section 14.1.3): the dataplane killed, a new one has none of
# the mappings; the client hears so at port 5350 with a new epoch.
epoch0=$(field epoch)
topo_exec cla /usr/bin/python3 "$here/pcp_client.py" --server 192.0.0.1 listen --port 5350 \
	--wait 40 --count 1 >"$tmp/announce.json" 2>&1 &
listener=$!
sleep 1
{
	kill -9 "$dp_pid"
	wait "$dp_pid"
} 2>/dev/null
start_dataplane
heard() { grep -q '"opcode": "ANNOUNCE"' "$tmp/announce.json"; }
check "a new dataplane: the client hears an unsolicited ANNOUNCE" wait_for 40 heard
wait "$listener" 2>/dev/null
cat "$tmp/announce.json"
small_epoch() { /usr/bin/python3 -c "import json,sys; a=json.loads(open(sys.argv[1]).readline()); sys.exit(0 if a['result'] == 0 and a['epoch'] < $epoch0 + 1 and a['epoch'] < 60 else 1)" "$tmp/announce.json"; }
check "with SUCCESS and an epoch that started again" small_epoch
remap() { result_is SUCCESS map --proto tcp --internal-port 8000 --lifetime 300 --nonce $nonce; }
check "the client maps again: SUCCESS" wait_for 20 remap
ext=$(field external_port)
check "and the host is reachable through it again" wait_for 10 fetch_ok "$ext"
sleep 1.2
pcp_counted() { [ "$(awk '$1 == "pcp_to_control" { print $2 }' "$tmp/dp.stats")" -ge 1 ]; }
check "the new dataplane counted the request it passed up (pcp_to_control)" pcp_counted

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
