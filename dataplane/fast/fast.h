/* The fast nodes' bodies (fast_tr.c, fast_wan.c), for the dispatcher's
 * burst loop of each interface (graph.c), which takes them inline: the
 * common packet then costs no call at all. */
#ifndef AFTR_FAST_H
#define AFTR_FAST_H

#include "ctx.h"

/* Node fast_tr (fast_wan): the next node of a packet RX started there. */
enum dp_node fast_tr(struct dp_worker *w, struct rte_mbuf *m);
enum dp_node fast_wan(struct dp_worker *w, struct rte_mbuf *m);
/* Nodes fast_tr_nat and fast_wan_nat: a NAPT packet the fast node handed
 * to the worker that owns its state, past the fast node's tests. */
enum dp_node fast_tr_nat(struct dp_worker *w, struct rte_mbuf *m);
enum dp_node fast_wan_nat(struct dp_worker *w, struct rte_mbuf *m);

#endif
