# shellcheck shell=bash
# The veth topology aftr-pktgen and a device under test share (bench/veth.sh,
# bench/control_scale.sh): two namespaces, ${ns}pg and ${ns}dut, and two
# veth pairs between them with the MAC addresses aftr-pktgen expects:
#
#   pg (aftr-pktgen)  pg-tr  ==== dut-tr   dut: the device under test
#                     pg-wan ==== dut-wan
#
# Sourced after ns is set; the caller deletes both namespaces on exit.
: "${ns:?bench/netns.sh needs ns, the prefix of the namespaces}"

pg() { ip netns exec "${ns}pg" "$@"; }
dut() { ip netns exec "${ns}dut" "$@"; }

topology() {
	ip netns del "${ns}pg" 2>/dev/null
	ip netns del "${ns}dut" 2>/dev/null
	ip netns add "${ns}pg" && ip netns add "${ns}dut" || return 1
	for side in tr:00 wan:01; do
		local n=${side%:*} x=${side#*:}
		# The softwire side carries a 1500-byte IPv4 packet whole (1540).
		ip link add "pg-$n" netns "${ns}pg" address "02:00:00:00:$x:fe" \
			mtu $((x == 0 ? 1540 : 1500)) type veth peer "dut-$n" netns "${ns}dut" \
			address "02:00:00:00:$x:01" mtu $((x == 0 ? 1540 : 1500)) || return 1
		pg ip link set "pg-$n" up && dut ip link set "dut-$n" up || return 1
	done
	# Only the traffic's frames on the wires: no Neighbor Discovery, no MLD.
	pg sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	dut sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	stack_off pg pg-tr pg-wan
}

# The kernel's own stack need not see frames a DPDK process owns (it would
# not with a NIC bound to DPDK): dropped at the ingress hook, which runs
# after af_packet has taken its copy.
stack_off() { # namespace suffix, devices...
	local n=$1
	shift
	for dev in "$@"; do
		ip netns exec "${ns}$n" nft -f - <<NFT || return 1
table netdev own_$dev {
	chain in { type filter hook ingress device "$dev" priority 0; policy drop; }
}
NFT
	done
}
