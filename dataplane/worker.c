/* The worker loop: run to completion over bursts from this worker's queues,
 * packets handed over by other workers and frames the main lcore wants
 * sent; then a slice of session expiry. No locks, no system calls. */
#include "worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "ctl.h"
#include "gen.h"
#include "idle.h"
#include "nat.h"
#include "path.h"
#include "pmtu.h"
#include "reasm.h"
#include "tx.h"

#define SWEEP_BUDGET 64 /* session slots examined per loop */

struct txb_err {
	struct dp_worker *w;
	int port;
};

/* Frames the NIC would not take: counted once as tx_full, not as sent. */
static void tx_error(struct rte_mbuf **pkts, uint16_t unsent, void *userdata)
{
	struct txb_err *e = userdata;

	e->w->ctr->drop[DROP_TX_FULL] += unsent;
	e->w->ctr->cnt[e->port == DP_PORT_WAN ? CNT_TX_WAN : CNT_TX_TRANSPORT] -= unsent;
	rte_pktmbuf_free_bulk(pkts, unsent);
}

int worker_init(struct dp_worker *w, struct nat_mem *mem)
{
	for (int p = 0; p < DP_NPORTS; p++) {
		struct txb_err *e = rte_zmalloc("txerr", sizeof(*e), 0);

		w->txb[p] = rte_zmalloc("txb", RTE_ETH_TX_BUFFER_SIZE(DP_BURST), 0);
		if (w->txb[p] == NULL || e == NULL)
			return -ENOMEM;
		rte_eth_tx_buffer_init(w->txb[p], DP_BURST);
		*e = (struct txb_err){w, p};
		rte_eth_tx_buffer_set_err_callback(w->txb[p], tx_error, e);
	}
	if (reasm_init(w) < 0 || pmtu_init(w) < 0)
		return -ENOMEM;
	return nat_init(w, mem);
}

static void dispatch_handoff(struct dp_worker *w, struct rte_mbuf *m)
{
	uint32_t tag = m->hash.usr;

	DP_COUNT(w, HANDOFF_RX);
	if ((tag & 0xffff0000u) == HANDOFF_POOL)
		wan_ip4_to_pool(w, m, (int)(tag & 0xffff));
	else if (tag == HANDOFF_WAN)
		wan_in(w, m);
	else if (tag == HANDOFF_PMTU)
		pmtu_handoff_rx(w, m);
	else
		transport_in(w, m);
}

/* The look-ahead's second pass, after transport_ahead or wan_ahead: the
 * index slots they prefetched are read, and what they name prefetched. */
static void ahead_get(struct dp_worker *w)
{
	struct dp_ahead *ah = &w->ahead;

	if (ah->sl)
		for (uint16_t i = 0; i < ah->n; i++)
			if (ah->set[i])
				tables_ahead_get(w->tab, &ah->a[i]);
	if (ah->nat)
		for (uint16_t i = 0; i < ah->n; i++)
			if (ah->nat_at[i].kind)
				nat_ahead_get(w, &ah->nat_at[i]);
}

static unsigned int poll_port(struct dp_worker *w, int port)
{
	struct rte_mbuf *pkts[DP_BURST];
	uint16_t n;

	if (w->rxq[port] == UINT16_MAX)
		return 0;
	n = rte_eth_rx_burst(dp.port[port].port_id, w->rxq[port], pkts, DP_BURST);
	w->ctr->cnt[port == DP_PORT_WAN ? CNT_RX_WAN : CNT_RX_TRANSPORT] += n;
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	if (port == DP_PORT_WAN)
		wan_ahead(w, pkts, n);
	else
		transport_ahead(w, pkts, n);
	ahead_get(w);
	for (uint16_t i = 0; i < n; i++) {
		w->ahead.cur = i;
		/* The packet path reads one buffer: a chained frame cannot be ours. */
		if (unlikely(pkts[i]->nb_segs > 1)) {
			DP_DROP(w, MULTI_SEG, pkts[i]);
			continue;
		}
		if (port == DP_PORT_WAN)
			wan_in(w, pkts[i]);
		else
			transport_in(w, pkts[i]);
	}
	w->ahead.n = 0;
	return n;
}

static unsigned int poll_rings(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n, m;

	m = n = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts, DP_BURST, NULL);
	for (unsigned int i = 0; i < n; i++)
		dispatch_handoff(w, pkts[i]);
	n = rte_ring_sc_dequeue_burst(w->from_ctrl, (void **)pkts, DP_BURST, NULL);
	for (unsigned int i = 0; i < n; i++)
		dp_tx(w, (int)(pkts[i]->hash.usr & 0xff), pkts[i]);
	return m + n;
}

unsigned int worker_poll(struct dp_worker *w)
{
	uint64_t was = w->now, t0 = rte_rdtsc();
	unsigned int work, cmds;

	gen_loop_begin(w);
	w->now = (t0 - dp.start_tsc) / rte_get_tsc_hz();
	work = poll_port(w, DP_PORT_TRANSPORT);
	work += poll_port(w, DP_PORT_WAN);
	work += poll_rings(w);
	for (int p = 0; p < DP_NPORTS; p++)
		if (w->txq[p] != UINT16_MAX)
			rte_eth_tx_buffer_flush(dp.port[p].port_id, w->txq[p], w->txb[p]);
	nat_sweep(w, SWEEP_BUDGET);
	reasm_tick(w, w->now != was);
	if (w->now != was)
		pmtu_tick(w);
	cmds = ctl_poll(w);
	gen_loop_end(w);
	/* A polling worker is always at 100% CPU: what it did is the rounds
	 * that had packets (how much room is left, without PMU counters). */
	if (work)
		w->ctr->cnt[CNT_BUSY_NS] +=
		        (uint64_t)((unsigned __int128)(rte_rdtsc() - t0) * dp.ns_mult >> 32);
	return work + cmds;
}

int worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp_idle idle;

	idle_init(&idle, dp.conf.cfg);
	gen_reader_start(w);
	while (!atomic_load_explicit(&dp.stop, memory_order_relaxed))
		idle_round(w, &idle, worker_poll(w));
	gen_reader_stop(w);
	return 0;
}
