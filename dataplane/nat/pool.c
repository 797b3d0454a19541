/* Pool addresses and owners: which pool an address is, which worker owns
 * a B4 (RFC 6333 section 7: its state is per softwire) and which owns a
 * public port (its port block's, or a static mapping's B4's). Read by every
 * thread; the pools' index is built at start, before the workers run, and
 * again when pools are added (mainlcore/pools_live.c). */
#include <errno.h>
#include <netinet/in.h>
#include <rte_malloc.h>
#include <stdio.h>
#include <string.h>

#include "nat.h"

/* Deterministic blocks: a subscriber's blocks are its slot's worker's
 * (pb_set_deterministic), so the B4 is too. */
unsigned int nat_b4_owner_determ(const struct addr6 *b4, uint32_t hash)
{
	int64_t i = determ_index(&dp.conf.determ, b4);

	return i < 0 ? nat_worker_of(hash)
	             : determ_slot(&dp.conf.determ, (uint64_t)i) % dp.nworkers;
}

unsigned int nat_b4_owner(const struct addr6 *b4)
{
	return dp.nworkers == 1 ? 0 : nat_b4_owner_of(b4, nat_b4_hash(b4));
}

/* Up to this many pools a scan costs less than a hash lookup. */
#define POOLS_SCANNED 8

int nat_pool_slot(const struct aftr_config *cfg, const struct cfg_pool *pool, uint32_t i, char *err,
                  size_t errlen)
{
	struct dp_pool *p = &dp.conf.pools[i];

	p->addr = pool->addr;
	p->draining = 0;
	for (unsigned int w = 0; w < dp.nworkers; w++) {
		for (int pr = 0; pr < CFG_NPROTO; pr++) {
			struct port_range r = cfg_pool_range(cfg, pool, pr);
			struct pb_space *pb = &dp.worker[w].nat.pb[i][pr];
			int rc = pb_init(pb, r.min, r.max, cfg->fixed.port_block[pr], (uint16_t)w,
			                 (uint16_t)dp.nworkers);

			if (rc < 0) {
				snprintf(err, errlen,
				         ".%s: %s blocks of %u ports do not fit the range %u-%u",
				         cfg_proto_names[pr], rc == -ENOMEM ? "no memory for" : "",
				         cfg->fixed.port_block[pr], r.min, r.max);
				return rc;
			}
			if (dp.conf.determ.on)
				pb_set_deterministic(pb, dp.conf.determ.blocks[pr]);
			p->range[pr] = pb_layout(pb);
		}
	}
	return 0;
}

struct dp_pool_index *nat_pool_index_build(uint32_t n)
{
	struct dp_pool_index *x = rte_zmalloc("pool_index", sizeof(*x), RTE_CACHE_LINE_SIZE);

	if (x == NULL)
		return NULL;
	x->n = n;
	/* The range the pool addresses span: most addresses are outside
	 * (none but the two ends of the address space when there is none). */
	x->lo = UINT32_MAX;
	x->hi = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (i == 0 || dp.conf.pools[i].addr < x->lo)
			x->lo = dp.conf.pools[i].addr;
		if (i == 0 || dp.conf.pools[i].addr > x->hi)
			x->hi = dp.conf.pools[i].addr;
	}
	if (n && x->hi - x->lo < NAT_POOL_AT_MAX && n < NAT_POOL_NONE) {
		uint32_t span = x->hi - x->lo + 1;

		x->at = rte_malloc("pool_at", span * sizeof(*x->at), 0);
		if (x->at == NULL) {
			rte_free(x);
			return NULL;
		}
		memset(x->at, 0xff, span * sizeof(*x->at));
		/* An address twice (cfg_validate refuses it): the first, as a scan. */
		for (uint32_t i = n; i-- > 0;)
			x->at[dp.conf.pools[i].addr - x->lo] = (uint16_t)i;
		return x;
	}
	if (n <= POOLS_SCANNED)
		return x;
	if (lhash_init(&x->by_addr, n, 4) < 0) {
		rte_free(x);
		return NULL;
	}
	/* An address twice (cfg_validate refuses it): the first, as a scan. */
	for (uint32_t i = 0; i < n; i++)
		lhash_put(&x->by_addr, &dp.conf.pools[i].addr, i);
	return x;
}

void nat_pool_index_free(struct dp_pool_index *x)
{
	if (x == NULL)
		return;
	lhash_free(&x->by_addr);
	rte_free(x->at);
	rte_free(x);
}

int nat_pools_index(void)
{
	struct dp_pool_index *x = nat_pool_index_build(dp.conf.n_pools);

	if (x == NULL)
		return -ENOMEM;
	nat_pool_index_free(dp.conf.pidx);
	__atomic_store_n(&dp.conf.pidx, x, __ATOMIC_RELEASE);
	return 0;
}

/* Kept out of nat_pool_index: the key's address would cost the scan a
 * stack frame. */
static __rte_noinline int pool_index_hashed(const struct dp_pool_index *x, uint32_t addr_host)
{
	uint32_t v = lhash_get_n(&x->by_addr, &addr_host, 4);

	return v == LHASH_NONE ? -1 : (int)v;
}

int nat_pool_find(const struct dp_pool_index *x, uint32_t addr_host)
{
	if (x->by_addr.slots)
		return pool_index_hashed(x, addr_host);
	for (uint32_t i = 0; i < x->n; i++)
		if (dp.conf.pools[i].addr == addr_host)
			return (int)i;
	return -1;
}

/* Inline (LTO): every packet to a pool address asks. */
inline __attribute__((always_inline)) int nat_port_owner(const struct dp_worker *w, uint32_t pool,
                                                         uint32_t addr, uint8_t ipproto,
                                                         uint16_t port_host)
{
	enum cfg_proto p = cfg_proto_of_ip(ipproto);
	uint16_t o = pb_port_owner(&dp.conf.pools[pool].range[p], port_host);
	const struct cfg_nat *sn;

	if (o != UINT16_MAX)
		return o;
	/* Static ports are outside the dynamic ranges (cfg_validate). */
	sn = p == CFG_ICMP || w->tab->nat_ext.n == 0
	             ? NULL
	             : tables_nat_public(w->tab, p, ntohl(addr), port_host);
	return sn ? (int)nat_b4_owner(&sn->b4) : -1;
}
