#!/bin/bash
# Provisioning as deployments do it: two software B4s with no AFTR address configured
# find it through DHCPv6 and DNS, with the real servers. On the namespace topology
# (deploy/topology.sh), the transport link's bridge namespace runs Kea's DHCPv6 server
# (kea-dhcp6) and unbound, configured by aftrctl provision kea|dns from the running AFTR's
# configuration. aftr-b4 --dhcp asks (RFC 8415 Information-Request) for AFTR-Name (RFC
# 6334) and the DNS servers, resolves the name (AAAA), and carries traffic; asked again
# (SIGUSR2), it stays. With no DHCPv6 server the B4 keeps asking and drops what it cannot
# send yet. Then B4 b becomes a lw4o6 B4: a softwire and its DUID (in its tunnel entry)
# through the API, Kea given the new configuration through its control socket (aftrctl
# provision kea --push): it takes the binding (RFC 7598) from its reservation and carries
# HTTP in its port set; its softwire moved to another PSID through the API, Kea kept in
# step by aftrctl provision kea --push --follow, it follows. Started again with --lw4o6,
# it translates into the set DHCPv6 gives it by itself, and follows a move again.
#
# Usage: provision_live.sh AFTR_DATAPLANE AFTR_CONTROL AFTRCTL AFTR_B4
# Exit 0 pass, 1 fail, 77 skip (not root, or Kea, unbound or a tool is missing).
set -u
dataplane=$(readlink -f "$1")
control=$(readlink -f "$2")
aftrctl=$(readlink -f "$3")
b4=$(readlink -f "$4")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../deploy/topology.sh
. "$here/../../deploy/topology.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in ip curl ping kea-dhcp6 unbound unbound-checkconf /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing (deploy/install-deps.sh)"; exit 77; }
done

TOPO="aftr$$-"
# shellcheck source=lib.sh
. "$here/lib.sh"
live_api prov 13
name_=aftr.lab.test
dns6=2001:db8:1::53

topo_up || { echo "FAIL: topology"; exit 1; }
# shellcheck disable=SC2119 # topo_config QPAIRS: one queue pair unless told
topo_config | sed "s/^  listen: 127.0.0.1$/  listen: 127.0.0.1\n  port: $port/" >"$tmp/aftr.yaml"
ip netns exec "${TOPO}dp" "$dataplane" --no-huge -m 512 -l 0,1 --no-pci --no-telemetry \
	--file-prefix "$TOPO" --log-level='*:warning' -- -c "$tmp/aftr.yaml" --shm "$name" \
	>>"$tmp/dp.log" 2>&1 &
pids+=($!)
"$control" -c "$tmp/aftr.yaml" --state "$tmp/state" --shm "$name" >>"$tmp/control.log" 2>&1 &
pids+=($!)
if ! wait_for 15 grep -q "running with" "$tmp/dp.log" ||
	! wait_for 5 curl -sf "$url/health"; then
	echo "FAIL: the dataplane or the control process did not start"
	cat "$tmp/dp.log" "$tmp/control.log"
	exit 1
fi
api="http://127.0.0.1:$port"

# The servers on the transport link's bridge: its own address for DNS.
topo_exec tr ip -6 addr add "$dns6/64" dev br6 nodad
check "aftrctl provision kea: Kea's configuration from the AFTR's" \
	"$aftrctl" --api "$api" provision kea --aftr-name "$name_" --dns "$dns6" --interface br6 \
	--subnet 2001:db8:1::/64 --refresh 600 --ephemeral --control-socket "$tmp/kea.sock" \
	-o "$tmp/kea.json"
check "kea-dhcp6 takes it (-t)" env KEA_PIDFILE_DIR="$tmp" KEA_LOCKFILE_DIR="$tmp" \
	ip netns exec "${TOPO}tr" kea-dhcp6 -t "$tmp/kea.json"
check "aftrctl provision dns: the AFTR's name and addresses" \
	"$aftrctl" --api "$api" provision dns --aftr-name "$name_" --listen "$dns6" -o "$tmp/aftr-dns.conf"
check "the name answers with the endpoint" grep -q "\"$name_. 300 IN AAAA $TOPO_ENDPOINT\"" \
	"$tmp/aftr-dns.conf"
cat >"$tmp/unbound.conf" <<CONF
server:
  directory: "$tmp"
  username: ""
  chroot: ""
  pidfile: "$tmp/unbound.pid"
  do-daemonize: no
  use-syslog: no
  logfile: ""
  do-ip4: no
  access-control: ::/0 allow
  module-config: "iterator"
include: "$tmp/aftr-dns.conf"
CONF
check "unbound-checkconf takes it" unbound-checkconf "$tmp/unbound.conf"

# B4s first: with no server yet they keep asking and drop what they cannot send.
for s in a b; do
	topo_exec "b4$s" "$b4" --local "2001:db8:1::$s" --dhcp eth0 --mtu 1500 \
		--stats-file "$tmp/b4$s.stats" >"$tmp/b4$s.log" 2>&1 &
	pids+=($!)
done
wait_for 5 topo_exec b4a ip link show b4tun0
# A B4's counter, its stats file written (SIGUSR1) first.
counter_of() { # a|b name
	topo_exec "b4$1" pkill -USR1 -f "aftr-b4 --local 2001:db8:1::$1 " 2>/dev/null
	sleep 0.2
	awk -v k="$2" '$1 == k { print $2 }' "$tmp/b4$1.stats"
}
at_least() { [ "$(counter_of "$1" "$2")" -ge "$3" ]; }
topo_exec cla ping -q -c 1 -W 1 "$TOPO_SERVER" >/dev/null 2>&1
check "no server: B4 a asks again (RFC 8415 retransmission)" wait_for 5 at_least a dhcp_sent 2
check "and drops what it cannot send yet" at_least a tx_drop_no_aftr 1

# Kea writes its PID and lock files where told (its default, /run/kea, is the host's).
(KEA_PIDFILE_DIR=$tmp KEA_LOCKFILE_DIR=$tmp exec ip netns exec "${TOPO}tr" kea-dhcp6 \
	-c "$tmp/kea.json" >"$tmp/kea.log" 2>&1) &
pids+=($!)
(exec ip netns exec "${TOPO}tr" unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.log" 2>&1) &
pids+=($!)
for s in a b; do
	check "B4 $s: DHCPv6 then DNS give it the AFTR" \
		wait_for 20 grep -q "softwire to $TOPO_ENDPOINT (AFTR-Name $name_)" "$tmp/b4$s.log"
done
check "ping through B4 a" topo_exec cla ping -q -c 3 -W 2 "$TOPO_SERVER"
check "ping through B4 b" topo_exec clb ping -q -c 3 -W 2 "$TOPO_SERVER"
sessions() { curl -sf "$url/sessions?b4=2001:db8:1::$1" | grep -q '"protocol": "icmp"'; }
check "the AFTR has both B4s' sessions" bash -c "$(declare -f sessions); url=$url; sessions a && sessions b"
sent=$(counter_of a dhcp_sent)
topo_exec b4a pkill -USR2 -f "aftr-b4 --local 2001:db8:1::a "
check "SIGUSR2: B4 a asks again, and is answered" wait_for 5 at_least a dhcp_replies 2
check "its softwire stays" topo_exec cla ping -q -c 2 -W 2 "$TOPO_SERVER"
check "every DHCPv6 Reply was one to take" [ "$(counter_of a dhcp_bad)" = 0 ]
check "and DNS answered B4 b" at_least b dns_answers 1
[ "$(counter_of a dhcp_sent)" -gt "$sent" ] || echo "     (dhcp_sent $sent -> $(counter_of a dhcp_sent))"

# B4 b as a lw4o6 B4 (RFC 7596): its binding from its Kea reservation, by its DUID-LL.
lw=198.51.100.77
mac=$(topo_exec b4b cat /sys/class/net/eth0/address)
duid="00:03:00:01:$mac"
json=(-H "Content-Type: application/json")
check "a softwire for B4 b through the API" curl -sf "${json[@]}" -d \
	'{"b4": "2001:db8:1::b", "ipv4": "'$lw'", "psid": 1, "psid_len": 6, "offset": 0}' \
	"$url/softwires"
check "its DUID in its tunnel entry" curl -sf "${json[@]}" -d \
	'{"b4": "2001:db8:1::b", "duid": "'"$duid"'"}' "$url/tunnels"
push() {
	"$aftrctl" --api "$api" provision kea --aftr-name "$name_" --dns "$dns6" --interface br6 \
		--subnet 2001:db8:1::/64 --refresh 600 --ephemeral --control-socket "$tmp/kea.sock" \
		--push "$tmp/kea.sock"
}
check "Kea given its reservation through the control socket" push
# A DUID for a B4 with no softwire: nothing to reserve, and said so.
curl -sf "${json[@]}" -d '{"b4": "2001:db8:1::a", "duid": "00:03:00:01:02:00:00:00:00:01"}' \
	"$url/tunnels" >/dev/null
check "a DUID with no softwire: no reservation, said" bash -c \
	"$(declare -f push); aftrctl=$aftrctl api=$api name_=$name_ dns6=$dns6 tmp=$tmp; push 2>&1 | grep -q '2001:db8:1::a has a DUID but no softwire'"
topo_exec b4b pkill -USR2 -f "aftr-b4 --local 2001:db8:1::b "
check "B4 b takes the binding: the address, PSID 1, the BR" wait_for 10 grep -q \
	"lw4o6 binding from DHCPv6: $lw, port set offset 0 PSID length 6 PSID 1, BR $TOPO_ENDPOINT" \
	"$tmp/b4b.log"
check "its IPv4 address on the TUN" topo_exec b4b ip -4 addr show b4tun0 | grep -q "$lw/32"
nat_into() { # the B4's NAT into its port set (the nftables recipe of deploy/b4/README.md)
	topo_exec b4b nft delete table ip lw4o6 2>/dev/null
	topo_exec b4b nft -f - <<NFT
table ip lw4o6 {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "b4tun0" ip saddr 192.168.1.0/24 meta l4proto { tcp, udp } snat to $lw:$1
		oifname "b4tun0" ip saddr 192.168.1.0/24 meta l4proto icmp snat to $lw:$1
	}
}
NFT
}
http_server
fetch() { topo_exec clb curl -sSf --max-time 10 -o /dev/null "http://$TOPO_SERVER:8080/kea.json"; }
if command -v nft >/dev/null && nat_into 1024-2047; then
	check "HTTP through B4 b's port set 1024-2047" fetch
	# From here Kea follows every change by itself.
	"$aftrctl" --api "$api" provision kea --aftr-name "$name_" --dns "$dns6" --interface br6 \
		--subnet 2001:db8:1::/64 --refresh 600 --ephemeral --control-socket "$tmp/kea.sock" \
		--push "$tmp/kea.sock" --follow 2>"$tmp/follow.log" &
	pids+=($!)
	curl -sf -X DELETE "$url/softwires/$lw/1" >/dev/null
	gen=$(curl -sf "${json[@]}" -d \
		'{"b4": "2001:db8:1::b", "ipv4": "'$lw'", "psid": 2, "psid_len": 6, "offset": 0}' \
		"$url/softwires" | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')
	check "its softwire moved to PSID 2 through the API (generation $gen)" [ -n "$gen" ]
	check "aftrctl provision --follow gave Kea that generation" \
		wait_for 10 grep -q "Kea has generation $gen\$" "$tmp/follow.log"
	topo_exec b4b pkill -USR2 -f "aftr-b4 --local 2001:db8:1::b "
	check "B4 b follows: PSID 2, no restart" wait_for 10 grep -q \
		"lw4o6 binding from DHCPv6: $lw, port set offset 0 PSID length 6 PSID 2" "$tmp/b4b.log"
	nat_into 2048-3071
	check "HTTP through its new port set 2048-3071" fetch
	# The same B4 as a lwB4 translating by itself (--lw4o6): no nftables, the
	# port set from DHCPv6, and followed when it moves.
	topo_exec b4b nft delete table ip lw4o6
	topo_exec b4b pkill -f "aftr-b4 --local 2001:db8:1::b "
	wait_for 5 bash -c "! ip netns exec ${TOPO}b4b ip link show b4tun0"
	topo_exec b4b "$b4" --local 2001:db8:1::b --dhcp eth0 --mtu 1500 --lw4o6 \
		--stats-file "$tmp/b4b.stats" >"$tmp/b4b-lw.log" 2>&1 &
	pids+=($!)
	check "B4 b again, with --lw4o6: its NAPT into PSID 2's set from DHCPv6" wait_for 10 \
		grep -q "lw4o6 NAPT (DHCPv6) into $lw, offset 0 PSID length 6 PSID 2: 1024 ports, 2048 to 3071" \
		"$tmp/b4b-lw.log"
	check "HTTP through aftr-b4's NAPT" fetch
	check "ping through it" topo_exec clb ping -q -c 2 -W 2 "$TOPO_SERVER"
	curl -sf -X DELETE "$url/softwires/$lw/2" >/dev/null
	gen=$(curl -sf "${json[@]}" -d \
		'{"b4": "2001:db8:1::b", "ipv4": "'$lw'", "psid": 3, "psid_len": 6, "offset": 0}' \
		"$url/softwires" | sed -n 's/.*"generation": \([0-9]*\).*/\1/p')
	wait_for 10 grep -q "Kea has generation $gen\$" "$tmp/follow.log"
	topo_exec b4b pkill -USR2 -f "aftr-b4 --local 2001:db8:1::b "
	check "moved to PSID 3: its NAPT follows, no restart" wait_for 10 grep -q \
		"lw4o6 NAPT (DHCPv6) into $lw, offset 0 PSID length 6 PSID 3: 1024 ports, 3072 to 4095" \
		"$tmp/b4b-lw.log"
	check "HTTP through the new set" fetch
else
	echo "skip the lw4o6 B4's traffic: no nftables NAT here"
fi

echo "provision_live: $pass passed, $fail failed"
[ "$fail" = 0 ]
