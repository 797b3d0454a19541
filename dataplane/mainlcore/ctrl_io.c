/* How the main lcore's slow path sends: a new frame, and a finished
 * frame through worker 0's from_ctrl ring (workers own the TX queues);
 * its counters. */
#include "slowpath.h"

#include "tx.h"

struct dp_counters *ctrl_ctr;

struct rte_mbuf *ctrl_alloc(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.mp);

	ctrl_ctr->cnt[CNT_CREATED]++; /* made, or dropped for want of a buffer */
	if (m == NULL)
		ctrl_ctr->drop[DROP_NO_MBUF]++;
	return m;
}

void ctrl_send(struct rte_mbuf *m, int port)
{
	m->hash.usr = CTRL_SEND | (uint32_t)port;
	if (rte_ring_mp_enqueue(dp.worker[0].from_ctrl, m) != 0) {
		ctrl_ctr->drop[DROP_CONTROL_FULL]++;
		rte_pktmbuf_free(m);
	}
}
