/* Pool addresses added and removed while the dataplane runs: a new
 * generation whose configuration's pools differ from the running ones by
 * whole addresses (cfg_pools_diff). Main lcore, before the generation's
 * tables are published (their static NAT, prr and tunnels may name an
 * added pool).
 *
 * An added address takes a new slot of dp.conf.pools (nat.max_pools of
 * them, sized at start), or its own slot back if it was draining: each
 * worker's port blocks of it are made here, then a new index of the
 * addresses and the slot count are published (the caller frees the old
 * index once no worker can hold it, gen.c's RCU). A removed address drains: no new
 * subscriber is given it; a subscriber that has it keeps it (paired
 * pooling, RFC 6888 REQ-2) and may take more of its blocks until it has
 * no NAT state left; its sessions, and packets to it, go on. Its slot
 * stays until the dataplane restarts (GET /api/v1/pools/usage says
 * "draining" and when none of its blocks is in use). */
#ifndef AFTR_POOLS_LIVE_H
#define AFTR_POOLS_LIVE_H

#include <stddef.h>

#include "config.h"

/* Makes the running pools those of next: 0 with what changed in note ("" if
 * nothing) and the index it replaced in *old (NULL: none; the caller frees
 * it, nat_pool_index_free, once no worker holds it), or -errno with err
 * (no room left, a pool whose ranges differ, memory), the pools then as
 * they were. */
struct dp_pool_index;
int pools_live_apply(const struct aftr_config *next, struct dp_pool_index **old, char *note,
                     size_t notelen, char *err, size_t errlen);

/* The generation pools_live_apply was for was refused after all: the
 * draining flags as they were (slots it added drain: the running
 * configuration does not have them). */
void pools_live_undo(void);

#endif
