/* The worker's dispatcher: runs a packet through the nodes of ctx.h until
 * it reaches a sink, then the packets its nodes emitted. Nodes are
 * declared here, one function each; only graph.c calls them. */
#ifndef AFTR_GRAPH_H
#define AFTR_GRAPH_H

#include "ctx.h"

#define DP_NODE_DECL(sym, fn) enum dp_node node_##fn(struct dp_worker *w, struct rte_mbuf *m);
DP_NODES(DP_NODE_DECL)
#undef DP_NODE_DECL

/* Runs a received burst, packet i from node next[i], each with its
 * look-ahead slot i (ahead.c). */
void graph_run_burst(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n);
/* The same for a burst received from the transport (WAN) interface: its
 * fast node, fast_tr (fast_wan), inline. */
void graph_run_tr(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n);
void graph_run_wan(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n);
/* Runs packets other workers handed over, each from its ctx->next: the
 * fast nodes' NAPT packets (fast_tr_nat, fast_wan_nat) inline. */
void graph_run_handed(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n);

/* Sends the packets staged for other workers (once per burst). */
void graph_flush(struct dp_worker *w);

#endif
