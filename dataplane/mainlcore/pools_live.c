/* Pool addresses added and removed at run time; see pools_live.h. */
#include "pools_live.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "nat.h"

static const struct cfg_pool *in_config(const struct aftr_config *cfg, uint32_t addr)
{
	for (size_t i = 0; i < cfg->fixed.n_pools; i++)
		if (cfg->fixed.pools[i].addr == addr)
			return &cfg->fixed.pools[i];
	return NULL;
}

static int slot_of(uint32_t addr)
{
	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
		if (dp.conf.pools[i].addr == addr)
			return (int)i;
	return -1;
}

/* Whether slot i's port ranges are those next gives its address. */
static bool same_ranges(const struct aftr_config *next, const struct cfg_pool *q, uint32_t i)
{
	for (int pr = 0; pr < CFG_NPROTO; pr++) {
		struct port_range r = cfg_pool_range(next, q, pr);
		const struct pb_space *l = &dp.conf.pools[i].range[pr];

		uint16_t bsize = next->fixed.port_block[pr];

		if (r.min != l->min || bsize != l->bsize ||
		    ((uint32_t)r.max - r.min + 1) / bsize != l->nblocks)
			return false;
	}
	return true;
}

/* Slots from first on made by fill_new, undone. */
static void unfill(uint32_t first, uint32_t n)
{
	for (uint32_t i = first; i < n; i++)
		for (unsigned int w = 0; w < dp.nworkers; w++)
			for (int pr = 0; pr < CFG_NPROTO; pr++)
				pb_free(&dp.worker[w].nat.pb[i][pr]);
}

/* The pools of next that have no slot, in new slots from n_pools on (not
 * published yet): how many, or -errno with err (none left made). */
static int fill_new(const struct aftr_config *next, char *err, size_t errlen)
{
	uint32_t n = dp.conf.n_pools;
	char a[ADDR4_STRLEN], why[160];

	for (size_t k = 0; k < next->fixed.n_pools; k++) {
		const struct cfg_pool *q = &next->fixed.pools[k];
		int s = slot_of(q->addr), rc;

		rc = 0;
		if (s >= 0 && !same_ranges(next, q, (uint32_t)s)) {
			snprintf(err, errlen,
			         "pools: %s's port ranges differ from the running ones: a pool's "
			         "ranges change at restart",
			         addr4_format(q->addr, a));
			rc = -EINVAL;
		} else if (s < 0 && n >= dp.conf.max_pools) {
			snprintf(err, errlen,
			         "pools: no room for %s: the dataplane holds nat.max_pools (%u) "
			         "pools, "
			         "draining ones included, until it restarts",
			         addr4_format(q->addr, a), dp.conf.max_pools);
			rc = -ENOSPC;
		} else if (s < 0 && (rc = nat_pool_slot(next, q, n, why, sizeof(why))) < 0) {
			snprintf(err, errlen, "pools: %s%s", addr4_format(q->addr, a), why);
			n++; /* its blocks made so far */
		} else if (s < 0) {
			n++;
		}
		if (rc < 0) {
			unfill(dp.conf.n_pools, n);
			return rc;
		}
	}
	return (int)(n - dp.conf.n_pools);
}

/* Each slot draining or not as next has its address; counts of those
 * that began to drain and came back. */
static uint32_t set_draining(const struct aftr_config *next, uint32_t *back)
{
	uint32_t drained = 0, active = 0;

	*back = 0;
	for (uint32_t i = 0; i < dp.conf.n_pools; i++) {
		bool want = in_config(next, dp.conf.pools[i].addr) == NULL;

		if (want != (dp.conf.pools[i].draining != 0)) {
			drained += want;
			*back += !want;
			__atomic_store_n(&dp.conf.pools[i].draining, (uint8_t)want,
			                 __ATOMIC_RELAXED);
		}
		active += !want;
	}
	__atomic_store_n(&dp.conf.n_active, active, __ATOMIC_RELEASE);
	return drained;
}

/* The draining flags before the last apply, for pools_live_undo (slots
 * added since drain: the running configuration does not have them). */
static uint8_t *saved;
static uint32_t saved_n;

static void save_flags(void)
{
	free(saved);
	saved = malloc(dp.conf.n_pools + 1u);
	saved_n = saved ? dp.conf.n_pools : 0;
	for (uint32_t i = 0; i < saved_n; i++)
		saved[i] = dp.conf.pools[i].draining;
}

void pools_live_undo(void)
{
	uint32_t active = 0;

	for (uint32_t i = 0; i < dp.conf.n_pools; i++) {
		uint8_t d = i < saved_n ? saved[i] : 1;

		__atomic_store_n(&dp.conf.pools[i].draining, d, __ATOMIC_RELAXED);
		active += !d;
	}
	__atomic_store_n(&dp.conf.n_active, active, __ATOMIC_RELEASE);
}

/* Whether next's pool addresses are those of the slots that do not drain. */
static bool same_addresses(const struct aftr_config *next)
{
	uint32_t active = 0;

	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
		if (!dp.conf.pools[i].draining) {
			if (in_config(next, dp.conf.pools[i].addr) == NULL)
				return false;
			active++;
		}
	return active == next->fixed.n_pools;
}

int pools_live_apply(const struct aftr_config *next, struct dp_pool_index **old, char *note,
                     size_t notelen, char *err, size_t errlen)
{
	uint32_t first = dp.conf.n_pools, drained, back;
	struct dp_pool_index *x;
	int added;

	note[0] = '\0';
	*old = NULL;
	/* nat.deterministic maps B4s onto the pools by number (determ.h). */
	if (dp.conf.determ.on && !same_addresses(next)) {
		snprintf(err, errlen,
		         "pools: nat.deterministic maps B4s onto the pools: adding or "
		         "removing one needs a restart");
		return -EINVAL;
	}
	save_flags();
	if ((added = fill_new(next, err, errlen)) < 0)
		return added;
	if (added > 0) {
		/* The index first (its new slots are filled), then the count
		 * that lets new subscribers take them. */
		if ((x = nat_pool_index_build(first + (uint32_t)added)) == NULL) {
			unfill(first, first + (uint32_t)added);
			snprintf(err, errlen, "pools: out of memory for their index");
			return -ENOMEM;
		}
		*old = __atomic_exchange_n(&dp.conf.pidx, x, __ATOMIC_ACQ_REL);
		__atomic_store_n(&dp.conf.n_pools, first + (uint32_t)added, __ATOMIC_RELEASE);
	}
	drained = set_draining(next, &back);
	if (added || drained || back)
		snprintf(note, notelen, "pools: %d added, %u draining, %u back from draining",
		         added, drained, back);
	return 0;
}
