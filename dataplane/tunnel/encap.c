/* Node encap: an IPv4 packet into its B4's softwire, IPv4-in-IPv6 (RFC
 * 2473) from the endpoint address (RFC 6333 section 6.2); TCP SYNs have
 * their MSS clamped (mss.h); one too big for the softwire goes to toobig. */
#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "filter.h"
#include "graph.h"
#include "mss.h"
#include "toobig.h"

enum dp_node node_encap(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	uint16_t len = ntohs(ip->total_len);
	struct l3_ip6_hdr *ip6;

	if (!filter_pass(w, CFG_SIDE_TRANSPORT, CFG_DIR_OUT, m))
		return dp_drop(m, DROP_FILTER_RULE);
	mss_clamp(w, &c->b4, ip, (uint8_t *)ip + (c->l4 - c->l3), c->l4_len);
	c->mtu = toobig_mtu(w, &c->b4);
	if ((uint32_t)len + 40 > c->mtu)
		return NODE_TOOBIG;
	if (rte_pktmbuf_prepend(m, 40) == NULL)
		return dp_drop(m, DROP_NO_MBUF);
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
	DP_COUNT(w, ENCAP);
	return NODE_TR_TX;
}
