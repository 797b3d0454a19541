/* The packet context; see ctx.h. */
#include "ctx.h"

#include <netinet/in.h>

void dp_ctx_ip4(struct rte_mbuf *m, uint16_t l3)
{
	struct dp_ctx *c = dp_ctx(m);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t have = rte_pktmbuf_data_len(m), hl, len;
	const struct l3_ip4_hdr *ip = (const struct l3_ip4_hdr *)(p + l3);

	c->l3 = l3;
	c->l4 = c->l4_len = c->sport = c->dport = 0;
	c->proto = 0;
	c->flags &= (uint16_t) ~(CTX_FRAG4 | CTX_PORTS);
	if (have < l3 + 20u)
		return;
	c->proto = ip->proto;
	if (pkt_ip4_is_fragment(ip))
		c->flags |= CTX_FRAG4;
	hl = pkt_ip4_hdr_len(ip);
	len = RTE_MIN((uint32_t)ntohs(ip->total_len), have - l3);
	if (hl < 20 || len < hl)
		return;
	c->l4 = (uint16_t)(l3 + hl);
	c->l4_len = (uint16_t)(len - hl);
	/* A later fragment holds no L4 header. */
	if (ip->frag_off & htons(AFTR_IP4_OFF_MASK))
		return;
	dp_ctx_l4(c, p + c->l4);
}
