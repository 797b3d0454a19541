#!/bin/bash
# Live lw4o6 softwires changed through the API (issue 18): aftr-control and
# aftr-dataplane on the namespace topology, a software B4 that NATs its LAN
# into PSID 1 of 198.51.100.77 (ports 1024-2047) with nftables. Two other
# softwires of the file give the running tables their port-set shape and
# address, so that changes to the B4's softwire are made in place (a delta
# of the control process's journal records, dataplane/mainlcore/delta.c):
# without a softwire the B4's client cannot fetch; added with POST, it
# fetches 3 MB intact; replaced with PUT, it still does; deleted, it no
# longer does; added again, it does. The dataplane's log says the changes
# were made in place, and its counters add up.
# Usage: lw4o6_api_live.sh AFTR_DATAPLANE AFTR_CONTROL AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
b4=$(readlink -f "$3")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip nft curl /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TOPO="aftr$$-"
LW=198.51.100.77
# shellcheck source=lib.sh
. "$here/lib.sh"
live_api lwapi 11

topo_up || { echo "FAIL: topology"; exit 1; }
{
	# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
	topo_config | sed "s/^  listen: 127.0.0.1$/  listen: 127.0.0.1\n  port: $port/"
	echo "softwires:"
	echo "  - {b4: \"2001:db8:1::e\", ipv4: $LW, psid: 3, psid_len: 6, offset: 0}"
	echo "  - {b4: \"2001:db8:1::f\", ipv4: $LW, psid: 4, psid_len: 6, offset: 0}"
} >"$tmp/aftr.yaml"
ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
	--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" --shm "$name" \
	--stats-file "$tmp/dp.stats" >"$tmp/dp.log" 2>&1 &
pids+=($!)
"$control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" >"$tmp/control.log" 2>&1 &
pids+=($!)
topo_exec b4a "$b4" --local 2001:db8:1::a --aftr "$TOPO_ENDPOINT" --mtu 1500 --ipv4 $LW/32 \
	>"$tmp/b4a.log" 2>&1 &
pids+=($!)
programmed() {
	curl -sf "$url/health" | /usr/bin/python3 -c "import json,sys; sys.exit(0 if json.load(sys.stdin)['dataplane']['programming']['dataplane'] == 'programmed' else 1)"
}
if ! wait_for 15 grep -q "running with" "$tmp/dp.log" || ! wait_for 10 programmed ||
	! wait_for 5 topo_exec b4a ip link show b4tun0; then
	echo "FAIL: the dataplane, the control process or the B4 did not start"
	cat "$tmp/dp.log" "$tmp/control.log" "$tmp/b4a.log"
	exit 1
fi
topo_exec b4a nft -f - <<NFT
table ip lw4o6 {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "b4tun0" ip saddr 192.168.1.0/24 ip protocol { tcp, udp } snat to $LW:1024-2047
	}
}
NFT
http_file 3000000
check "the server listens" http_server

sw='{"b4": "2001:db8:1::a", "ipv4": "'$LW'", "psid": 1, "psid_len": 6, "offset": 0}'
applied() { /usr/bin/python3 -c "import json,sys; sys.exit(0 if json.load(sys.stdin)['applied'] else 1)"; }
add() { curl -sf -H "Content-Type: application/json" -d "$sw" "$url/softwires" | applied; }
replace() {
	curl -sf -X PUT -H "Content-Type: application/json" \
		-d "${sw%\}}, \"endpoint\": \"$TOPO_ENDPOINT\"}" "$url/softwires/$LW/1" | applied
}
del() { curl -sf -X DELETE "$url/softwires/$LW/1" | applied; }
fetch() { http_get cla; }
no_fetch() { ! topo_exec cla curl -sS --max-time 2 -o /dev/null "http://$TOPO_SERVER:8080/file.bin"; }

check "without its softwire, the B4's client cannot fetch" no_fetch
check "POST /api/v1/softwires: applied" add
check "with it, the client fetches 3 MB intact" fetch
check "PUT (the same softwire, its BR address named): applied" replace
check "and the client still fetches" fetch
check "DELETE: applied" del
check "deleted: the client cannot fetch" no_fetch
check "added again: applied" add
check "and the client fetches again" fetch
sleep 1.2 # the dataplane sums up its quiet deltas once a second; stats too
in_place() {
	grep -qE "deltas changed in place|\): in use, changed in place" "$tmp/dp.log" &&
		! grep -q "a new set" "$tmp/dp.log"
}
check "the dataplane made them in place, with no new set" in_place
check "every packet is accounted for" accounted
echo "lw4o6_api_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
