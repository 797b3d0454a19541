/* Neighbour table: a lock-free-read rte_hash (one writer: the main lcore)
 * from address to slot, and per slot the MAC with a valid bit, stored as
 * one 64-bit atomic so a worker never sees half an update. */
#include "neigh.h"

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <stdatomic.h>

#include "dp.h"

#define VALID (1ull << 63)

int neigh_init(void)
{
	struct rte_hash_parameters p = {
		.name = "neigh",
		.entries = NEIGH_MAX,
		.key_len = 16,
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	dp.neigh_idx = rte_hash_create(&p);
	if (dp.neigh_idx == NULL)
		return -ENOMEM;
	/* Slots are key positions, which may run past the entry count. */
	dp.neigh_max = rte_hash_max_key_id(dp.neigh_idx) + 1;
	dp.neigh = rte_zmalloc("neigh", sizeof(*dp.neigh) * dp.neigh_max, 0);
	return dp.neigh ? 0 : -ENOMEM;
}

void neigh_fini(void)
{
	rte_hash_free(dp.neigh_idx);
	rte_free(dp.neigh);
}

static uint64_t pack(const struct rte_ether_addr *mac)
{
	uint64_t v = 0;

	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		v = v << 8 | mac->addr_bytes[i];
	return v | VALID;
}

bool neigh_lookup(const struct addr6 *a, struct rte_ether_addr *mac)
{
	int32_t slot = rte_hash_lookup(dp.neigh_idx, a->b);
	uint64_t v;

	if (slot < 0 || (uint32_t)slot >= dp.neigh_max)
		return false;
	v = atomic_load_explicit(&dp.neigh[slot].mac_valid, memory_order_acquire);
	if (!(v & VALID))
		return false;
	for (int i = RTE_ETHER_ADDR_LEN - 1; i >= 0; i--, v >>= 8)
		mac->addr_bytes[i] = (uint8_t)v;
	return true;
}

int neigh_update(const struct addr6 *a, const struct rte_ether_addr *mac)
{
	int32_t slot = rte_hash_add_key(dp.neigh_idx, a->b);

	if (slot < 0 || (uint32_t)slot >= dp.neigh_max)
		return slot < 0 ? slot : -ENOSPC;
	atomic_store_explicit(&dp.neigh[slot].mac_valid, pack(mac), memory_order_release);
	return 0;
}

void neigh_forget(const struct addr6 *a)
{
	int32_t slot = rte_hash_lookup(dp.neigh_idx, a->b);

	if (slot >= 0 && (uint32_t)slot < dp.neigh_max)
		atomic_store_explicit(&dp.neigh[slot].mac_valid, 0, memory_order_release);
}
