/* The worker's dispatcher: runs a packet through the nodes of ctx.h until
 * it reaches a sink, then the packets its nodes emitted. Nodes are
 * declared here, one function each; only graph.c calls them. */
#ifndef AFTR_GRAPH_H
#define AFTR_GRAPH_H

#include "ctx.h"

#define DP_NODE_DECL(sym, fn) enum dp_node node_##fn(struct dp_worker *w, struct rte_mbuf *m);
DP_NODES(DP_NODE_DECL)
#undef DP_NODE_DECL

/* Runs m from node n, and whatever its nodes emit, to their sinks. */
void graph_run(struct dp_worker *w, struct rte_mbuf *m, enum dp_node n);

/* Runs a received burst, packet i from node next[i], each with its
 * look-ahead slot i (ahead.c). */
void graph_run_burst(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n);
/* The same for a burst received from the transport (WAN) interface: its
 * fast node, fast_tr (fast_wan), inline. */
void graph_run_tr(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n);
void graph_run_wan(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n);

/* Sends the packets staged for other workers (once per burst). */
void graph_flush(struct dp_worker *w);

#endif
