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

/* A fragment (its header right after the fixed IPv6 one; an IPv4 packet
 * after the Ethernet header): the whole packet in one buffer once all of
 * it is in, else NULL (m is kept, or dropped and counted). */
struct rte_mbuf *reasm6(struct dp_worker *w, struct rte_mbuf *m);
struct rte_mbuf *reasm4(struct dp_worker *w, struct rte_mbuf *m);
/* The same for IPv4 fragments from b4 (the outer IPv6 header removed), at
 * the B4's owner, before NAT. */
struct rte_mbuf *reasm4_inner(struct dp_worker *w, struct rte_mbuf *m, const struct addr6 *b4);

/* Each loop: once a second, expires entries. Everything given up (timed
 * out here; overlapping or no room, freed as soon as a fragment causes it)
 * is counted as ip6_fragment_dropped or ip4_fragment_dropped. */
void reasm_tick(struct dp_worker *w, bool new_second);

#endif
