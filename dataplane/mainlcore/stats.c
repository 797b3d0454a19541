/* Counter totals; see stats.h. The counters live in the shared region
 * (stats_shm.h); this prints their sums, and keeps the ports' own
 * statistics up to date in the main lcore's block. */
#include "stats.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slowpath.h"
#include "dp.h"
#include "filter.h"
#include "ctl_msg.h"
#include "ctl_pkt.h"
#include "stats_shm.h"

/* Messages each ring holds. An event ring takes 16 ms of a worker making
 * a million sessions a second, each a new subscriber with its first block
 * (two events), while aftr-control drains every 2 ms. 1 MiB a ring. */
#define CTL_RING_COUNT 16384

/* The rings to and from the control process, in the region (ctl_msg.h). */
static int rings_init(void)
{
	const struct stats_shm_hdr *h = dp.stats_region;
	char name[RTE_RING_NAMESIZE];

	for (unsigned int w = 0; w < h->nrings; w++) {
		struct rte_ring *cmd = stats_shm_ring(h, w),
		                *evt = stats_shm_ring(h, h->nrings + w);

		snprintf(name, sizeof(name), "ctlcmd%u", w);
		if (rte_ring_init(cmd, name, CTL_RING_COUNT, RING_F_SP_ENQ | RING_F_SC_DEQ) < 0)
			return -EINVAL;
		snprintf(name, sizeof(name), "ctlevt%u", w);
		if (rte_ring_init(evt, name, CTL_RING_COUNT, RING_F_SP_ENQ | RING_F_SC_DEQ) < 0)
			return -EINVAL;
		if (w == dp.nworkers) { /* the last pair: the main lcore's */
			dp.ctl_cmd = cmd;
			dp.ctl_evt = evt;
		} else {
			dp.worker[w].cmd_ring = cmd;
			dp.worker[w].evt_ring = evt;
		}
	}
	dp.pkt_up = stats_shm_pkt_ring(h, 0);
	dp.pkt_down = stats_shm_pkt_ring(h, 1);
	if (rte_ring_init(dp.pkt_up, "ctlpktup", CTL_PKT_COUNT, RING_F_SP_ENQ | RING_F_SC_DEQ) <
	            0 ||
	    rte_ring_init(dp.pkt_down, "ctlpktdown", CTL_PKT_COUNT, RING_F_SP_ENQ | RING_F_SC_DEQ) <
	            0)
		return -EINVAL;
	return 0;
}

void dp_clock_sync(void)
{
	struct timespec ts;
	uint64_t tsc = rte_rdtsc();

	clock_gettime(CLOCK_REALTIME, &ts);
	atomic_store_explicit(&dp.wall_off_ms,
	                      (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - dp_tsc_ms(tsc),
	                      memory_order_relaxed);
}

int stats_init(const char *shm_name)
{
	const char *names[AFTR_STATS_COUNT + FILTER_COUNTERS_MAX];
	unsigned int n = aftr_stats_names(names);
	ssize_t bytes = rte_ring_get_memsize_elem(CTL_MSG_SIZE, CTL_RING_COUNT);
	ssize_t pbytes = rte_ring_get_memsize_elem(CTL_PKT_SIZE, CTL_PKT_COUNT);
	struct stats_shm_rings r = {
	        dp.nworkers + 1, (uint32_t)RTE_ALIGN_CEIL(bytes, 64),  CTL_RING_COUNT,
	        CTL_MSG_SIZE,    (uint32_t)RTE_ALIGN_CEIL(pbytes, 64), CTL_PKT_COUNT,
	        CTL_PKT_SIZE};

	if (bytes < 0 || pbytes < 0)
		return bytes < 0 ? (int)bytes : (int)pbytes;
	/* After the fixed counters, each filter rule's (dp_counters.filter). */
	n += filter_counter_names(names + n);
	dp.start_tsc = rte_rdtsc();
	dp.ns_mult = (uint64_t)(1e9 * 4294967296.0 / (double)rte_get_tsc_hz());
	dp.ms_mult = (uint64_t)(1e3 * 4294967296.0 / (double)rte_get_tsc_hz());
	dp_clock_sync();
	/* The generation tells readers that a new dataplane started. */
	dp.stats_region =
	        stats_shm_create(shm_name, dp.nworkers + 1, names, n,
	                         (uint64_t)time(NULL) << 32 ^ rte_rdtsc(), &r, time(NULL));
	if (dp.stats_region == NULL)
		return -errno;
	for (unsigned int w = 0; w < dp.nworkers; w++)
		dp.worker[w].ctr = (struct dp_counters *)stats_shm_block(dp.stats_region, w);
	ctrl_ctr = (struct dp_counters *)stats_shm_block(dp.stats_region, dp.nworkers);
	if (rings_init() < 0)
		return -EINVAL;
	stats_shm_publish(dp.stats_region);
	return 0;
}

void stats_fini(const char *shm_name)
{
	stats_shm_destroy(shm_name, dp.stats_region);
	dp.stats_region = NULL;
}

void stats_ports_update(void)
{
	struct rte_eth_stats st;

	if (ctrl_ctr == NULL)
		return;
	/* Walks the lcores' caches: once a second, on the main lcore. */
	ctrl_ctr->cnt[CNT_MBUFS_IN_USE] = dp.mp ? rte_mempool_in_use_count(dp.mp) : 0;
	for (int p = 0; p < DP_NPORTS; p++) {
		uint64_t *v = ctrl_ctr->port[p];

		/* One device's counters once (one-port mode: the transport's). */
		if (dp.port[p].nb_txq == 0 || dp.port[p].shared ||
		    rte_eth_stats_get(dp.port[p].port_id, &st) != 0)
			continue;
		v[PORT_STAT_RX_PACKETS] = st.ipackets;
		v[PORT_STAT_RX_MISSED] = st.imissed;
		v[PORT_STAT_RX_ERRORS] = st.ierrors;
		v[PORT_STAT_RX_NOMBUF] = st.rx_nombuf;
		v[PORT_STAT_TX_PACKETS] = st.opackets;
		v[PORT_STAT_TX_ERRORS] = st.oerrors;
	}
}

void stats_print(FILE *out)
{
	const struct stats_shm_hdr *h = dp.stats_region;
	uint64_t dropped = 0;

	if (h == NULL)
		return;
	for (uint32_t i = 0; i < h->ncounters; i++) {
		uint64_t v = stats_shm_total(h, i);

		if (i >= CNT_COUNT && i < CNT_COUNT + DROP_COUNT)
			dropped += v;
		fprintf(out, "%s %lu\n", stats_shm_name(h, i), (unsigned long)v);
		if (i == CNT_COUNT + DROP_COUNT - 1)
			fprintf(out, "dropped %lu\n", (unsigned long)dropped);
	}
}

int stats_write(const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	stats_print(f);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}
