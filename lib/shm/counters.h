/* The dataplane's counters and drop reasons, from one list each (X-macros):
 * the enums, the names the API and aftrctl show, and the help text.
 * Every dropped packet is counted under exactly one drop reason, and every
 * packet is accounted for: summed over the lcores, once nothing is in
 * flight,
 *   rx_transport + rx_wan + created
 *     = tx_transport + tx_wan + (every drop_*) + consumed
 *       + fragments_held_ip6 + fragments_held_in + fragments_held_out
 *       + neighbor_held
 * (hand-offs and to_control move packets between lcores: not a fate).
 *
 * X(SYMBOL, "name", "help") */
#ifndef AFTR_COUNTERS_H
#define AFTR_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#define AFTR_COUNTERS(X)                                                                           \
	X(RX_TRANSPORT, "rx_transport", "packets received on the transport (IPv6) port")           \
	X(RX_WAN, "rx_wan", "packets received on the WAN (IPv4) port")                             \
	X(TX_TRANSPORT, "tx_transport", "packets sent on the transport port")                      \
	X(TX_WAN, "tx_wan", "packets sent on the WAN port")                                        \
	X(DECAP, "decap", "IPv4 packets taken out of a softwire")                                  \
	X(ENCAP, "encap", "IPv4 packets put into a softwire")                                      \
	X(ENCAP_FRAGMENTED, "encap_fragmented",                                                    \
	  "packets too big for their softwire, sent in IPv6 fragments (RFC 6333 section 6.3)")     \
	X(IP6_FRAGMENTS_SENT, "ip6_fragments_sent", "IPv6 fragments sent into softwires")          \
	X(IP4_FRAGMENTED, "ip4_fragmented",                                                        \
	  "packets over the WAN MTU (DF clear) sent in IPv4 fragments (RFC 791)")                  \
	X(IP4_FRAGMENTS_SENT, "ip4_fragments_sent", "IPv4 fragments sent on the WAN")              \
	X(IP6_FRAGMENTS_RECEIVED, "ip6_fragments_received", "IPv6 fragments received from B4s")    \
	X(IP4_FRAGMENTS_RECEIVED, "ip4_fragments_received",                                        \
	  "IPv4 fragments received from the Internet")                                             \
	X(IP4_REASSEMBLED, "ip4_reassembled",                                                      \
	  "IPv4 datagrams from the Internet reassembled before NAT or a stateless lookup")         \
	X(FRAG_HELD_IP6, "fragments_held_ip6",                                                     \
	  "now: IPv6 fragments from B4s waiting for reassembly (a level, not a count)")            \
	X(FRAG_HELD_IN, "fragments_held_in",                                                       \
	  "now: IPv4 fragments inside softwires waiting for reassembly (a level)")                 \
	X(FRAG_HELD_OUT, "fragments_held_out",                                                     \
	  "now: IPv4 fragments from the Internet waiting for reassembly (a level)")                \
	X(IP6_REASSEMBLED, "ip6_reassembled",                                                      \
	  "4in6 packets reassembled from fragments (RFC 6333 section 6.3)")                        \
	X(NAT_OUT, "nat_out", "packets translated from a B4 towards the Internet")                 \
	X(NAT_IN, "nat_in", "packets translated from the Internet towards a B4")                   \
	X(STATELESS_OUT, "stateless_out",                                                          \
	  "packets from B4s forwarded untranslated (lw4o6 softwire, prr, nonat)")                  \
	X(STATELESS_IN, "stateless_in",                                                            \
	  "packets to lw4o6, prr or nonat addresses sent untranslated into a softwire")            \
	X(MSS_CLAMPED, "mss_clamped",                                                              \
	  "TCP SYNs whose MSS was lowered to fit the softwire (ISC mss)")                          \
	X(HAIRPIN, "hairpin", "packets between two B4s through the pool (RFC 4787 REQ-9)")         \
	X(ICMP_ERR_IN, "icmp_error_in", "ICMPv4 errors from the Internet sent into a softwire")    \
	X(ICMP_ERR_OUT, "icmp_error_out",                                                          \
	  "ICMPv4 errors about Internet packets NATed out (RFC 5508): from B4s, or made of an "    \
	  "ICMPv6 error")                                                                          \
	X(ICMP6_ERR_IN, "icmp6_error_in",                                                          \
	  "ICMPv6 errors from routers towards B4s about softwire packets (RFC 2473 section 8)")    \
	X(PMTU_LEARNED, "tunnel_mtu_learned",                                                      \
	  "ICMPv6 packet too big lowered a softwire's MTU for 10 minutes (RFC 8201)")              \
	X(PMTU_EVICTED, "tunnel_mtu_evicted",                                                      \
	  "learned softwire MTUs forgotten early: the worker's table (4096) was full")             \
	X(ICMP_SENT, "icmp_sent", "ICMP messages the AFTR generated (errors, echo replies)")       \
	X(ICMP_LIMITED, "icmp_rate_limited",                                                       \
	  "ICMP errors not sent: over their interface's icmp rate (per second per worker)")        \
	X(ICMP_OFF, "icmp_not_sent",                                                               \
	  "ICMP errors not sent: turned off by their interface's icmp policy (errors, too_big)")   \
	X(SESSION_NEW, "session_created", "NAT sessions created")                                  \
	X(STATIC_NEW, "static_session_created",                                                    \
	  "NAT sessions created from a static mapping (ISC nat), counted in session_created too")  \
	X(SESSION_EXPIRED, "session_expired", "NAT sessions removed after their lifetime")         \
	X(BLOCK_ALLOC, "block_allocated", "port blocks handed to subscribers")                     \
	X(BLOCK_FREE, "block_freed", "port blocks returned by subscribers")                        \
	X(HOLD_SKIPPED, "hold_skipped",                                                            \
	  "ports reused without their hold time (RFC 6888 REQ-8): the hold queue, sized for the "  \
	  "pools at start, was full (pools were added since)")                                     \
	X(TUNNEL_NEW, "tunnel_created", "subscribers (softwires) created on first packet")         \
	X(BUSY_NS, "busy_ns",                                                                      \
	  "nanoseconds workers spent in polling rounds that had packets (against uptime and "      \
	  "the number of workers: how busy they are; a polling worker always shows 100% CPU)")     \
	X(IDLE_SLEEPS, "idle_sleeps",                                                              \
	  "times a worker with nothing to do slept (dataplane.idle: adaptive)")                    \
	X(IDLE_NS, "idle_ns", "nanoseconds workers spent asleep for want of work")                 \
	X(HANDOFF_TX, "handoff_sent", "packets handed to the worker that owns them")               \
	X(HANDOFF_RX, "handoff_received", "packets received from another worker")                  \
	X(TO_CONTROL, "to_control", "packets passed to the main lcore (ARP, ND, ping, ...)")       \
	X(CREATED, "created",                                                                      \
	  "packets the AFTR made: ICMP errors, fragments of what it fragments, reassembled "       \
	  "datagrams, ARP and ND messages")                                                        \
	X(CONSUMED, "consumed",                                                                    \
	  "packets that ended neither sent nor dropped: fragments made into a datagram, packets "  \
	  "sent in fragments, ICMPv6 errors and neighbour messages acted upon")                    \
	X(NEIGH_HELD, "neighbor_held",                                                             \
	  "now: packets waiting for their next hop to be resolved (a level, not a count)")         \
	X(MBUFS_IN_USE, "mbufs_in_use",                                                            \
	  "now: packet buffers taken from the pool, the receive queues' own included (a level: "   \
	  "back to where it was once traffic stops, or buffers leak)")                             \
	X(COMMANDS, "commands", "commands from the control process applied")                       \
	X(PCP_UP, "pcp_to_control",                                                                \
	  "PCP requests (RFC 6887) from softwires passed to the control process's PCP server")     \
	X(PCP_DOWN, "pcp_from_control",                                                            \
	  "PCP answers and announcements from the control process sent into softwires")            \
	X(PCP_DOWN_REFUSED, "pcp_answers_refused",                                                 \
	  "answers from the control process the dataplane would not send (not from the AFTR's "    \
	  "address and port 5351, or to an endpoint it does not have)")                            \
	X(EVENTS_LOST, "events_lost", "events for the control process lost: its ring was full")

#define AFTR_DROPS(X)                                                                              \
	X(BAD_ETHER, "bad_ether", "not IPv4, IPv6 or ARP, or a truncated Ethernet frame")          \
	X(WRONG_VLAN, "wrong_vlan",                                                                \
	  "802.1Q tag of no interface's VLAN, or none (or one) where the interface wants one "     \
	  "(none)")                                                                                \
	X(MULTI_SEG, "multi_segment", "a frame bigger than one buffer (above the MTU)")            \
	X(BAD_IP6, "bad_ip6", "malformed IPv6 header")                                             \
	X(NOT_ENDPOINT, "not_endpoint", "IPv6 packet not for the endpoint or our addresses")       \
	X(WRONG_ENDPOINT, "wrong_endpoint",                                                        \
	  "a B4's packet to an endpoint address that is not its softwire's (prr and nonat: "       \
	  "endpoint; NAPT: endpoint, or any with nat.any_endpoint)")                               \
	X(IP6_PROTO, "ip6_unsupported", "IPv6 packet for us that is neither 4in6 nor ICMPv6")      \
	X(IP6_ROUTING, "ip6_routing_header",                                                       \
	  "IPv6 packet with a routing header still to follow (segments left): parameter problem "  \
	  "sent (RFC 8200 section 4.4)")                                                           \
	X(IP6_FRAGMENT, "ip6_fragment",                                                            \
	  "IPv6 fragment not reassembled: its header is not right after the IPv6 header, or it "   \
	  "ends past 65,535 or is not a multiple of 8 with more to come (parameter problem sent, " \
	  "RFC 8200 section 4.5)")                                                                 \
	X(IP6_FRAG_DROPPED, "ip6_fragment_dropped",                                                \
	  "IPv6 fragments given up: timed out, overlapping, or no room (ISC fragment ipv6 "        \
	  "maxcount)")                                                                             \
	X(FRAG_TUNNEL_LIMIT, "fragment_tunnel_limit",                                              \
	  "fragments over their tunnel's share of the reassembly queues (ISC tunnel fragment "     \
	  "ipv6|ipv4 maxcount)")                                                                   \
	X(ACL6, "acl6",                                                                            \
	  "B4 address (or with acl6_icmp an ICMPv6 error's source) outside acl6 (ISC: filtered "   \
	  "by IPv6 ACL)")                                                                          \
	X(ICMP6_ERROR, "icmp6_error",                                                              \
	  "ICMPv6 error to the endpoint not about a softwire packet of ours, malformed, or a "     \
	  "packet too big under 1280 (RFC 8201 section 4)")                                        \
	X(NO_TUNNEL, "no_tunnel", "unknown B4 and automatic tunnels are off")                      \
	X(BAD_IP4_IN, "bad_ip4_in", "malformed inner IPv4 packet from a B4")                       \
	X(MARTIAN, "martian",                                                                      \
	  "a B4's packet to, or an Internet packet from, an address no router forwards: 0/8, "     \
	  "127/8, 169.254/16, multicast, 240/4 and broadcast (RFC 1812 section 5.3.7, RFC 3927)")  \
	X(NOT_PRIVATE, "not_private",                                                              \
	  "inner source neither private (NAT) nor in a binding of its B4 (lw4o6, prr, nonat)")     \
	X(OUT_OF_RANGE, "out_of_range",                                                            \
	  "inner source port outside the B4's port set or prr ports (RFC 7596 section 5.2)")       \
	X(WRONG_B4, "wrong_b4", "inner source address and port bound to another B4")               \
	X(ECN, "ecn", "outer CE over an inner packet that is not ECN-capable (RFC 6040 4.2)")      \
	X(TTL_EXPIRED, "ttl_expired", "TTL expired on the way through (ICMP time exceeded sent)")  \
	X(IP4_FRAGMENT, "ip4_fragment", "IPv4 fragment that cannot be reassembled")                \
	X(IP4_FRAG_DROPPED, "ip4_fragment_dropped",                                                \
	  "IPv4 fragments given up: timed out, overlapping, or no room (ISC fragment out "         \
	  "maxcount)")                                                                             \
	X(PROTO_IN, "proto_in", "inner protocol other than TCP, UDP and ICMP")                     \
	X(ICMP_IN, "icmp_in", "ICMPv4 from a B4 that is not an echo request or reply")             \
	X(NAT_COUNT, "nat_limit", "subscriber at its session limit (ISC: too many NAT entries)")   \
	X(NAT_RATE, "nat_rate", "subscriber over its session creation rate")                       \
	X(PORTS_EXHAUSTED, "ports_exhausted", "no free port block for the subscriber")             \
	X(TABLE_FULL, "table_full", "the worker's session or subscriber table is full")            \
	X(NAT_NO_MAPPING, "nat_no_mapping",                                                        \
	  "a B4 outside nat.deterministic.prefix: no port block is its")                           \
	X(BAD_IP4_OUT, "bad_ip4_out", "malformed IPv4 packet from the Internet")                   \
	X(NOT_OURS, "not_ours", "IPv4 packet for an address that is not ours")                     \
	X(NO_SESSION, "no_session", "no NAT session for a packet from the Internet")               \
	X(NO_BINDING, "no_binding", "to a lw4o6 address and port that no softwire holds")          \
	X(FILTERED, "filtered", "refused by address(-and-port)-dependent filtering (RFC 4787)")    \
	X(FILTER_RULE, "filter_rule",                                                              \
	  "dropped by a rule of the interface's filters (each rule's matches: "                    \
	  "filter_IFACE_DIR_N)")                                                                   \
	X(ICMP_OUT, "icmp_out", "ICMPv4 from the Internet we do not translate")                    \
	X(ICMP_CKSUM, "icmp_bad_checksum",                                                         \
	  "ICMPv4 with a wrong checksum, either way, not translated (its rewrite would hide it)")  \
	X(ICMP_POLICY, "icmp_refused",                                                             \
	  "ICMP in from an interface whose icmp policy drops it (incoming: drop)")                 \
	X(TOO_BIG, "too_big",                                                                      \
	  "too big for the softwire with DF set and toobig strict (fragmentation needed sent)")    \
	X(WAN_TOO_BIG, "wan_too_big",                                                              \
	  "over the WAN MTU with DF set (fragmentation needed sent, RFC 1191)")                    \
	X(ARP_IGNORED, "arp_ignored", "ARP not asking for one of our addresses")                   \
	X(ICMP_IGNORED, "icmp_ignored",                                                            \
	  "ICMP or ICMPv6 to us we do not act on (router advertisements, errors, ...)")            \
	X(NO_NEIGHBOR, "no_neighbor", "next hop unresolved and its queue full")                    \
	X(TX_FULL, "tx_full", "transmit queue full")                                               \
	X(HANDOFF_FULL, "handoff_full", "ring to the owning worker full")                          \
	X(CONTROL_FULL, "control_full",                                                            \
	  "ring to the main lcore (or its packet ring to the "                                     \
	  "control process) full")                                                                 \
	X(PCP_BAD, "pcp_bad", "PCP request to the AFTR with a bad UDP length or checksum")         \
	X(PCP_RATE, "pcp_rate_limited",                                                            \
	  "PCP request over pcp.max_rate (requests a second a worker)")                            \
	X(PCP_NOT_NAPT, "pcp_not_napt",                                                            \
	  "PCP request from a B4 NAPT is not for (known by a stateless binding only), or to "      \
	  "another endpoint than the first")                                                       \
	X(NO_MBUF, "no_mbuf", "no buffer to build a reply or an error")

/* What each port counted itself (rte_eth_stats), copied by the main lcore
 * once a second as port_<transport|wan>_<name>. rx_missed: frames the NIC
 * (or the kernel, for af_packet) dropped before the dataplane saw them. */
#define AFTR_PORT_STATS(X)                                                                         \
	X(RX_PACKETS, "rx_packets", "frames received")                                             \
	X(RX_MISSED, "rx_missed",                                                                  \
	  "frames dropped by the port: receive ring full (net_af_packet and net_af_xdp leave "     \
	  "them to the kernel's rx dropped)")                                                      \
	X(RX_ERRORS, "rx_errors", "frames received with errors")                                   \
	X(RX_NOMBUF, "rx_nombuf", "receive failures for want of buffers")                          \
	X(TX_PACKETS, "tx_packets", "frames sent")                                                 \
	X(TX_ERRORS, "tx_errors", "frames the port failed to send")

#define AFTR_CNT_ENUM(sym, name, help) CNT_##sym,
enum aftr_counter { AFTR_COUNTERS(AFTR_CNT_ENUM) CNT_COUNT };
#undef AFTR_CNT_ENUM

#define AFTR_DROP_ENUM(sym, name, help) DROP_##sym,
enum aftr_drop { AFTR_DROPS(AFTR_DROP_ENUM) DROP_COUNT };
#undef AFTR_DROP_ENUM

#define AFTR_PORT_ENUM(sym, name, help) PORT_STAT_##sym,
enum aftr_port_stat { AFTR_PORT_STATS(AFTR_PORT_ENUM) PORT_STAT_COUNT };
#undef AFTR_PORT_ENUM

/* Every counter's name, in the order of the counter blocks: counters,
 * then "drop_<reason>", then "port_transport_<stat>" and "port_wan_<stat>"
 * (see stats_shm.h). Returns the number of names. */
#define AFTR_STATS_COUNT (CNT_COUNT + DROP_COUNT + 2 * PORT_STAT_COUNT)
unsigned int aftr_stats_names(const char *names[AFTR_STATS_COUNT]);

/* Whether a name of that table is a level that goes down as well as up
 * (a Prometheus gauge), not a count. */
bool aftr_stats_is_gauge(const char *name);

/* The help text of a name of that table ("" if unknown). */
const char *aftr_stats_help(const char *name);

const char *aftr_counter_name(enum aftr_counter c);
const char *aftr_counter_help(enum aftr_counter c);
const char *aftr_drop_name(enum aftr_drop d);
const char *aftr_drop_help(enum aftr_drop d);

#endif
