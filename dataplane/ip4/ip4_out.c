/* Node ip4_out: an IPv4 packet on its way to the Internet (a B4's,
 * translated or checked; or an error the AFTR made). A B4's TCP SYN has
 * its MSS clamped (ISC mss); one to a pool address hairpins back to the
 * WAN side's NAT (RFC 4787 REQ-9), one to a lw4o6 or nonat address into
 * that softwire (RFC 7596 section 6, unless turned off): re-input to the
 * nodes of the WAN side, bounded (DP_MAX_HOPS), not recursion. One longer
 * than the WAN MTU goes to frag4. */
#include <netinet/in.h>

#include "cksum.h"
#include "filter.h"
#include "graph.h"
#include "mss.h"
#include "nat.h"
#include "stateless.h"

enum dp_node node_ip4_out(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	uint32_t dst = ntohl(ip->dst);
	int pool;

	if (c->flags & CTX_FROM_B4)
		mss_clamp(w, &c->b4, ip, (uint8_t *)ip + (c->l4 - c->l3), c->l4_len);
	/* An error about a softwire packet, made for its Internet source
	 * (icmp6_err.c): it leaves from the WAN address. */
	if (c->flags & CTX_FROM_US) {
		if (dp.conf.wan_addr) {
			ip->cksum = cksum_update32(ip->cksum, ip->src, htonl(dp.conf.wan_addr));
			ip->src = htonl(dp.conf.wan_addr);
		}
		DP_COUNT(w, ICMP_SENT);
	}
	c->flags &= (uint16_t) ~(CTX_FROM_B4 | CTX_FROM_US | CTX_NAT);
	pool = nat_pool_index(dst);
	if (pool < 0 && !(dp.conf.cfg->softwire_hairpinning && stateless_owns(w, dst))) {
		if (!filter_pass(w, CFG_SIDE_WAN, CFG_DIR_OUT, m))
			return dp_drop(m, DROP_FILTER_RULE);
		return ntohs(ip->total_len) > dp.port[DP_PORT_WAN].mtu ? NODE_FRAG4 : NODE_WAN_TX;
	}
	if (c->hops++ == DP_MAX_HOPS)
		return dp_drop(m, DROP_NOT_OURS);
	DP_COUNT(w, HAIRPIN);
	c->pool = (int16_t)pool;
	c->ep = 0; /* NAPT's endpoint; sl_in sets a softwire's */
	if (pool < 0)
		c->flags |= CTX_SL_DST;
	return pool >= 0 ? NODE_POOL_IN : NODE_SL_IN;
}
