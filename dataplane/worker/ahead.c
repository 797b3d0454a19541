/* The look-ahead over a burst (dp.h's struct dp_ahead): before a burst's
 * packets go through the graph one by one, the lookups their nodes will
 * make (a B4's stateless bindings, a lw4o6 softwire by address and port,
 * a NAPT session by either key) are started across the whole burst from
 * the packets' contexts, and in a second pass the index slots they
 * prefetched are read and what they name prefetched, so the cache misses
 * overlap instead of stalling each packet in turn. Nothing is consumed,
 * counted or changed: a node's own lookup takes a binding only for the
 * same key, in the same tables (one generation per loop), and a session
 * only while it is in use with the packet's own key (nat.h). Each kind has
 * its own pass, so that a lw4o6-only AFTR pays nothing for NAPT's; and a
 * pass runs only where it pays: stateless indexes past TABLES_AHEAD_MIN
 * keys, a B4's NAPT sessions past NAT_AHEAD_MIN a worker (measured in
 * aftr-bench: below, the tables stay in a core's caches and the passes
 * cost more than the misses they hide). */
#include "ahead.h"

#include <netinet/in.h>

#include "nat.h"

/* The nodes RX starts a packet at whose lookups are known. */
static inline bool tr_start(uint8_t n)
{
	return n == NODE_FAST_TR || n == NODE_TR_IN;
}

static inline bool wan_start(uint8_t n)
{
	return n == NODE_FAST_WAN || n == NODE_WAN_IN;
}

inline __attribute__((always_inline)) void ahead_tr(struct dp_worker *w, struct rte_mbuf **pkts,
                                                    const uint8_t *next, uint16_t n)
{
	const struct tables *t = w->tab;
	struct dp_ahead *ah = &w->ahead;

	ah->n = 0;
	ah->sl = tables_ahead_pays(&t->by_b4);
	ah->nat = nat_ahead_pays(w);
	if (ah->sl)
		for (uint16_t i = 0; i < n; i++)
			ah->set[i] = tr_start(next[i]) &&
			             tables_b4_ahead(t, &dp_ctx(pkts[i])->b4, &ah->a[i]);
	else
		memset(ah->set, 0, n * sizeof(ah->set[0]));
	/* The inside key of a 4in6 packet from a private source (one read:
	 * a stateless B4's packet costs nothing more), which nat_out checks. */
	if (ah->nat)
		for (uint16_t i = 0; i < n; i++) {
			const struct dp_ctx *c = dp_ctx(pkts[i]);
			uint32_t src = dp_ip4(pkts[i])->src;

			ah->nat_at[i].kind = 0;
			if (tr_start(next[i]) && (c->flags & CTX_PORTS) &&
			    tables_is_private(t, ntohl(src)))
				nat_out_ahead(w, &c->b4, src, c->sport, c->proto, &ah->nat_at[i]);
		}
	if (ah->sl || ah->nat)
		ah->n = n;
}

inline __attribute__((always_inline)) void ahead_wan(struct dp_worker *w, struct rte_mbuf **pkts,
                                                     const uint8_t *next, uint16_t n)
{
	const struct tables *t = w->tab;
	struct dp_ahead *ah = &w->ahead;

	/* lw4o6 softwires by the destination and its port or echo id, and
	 * NAPT sessions of packets to a pool address's port NAPT may hold
	 * (not a prr entry's). */
	ah->n = 0;
	ah->sl = tables_ahead_pays(&t->sw_port);
	ah->nat = dp.conf.n_pools != 0;
	if (ah->sl)
		for (uint16_t i = 0; i < n; i++) {
			const struct dp_ctx *c = dp_ctx(pkts[i]);

			ah->set[i] = wan_start(next[i]) && (c->flags & CTX_PORTS) &&
			             !(c->flags & CTX_FRAG4) &&
			             tables_softwire_ahead(t, ntohl(dp_ip4(pkts[i])->dst),
			                                   ntohs(c->dport), &ah->a[i]);
		}
	else
		memset(ah->set, 0, n * sizeof(ah->set[0]));
	if (ah->nat)
		for (uint16_t i = 0; i < n; i++) {
			const struct dp_ctx *c = dp_ctx(pkts[i]);

			ah->nat_at[i].kind = 0;
			if (wan_start(next[i]) && c->pool >= 0 && (c->flags & CTX_PORTS) &&
			    nat_port_held(w, c->pool, c->proto, ntohs(c->dport)))
				nat_in_ahead(w, dp_ip4(pkts[i])->dst, c->dport, c->proto,
				             &ah->nat_at[i]);
		}
	if (ah->sl || ah->nat)
		ah->n = n;
}

/* The hand-off ring's burst: NAPT packets from fast_tr and fast_wan
 * resuming past their tests here, at the owner of their sessions. Their
 * lookups are started as a port's burst's are (the ring's packets come
 * from another worker's caches: the more the misses, the more it pays). */
void ahead_handed(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_ahead *ah = &w->ahead;
	bool out = nat_ahead_pays(w);

	ah->n = 0;
	ah->sl = false;
	ah->nat = dp.conf.n_pools != 0;
	if (!ah->nat)
		return;
	for (uint16_t i = 0; i < n; i++) {
		const struct dp_ctx *c = dp_ctx(pkts[i]);
		const struct l3_ip4_hdr *ip = dp_ip4(pkts[i]);

		ah->set[i] = false;
		ah->nat_at[i].kind = 0;
		if (c->next == NODE_FAST_WAN_NAT)
			nat_in_ahead(w, ip->dst, c->dport, c->proto, &ah->nat_at[i]);
		else if (c->next == NODE_FAST_TR_NAT && out)
			nat_out_ahead(w, &c->b4, ip->src, c->sport, c->proto, &ah->nat_at[i]);
	}
	ah->n = n;
}

void ahead_get(struct dp_worker *w)
{
	struct dp_ahead *ah = &w->ahead;

	if (ah->sl)
		for (uint16_t i = 0; i < ah->n; i++)
			if (ah->set[i])
				tables_ahead_get(w->tab, &ah->a[i]);
	if (ah->nat)
		for (uint16_t i = 0; i < ah->n; i++)
			if (ah->nat_at[i].kind)
				nat_ahead_get(w, &ah->nat_at[i]);
}
