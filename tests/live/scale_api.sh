#!/bin/bash
# Scale of the run-time lists: 100,000 static NAT entries through the API in
# one bulk file (aftrctl add nat @FILE), then one more change, a listing, a
# new dataplane (kill -9) and a new control process (kill -9), each timed
# until the dataplane runs the whole state. Prints the figures; fails only
# if something does not work (wall-clock figures never gate tests).
# Usage: scale_api.sh AFTR_DATAPLANE AFTR_CONTROL AFTRCTL [ENTRIES]
# Exit 0 pass, 1 fail, 77 skip (curl missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
aftrctl=$(readlink -f "$3")
entries=${4:-100000}
command -v curl >/dev/null || { echo "SKIP: curl is missing"; exit 77; }
tmp=$(mktemp -d)
name="scale$$"
port=$((20000 + ($$ + 3) % 20000))
url="http://127.0.0.1:$port"
pids=()
dp_mem=512
# shellcheck source=procs.sh
. "$(dirname "$0")/procs.sh"
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -f "/dev/shm/$name-stats" "/dev/shm/$name-tables" "/dev/shm/$name-tables.tmp" \
		"/dev/shm/$name-delta" "/dev/shm/$name-delta.tmp"
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0

# Static ports must be outside the dynamic ranges: those are 60000-65535.
cat >"$tmp/aftr.yaml" <<YAML
endpoint: 2001:db8::1
icmp_source: 192.0.0.1
acl6: [2001:db8::/32]
pools:
  - {address: 198.51.100.1, tcp: 60000-65535, udp: 60000-65535}
  - {address: 198.51.100.2, tcp: 60000-65535, udp: 60000-65535}
interfaces:
  transport: {device: net_null0, address: "2001:db8:ffff::1/64", gateway: "2001:db8:ffff::fe", gateway_mac: "02:00:00:00:00:fe"}
  wan: {device: net_null1, address: 192.0.2.1/24, gateway: 192.0.2.254, gateway_mac: "02:00:00:00:01:fe"}
api: {listen: 127.0.0.1, port: $port}
YAML
/usr/bin/python3 - "$entries" >"$tmp/bulk.json" <<'PY'
import json, sys
n = int(sys.argv[1])
out = []
for i in range(n):
    k = i // 4  # per (pool, protocol): up to 59,999 ports
    out.append({"b4": "2001:db8:%x::%x" % (k // 50000 + 1, k % 50000 + 1),
                "protocol": "tcp" if i % 2 == 0 else "udp",
                "address": "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255), "port": 80,
                "external_address": "198.51.100.%d" % (1 + i // 2 % 2),
                "external_port": k + 1})
json.dump(out, sys.stdout)
PY

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# Waits until the dataplane with pid $1 runs the latest state.
programmed() {
	for _ in $(seq 600); do
		curl -s "$url/api/v1/health" | /usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin)['dataplane']; p=j.get('programming', {}); sys.exit(0 if j.get('pid') == $1 and p.get('dataplane') == 'programmed' else 1)" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
result() { # description, status
	if [ "$2" -eq 0 ]; then
		echo "ok   $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1"
		tail -5 "$tmp/dp.log" "$tmp/control.log"
		fail=$((fail + 1))
	fi
}

start_dataplane
start_control
programmed $dp_pid
result "the pair starts" $?
t=$(date +%s%N)
"$aftrctl" --api "$url" add nat "@$tmp/bulk.json" >"$tmp/add.out" 2>&1
grep -q "applied$" "$tmp/add.out"
result "$entries static NAT entries in one bulk file ($(du -m "$tmp/bulk.json" | cut -f1) MB): checked, saved and applied in $(ms_since "$t") ms" $?
t=$(date +%s%N)
"$aftrctl" --api "$url" isc "tunnel 2001:db8:ff::1" >"$tmp/one.out" 2>&1
grep -q "applied$" "$tmp/one.out"
result "with them in place, one ISC line (fetch, diff, add, apply): $(ms_since "$t") ms" $?
t=$(date +%s%N)
n=$("$aftrctl" --api "$url" list nat | wc -l)
[ "$n" -eq "$entries" ]
result "listing them all ($n): $(ms_since "$t") ms" $?
{
	kill -9 $dp_pid
	wait $dp_pid
} 2>/dev/null
t=$(date +%s%N)
start_dataplane
programmed $dp_pid
result "after kill -9 of the dataplane, a new one runs all of them $(ms_since "$t") ms after its start" $?
{
	kill -9 $control_pid
	wait $control_pid
} 2>/dev/null
t=$(date +%s%N)
start_control
programmed $dp_pid && [ "$(grep -c 'tables generation .*: in use' "$tmp/dp.log")" -ge 4 ]
result "after kill -9 of the control process, a new one has re-read and re-programmed them in $(ms_since "$t") ms" $?

# The same entries in the configuration file: both processes start from it.
for p in $dp_pid $control_pid; do
	kill -9 "$p"
	wait "$p"
done 2>/dev/null
rm -rf "$tmp/state"
/usr/bin/python3 - "$tmp/bulk.json" >>"$tmp/aftr.yaml" <<'PY'
import json, sys
print("static_nat:")
for e in json.load(open(sys.argv[1])):
    print("  - {b4: \"%s\", protocol: %s, address: %s, port: %d, external_address: %s, external_port: %d}"
          % (e["b4"], e["protocol"], e["address"], e["port"], e["external_address"], e["external_port"]))
PY
t=$(date +%s%N)
start_dataplane
start_control
programmed $dp_pid && [ "$(curl -s "$url/api/v1/static-nat?offset=$((entries - 1))" | grep -c '"source": "config"')" -eq 1 ]
result "$entries entries in the configuration file ($(du -m "$tmp/aftr.yaml" | cut -f1) MB of YAML): both processes started and programmed in $(ms_since "$t") ms" $?
echo "scale_api: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
