/* Reassembly, before the packet path needs whole packets (RFC 6333 section
 * 6.3); see reasm.c. IPv6 fragments from B4s, at the B4's owner, before
 * decapsulation; IPv4 fragments from the Internet, at the worker that
 * received them (every fragment of a datagram comes in by the same queue:
 * RSS hashes a fragment on its addresses), before NAT and the stateless
 * lookups, which need the first fragment's ports. */
#ifndef AFTR_REASM_H
#define AFTR_REASM_H

#include <rte_mbuf.h>

#include "dp.h"

int reasm_init(struct dp_worker *w);
void reasm_fini(struct dp_worker *w);

/* Nodes reasm6, reasm4 and reasm4_in take the fragments; the whole
 * packet, once all of it is in, goes on in one buffer (its context the
 * fragment's). */

/* Each loop: once a second, expires entries. Everything given up (timed
 * out here; overlapping or no room, freed as soon as a fragment causes it)
 * is counted as ip6_fragment_dropped or ip4_fragment_dropped. */
void reasm_tick(struct dp_worker *w, bool new_second);

#endif
