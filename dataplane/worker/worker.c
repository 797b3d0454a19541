/* The worker loop: run to completion over bursts from this worker's queues,
 * packets handed over by other workers and frames the main lcore wants
 * sent; then a slice of session expiry. No locks, no system calls. */
#include "worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "ahead.h"
#include "commands.h"
#include "filter.h"
#include "gen.h"
#include "graph.h"
#include "idle.h"
#include "nat.h"
#include "pmtu.h"
#include "b4drops.h"
#include "reasm.h"
#include "rx.h"
#include "tx.h"

struct txb_err {
	struct dp_worker *w;
	int port;
};

/* Frames the NIC would not take: counted once as tx_full, not as sent. */
static void tx_error(struct rte_mbuf **pkts, uint16_t unsent, void *userdata)
{
	struct txb_err *e = userdata;

	e->w->ctr->drop[DROP_TX_FULL] += unsent;
	e->w->ctr->cnt[CNT_TX_TRANSPORT + e->port] -= unsent;
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
	if (reasm_init(w) < 0 || pmtu_init(&w->pmtu) < 0 || b4drops_init(&w->b4drops) < 0)
		return -ENOMEM;
	return nat_init(w, mem);
}

/* Session expiry: a round that forwarded packets examines a few session
 * slots (a busy worker still covers a million slots in well under a
 * second), an idle one more: 64, or as many as the time since its last
 * sweep needs for the whole table once a second (an idle worker may
 * sleep between rounds). */
#define SWEEP_BUSY 8
#define SWEEP_IDLE 64

static unsigned int sweep_budget(struct dp_worker *w, uint64_t tsc, bool busy)
{
	struct nat_state *ns = &w->nat;
	uint64_t n;

	if (busy) {
		ns->sweep_tsc = tsc;
		return SWEEP_BUSY;
	}
	n = (tsc - ns->sweep_tsc) * ns->sess_max / rte_get_tsc_hz();
	ns->sweep_tsc = tsc;
	if (n < SWEEP_IDLE)
		return SWEEP_IDLE;
	return n < ns->sess_max ? (unsigned int)n : ns->sess_max;
}

/* With VLANs or one-port mode: each frame's interface by its tag (rx.c),
 * the tag removed, counted as that interface's and put in that
 * interface's set (in order); a frame no interface takes is counted as
 * received by the device's interface and dropped (wrong_vlan). */
static __rte_noinline void rx_sort(struct dp_worker *w, int port, struct rte_mbuf **pkts,
                                   uint16_t n, struct rte_mbuf *set[DP_NPORTS][DP_BURST],
                                   uint16_t *count)
{
	count[DP_PORT_TRANSPORT] = count[DP_PORT_WAN] = 0;
	for (uint16_t i = 0; i < n; i++) {
		int p = rx_vlan(pkts[i], port);

		if (p < 0) {
			w->ctr->cnt[CNT_RX_TRANSPORT + port]++;
			w->ctr->drop[DROP_WRONG_VLAN]++;
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		w->ctr->cnt[CNT_RX_TRANSPORT + p]++;
		set[p][count[p]++] = pkts[i];
	}
}

/* One interface's frames: parsed once, each given its first node; then
 * the lookups started across the burst (ahead.c); then each through the
 * graph. */
static void run(struct dp_worker *w, int port, struct rte_mbuf **pkts, uint16_t n)
{
	uint8_t next[DP_BURST];

	if (port == DP_PORT_WAN) {
		for (uint16_t i = 0; i < n; i++)
			next[i] = (uint8_t)rx_wan_parse(pkts[i]);
		ahead_wan(w, pkts, next, n);
		ahead_get(w);
		graph_run_wan(w, pkts, next, n);
	} else {
		for (uint16_t i = 0; i < n; i++)
			next[i] = (uint8_t)rx_tr_parse(pkts[i]);
		ahead_tr(w, pkts, next, n);
		ahead_get(w);
		graph_run_tr(w, pkts, next, n);
	}
	w->ahead.n = 0;
	graph_flush(w);
}

static unsigned int poll_port(struct dp_worker *w, int port)
{
	struct rte_mbuf *pkts[DP_BURST], *set[DP_NPORTS][DP_BURST];
	struct rte_mbuf **sets[DP_NPORTS] = {pkts, NULL};
	uint16_t count[DP_NPORTS], n;
	int side[DP_NPORTS] = {port, -1};

	if (w->rxq[port] == UINT16_MAX)
		return 0;
	n = rte_eth_rx_burst(dp.port[port].port_id, w->rxq[port], pkts, DP_BURST);
	if (n == 0)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		rte_prefetch0(dp_ctx(pkts[i]));
	}
	count[0] = n;
	if (unlikely(dp.conf.l2_demux)) {
		rx_sort(w, port, pkts, n, set, count);
		for (int p = 0; p < DP_NPORTS; p++) {
			sets[p] = set[p];
			side[p] = p;
		}
	} else {
		w->ctr->cnt[CNT_RX_TRANSPORT + port] += n;
	}
	for (int k = 0; k < DP_NPORTS && side[k] >= 0; k++)
		if (count[k])
			run(w, side[k], sets[k], count[k]);
	return n;
}

/* A finished frame from the main lcore (or from a worker without a TX
 * queue on the port): the interface's tag pushed unless it has it. */
static void send_ctrl(struct dp_worker *w, int port, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (dp.port[port].vlan && eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) &&
	    !dp_vlan_push(m, dp.port[port].vlan)) {
		DP_DROP(w, NO_MBUF, m);
		return;
	}
	dp_tx(w, port, m);
}

/* One burst of the packets other workers handed over (resuming at their
 * context's node) and softwire MTUs they learned. */
static unsigned int poll_handed(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n;
	uint16_t k = 0;

	n = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts, DP_BURST, NULL);
	w->ctr->cnt[CNT_HANDOFF_RX] += n;
	for (unsigned int i = 0; i < n; i++) {
		if (pkts[i]->hash.usr == HANDOFF_PMTU)
			pmtu_handoff_rx(w, pkts[i]);
		else
			pkts[k++] = pkts[i];
	}
	ahead_handed(w, pkts, k);
	ahead_get(w);
	graph_run_handed(w, pkts, k);
	w->ahead.n = 0;
	graph_flush(w);
	return n;
}

/* The hand-off ring, then frames the main lcore wants sent. Every other
 * worker may hand over up to a burst from each of its ports a round: one
 * burst a round would fall behind them under load (and the ring overflow,
 * drop_handoff_full), so as many bursts as they can send are taken. */
static unsigned int poll_rings(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n, m = 0, got;
	unsigned int bursts = dp.nworkers > 1 ? (dp.nworkers - 1) * DP_NPORTS : 1;

	do
		m += got = poll_handed(w);
	while (got == DP_BURST && --bursts > 0);
	n = rte_ring_sc_dequeue_burst(w->from_ctrl, (void **)pkts, DP_BURST, NULL);
	for (unsigned int i = 0; i < n; i++)
		send_ctrl(w, (int)(pkts[i]->hash.usr & 0xff), pkts[i]);
	return m + n;
}

unsigned int worker_poll(struct dp_worker *w)
{
	uint64_t was = w->now, t0 = rte_rdtsc();
	unsigned int work, cmds;

	gen_loop_begin(w);
	filter_loop(w);
	w->now = (t0 - dp.start_tsc) / rte_get_tsc_hz();
	w->now_ms = dp_wall_ms(t0);
	work = poll_port(w, DP_PORT_TRANSPORT);
	work += poll_port(w, DP_PORT_WAN);
	work += poll_rings(w);
	for (int p = 0; p < DP_NPORTS; p++)
		if (w->txq[p] != UINT16_MAX)
			rte_eth_tx_buffer_flush(dp.port[p].port_id, w->txq[p], w->txb[p]);
	nat_sweep(w, sweep_budget(w, t0, work != 0));
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
