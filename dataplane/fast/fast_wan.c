/* Node fast_wan: an Internet packet back to a B4 in one step. RX
 * (l2/rx.c) starts an IPv4 packet here, not at wan_in: a TCP or UDP
 * packet, not a fragment, no filters on its way, to a NAPT port, a prr
 * entry's port, a nonat prefix or a lw4o6 address and port. In the graph
 * it meets wan_in, wan_fwd, pool_in and nat_in or sl_in, encap and tr_tx;
 * here the same steps once, in the same order, through the same helpers
 * (stateless.h, nat_in, mss_clamp, softwire.h, l2_out.h). As fast_tr.c:
 * every test before the first change, a packet that fails one goes on at
 * wan_in untouched, and past them the graph's sink and counters. One too
 * big for its softwire goes on at toobig, its context as encap leaves it;
 * one to a NAPT port another worker owns goes there untouched, to its
 * fast_wan_nat: the steps past the tests. */
#include <netinet/in.h>
#include <string.h>

#include "cksum.h"
#include "fast.h"
#include "graph.h"
#include "l2_out.h"
#include "nat.h"
#include "softwire.h"
#include "stateless.h"

/* What wan_fwd lets through with nothing but the TTL's decrement, and
 * encap without its filter. */
static __rte_always_inline bool plain(const struct dp_worker *w, const struct dp_ctx *c,
                                      const struct l3_ip4_hdr *ip)
{
	const struct tables *t = w->tab;

	return (c->flags & (CTX_PORTS | CTX_FRAG4)) == CTX_PORTS && c->proto != IPPROTO_ICMP &&
	       ip->ttl > 1 && !addr4_is_martian(ntohl(ip->src)) &&
	       t->filters[CFG_SIDE_WAN][CFG_DIR_IN].n == 0 &&
	       t->filters[CFG_SIDE_TRANSPORT][CFG_DIR_OUT].n == 0;
}

/* Node pool_in's copy of a DF packet's header, for the fragmentation
 * needed error of toobig (after the TTL's decrement, as there). */
static __rte_always_inline void keep_header(struct dp_ctx *c, const struct l3_ip4_hdr *ip)
{
	if ((ip->frag_off & htons(AFTR_IP4_FLAG_DF)) && ntohs(ip->total_len) + 40u > CFG_MTU_MIN) {
		c->orig_len =
		        (uint8_t)RTE_MIN((uint32_t)ntohs(ip->total_len), pkt_ip4_hdr_len(ip) + 8);
		memcpy(c->orig, ip, c->orig_len);
	}
}

/* A pool address's port no NAPT port block or static mapping holds: a
 * prr entry's (sl_in), or wan_in decides. */
static __rte_always_inline enum dp_node prr(struct dp_worker *w, struct dp_ctx *c,
                                            struct l3_ip4_hdr *ip)
{
	const struct cfg_prr *pr =
	        tables_prr(w->tab, cfg_proto_of_ip(c->proto), ntohl(ip->dst), ntohs(c->dport));

	if (pr == NULL)
		return NODE_WAN_IN;
	cksum_ip4_ttl_dec(ip);
	DP_COUNT(w, STATELESS_IN);
	c->b4 = pr->b4;
	return NODE_COUNT;
}

/* NAPT at the port's owner (nat_in): NODE_COUNT when translated, else a
 * drop. */
static __rte_always_inline enum dp_node napt_owned(struct dp_worker *w, struct rte_mbuf *m,
                                                   struct dp_ctx *c, struct l3_ip4_hdr *ip,
                                                   uint8_t *l4)
{
	struct dp_session *se;
	int drop;

	cksum_ip4_ttl_dec(ip);
	keep_header(c, ip);
	se = nat_in(w, ip, l4, c->l4_len, &drop);
	if (se == NULL)
		return dp_drop(m, drop);
	c->b4 = se->b4;
	c->ep = se->ep;
	return NODE_COUNT;
}

/* NAPT (pool_in, nat_in): NODE_COUNT when translated, the next node else;
 * a port another worker owns goes there untouched, to its fast_wan_nat. */
static __rte_always_inline enum dp_node napt(struct dp_worker *w, struct rte_mbuf *m,
                                             struct dp_ctx *c, struct l3_ip4_hdr *ip, uint8_t *l4)
{
	int owner = nat_port_owner(w, (uint32_t)c->pool, ip->dst, c->proto, ntohs(c->dport));

	if (owner < 0)
		return prr(w, c, ip);
	if ((unsigned int)owner != w->id)
		return dp_handoff(m, (unsigned int)owner, NODE_FAST_WAN_NAT);
	return napt_owned(w, m, c, ip, l4);
}

/* lw4o6 and nonat (sl_in): NODE_COUNT when its B4 is found, else wan_in. */
static __rte_always_inline enum dp_node stateless(struct dp_worker *w, struct dp_ctx *c,
                                                  struct l3_ip4_hdr *ip)
{
	uint8_t ep;
	const struct addr6 *b4 = stateless_in_fast(w, c, ntohl(ip->dst), &ep);

	if (b4 == NULL)
		return NODE_WAN_IN;
	cksum_ip4_ttl_dec(ip);
	DP_COUNT(w, STATELESS_IN);
	c->b4 = *b4;
	c->ep = ep;
	return NODE_COUNT;
}

/* Past NAPT or the stateless lookup: into the softwire, Ethernet out. */
static __rte_always_inline enum dp_node to_b4(struct dp_worker *w, struct rte_mbuf *m,
                                              struct dp_ctx *c, struct l3_ip4_hdr *ip, uint8_t *l4)
{
	enum dp_node n = softwire_encap(w, m, c, ip);

	if (n == NODE_TR_TX)
		return l2_tr(w, m);
	/* On in the graph: its context as nat_in leaves it (the ports NAT
	 * rewrote), which only a packet the graph takes needs. */
	if (c->pool >= 0)
		dp_ctx_l4(c, l4);
	return n;
}

inline __attribute__((always_inline)) enum dp_node fast_wan(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	uint8_t *l4 = (uint8_t *)ip + (c->l4 - c->l3);
	enum dp_node n;

	if (!plain(w, c, ip))
		return NODE_WAN_IN;
	n = c->pool >= 0 ? napt(w, m, c, ip, l4) : stateless(w, c, ip);
	return n == NODE_COUNT ? to_b4(w, m, c, ip, l4) : n;
}

enum dp_node node_fast_wan(struct dp_worker *w, struct rte_mbuf *m)
{
	return fast_wan(w, m);
}

/* fast_wan's NAPT packet at its port's owner (a hand-off): the steps
 * past the tests. */
inline __attribute__((always_inline)) enum dp_node fast_wan_nat(struct dp_worker *w,
                                                                struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	uint8_t *l4 = (uint8_t *)ip + (c->l4 - c->l3);
	enum dp_node n = napt_owned(w, m, c, ip, l4);

	return n == NODE_COUNT ? to_b4(w, m, c, ip, l4) : n;
}

enum dp_node node_fast_wan_nat(struct dp_worker *w, struct rte_mbuf *m)
{
	return fast_wan_nat(w, m);
}
