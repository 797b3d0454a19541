/* A softwire's headers off and on (RFC 2473): the steps of nodes decap and
 * encap that the fast path (fast/) takes too, inline in both. */
#ifndef AFTR_SOFTWIRE_H
#define AFTR_SOFTWIRE_H

#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "ctx.h"
#include "mss.h"
#include "toobig.h"

/* Decapsulation of a checked 4in6 packet (one segment, rx.c): its IPv4
 * packet of plen bytes at ctx->l3 now starts right after room for the
 * Ethernet header, and Ethernet padding past it is trimmed. */
static __rte_always_inline void softwire_cut(struct rte_mbuf *m, struct dp_ctx *c, uint32_t plen)
{
	uint32_t off = c->l3 - RTE_ETHER_HDR_LEN;

	m->data_len = (uint16_t)(RTE_ETHER_HDR_LEN + plen);
	m->pkt_len = m->data_len;
	m->data_off = (uint16_t)(m->data_off + off);
	c->l3 = RTE_ETHER_HDR_LEN;
	c->l4 = (uint16_t)(c->l4 - off);
}

/* Encapsulation of the IPv4 packet at ctx->l3 (len bytes, room for the
 * Ethernet header before it) into the softwire of ctx->b4, from its
 * endpoint ctx->ep (RFC 6333 section 6.2): false without the headroom. */
static __rte_always_inline bool softwire_push(struct rte_mbuf *m, struct dp_ctx *c,
                                              const struct l3_ip4_hdr *ip, uint16_t len)
{
	struct l3_ip6_hdr *ip6;

	if (rte_pktmbuf_prepend(m, 40) == NULL)
		return false;
	ip6 = rte_pktmbuf_mtod_offset(m, struct l3_ip6_hdr *, RTE_ETHER_HDR_LEN);
	/* Traffic class from the inner TOS (RFC 2473 section 6.4, ECN as the
	 * normal mode of RFC 6040). */
	ip6->vtc_flow = htonl(6u << 28 | (uint32_t)ip->tos << 20);
	ip6->payload_len = htons(len);
	ip6->next_hdr = AFTR_IPPROTO_IPIP;
	ip6->hop_limit = ENCAP_HOP_LIMIT;
	memcpy(ip6->src, dp.conf.endpoints[c->ep].b, 16);
	memcpy(ip6->dst, c->b4.b, 16);
	c->l3 += 40;
	c->l4 += 40;
	return true;
}

/* Node encap past its filter: a TCP SYN's MSS clamped, the softwire's
 * MTU (one too big goes to toobig, ctx->mtu set), the IPv6 header. ip:
 * the packet's IPv4 header (dp_ip4). */
static __rte_always_inline enum dp_node softwire_encap(struct dp_worker *w, struct rte_mbuf *m,
                                                       struct dp_ctx *c, struct l3_ip4_hdr *ip)
{
	uint16_t len = ntohs(ip->total_len);

	mss_clamp(w, &c->b4, ip, (uint8_t *)ip + (c->l4 - c->l3), c->l4_len);
	c->mtu = toobig_mtu(w, &c->b4);
	if ((uint32_t)len + 40 > c->mtu)
		return NODE_TOOBIG;
	if (!softwire_push(m, c, ip, len))
		return dp_drop(m, DROP_NO_MBUF);
	DP_COUNT(w, ENCAP);
	return NODE_TR_TX;
}

#endif
