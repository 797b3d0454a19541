/* Nodes wan_in and wan_fwd: an Internet packet (parsed and checked by
 * l2/rx.c) to one of our addresses: pings and ARP for the main lcore,
 * fragments reassembled first (NAT and the stateless lookups need the
 * first fragment's ports), the TTL, then a pool address (NAPT, prr) or a
 * stateless one (lw4o6, nonat). RFC 6333 section 6.6. */
#include <netinet/in.h>

#include "cksum.h"
#include "filter.h"
#include "graph.h"
#include "icmp_build.h"
#include "stateless.h"
#include "tx.h"

enum dp_node node_wan_in(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	const struct tables_ahead *a = dp_ahead_cur(w);
	uint32_t dst = ntohl(ip->dst);

	/* A lw4o6 address if the look-ahead found its softwire, else asked
	 * here (with one port-set shape for the domain the look-ahead tries
	 * any address in the lw4o6 range); either way not again (sl_in). */
	if (c->pool < 0 &&
	    ((a && a->which == TABLES_AHEAD_SW && a->addr == dst && a->val != LHASH_NONE) ||
	     stateless_owns(w, dst)))
		c->flags |= CTX_SL_DST;
	if (c->pool < 0 && !(c->flags & CTX_SL_DST)) {
		if ((dst == dp.conf.wan_addr || dst == dp.conf.icmp_source) &&
		    ip->proto == IPPROTO_ICMP) {
			c->ctrl = CTRL_RX >> 8; /* ping us */
			return NODE_CTRL;
		}
		return dp_drop(m, DROP_NOT_OURS);
	}
	return c->flags & CTX_FRAG4 ? NODE_REASM4 : NODE_WAN_FWD;
}

/* A packet from the Internet forwarded towards a B4 loses one TTL (RFC 1812
 * section 5.2.1; the softwire is one hop, RFC 2473 section 3); one that
 * would reach 0 is dropped with a time exceeded (section 5.3.1). Hairpinned
 * packets had theirs decremented when they left their softwire. ICMP is
 * dropped here when the WAN's ICMP policy says so. */
enum dp_node node_wan_fwd(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct dp_ctx *c = dp_ctx(m);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	struct rte_mbuf *e;

	if (!filter_pass(w, CFG_SIDE_WAN, CFG_DIR_IN, m))
		return dp_drop(m, DROP_FILTER_RULE);
	if (addr4_is_martian(ntohl(ip->src)))
		return dp_drop(m, DROP_MARTIAN);
	/* icmp.wan.incoming: drop (RFC 7596 section 6.2's policy). */
	if (unlikely(c->proto == IPPROTO_ICMP) && !dp.conf.cfg->icmp[CFG_SIDE_WAN].incoming)
		return dp_drop(m, DROP_ICMP_POLICY);
	if (ip->ttl <= 1) {
		e = icmp_error_wan(w, c->port, ip, ntohs(ip->total_len), AFTR_ICMP4_TIME_EXCEEDED,
		                   0, 0);
		if (e)
			dp_emit(w, e, NODE_IP4_OUT);
		return dp_drop(m, DROP_TTL_EXPIRED);
	}
	cksum_ip4_ttl_dec(ip);
	return c->pool >= 0 ? NODE_POOL_IN : NODE_SL_IN;
}
