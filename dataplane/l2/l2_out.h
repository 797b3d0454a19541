/* Ethernet out (nodes tr_tx and wan_tx): the next hop and its MAC. */
#ifndef AFTR_L2_OUT_H
#define AFTR_L2_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>
#include <rte_ether.h>

#include "addr.h"
#include "ctx.h"
#include "neigh.h"
#include "tx.h"

/* The next hop towards a destination (itself when on-link, else the
 * gateway); false when there is none (WAN: off-link and no gateway). */
bool dp_nexthop4(uint32_t dst_host, struct addr6 *nh);
bool dp_nexthop6(const uint8_t dst[16], struct addr6 *nh);

/* Ethernet out for nodes tr_tx and wan_tx and the fast path (fast/):
 * inline, so that each has its own copy in its loop. */
/* m starts with room for the Ethernet header; nh is the next hop, or
 * NULL for the port's gateway, where most packets go: its slot is looked
 * up once per worker (slot + 1 kept; 0: not found yet). */
static __rte_always_inline enum dp_node l2_frame(struct dp_worker *w, struct rte_mbuf *m, int port,
                                                 uint16_t ethertype, const struct addr6 *nh)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct dp_ctx *c = dp_ctx(m);
	bool ok;

	eth->ether_type = rte_cpu_to_be_16(ethertype);
	rte_ether_addr_copy(&dp.port[port].mac, &eth->src_addr);
	c->port = (uint8_t)port;
	if (nh == NULL) {
		if (unlikely(w->gw_slot[port] == 0))
			w->gw_slot[port] = neigh_slot(&dp.conf.gw[port]) + 1;
		ok = w->gw_slot[port] > 0 && neigh_slot_mac(w->gw_slot[port] - 1, &eth->dst_addr);
	} else {
		ok = neigh_lookup(nh, &eth->dst_addr);
	}
	if (!ok) {
		c->ctrl = CTRL_RESOLVE >> 8; /* the main lcore finds the next hop again */
		return NODE_CTRL;
	}
	return dp.port[port].vlan ? NODE_TX_VLAN : NODE_TX;
}

/* Towards a B4 (ctx->b4): B4s on the transport link directly, others
 * through the gateway; with neither an address nor a gateway, every B4 is
 * on-link. */
static __rte_always_inline enum dp_node l2_tr(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct cfg_iface *i = &dp.conf.cfg->transport;
	const struct addr6 *b4 = &dp_ctx(m)->b4;
	uint64_t a[2];

	memcpy(a, b4->b, 16);
	if ((i->has_address && (((a[0] ^ dp.conf.tr_net[0]) & dp.conf.tr_mask[0]) |
	                        ((a[1] ^ dp.conf.tr_net[1]) & dp.conf.tr_mask[1])) == 0) ||
	    !i->has_gateway)
		return l2_frame(w, m, DP_PORT_TRANSPORT, RTE_ETHER_TYPE_IPV6, b4);
	return l2_frame(w, m, DP_PORT_TRANSPORT, RTE_ETHER_TYPE_IPV6, NULL);
}

/* Towards the Internet: on-link destinations directly, the rest through
 * the gateway (no_neighbor without one); dst host order. */
static __rte_always_inline enum dp_node l2_wan_to(struct dp_worker *w, struct rte_mbuf *m,
                                                  uint32_t dst)
{
	const struct cfg_iface *i = &dp.conf.cfg->wan;
	struct addr6 nh;

	if (i->has_address && ((dst ^ i->addr4.addr) & dp.conf.wan_mask) == 0) {
		nh = neigh_key4(dst); /* on-link */
		return l2_frame(w, m, DP_PORT_WAN, RTE_ETHER_TYPE_IPV4, &nh);
	}
	if (!i->has_gateway)
		return dp_drop(m, DROP_NO_NEIGHBOR);
	return l2_frame(w, m, DP_PORT_WAN, RTE_ETHER_TYPE_IPV4, NULL);
}

/* l2_wan_to the destination of the packet's IPv4 header (ctx->l3). */
static __rte_always_inline enum dp_node l2_wan(struct dp_worker *w, struct rte_mbuf *m)
{
	return l2_wan_to(w, m, ntohl(dp_ip4(m)->dst));
}

#endif
