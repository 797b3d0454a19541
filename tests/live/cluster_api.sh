#!/bin/bash
# The group's shared lists (cluster.follow): a leader aftr-control and a
# follower on loopback (no dataplane: the lists are the control
# processes'). The follower reads the leader's lists whole at its first
# start, then follows its changes (add, delete, replace, 10,000 softwires
# in one request: timed); refuses changes to what it follows; keeps its
# lists when the leader is gone and across its own restart; catches up
# from its saved generation; reads the lists whole after the leader's
# reload or a restart with another file; leaves an entry its own file
# holds (a conflict, counted); speaks the leader's token; configuration
# and query errors named.
# Usage: cluster_api.sh AFTR_CONTROL AFTRCTL
# Exit 0 pass, 1 fail, 77 skip (curl missing).
set -u
control=$(readlink -f "$1")
aftrctl=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)
command -v curl >/dev/null || { echo "SKIP: curl is missing"; exit 77; }
# No namespaces here: lib.sh for its scratch directory, clean-up and checks.
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"
TOPO="aftr$$-"
# shellcheck source=lib.sh
. "$here/lib.sh"
live_api cluster 5
lead=$url
foll="http://127.0.0.1:$((port + 1))/api/v1"
py() { /usr/bin/python3 -c "$@"; }

config() { # box, extra YAML
	cat <<YAML
endpoint: 2001:db8::1
icmp_source: 192.0.0.1
acl6: [2001:db8::/32]
pools:
  - address: 198.51.100.$1
interfaces:
  transport: {device: net_null0, address: 2001:db8:a$1::1/64}
  wan: {device: net_null1, address: 192.0.2.$1/24}
api:
  listen: 127.0.0.1
  port: $((port + $1 - 1))
$2
YAML
}
ctl_pid=(0 0 0)
start() { # box
	"$control" -c "$tmp/aftr$1.yaml" --state "$tmp/state$1" --shm "$name-$1" \
		>>"$tmp/control$1.log" 2>&1 &
	ctl_pid[$1]=$!
	pids+=($!)
	wait_for 10 curl -s "http://127.0.0.1:$((port + $1 - 1))/api/v1/health" -o /dev/null
}
stop() { # box
	kill "${ctl_pid[$1]}"
	wait "${ctl_pid[$1]}" 2>/dev/null
}
post() { curl -sf -X POST -d "$2" "$1" -o /dev/null; }
count() { # url, kind: entries listed
	curl -sf "$1/$2" | py "import json,sys; print(len(json.load(sys.stdin)))"
}
has() { [ "$(count "$1" "$2")" = "$3" ]; }
field() { # url, field of /cluster
	curl -sf "$1/cluster" | py "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$2"
}
field_is() { [ "$(field "$1" "$2")" = "$3" ]; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# The leader holds a nonat entry in its file and one through its API
# before the follower first starts.
config 1 'nonat:
  - {b4: "2001:db8:1::f", prefix: 198.51.100.240/28}' >"$tmp/aftr1.yaml"
config 2 "cluster:
  follow: http://127.0.0.1:$port/
  retry_interval_ms: 200" >"$tmp/aftr2.yaml"
start 1 || { echo "FAIL: the leader did not start"; cat "$tmp/control1.log"; exit 1; }
post "$lead/nonat" '{"b4": "2001:db8:1::a", "prefix": "198.51.100.128/28"}'
start 2 || { echo "FAIL: the follower did not start"; cat "$tmp/control2.log"; exit 1; }
check "the follower read the leader's lists whole: its file's entry and its API's" \
	wait_for 5 has "$foll" nonat 2
caught_up() { field_is "$foll" state following &&
	[ "$(field "$foll" applied_generation)" = "$(field "$lead" generation)" ]; }
check "GET /cluster on the follower: following, at the leader's generation" wait_for 5 caught_up
check "GET /cluster on the leader: role leader" field_is "$lead" role leader

t=$(date +%s%N)
post "$lead/nonat" '{"b4": "2001:db8:1::b", "prefix": "198.51.100.144/28"}'
wait_for 5 has "$foll" nonat 3
check "an addition on the leader reached the follower ($(ms_since "$t") ms)" has "$foll" nonat 3
curl -sf -X PUT -d '{"b4": "2001:db8:1::c", "prefix": "198.51.100.144/28"}' \
	"$lead/nonat/198.51.100.144/28" -o /dev/null
replaced() { curl -sf "$foll/nonat/198.51.100.144/28" | grep -q '2001:db8:1::c'; }
check "a replacement too" wait_for 5 replaced
curl -sf -X DELETE "$lead/nonat/198.51.100.128/28" -o /dev/null
check "a deletion too" wait_for 5 has "$foll" nonat 2
py "
import json
print(json.dumps([{'b4': '2001:db8:2::%x' % i, 'ipv4': '203.0.113.%d' % (i // 64),
                   'psid': i % 64, 'psid_len': 6, 'offset': 0} for i in range(10000)]))" >"$tmp/bulk.json"
t=$(date +%s%N)
curl -sS -X POST --data-binary "@$tmp/bulk.json" "$lead/softwires" | grep -q '"added": 10000' ||
	echo "FAIL: the leader did not take 10,000 softwires"
wait_for 30 has "$foll" softwires 10000
check "10,000 softwires in one request on the leader: on the follower $(ms_since "$t") ms later" \
	has "$foll" softwires 10000

refused() { # method, url, body
	[ "$(curl -s -o "$tmp/refused.json" -w '%{http_code}' -X "$1" -d "${3:-}" "$2")" = 409 ] &&
		grep -q "cluster.follow" "$tmp/refused.json"
}
check "the follower refuses an addition to what it follows (409)" \
	refused POST "$foll/nonat" '{"b4": "2001:db8:1::d", "prefix": "198.51.100.160/28"}'
check "and a deletion" refused DELETE "$foll/nonat/198.51.100.240/28"
shown() { "$aftrctl" --api "${foll%/api/v1}" cluster | grep -q "^following http://127.0.0.1:$port: following"; }
check "aftrctl cluster on the follower" shown
metrics() { curl -sf "${foll%/api/v1}/metrics" | grep -q "^aftr_cluster_following 1$" &&
	curl -sf "${foll%/api/v1}/metrics" | grep -q "^aftr_cluster_behind 0$"; }
check "/metrics: aftr_cluster_following 1, aftr_cluster_behind 0" metrics

# The leader goes: the follower keeps its lists, says so, and keeps them
# across its own restart.
stop 1
check "the leader gone: the follower says so" wait_for 5 field_is "$foll" state "leader unreachable"
check "its lists stay" has "$foll" softwires 10000
stop 2
start 2
check "a restarted follower keeps them without its leader" has "$foll" softwires 10000
check "and tells why it does not follow" wait_for 5 field_is "$foll" state "leader unreachable"
start 1
post "$lead/nonat" '{"b4": "2001:db8:1::d", "prefix": "198.51.100.160/28"}'
check "the leader back: the follower catches up from its saved generation" \
	wait_for 5 has "$foll" nonat 3
check "without reading the lists whole again" field_is "$foll" resyncs 0
check "it said the leader answers again" grep -q "answers again" "$tmp/control2.log"

# The leader's file changes: a reload, then a restart with another file.
config 1 'nonat:
  - {b4: "2001:db8:1::f", prefix: 198.51.100.240/28}
  - {b4: "2001:db8:1::e", prefix: 198.51.100.224/28}' >"$tmp/aftr1.yaml"
curl -sf -X POST "$lead/reload" -o /dev/null
reread() { has "$foll" nonat "$1" && field_is "$foll" resyncs "$2"; }
check "the leader's reload: the follower reads the lists whole, the new file entry with them" \
	wait_for 5 reread 4 1
stop 1
config 1 'nonat:
  - {b4: "2001:db8:1::f", prefix: 198.51.100.240/28}' >"$tmp/aftr1.yaml"
start 1
check "the leader restarted with another file: read whole, the entry it dropped gone" \
	wait_for 5 reread 3 2

# A new follower whose own file holds an entry the leader has otherwise.
stop 2
mv "$tmp/state2" "$tmp/state2.old"
config 2 "cluster:
  follow: http://127.0.0.1:$port
  retry_interval_ms: 200
nonat:
  - {b4: \"2001:db8:1::9\", prefix: 198.51.100.240/28}" >"$tmp/aftr2.yaml"
start 2
conflicted() { [ "$(field "$foll" conflicts)" -ge 1 ] &&
	curl -sf "$foll/nonat/198.51.100.240/28" | grep -q '2001:db8:1::9'; }
check "an entry of the follower's own file is left as the file says: a conflict counted" \
	wait_for 5 conflicted
check "and said" grep -q "configuration file holds it" "$tmp/control2.log"

# The leader with a token: the follower without it is refused, with it follows.
stop 1
stop 2
printf 'sekrit-cluster-token\n' >"$tmp/token"
config 1 "" | sed "s|^  listen: 127.0.0.1|  listen: 127.0.0.1\n  token_file: $tmp/token|" >"$tmp/aftr1.yaml"
config 2 "cluster:
  follow: http://127.0.0.1:$port
  retry_interval_ms: 200" >"$tmp/aftr2.yaml"
start 1
start 2
unauthorized() { field "$foll" last_error | grep -q "HTTP 401"; }
check "a leader with a token refuses a follower without it: said (401)" wait_for 5 unauthorized
stop 2
config 2 "cluster:
  follow: http://127.0.0.1:$port
  token_file: $tmp/token
  retry_interval_ms: 200" >"$tmp/aftr2.yaml"
start 2
check "with cluster.token_file it follows" wait_for 5 field_is "$foll" state following

# Errors.
bad_config() { # YAML, text the error names
	config 2 "$1" >"$tmp/bad.yaml"
	! "$control" -c "$tmp/bad.yaml" --state "$tmp/bad" --shm "$name-bad" >"$tmp/bad.log" 2>&1 &&
		grep -q "$2" "$tmp/bad.log"
}
check "cluster.follow that is not an http(s) URL: named" \
	bad_config "cluster: {follow: ftp://x}" "cluster.follow: ftp://x: not the leader's API URL"
check "cluster.kinds with an unknown kind: named" \
	bad_config "cluster: {follow: 'http://x:1', kinds: [softwires, foo]}" "foo: not a kind"
check "cluster.token_file that cannot be read: named" \
	bad_config "cluster: {follow: 'http://x:1', token_file: /nonexistent}" "cluster.token_file /nonexistent"
status() { [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer sekrit-cluster-token" "$1")" = "$2" ]; }
check "GET /changes?since=abc: 422" status "$lead/changes?since=abc" 422
check "GET /changes?wait=61: 422" status "$lead/changes?since=0&wait=61" 422
check "GET /changes?since=(past the latest): 410" status "$lead/changes?since=999999999" 410
check "GET /changes?since=0 after a restart (records not kept): 410" status "$lead/changes?since=0" 410

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
