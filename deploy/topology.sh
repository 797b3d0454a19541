# shellcheck shell=bash
# The demo and live-test topology: network namespaces around aftr-dataplane.
# Sourced by deploy/demo.sh and tests/live/*.sh; needs root and iproute2.
#
#   cla (192.168.1.2) --lan-- b4a (aftr-b4, 2001:db8:1::a) --+
#                                                           +-- tr (bridge br6) -- dp: aftr-dataplane
#   clb (192.168.1.2) --lan-- b4b (aftr-b4, 2001:db8:1::b) --+                        transport port dtr
#                                                                                     WAN port dwan
#   inet: 192.0.2.254 on the WAN link, 203.0.113.10 (the server) -- dwan
#
# Both clients use the same private address on purpose: their sessions are
# kept apart by B4 address (RFC 6333 section 7). The transport links carry
# 1600-byte frames so that a 1500-byte IPv4 packet fits in the softwire, as
# RFC 6333 section 5.3 recommends for the operator's network.
#
# Names start with $TOPO (default "aftr-"), so tests can run beside a demo.

TOPO=${TOPO:-aftr-}
TOPO_NS="dp tr b4a b4b cla clb inet"
TOPO_ENDPOINT=2001:db8::1
TOPO_TR_ADDR=2001:db8:1::1
TOPO_SERVER=203.0.113.10
TOPO_POOL=198.51.100.1
TOPO_MTU6=1600

topo_ns() { echo "${TOPO}$1"; }
topo_exec() {
	local ns
	ns=$(topo_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

# veth pair: name in namespace A, peer name in namespace B, MTU.
topo_veth() {
	ip link add "$2" netns "$(topo_ns "$1")" mtu "$5" type veth \
		peer name "$4" netns "$(topo_ns "$3")" mtu "$5"
	topo_exec "$1" ip link set "$2" up
	topo_exec "$3" ip link set "$4" up
}

topo_down() {
	local n
	for n in $TOPO_NS; do
		[ -f "/run/netns/${TOPO}$n" ] && ip netns pids "${TOPO}$n" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	sleep 0.2
	for n in $TOPO_NS; do
		[ -f "/run/netns/${TOPO}$n" ] && ip netns pids "${TOPO}$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		[ -f "/run/netns/${TOPO}$n" ] && ip netns del "${TOPO}$n" 2>/dev/null
	done
	return 0
}

topo_b4_side() {
	local b4=$1 cl=$2 addr6=$3
	topo_veth tr "br-$b4" "$b4" eth0 $TOPO_MTU6
	topo_exec tr ip link set "br-$b4" master br6
	topo_exec "$b4" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
	topo_exec "$b4" ip -6 addr add "$addr6/64" dev eth0 nodad
	topo_exec "$b4" ip -6 route add "$TOPO_ENDPOINT/128" via $TOPO_TR_ADDR dev eth0
	topo_veth "$b4" lan0 "$cl" eth0 1500
	topo_exec "$b4" ip addr add 192.168.1.1/24 dev lan0
	topo_exec "$b4" sysctl -qw net.ipv4.ip_forward=1
	topo_exec "$cl" ip addr add 192.168.1.2/24 dev eth0
	topo_exec "$cl" ip route add default via 192.168.1.1
}

topo_up() {
	local n
	for n in $TOPO_NS; do
		ip netns add "$(topo_ns "$n")" || return 1
		topo_exec "$n" ip link set lo up
	done
	topo_exec tr ip link add br6 mtu $TOPO_MTU6 type bridge
	topo_exec tr ip link set br6 up
	topo_veth dp dtr tr br-dp $TOPO_MTU6
	topo_exec tr ip link set br-dp master br6
	topo_veth dp dwan inet inet0 1500
	# The dataplane owns dtr and dwan: keep the kernel's own traffic off them.
	topo_exec dp sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	topo_b4_side b4a cla 2001:db8:1::a
	topo_b4_side b4b clb 2001:db8:1::b
	topo_exec inet ip addr add 192.0.2.254/24 dev inet0
	topo_exec inet ip addr add $TOPO_SERVER/32 dev lo
	topo_exec inet ip route add 198.51.100.0/24 via 192.0.2.1
	# af_packet hands frames to DPDK as they are: make the kernel finish
	# checksums instead of leaving them to a NIC that does not exist.
	topo_exec inet ethtool -K inet0 tx off >/dev/null
}

# The dataplane configuration for this topology.
topo_config() {
	cat <<EOF
# aftr-dataplane in the ${TOPO}dp namespace (deploy/topology.sh)
endpoint: $TOPO_ENDPOINT
icmp_source: 192.0.0.1
acl6: [2001:db8:1::/48]
pools:
  - address: $TOPO_POOL
nat:
  port_block: {tcp: 64, udp: 64, icmp: 16}
interfaces:
  transport:
    device: net_af_packet0,iface=dtr,qpairs=${1:-1}
    address: $TOPO_TR_ADDR/64
    mtu: $TOPO_MTU6
  wan:
    device: net_af_packet1,iface=dwan,qpairs=${1:-1}
    address: 192.0.2.1/24
    gateway: 192.0.2.254
api:
  listen: 127.0.0.1
EOF
}
