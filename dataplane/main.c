/* aftr-dataplane: the DPDK primary process.
 *
 *   aftr-dataplane [EAL options] -- -c aftr.yaml [--stats-file PATH]
 *
 * The main lcore sets up ports, tables and workers from the configuration,
 * then runs the slow path (ctrl.c) until SIGINT or SIGTERM; every other
 * lcore is a worker (worker.c). Errors are reported once, here, with what
 * to fix; the exit status is 0 after an orderly stop, 1 on a set-up error. */
#include <getopt.h>
#include <malloc.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_yaml.h"
#include "ctl.h"
#include "ctrl.h"
#include "dp.h"
#include "nat.h"
#include "neigh.h"
#include "port.h"
#include "pmtu.h"
#include "reasm.h"
#include "stats.h"
#include "gen.h"
#include "stats_shm.h"
#include "worker.h"

#define MBUFS_PER_WORKER 8192
#define RING_SIZE        4096
#define CTRL_IDLE_US     1000 /* main lcore nap when it had nothing to do */

static const char usage_text[] =
        "usage: aftr-dataplane [EAL options] -- -c CONFIG [--stats-file PATH] [--shm NAME]\n"
        "  -c, --config FILE     the YAML configuration (see config/reference.yaml)\n"
        "  --stats-file PATH     write counters there every second and at exit\n"
        "  --shm NAME            the shared counters are /dev/shm/NAME-stats (default aftr);\n"
        "                        aftrctl stats --shm NAME reads them\n"
        "The main lcore runs the slow path; every other lcore (-l, --lcores) is a worker.\n";

struct app_opts {
	const char *config, *stats, *shm;
};

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&dp.stop, true);
}

static int parse_app(int argc, char **argv, struct app_opts *o)
{
	static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
	                                         {"stats-file", required_argument, NULL, 's'},
	                                         {"shm", required_argument, NULL, 'm'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (c == 'c')
			o->config = optarg;
		else if (c == 's')
			o->stats = optarg;
		else if (c == 'm')
			o->shm = optarg;
		else
			return -1;
	}
	if (optind != argc || o->config == NULL)
		return -1;
	return 0;
}

static int load_config(const char *path, struct aftr_config *cfg)
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

/* The runtime view of the pools: per worker, the port blocks it owns. */
static int build_pools(const struct aftr_config *cfg)
{
	dp.conf.n_pools = (uint32_t)cfg->n_pools;
	dp.conf.pools = rte_zmalloc("pools", sizeof(*dp.conf.pools) * (cfg->n_pools + 1), 0);
	if (dp.conf.pools == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_pools; i++) {
		struct dp_pool *p = &dp.conf.pools[i];

		p->addr = cfg->pools[i].addr;
		for (unsigned int w = 0; w < dp.nworkers; w++) {
			for (int pr = 0; pr < CFG_NPROTO; pr++) {
				struct port_range r = cfg_pool_range(cfg, &cfg->pools[i], pr);
				int rc = pb_init(&p->pb[w][pr], r.min, r.max, cfg->port_block[pr],
				                 (uint16_t)w, (uint16_t)dp.nworkers);

				if (rc < 0) {
					fprintf(stderr,
					        "pools[%zu].%s: %s blocks of %u ports do not "
					        "fit the range %u-%u\n",
					        i, cfg_proto_names[pr],
					        rc == -ENOMEM ? "no memory for" : "",
					        cfg->port_block[pr], r.min, r.max);
					return rc;
				}
			}
		}
	}
	return 0;
}

static struct rte_ring *ring(const char *what, unsigned int id, unsigned int flags)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "%s%u", what, id);
	return rte_ring_create(name, RING_SIZE, (int)rte_socket_id(), flags);
}

/* Ports, rings and workers; messages go to stderr. */
static int setup(const struct aftr_config *cfg, const char *shm)
{
	char err[512];
	unsigned int lcore, i = 0;
	int rc;

	snprintf(dp.tables_path, sizeof(dp.tables_path), "/dev/shm/%s-tables", shm);
	if ((rc = stats_init(shm)) < 0) {
		fprintf(stderr, "aftr-dataplane: shared counters /dev/shm/%s-stats: %s\n", shm,
		        strerror(-rc));
		return rc;
	}
	dp.mp = rte_pktmbuf_pool_create("mbufs", MBUFS_PER_WORKER * (dp.nworkers + 1) - 1, 256, 0,
	                                RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	dp.to_ctrl = ring("toctrl", 0, RING_F_SC_DEQ);
	if (dp.mp == NULL || dp.to_ctrl == NULL || neigh_init() < 0 || build_pools(cfg) < 0) {
		fprintf(stderr, "aftr-dataplane: out of memory (give EAL more with -m)\n");
		return -ENOMEM;
	}
	if ((rc = port_setup(&dp.port[DP_PORT_TRANSPORT], "transport", &cfg->transport, dp.nworkers,
	                     err, sizeof(err))) < 0 ||
	    (rc = port_setup(&dp.port[DP_PORT_WAN], "wan", &cfg->wan, dp.nworkers, err,
	                     sizeof(err))) < 0) {
		fprintf(stderr, "aftr-dataplane: %s\n", err);
		return rc;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct dp_worker *w = &dp.worker[i];

		w->id = i;
		w->lcore = lcore;
		for (int p = 0; p < DP_NPORTS; p++) {
			w->rxq[p] = i < dp.port[p].nb_rxq ? (uint16_t)i : UINT16_MAX;
			w->txq[p] = i < dp.port[p].nb_txq ? (uint16_t)i : UINT16_MAX;
		}
		w->handoff = ring("handoff", i, RING_F_SC_DEQ);
		w->from_ctrl = ring("fromctrl", i, RING_F_SC_DEQ);
		if (w->handoff == NULL || w->from_ctrl == NULL || worker_init(w) < 0) {
			fprintf(stderr,
			        "aftr-dataplane: worker %u: out of memory (give EAL more "
			        "with -m)\n",
			        i);
			return -ENOMEM;
		}
		i++;
	}
	return ctrl_init();
}

static void conf_init(const struct aftr_config *cfg)
{
	dp.conf.cfg = cfg;
	dp.conf.endpoint = cfg->endpoint;
	dp.conf.icmp_source = cfg->icmp_source;
	dp.conf.transport_addr = cfg->transport.addr6.addr;
	dp.conf.wan_addr = cfg->wan.addr4.addr;
}

static void run(const char *stats_path)
{
	uint64_t hz = rte_get_tsc_hz(), next = 0;
	unsigned int lcore, i = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
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
		pmtu_fini(&dp.worker[i]);
	}
	for (int p = 0; p < DP_NPORTS; p++)
		if (dp.port[p].nb_txq)
			port_close(&dp.port[p]);
	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
		for (unsigned int w = 0; w < dp.nworkers; w++)
			for (int pr = 0; pr < CFG_NPROTO; pr++)
				pb_free(&dp.conf.pools[i].pb[w][pr]);
	neigh_fini();
}

int main(int argc, char **argv)
{
	struct app_opts o = {0};
	struct aftr_config cfg;
	int n, rc = 1;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* Big tables get fresh mappings (huge pages, big_calloc), never reused
	 * heap: glibc would otherwise raise this threshold as the configuration
	 * parser frees its large buffers. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "aftr-dataplane: EAL initialisation failed: %s\n",
		        rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	if (parse_app(argc - n, argv + n, &o) < 0) {
		fputs(usage_text, stderr);
		rte_eal_cleanup();
		return 1;
	}
	if (load_config(o.config, &cfg) < 0)
		goto out;
	dp.nworkers = rte_lcore_count() - 1;
	if (dp.nworkers == 0 || dp.nworkers > DP_MAX_WORKERS) {
		fprintf(stderr,
		        "aftr-dataplane: needs 1 to %d worker lcores besides the main one "
		        "(e.g. -l 0,1), got %u\n",
		        DP_MAX_WORKERS, dp.nworkers);
		goto out;
	}
	conf_init(&cfg);
	if (gen_init(&cfg) < 0) {
		fprintf(stderr, "aftr-dataplane: out of memory\n");
		goto out;
	}
	if (o.shm == NULL)
		o.shm = STATS_SHM_DEFAULT;
	if (setup(&cfg, o.shm) == 0) {
		run(o.stats);
		rc = 0;
	}
	stats_ports_update();
	if (o.stats)
		stats_write(o.stats);
	stats_print(stderr);
	teardown();
	stats_fini(o.shm);
out:
	gen_fini();
	cfg_free(&cfg);
	rte_eal_cleanup();
	return rc;
}
