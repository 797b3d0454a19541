/* Reassembly of IPv6 fragments from B4s before decapsulation (RFC 6333
 * section 6.3: a B4's kernel fragments 4in6 packets above its path MTU);
 * see reasm6.c. Per worker: the B4's owner reassembles. */
#ifndef AFTR_REASM6_H
#define AFTR_REASM6_H

#include <rte_mbuf.h>

#include "dp.h"

int reasm6_init(struct dp_worker *w);
void reasm6_fini(struct dp_worker *w);

/* A fragment whose fragment header follows the fixed IPv6 header: the
 * whole packet in one buffer once its last fragment is in, else NULL (m
 * is kept, or dropped and counted). */
struct rte_mbuf *reasm6(struct dp_worker *w, struct rte_mbuf *m);

/* Each loop: frees what reassembly gave up (timed out, overlapping, no
 * room), counted as ip6_fragment_dropped; once a second, expires entries. */
void reasm6_tick(struct dp_worker *w, bool new_second);

#endif
