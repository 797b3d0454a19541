/* The dataplane's life, from a loaded configuration to an orderly stop;
 * see app.h. */
#include "app.h"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <stdio.h>
#include <string.h>

#include "config_yaml.h"
#include "commands.h"
#include "ctx.h"
#include "slowpath.h"
#include "dp.h"
#include "filter.h"
#include "gen.h"
#include "nat.h"
#include "neigh.h"
#include "pmtu.h"
#include "b4drops.h"
#include "port.h"
#include "reasm.h"
#include "stats.h"
#include "worker.h"

/* Buffers each worker and the main lcore need besides held fragments:
 * their ports' RX and TX descriptors, caches, bursts and rings. */
#define MBUFS_PER_WORKER 8192
#define RING_SIZE        4096
#define CTRL_IDLE_US     1000 /* main lcore nap when it had nothing to do */

int dp_app_load(const char *path, struct aftr_config *cfg)
{
	struct diag d;
	int rc;

	diag_init(&d, path);
	rc = cfg_load_yaml_file(path, cfg, &d);
	diag_sort(&d);
	diag_print(&d, stderr);
	diag_free(&d);
	return rc;
}

/* The runtime view of the pools: their addresses and the layout of their
 * port blocks (read-only), and in each worker the blocks it owns; room for
 * nat.max_pools of them (pools added at run time: pools_live.c). */
static int build_pools(const struct aftr_config *cfg)
{
	char err[256];
	uint32_t cap = RTE_MAX(cfg->fixed.max_pools, (uint32_t)cfg->fixed.n_pools);

	if (determ_init(&dp.conf.determ, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "nat.deterministic: %s\n", err);
		return -EINVAL;
	}
	dp.conf.max_pools = cap;
	dp.conf.pools = rte_zmalloc("pools", sizeof(*dp.conf.pools) * (cap + 1), 0);
	if (dp.conf.pools == NULL)
		return -ENOMEM;
	for (unsigned int w = 0; w < dp.nworkers; w++) {
		struct nat_state *ns = &dp.worker[w].nat;

		ns->pb = rte_zmalloc("pb", sizeof(*ns->pb) * (cap + 1), RTE_CACHE_LINE_SIZE);
		if (ns->pb == NULL)
			return -ENOMEM;
	}
	for (size_t i = 0; i < cfg->fixed.n_pools; i++) {
		int rc = nat_pool_slot(cfg, &cfg->fixed.pools[i], (uint32_t)i, err, sizeof(err));

		if (rc < 0) {
			fprintf(stderr, "pools[%zu]%s\n", i, err);
			return rc;
		}
	}
	dp.conf.n_pools = dp.conf.n_active = (uint32_t)cfg->fixed.n_pools;
	return nat_pools_index();
}

static struct rte_ring *ring(const char *what, unsigned int id, unsigned int flags)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "%s%u", what, id);
	return rte_ring_create(name, RING_SIZE, (int)rte_socket_id(), flags);
}

/* Once at start: what the NAT tables of one worker reserved. */
static void log_nat_mem(const struct aftr_config *cfg, const struct nat_mem *m)
{
	fprintf(stderr,
	        "aftr-dataplane: NAT tables per worker: %zu bytes: %u sessions %zu (%zu per "
	        "session), %u subscribers %zu (%zu per subscriber), hold queue %zu\n",
	        m->sessions + m->subscribers + m->held, cfg->fixed.sessions_per_worker, m->sessions,
	        m->sessions / cfg->fixed.sessions_per_worker, cfg->fixed.subscribers_per_worker,
	        m->subscribers, m->subscribers / cfg->fixed.subscribers_per_worker, m->held);
}

/* The buffers' data room: in one segment, as every node reads one buffer,
 * a frame of the transport MTU and a 4in6 packet around an IPv4 packet of
 * the WAN MTU (reassembled from a B4's fragments: up to 9,640 bytes with
 * jumbo frames), after the headroom encapsulation prepends into; never
 * less than DPDK's default. The room is a multiple of 1 KB, so that a
 * device's own frame size can match it (net_af_packet's framesz: 9216 for
 * MTUs of 9000). A bigger room costs memory (every buffer of the pool),
 * not time: a node touches only the cache lines of headers. */
static uint16_t buf_size(const struct cfg_fixed *f)
{
	uint32_t mtu = RTE_MAX((uint32_t)f->transport.mtu, f->wan.mtu + 40u);
	uint32_t room = RTE_ALIGN_CEIL(mtu + DP_FRAME_EXTRA, 1024u);

	return (uint16_t)(RTE_PKTMBUF_HEADROOM +
	                  RTE_MAX(room, (uint32_t)RTE_MBUF_DEFAULT_DATAROOM));
}

/* The packet buffers: enough for everything that may hold them at once,
 * so that no holder can starve RX (frames arriving with no buffer to land
 * in, which stops the AFTR for everyone): per worker and for the main
 * lcore MBUFS_PER_WORKER, and per worker the most fragments its three
 * reassembly tables may hold (fragment.*_maxcount packets, each table
 * REASM_FRAGS_PER_PACKET fragments a packet at most, frag/reasm.c). */
static struct rte_mempool *pool_create(const struct cfg_fixed *f)
{
	uint32_t frags = ((uint32_t)RTE_MAX(f->frag_maxcount[0], 1) +
	                  RTE_MAX(f->frag_maxcount[1], 1) + RTE_MAX(f->frag_maxcount[2], 1)) *
	                 REASM_FRAGS_PER_PACKET;
	uint32_t n = MBUFS_PER_WORKER * (dp.nworkers + 1) + frags * dp.nworkers - 1;
	uint16_t room = buf_size(f);
	struct rte_mempool *mp =
	        rte_pktmbuf_pool_create("mbufs", n, 256, DP_CTX_SIZE, room, (int)rte_socket_id());

	fprintf(stderr,
	        "aftr-dataplane: %u packet buffers of %u bytes (%u MB): %u a lcore, %u a worker "
	        "for held fragments%s\n",
	        n, room, (uint32_t)((uint64_t)n * (room + DP_CTX_SIZE + 128) >> 20),
	        MBUFS_PER_WORKER, frags, mp ? "" : ": out of memory (give EAL more with -m)");
	return mp;
}

/* Ports, rings and workers; messages go to stderr. */
static int setup(const struct aftr_config *cfg, const char *shm)
{
	char err[512];
	unsigned int i;
	int rc;

	snprintf(dp.tables_path, sizeof(dp.tables_path), "/dev/shm/%s-tables", shm);
	snprintf(dp.delta_path, sizeof(dp.delta_path), "/dev/shm/%s-delta", shm);
	if ((rc = stats_init(shm)) < 0) {
		fprintf(stderr, "aftr-dataplane: shared counters /dev/shm/%s-stats: %s\n", shm,
		        strerror(-rc));
		return rc;
	}
	/* The private area holds each packet's context (worker/ctx.h). */
	dp.mp = pool_create(&cfg->fixed);
	dp.to_ctrl = ring("toctrl", 0, RING_F_SC_DEQ);
	if (dp.mp == NULL || dp.to_ctrl == NULL || neigh_init() < 0 || build_pools(cfg) < 0) {
		fprintf(stderr, "aftr-dataplane: out of memory (give EAL more with -m)\n");
		return -ENOMEM;
	}
	if ((rc = port_setup(&dp.port[DP_PORT_TRANSPORT], "transport", &cfg->fixed.transport,
	                     dp.nworkers, err, sizeof(err))) < 0 ||
	    (rc = cfg_one_port(&cfg->fixed.transport, &cfg->fixed.wan)
	                  ? port_share(&dp.port[DP_PORT_WAN], &dp.port[DP_PORT_TRANSPORT], "wan",
	                               &cfg->fixed.wan)
	                  : port_setup(&dp.port[DP_PORT_WAN], "wan", &cfg->fixed.wan, dp.nworkers,
	                               err, sizeof(err))) < 0) {
		fprintf(stderr, "aftr-dataplane: %s\n", err);
		return rc;
	}
	port_rss_owners(&dp.port[DP_PORT_TRANSPORT], dp.nworkers);
	for (i = 0; i < dp.nworkers; i++) {
		struct dp_worker *w = &dp.worker[i];
		struct nat_mem mem;

		w->id = i;
		/* An interface on the other's device is polled with it (rx.c
		 * sorts the frames) and sends on its queue. */
		for (int p = 0; p < DP_NPORTS; p++) {
			w->rxq[p] = i < dp.port[p].nb_rxq && !dp.port[p].shared ? (uint16_t)i
			                                                        : UINT16_MAX;
			w->txq[p] = i < dp.port[p].nb_txq ? (uint16_t)i : UINT16_MAX;
		}
		w->handoff = ring("handoff", i, RING_F_SC_DEQ);
		w->from_ctrl = ring("fromctrl", i, RING_F_SC_DEQ);
		if (w->handoff == NULL || w->from_ctrl == NULL || worker_init(w, &mem) < 0) {
			fprintf(stderr,
			        "aftr-dataplane: worker %u: out of memory (give EAL more "
			        "with -m, or lower nat.sessions_per_worker)\n",
			        i);
			return -ENOMEM;
		}
		if (i == 0)
			log_nat_mem(cfg, &mem);
	}
	return ctrl_init();
}

/* dp.conf's on-link tests from the interfaces' addresses. */
static void onlink_init(const struct cfg_fixed *f)
{
	uint8_t mask[16] = {0};

	for (unsigned int b = 0; b < f->transport.addr6.len && b < 128; b++)
		mask[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	memcpy(dp.conf.tr_mask, mask, 16);
	memcpy(dp.conf.tr_net, f->transport.addr6.addr.b, 16);
	dp.conf.tr_net[0] &= dp.conf.tr_mask[0];
	dp.conf.tr_net[1] &= dp.conf.tr_mask[1];
	dp.conf.wan_mask = prefix4_mask(f->wan.addr4.len);
}

/* B4 owners before the ports: a hash of the outer source over a table of
 * 128 entries in turn (port.c makes it the transport NIC's, if it can). */
static void rss_init(void)
{
	rss_table_init(&dp.conf.rss.src, rss_key, RSS_KEY_LEN, 0);
	dp.conf.rss.dst = 0;
	dp.conf.rss.reta_mask = 127;
	for (unsigned int i = 0; i < DP_RETA_MAX; i++)
		dp.conf.rss.reta[i] = (uint8_t)(i % dp.nworkers);
}

static void conf_init(const struct aftr_config *cfg)
{
	dp.conf.cfg = &cfg->fixed;
	dp.conf.endpoints[0] = cfg->fixed.endpoint;
	memcpy(dp.conf.endpoints + 1, cfg->fixed.endpoints,
	       cfg->fixed.n_endpoints * sizeof(cfg->fixed.endpoints[0]));
	dp.conf.n_endpoints = (uint8_t)(1 + cfg->fixed.n_endpoints);
	dp.conf.icmp_source = cfg->fixed.icmp_source;
	dp.conf.transport_addr = cfg->fixed.transport.addr6.addr;
	dp.conf.wan_addr = cfg->fixed.wan.addr4.addr;
	dp.conf.fast = cfg->fixed.fast_path;
	dp.pcp_on = cfg_pcp_on(&cfg->fixed);
	dp.conf.l2_demux = cfg->fixed.transport.vlan || cfg->fixed.wan.vlan ||
	                   cfg_one_port(&cfg->fixed.transport, &cfg->fixed.wan);
	dp.conf.has_gw[DP_PORT_TRANSPORT] = cfg->fixed.transport.has_gateway;
	dp.conf.gw[DP_PORT_TRANSPORT] = cfg->fixed.transport.gw6;
	dp.conf.has_gw[DP_PORT_WAN] = cfg->fixed.wan.has_gateway;
	dp.conf.gw[DP_PORT_WAN] = neigh_key4(cfg->fixed.wan.gw4);
	onlink_init(&cfg->fixed);
	rss_init();
}

void dp_app_run(const char *stats_path)
{
	uint64_t hz = rte_get_tsc_hz(), next = 0;
	unsigned int lcore, i = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == dp.nworkers)
			break;
		dp.worker[i].lcore = lcore;
		rte_eal_remote_launch(worker_main, &dp.worker[i++], lcore);
	}
	fprintf(stderr, "aftr-dataplane: running with %u worker%s\n", dp.nworkers,
	        dp.nworkers == 1 ? "" : "s");
	while (!atomic_load(&dp.stop)) {
		/* The slow path need not spin: leave the CPU to others when idle. */
		if (ctrl_poll() + ctl_main_poll() == 0)
			rte_delay_us_sleep(CTRL_IDLE_US);
		if (rte_rdtsc() >= next) {
			stats_ports_update();
			if (stats_path)
				stats_write(stats_path);
			next = rte_rdtsc() + hz;
		}
	}
	rte_eal_mp_wait_lcore();
}

static void teardown(void)
{
	for (unsigned int i = 0; i < dp.nworkers; i++) {
		nat_fini(&dp.worker[i]);
		reasm_fini(&dp.worker[i]);
		pmtu_fini(&dp.worker[i].pmtu);
		b4drops_fini(&dp.worker[i].b4drops);
	}
	for (int p = 0; p < DP_NPORTS; p++)
		if (dp.port[p].nb_txq && !dp.port[p].shared)
			port_close(&dp.port[p]);
	for (unsigned int w = 0; w < dp.nworkers; w++) {
		struct nat_state *ns = &dp.worker[w].nat;

		for (uint32_t i = 0; ns->pb && i < dp.conf.n_pools; i++)
			for (int pr = 0; pr < CFG_NPROTO; pr++)
				pb_free(&ns->pb[i][pr]);
		rte_free(ns->pb);
		ns->pb = NULL;
	}
	nat_pool_index_free(dp.conf.pidx);
	dp.conf.pidx = NULL;
	neigh_fini();
}

int dp_app_start(const struct aftr_config *cfg, unsigned int nworkers, const char *shm)
{
	if (nworkers == 0 || nworkers > DP_MAX_WORKERS) {
		fprintf(stderr,
		        "aftr-dataplane: needs 1 to %d worker lcores besides the main one "
		        "(e.g. -l 0,1), got %u\n",
		        DP_MAX_WORKERS, nworkers);
		return -EINVAL;
	}
	dp.nworkers = nworkers;
	conf_init(cfg);
	filter_init(cfg);
	if (gen_init(cfg) < 0) {
		gen_fini();
		fprintf(stderr, "aftr-dataplane: out of memory\n");
		return -ENOMEM;
	}
	dp.started = true;
	return setup(cfg, shm);
}

void dp_app_stop(const char *stats_path, const char *shm)
{
	if (!dp.started)
		return;
	stats_ports_update();
	if (stats_path)
		stats_write(stats_path);
	stats_print(stderr);
	teardown();
	stats_fini(shm);
	gen_fini();
	dp.started = false;
}
