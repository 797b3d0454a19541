/* Stateful NAPT tables of one worker (see nat.h): their memory, all
 * reserved here at start. Runs on its worker only: no locks. The tables'
 * code is by subject: session.c (sessions, their indexes, expiry),
 * subscriber.c (subscribers, their port blocks and limits), translate.c
 * (NAPT both ways, filtering), nat_icmp.c (RFC 5508 errors). */
#include <netinet/in.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <stdio.h>
#include <string.h>

#include "crc.h"
#include "nat_int.h"

static struct rte_hash *make_hash(const char *what, unsigned int id, uint32_t entries,
                                  uint32_t key_len)
{
	char name[RTE_HASH_NAMESIZE];
	/* The extendable buckets make the table hold its full size: without
	 * them a cuckoo table refuses keys at ~99% full. */
	struct rte_hash_parameters p = {
	        .name = name,
	        .entries = entries,
	        .key_len = key_len,
	        .hash_func = dp_crc,
	        .socket_id = (int)rte_socket_id(),
	        .extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	snprintf(name, sizeof(name), "%s%u", what, id);
	return rte_hash_create(&p);
}

/* Ports this worker can hand out: a held port is one of them, so a hold
 * queue this long never overflows (RFC 6888 REQ-8 is never skipped). */
static uint32_t worker_ports(const struct nat_state *ns)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
		for (int p = 0; p < CFG_NPROTO; p++) {
			const struct pb_space *pb = &ns->pb[i][p];

			n += (uint64_t)(pb->nblocks / pb->nworkers + 1) * pb->bsize;
		}
	return (uint32_t)RTE_MIN(n + 1, UINT32_MAX);
}

/* Bytes taken on the DPDK heaps of all sockets (memzones included). */
static size_t heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t n = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			n += st.heap_allocsz_bytes;
	return n;
}

/* A session index, from any socket's heap like the session array (the
 * tables are made on the main lcore, not the worker's); false without
 * memory. */
static bool sidx_make(struct sidx *x, uint32_t n)
{
	size_t size = sidx_mem_size(n);
	void *mem = size ? rte_malloc("sidx", size, 0) : NULL;

	if (mem == NULL) {
		x->slots = NULL;
		return false;
	}
	sidx_init(x, n, mem);
	return true;
}

int nat_init(struct dp_worker *w, struct nat_mem *mem)
{
	struct nat_state *ns = &w->nat;
	bool idx_ok;
	size_t at[4];

	ns->subs_max = dp.conf.cfg->subscribers_per_worker;
	ns->sess_max = dp.conf.cfg->sessions_per_worker;
	ns->held_cap = worker_ports(ns);
	at[0] = heap_used();
	idx_ok = sidx_make(&ns->sess_by_out, ns->sess_max);
	idx_ok = sidx_make(&ns->sess_by_in, ns->sess_max) && idx_ok;
	ns->sess = rte_zmalloc("sess", sizeof(*ns->sess) * ns->sess_max, 0); /* line-aligned */
	at[1] = heap_used();
	ns->subs_by_b4 = make_hash("subs", w->id, ns->subs_max, 16);
	ns->subs = rte_zmalloc("subs", sizeof(*ns->subs) * ns->subs_max, 0);
	at[2] = heap_used();
	ns->held = rte_zmalloc("held", sizeof(*ns->held) * ns->held_cap, 0);
	if (cfg_pcp_on(dp.conf.cfg))
		ns->pcp_end = rte_zmalloc("pcp", sizeof(*ns->pcp_end) * ns->sess_max, 0);
	at[3] = heap_used();
	if (mem)
		*mem = (struct nat_mem){at[1] - at[0], at[2] - at[1], at[3] - at[2]};
	if (!ns->subs_by_b4 || !idx_ok || !ns->subs || !ns->sess || !ns->held ||
	    (cfg_pcp_on(dp.conf.cfg) && !ns->pcp_end))
		return -ENOMEM;
	for (uint32_t i = 0; i < ns->subs_max; i++)
		ns->subs[i].next_free = i + 1;
	for (uint32_t i = 0; i < ns->sess_max; i++)
		ns->sess[i].next_free = i + 1;
	ns->subs_free_head = 0;
	ns->sess_free_head = 0;
	return 0;
}

void nat_fini(struct dp_worker *w)
{
	struct nat_state *ns = &w->nat;

	rte_hash_free(ns->subs_by_b4);
	rte_free(ns->sess_by_out.slots);
	rte_free(ns->sess_by_in.slots);
	ns->sess_by_out.slots = ns->sess_by_in.slots = NULL;
	rte_free(ns->subs);
	rte_free(ns->sess);
	rte_free(ns->held);
	rte_free(ns->pcp_end);
	ns->pcp_end = NULL;
}
