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

#include "dp.h"

/* Whether a destination (host order) is a nonat prefix's or a lw4o6
 * address: asked of every packet out to the Internet (hairpins), so an
 * AFTR without stateless bindings pays two tests. */
static inline bool stateless_owns(const struct dp_worker *w, uint32_t dst)
{
	const struct tables *t = w->tab;

	return (t->n_nonat && tables_nonat(t, dst)) ||
	       (t->sw_addr.n && tables_softwire_addr(t, dst));
}

#endif
