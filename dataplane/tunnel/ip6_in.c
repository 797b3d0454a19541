/* Node tr_in: a B4's softwire packet, parsed (l2/rx.c), meets the
 * softwire's admission (ISC: a configured tunnel, or acl6 with automatic
 * tunnels; or a stateless binding) and, when it needs per-B4 state, the
 * worker that owns the B4 (RFC 6333 section 7: NAPT state per softwire;
 * reassembly). Stateless packets (lw4o6, prr, nonat) go on where they
 * are: their bindings are read-only and every worker has them. */
#include <netinet/in.h>

#include "graph.h"
#include "nat.h"

enum dp_node node_tr_in(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct tables *t = w->tab;
	struct dp_ctx *c = dp_ctx(m);
	enum dp_node next = c->flags & CTX_FRAG6 ? NODE_REASM6 : NODE_DECAP;
	bool priv = c->l4 && dp.conf.n_pools && tables_is_private(t, ntohl(dp_ip4(m)->src));
	unsigned int owner;
	int drop;
	bool nat;

	c->bind = tables_b4_bind_with(t, &c->b4, dp_ahead_cur(w));
	c->bind_serial = t->serial;
	/* A B4 the tables know (a stateless binding, a tunnel) passes;
	 * whether it may be NATed (a tunnel, acl6) matters only for a
	 * private source. */
	if (c->bind != LHASH_NONE && !priv)
		nat = false;
	else if (!tables_b4_allowed_bind(t, &c->b4, c->bind, &drop, &nat))
		return dp_drop(m, drop);
	if (nat && priv)
		c->flags |= CTX_NAT;
	if (dp.nworkers == 1 || !(c->flags & (CTX_NAT | CTX_FRAG6 | CTX_FRAG4)))
		return next;
	c->hash = nat_b4_hash(&c->b4);
	owner = nat_b4_owner_of(&c->b4, c->hash);
	return owner == w->id ? next : dp_handoff(m, owner, next);
}
