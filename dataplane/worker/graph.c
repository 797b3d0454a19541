/* The dispatcher; see graph.h and ctx.h.
 *
 * A plain loop over a table of node functions: a packet goes from node to
 * node until one returns a sink, then the packets emitted on the way run
 * in the order they were made (fragments leave in order). Packets for
 * another worker are staged per owner and enqueued in bursts. */
#include "graph.h"

#include "b4drops.h"
#include "fast.h"
#include "tx.h"

/* One node's turn: a switch of direct calls (which the compiler may
 * inline with link-time optimization), not a table of pointers. */
/* PCP requests a worker passes up: pcp.max_rate a second (a token
 * bucket refilled each second), so that a flood from one subscriber
 * crowds out neither ARP and ND on the ring to the main lcore nor the
 * others' requests. */
static bool pcp_admit(struct dp_worker *w)
{
	if (w->pcp_second != w->now + 1) {
		w->pcp_second = w->now + 1;
		w->pcp_tokens = dp.conf.cfg->pcp_max_rate;
	}
	if (w->pcp_tokens == 0)
		return false;
	w->pcp_tokens--;
	return true;
}

static inline enum dp_node node_call(struct dp_worker *w, struct rte_mbuf *m, enum dp_node n)
{
	switch (n) {
#define DP_NODE_CASE(sym, fn)                                                                      \
	case NODE_##sym:                                                                           \
		return node_##fn(w, m);
		DP_NODES(DP_NODE_CASE)
#undef DP_NODE_CASE
	default:
		return dp_drop(m, DROP_NOT_OURS); /* cannot happen: a node returned a bad value */
	}
}

static void flush_to(struct dp_worker *w, unsigned int owner)
{
	uint16_t n = w->n_ho[owner];
	unsigned int sent;

	if (n == 0)
		return;
	sent = rte_ring_mp_enqueue_burst(dp.worker[owner].handoff, (void **)w->ho[owner], n, NULL);
	w->ctr->cnt[CNT_HANDOFF_TX] += sent;
	if (sent < n) {
		w->ctr->drop[DROP_HANDOFF_FULL] += n - sent;
		rte_pktmbuf_free_bulk(&w->ho[owner][sent], n - sent);
	}
	w->n_ho[owner] = 0;
}

void graph_flush(struct dp_worker *w)
{
	for (unsigned int i = 0; i < dp.nworkers; i++)
		flush_to(w, i);
}

static __rte_noinline void handoff(struct dp_worker *w, struct rte_mbuf *m)
{
	unsigned int owner = dp_ctx(m)->owner;

	m->hash.usr = HANDOFF_PACKET;
	w->ho[owner][w->n_ho[owner]++] = m;
	if (w->n_ho[owner] == DP_BURST)
		flush_to(w, owner);
}

static void sink(struct dp_worker *w, struct rte_mbuf *m, enum dp_node n)
{
	const struct dp_ctx *c = dp_ctx(m);

	switch (n) {
	case NODE_TX:
		dp_tx(w, c->port, m);
		return;
	case NODE_TX_VLAN:
		if (dp_vlan_push(m, dp.port[c->port].vlan))
			dp_tx(w, c->port, m);
		else
			DP_DROP(w, NO_MBUF, m);
		return;
	case NODE_DROP:
		w->ctr->drop[c->drop]++;
		if (!addr6_is_zero(&c->b4))
			b4drops_count(&w->b4drops, &c->b4, c->drop, w->now);
		rte_pktmbuf_free(m);
		return;
	case NODE_CTRL:
		if (unlikely(c->ctrl == CTRL_PCP >> 8) && !pcp_admit(w)) {
			DP_DROP(w, PCP_RATE, m);
			return;
		}
		dp_to_ctrl(w, m, (enum ctrl_reason)(c->ctrl << 8), c->port);
		return;
	case NODE_HANDOFF:
		handoff(w, m);
		return;
	case NODE_HELD:
		return;
	case NODE_FREE:
	default:
		DP_COUNT(w, CONSUMED);
		rte_pktmbuf_free(m);
		return;
	}
}

static __rte_always_inline void run(struct dp_worker *w, struct rte_mbuf *m, enum dp_node n)
{
	for (;;) {
		while (n < NODE_COUNT)
			n = node_call(w, m, n);
		sink(w, m, n);
		if (w->emit_head == w->n_emit) {
			w->emit_head = w->n_emit = 0;
			return;
		}
		m = w->emit[w->emit_head++];
		n = dp_ctx(m)->next;
	}
}

/* The rest of a packet's walk, and what it emitted: out of the burst
 * loops, which then hold only their fast node. */
static __rte_noinline void run_graph(struct dp_worker *w, struct rte_mbuf *m, enum dp_node n)
{
	run(w, m, n);
}

/* A burst from one interface: a packet RX started at the interface's fast
 * node (fast) runs it inline, and is sent from here when it is done;
 * the rest go through the graph. */
static __rte_always_inline void run_burst(struct dp_worker *w, struct rte_mbuf **pkts,
                                          const uint8_t *next, uint16_t n, enum dp_node fast)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum dp_node first = (enum dp_node)next[i];

		w->ahead.cur = i;
		if (first == fast) {
			first = fast == NODE_FAST_TR ? fast_tr(w, m) : fast_wan(w, m);
			if (first == NODE_TX) {
				dp_tx(w, dp_ctx(m)->port, m);
				continue;
			}
			/* Another worker's NAPT packet, staged here too. */
			if (first == NODE_HANDOFF) {
				handoff(w, m);
				continue;
			}
		}
		run_graph(w, m, first);
	}
}

void graph_run_burst(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n)
{
	run_burst(w, pkts, next, n, NODE_COUNT);
}

void graph_run_tr(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n)
{
	run_burst(w, pkts, next, n, NODE_FAST_TR);
}

void graph_run_wan(struct dp_worker *w, struct rte_mbuf **pkts, const uint8_t *next, uint16_t n)
{
	run_burst(w, pkts, next, n, NODE_FAST_WAN);
}

void graph_run_handed(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum dp_node first = (enum dp_node)dp_ctx(m)->next;

		w->ahead.cur = i;
		if (first == NODE_FAST_TR_NAT)
			first = fast_tr_nat(w, m);
		else if (first == NODE_FAST_WAN_NAT)
			first = fast_wan_nat(w, m);
		if (first == NODE_TX) {
			dp_tx(w, dp_ctx(m)->port, m);
			continue;
		}
		run_graph(w, m, first);
	}
}
