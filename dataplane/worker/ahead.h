/* The look-ahead over a burst; see ahead.c. */
#ifndef AFTR_AHEAD_H
#define AFTR_AHEAD_H

#include "ctx.h"

/* The first pass over a burst from the transport (or WAN) port, parsed:
 * next[i] is the node packet i starts at. */
void ahead_tr(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n);
void ahead_wan(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n);
/* The first pass over a burst from the hand-off ring. */
void ahead_handed(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n);
/* The second pass. */
void ahead_get(struct dp_worker *w);

#endif
