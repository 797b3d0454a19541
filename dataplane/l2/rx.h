/* RX: a burst's frames parsed once into their contexts (worker/ctx.h),
 * each given the node it starts at. */
#ifndef AFTR_RX_H
#define AFTR_RX_H

#include "ctx.h"

/* A frame from the transport port (or an IPv6 packet reassembled from a
 * B4's fragments): Ethernet, the IPv6 header and its extension headers
 * (RFC 8200), the endpoint, the softwire's B4 and its inner IPv4 header
 * (read, not checked: decap checks it). Returns the first node: tr_in, or
 * icmp6_err, or a drop, or the main lcore (ND, ping). */
enum dp_node rx_tr_parse(struct rte_mbuf *m);

/* A frame from the WAN port: Ethernet, the IPv4 header checked (RFC 1122
 * section 3.2.1), its ports, the pool it is to. Returns wan_in, a drop, or
 * the main lcore (ARP). */
enum dp_node rx_wan_parse(struct rte_mbuf *m);

/* With VLANs or one-port mode (dp.conf.l2_demux): the interface
 * (DP_PORT_*) of a frame that came in by the device of interface port,
 * by its 802.1Q tag (IEEE 802.1Q: VLAN id 0 is a priority tag, no VLAN),
 * the tag removed; or by EtherType when both interfaces share the device
 * untagged. -1 when none takes it (the caller drops it as wrong_vlan). */
int rx_vlan(struct rte_mbuf *m, int port);

#endif
