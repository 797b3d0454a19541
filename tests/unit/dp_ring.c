/* The real dataplane on two net_ring ports; see dp_ring.h. */
#include "dp_ring.h"

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "commands.h"
#include "dp.h"
#include "gen.h"
#include "slowpath.h"
#include "worker.h"

#define RING_SIZE 1024

static struct rte_ring *rx[2], *tx[2];
static struct aftr_config cfg;
static char shm_name[64];

static int ring_ports(char names[2][RTE_ETH_NAME_MAX_LEN])
{
	static const char *const base[2] = {"dpr_tr", "dpr_wan"};

	for (int p = 0; p < 2; p++) {
		char n[RTE_RING_NAMESIZE];
		int id;

		snprintf(n, sizeof(n), "%s_rx", base[p]);
		rx[p] = rte_ring_create(n, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(n, sizeof(n), "%s_tx", base[p]);
		tx[p] = rte_ring_create(n, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rx[p] == NULL || tx[p] == NULL)
			return -1;
		id = rte_eth_from_rings(base[p], &rx[p], 1, &tx[p], 1, 0);
		if (id < 0 || rte_eth_dev_get_name_by_port((uint16_t)id, names[p]) != 0)
			return -1;
	}
	return 0;
}

/* yaml with its two %s the ports' names. */
static void write_config(FILE *f, const char *yaml, char names[2][RTE_ETH_NAME_MAX_LEN])
{
	const char *at;

	for (int p = 0; p < 2 && (at = strstr(yaml, "%s")) != NULL; p++) {
		fwrite(yaml, 1, (size_t)(at - yaml), f);
		fputs(names[p], f);
		yaml = at + 2;
	}
	fputs(yaml, f);
}

int dp_ring_start(const char *yaml, const char *shm)
{
	char names[2][RTE_ETH_NAME_MAX_LEN], path[] = "/tmp/dp_ring-XXXXXX";
	int fd, rc;
	FILE *f;

	if (ring_ports(names) < 0) {
		fprintf(stderr, "dp_ring: cannot make the ring ports\n");
		return -1;
	}
	fd = mkstemp(path);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (f == NULL) {
		fprintf(stderr, "dp_ring: cannot write the configuration\n");
		return -1;
	}
	write_config(f, yaml, names);
	fclose(f);
	snprintf(shm_name, sizeof(shm_name), "%s", shm);
	rc = dp_app_load(path, &cfg);
	unlink(path);
	if (rc != 0 || dp_app_start(&cfg, 1, shm_name) != 0) {
		fprintf(stderr, "dp_ring: the dataplane did not start\n");
		return -1;
	}
	gen_reader_start(&dp.worker[0]);
	return 0;
}

/* Everything given back: a leak check then sees only leaks. */
void dp_ring_stop(void)
{
	gen_reader_stop(&dp.worker[0]);
	dp_app_stop(NULL, shm_name);
	cfg_free(&cfg);
}

struct rte_mbuf *dp_ring_feed(int port, const void *frame, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.mp);
	char *p = m && len <= rte_pktmbuf_tailroom(m) ? rte_pktmbuf_append(m, (uint16_t)len) : NULL;

	if (p == NULL || rte_ring_sp_enqueue(rx[port], m) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, frame, len);
	return m;
}

static void drain(void (*out)(int port, struct rte_mbuf *m))
{
	struct rte_mbuf *m;

	for (int p = 0; p < 2; p++)
		while (rte_ring_sc_dequeue(tx[p], (void **)&m) == 0) {
			if (out)
				out(p, m);
			else
				rte_pktmbuf_free(m);
		}
}

bool dp_ring_settle(void (*out)(int port, struct rte_mbuf *m))
{
	for (int round = 0; round < 8; round++) {
		unsigned int n = worker_poll(&dp.worker[0]) + ctrl_poll() + ctl_main_poll();

		drain(out);
		/* Quiet: nothing done, nothing waiting on a ring (the main
		 * lcore's timers may have queued a solicitation). */
		if (n == 0 && rte_ring_count(rx[0]) + rte_ring_count(rx[1]) +
		                              rte_ring_count(dp.worker[0].from_ctrl) +
		                              rte_ring_count(dp.to_ctrl) ==
		                      0)
			return true;
	}
	return false;
}

/* The counters of the worker and the main lcore, summed. */
static void totals(uint64_t v[CNT_COUNT + DROP_COUNT])
{
	const struct dp_counters *b[2] = {dp.worker[0].ctr, ctrl_ctr};

	memset(v, 0, sizeof(uint64_t) * (CNT_COUNT + DROP_COUNT));
	for (int i = 0; i < 2; i++) {
		for (int k = 0; k < CNT_COUNT; k++)
			v[k] += b[i]->cnt[k];
		for (int d = 0; d < DROP_COUNT; d++)
			v[CNT_COUNT + d] += b[i]->drop[d];
	}
}

uint64_t dp_ring_counter(const char *name)
{
	uint64_t v[CNT_COUNT + DROP_COUNT];
	const char *names[AFTR_STATS_COUNT];

	totals(v);
	aftr_stats_names(names);
	for (int k = 0; k < CNT_COUNT + DROP_COUNT; k++)
		if (strcmp(names[k], name) == 0)
			return v[k];
	fprintf(stderr, "dp_ring: no counter %s\n", name);
	abort();
}

bool dp_ring_conserved(void)
{
	static uint64_t last[CNT_COUNT + DROP_COUNT];
	uint64_t v[CNT_COUNT + DROP_COUNT], in, out = 0;
	const char *names[AFTR_STATS_COUNT];

	totals(v);
	in = v[CNT_RX_TRANSPORT] + v[CNT_RX_WAN] + v[CNT_CREATED];
	out = v[CNT_TX_TRANSPORT] + v[CNT_TX_WAN] + v[CNT_CONSUMED] + v[CNT_FRAG_HELD_IP6] +
	      v[CNT_FRAG_HELD_IN] + v[CNT_FRAG_HELD_OUT] + v[CNT_NEIGH_HELD];
	for (int d = 0; d < DROP_COUNT; d++)
		out += v[CNT_COUNT + d];
	if (in == out) {
		memcpy(last, v, sizeof(v));
		return true;
	}
	aftr_stats_names(names);
	for (int k = 0; k < CNT_COUNT + DROP_COUNT; k++)
		if (v[k] != last[k] && k != CNT_BUSY_NS)
			fprintf(stderr, "moved: %s %+lld\n", names[k], (long long)(v[k] - last[k]));
	fprintf(stderr, "packets not accounted for: %llu in, %llu out\n", (unsigned long long)in,
	        (unsigned long long)out);
	return false;
}
