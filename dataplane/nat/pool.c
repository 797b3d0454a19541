/* Pool addresses and owners: which pool an address is, which worker owns
 * a B4 (RFC 6333 section 7: its state is per softwire) and which owns a
 * public port (its port block's, or a static mapping's B4's). Read by every
 * thread; the pools' index is built at start, before the workers run. */
#include <errno.h>
#include <netinet/in.h>
#include <rte_malloc.h>
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

int nat_pools_index(void)
{
	/* The range the pool addresses span: most addresses are outside
	 * (none but the two ends of the address space when there is none). */
	dp.conf.pool_lo = UINT32_MAX;
	dp.conf.pool_hi = 0;
	for (uint32_t i = 0; i < dp.conf.n_pools; i++) {
		if (i == 0 || dp.conf.pools[i].addr < dp.conf.pool_lo)
			dp.conf.pool_lo = dp.conf.pools[i].addr;
		if (i == 0 || dp.conf.pools[i].addr > dp.conf.pool_hi)
			dp.conf.pool_hi = dp.conf.pools[i].addr;
	}
	lhash_free(&dp.conf.pool_by_addr);
	rte_free(dp.conf.pool_at);
	dp.conf.pool_at = NULL;
	if (dp.conf.n_pools && dp.conf.pool_hi - dp.conf.pool_lo < NAT_POOL_AT_MAX &&
	    dp.conf.n_pools < NAT_POOL_NONE) {
		uint32_t span = dp.conf.pool_hi - dp.conf.pool_lo + 1;

		dp.conf.pool_at = rte_malloc("pool_at", span * sizeof(*dp.conf.pool_at), 0);
		if (dp.conf.pool_at == NULL)
			return -ENOMEM;
		memset(dp.conf.pool_at, 0xff, span * sizeof(*dp.conf.pool_at));
		/* An address twice (cfg_validate refuses it): the first, as a scan. */
		for (uint32_t i = dp.conf.n_pools; i-- > 0;)
			dp.conf.pool_at[dp.conf.pools[i].addr - dp.conf.pool_lo] = (uint16_t)i;
		return 0;
	}
	if (dp.conf.n_pools <= POOLS_SCANNED)
		return 0;
	if (lhash_init(&dp.conf.pool_by_addr, dp.conf.n_pools, 4) < 0)
		return -ENOMEM;
	/* An address twice (cfg_validate refuses it): the first, as a scan. */
	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
		lhash_put(&dp.conf.pool_by_addr, &dp.conf.pools[i].addr, i);
	return 0;
}

/* Kept out of nat_pool_index: the key's address would cost the scan a
 * stack frame. */
static __rte_noinline int pool_index_hashed(uint32_t addr_host)
{
	uint32_t v = lhash_get_n(&dp.conf.pool_by_addr, &addr_host, 4);

	return v == LHASH_NONE ? -1 : (int)v;
}

int nat_pool_find(uint32_t addr_host)
{
	if (dp.conf.n_pools > POOLS_SCANNED && dp.conf.pool_by_addr.slots)
		return pool_index_hashed(addr_host);
	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
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
