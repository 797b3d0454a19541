/* Main lcore slow path: packets the workers pass up, dispatched (see
 * slowpath.h). Runs on the main lcore only. */
#include "slowpath.h"

#include "tx.h"

unsigned int ctrl_poll(void)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(dp.to_ctrl, (void **)pkts, DP_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t why = m->hash.usr & 0xff00u;
		int port = (int)(m->hash.usr & 0xffu);

		if (why == CTRL_RESOLVE)
			ctrl_resolve(m, port);
		else if (why == CTRL_PCP)
			ctrl_pcp_rx(m);
		else if (port == DP_PORT_WAN)
			ctrl_arp_rx(m); /* ARP and IPv4 to us */
		else
			ctrl_icmp6_rx(m);
	}
	n += ctrl_pcp_poll();
	ctrl_timers();
	return n;
}
