/* The stateless modes (lw4o6 softwires, RFC 7596; ISC prr and nonat):
 * see stateless.c. The order a packet meets them in:
 *
 * From a B4, after decapsulation: a private inner source goes to NAPT
 * (static mappings first, then dynamic); any other must be in one of its
 * B4's bindings: its nonat prefix, its softwire's address and port set,
 * or one of its prr entries (protocol, address, port).
 * From the Internet: a pool address goes to NAPT (port blocks, static
 * mappings), then to prr entries on that address; otherwise a nonat
 * prefix, then a lw4o6 address by its port. */
#ifndef AFTR_STATELESS_H
#define AFTR_STATELESS_H

#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>

#include "ctx.h"
#include "dp.h"

/* stateless_owns within the span (stateless.c): out of line, the packet
 * path's loop stays small. */
bool stateless_owns_in(const struct tables *t, uint32_t dst);

/* Whether a destination (host order) is a nonat prefix's or a lw4o6
 * address: asked of every packet out to the Internet (hairpins), so it
 * first tests the span they cover. */
static __rte_always_inline bool stateless_owns(const struct dp_worker *w, uint32_t dst)
{
	const struct tables *t = w->tab;

	return dst - t->sl_lo <= t->sl_hi - t->sl_lo && stateless_owns_in(t, dst);
}

/* The B4's softwire that holds (src, port): -1 when one does (the packet
 * goes out untranslated if it came by that softwire's endpoint), else
 * the drop reason (DROP_OUT_OF_RANGE: a port outside its sets on one of
 * its addresses). A B4 has one softwire nearly always: the loop is one
 * step. */
static __rte_always_inline int stateless_own_softwire(const struct tables *t, uint32_t first,
                                                      const struct dp_ctx *c, uint32_t src,
                                                      uint16_t port)
{
	int drop = DROP_NOT_PRIVATE;

	for (uint32_t i = first; i != LHASH_NONE; i = t->sw_next[i]) {
		const struct cfg_softwire *own = &t->sw[i];

		if (own->ipv4 != src)
			continue;
		if (psid_test_port(own->test, port))
			return own->ep == c->ep ? -1 : DROP_WRONG_ENDPOINT;
		drop = DROP_OUT_OF_RANGE;
	}
	return drop;
}

/* Node sl_out's check where it lets a packet from one of its B4's prr
 * entries (protocol, address, port) through, from the first endpoint, for
 * the fast path, without the B4's bindings: a prr address is a pool
 * address, which no softwire or nonat prefix holds (config_check.c), so
 * the entry alone decides. Most sources are outside the prr addresses'
 * span (and most AFTRs have no prr entry). False: stateless_out_fast asks
 * the bindings. */
static __rte_always_inline bool stateless_prr_out(const struct tables *t, const struct dp_ctx *c,
                                                  uint32_t src)
{
	const struct cfg_prr *pr;

	if (t->prr.n == 0 || src - t->prr_lo > t->prr_hi - t->prr_lo || c->ep)
		return false;
	pr = tables_prr(t, cfg_proto_of_ip(c->proto), src, ntohs(c->sport));
	return pr && addr6_equal(&pr->b4, &c->b4);
}

/* Node sl_out's check where it lets the rest through, for the fast path:
 * a B4's packet with ports (CTX_PORTS) whose source its nonat prefix holds
 * (from the first endpoint) or its softwire's address and port set (from
 * the softwire's endpoint). False: node sl_out decides. */
static __rte_always_inline bool stateless_out_fast(const struct tables *t, uint32_t bind,
                                                   const struct dp_ctx *c, uint32_t src)
{
	struct tables_b4 r;

	if (!tables_b4_of(t, bind, &r))
		return false;
	if (r.nonat != LHASH_NONE && prefix4_contains(&t->nonats[r.nonat].prefix, src))
		return c->ep == 0;
	return stateless_own_softwire(t, r.softwire, c, src, ntohs(c->sport)) == -1;
}

/* Node sl_in's lookup where it finds a B4, for the fast path: the B4 of
 * an Internet packet with ports (CTX_PORTS) to a nonat prefix or a lw4o6
 * address and port (dst host order), and the endpoint it is sent from;
 * NULL: node wan_in decides. */
static __rte_always_inline const struct addr6 *
stateless_in_fast(const struct dp_worker *w, const struct dp_ctx *c, uint32_t dst, uint8_t *ep)
{
	const struct tables *t = w->tab;
	const struct cfg_nonat *nn;
	const struct cfg_softwire *sw;

	*ep = 0;
	if ((nn = tables_nonat(t, dst)) != NULL)
		return &nn->b4;
	sw = tables_softwire_with(t, dst, ntohs(c->dport), dp_ahead_cur(w));
	if (sw == NULL)
		return NULL;
	*ep = sw->ep;
	return &sw->b4;
}

#endif
