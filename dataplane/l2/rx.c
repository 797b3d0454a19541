/* RX parsing; see rx.h. */
#include "rx.h"

#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "icmp6_err.h"
#include "nat.h"
#include "tx.h"

#define ETH_LEN ((uint32_t)RTE_ETHER_HDR_LEN)

/* A 4in6 packet with extension headers: the Tunnel Encapsulation Limit
 * option a Linux ip6tnl B4 adds (RFC 2473 section 4.1.1, a destination
 * options header) must not stop a softwire. A fragment is reassembled
 * first (frag/reasm.h) when its header comes right after the fixed one. */
static enum dp_node ext_headers(struct rte_mbuf *m, const struct l3_ip6_hdr *ip6)
{
	struct dp_ctx *c = dp_ctx(m);
	struct pkt_ip6_l4 l4;

	if (pkt_ip6_find_l4(ip6, 40 + ntohs(ip6->payload_len), &l4) != PKT_OK)
		return dp_drop(m, DROP_BAD_IP6);
	if (l4.frag_hdr_off) {
		if (l4.frag_hdr_off != 40)
			return dp_drop(m, DROP_IP6_FRAGMENT);
		memcpy(c->b4.b, ip6->src, 16);
		c->flags |= CTX_FRAG6;
		return NODE_TR_IN;
	}
	if (l4.l4_proto != AFTR_IPPROTO_IPIP)
		return dp_drop(m, DROP_IP6_PROTO);
	memcpy(c->b4.b, ip6->src, 16);
	dp_ctx_ip4(m, (uint16_t)(ETH_LEN + l4.l4_off));
	return NODE_TR_IN;
}

enum dp_node rx_tr_parse(struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct l3_ip6_hdr *ip6 = (const struct l3_ip6_hdr *)(eth + 1);
	struct dp_ctx *c = dp_ctx_new(m, DP_PORT_TRANSPORT);

	/* The packet path reads one buffer: a chained frame cannot be ours. */
	if (unlikely(m->nb_segs > 1))
		return dp_drop(m, DROP_MULTI_SEG);
	if (len < ETH_LEN || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
		return dp_drop(m, DROP_BAD_ETHER);
	if (pkt_ip6_check(ip6, len - ETH_LEN) != PKT_OK)
		return dp_drop(m, DROP_BAD_IP6);
	if (ip6->next_hdr == AFTR_IPPROTO_ICMPV6) {
		if (icmp6_error_b4(ip6, &c->b4))
			return NODE_ICMP6_ERR;
		c->ctrl = CTRL_RX >> 8; /* ND, ping */
		return NODE_CTRL;
	}
	if (memcmp(ip6->dst, dp.conf.endpoint.b, 16) != 0)
		return dp_drop(m, DROP_NOT_ENDPOINT);
	if (ip6->next_hdr != AFTR_IPPROTO_IPIP)
		return ext_headers(m, ip6);
	memcpy(c->b4.b, ip6->src, 16);
	dp_ctx_ip4_fresh(m, ETH_LEN + 40);
	return NODE_TR_IN;
}

enum dp_node rx_wan_parse(struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct l3_ip4_hdr *ip = (const struct l3_ip4_hdr *)(eth + 1);
	struct dp_ctx *c = dp_ctx_new(m, DP_PORT_WAN);

	if (unlikely(m->nb_segs > 1))
		return dp_drop(m, DROP_MULTI_SEG);
	if (len >= ETH_LEN && eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		c->ctrl = CTRL_RX >> 8;
		return NODE_CTRL;
	}
	if (len < ETH_LEN || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return dp_drop(m, DROP_BAD_ETHER);
	if (pkt_ip4_check_fast(ip, len - ETH_LEN) != PKT_OK)
		return dp_drop(m, DROP_BAD_IP4_OUT);
	rte_pktmbuf_trim(m, (uint16_t)(len - (ETH_LEN + ntohs(ip->total_len))));
	dp_ctx_ip4_fresh(m, ETH_LEN);
	c->pool = (int16_t)nat_pool_index(ntohl(ip->dst));
	return NODE_WAN_IN;
}
