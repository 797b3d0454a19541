/* Leaving a worker; see tx.h. */
#include "tx.h"

void dp_tx_shared(struct dp_worker *w, int port, struct rte_mbuf *m)
{
	/* Without a TX queue of its own on this port, the frame goes to the
	 * worker owning the queue it shares (queue q belongs to worker q). */
	unsigned int owner = w->id % dp.port[port].nb_txq;

	m->hash.usr = CTRL_SEND | (uint32_t)port;
	if (rte_ring_mp_enqueue(dp.worker[owner].from_ctrl, m) != 0) {
		DP_DROP(w, HANDOFF_FULL, m);
		return;
	}
	DP_COUNT(w, HANDOFF_TX);
}

void dp_to_ctrl(struct dp_worker *w, struct rte_mbuf *m, enum ctrl_reason why, int port)
{
	m->hash.usr = (uint32_t)why | (uint32_t)port;
	if (rte_ring_mp_enqueue(dp.to_ctrl, m) != 0) {
		DP_DROP(w, CONTROL_FULL, m);
		return;
	}
	DP_COUNT(w, TO_CONTROL);
}
