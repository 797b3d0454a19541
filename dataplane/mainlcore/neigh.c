/* Neighbour table: a lock-free-read rte_hash (one writer: the main lcore)
 * from address to slot, and per slot the MAC with a valid bit, stored as
 * one 64-bit atomic so a worker never sees half an update. */
#include "neigh.h"

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <stdatomic.h>
#include <string.h>

#include "crc.h"
#include "dp.h"

#define VALID NEIGH_VALID

/* Main lcore only: when each slot was last confirmed, and static marks. */
static uint64_t *confirmed;
static uint8_t *is_static;

int neigh_init(void)
{
	struct rte_hash_parameters p = {
	        .name = "neigh",
	        .entries = NEIGH_MAX,
	        .key_len = 16,
	        .hash_func = dp_crc,
	        .socket_id = (int)rte_socket_id(),
	        .extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	dp.neigh_idx = rte_hash_create(&p);
	if (dp.neigh_idx == NULL)
		return -ENOMEM;
	/* Slots are key positions, which may run past the entry count. */
	dp.neigh_max = rte_hash_max_key_id(dp.neigh_idx) + 1;
	dp.neigh = rte_zmalloc("neigh", sizeof(*dp.neigh) * dp.neigh_max, 0);
	confirmed = rte_zmalloc("neighconf", sizeof(*confirmed) * dp.neigh_max, 0);
	is_static = rte_zmalloc("neighstatic", dp.neigh_max, 0);
	return dp.neigh && confirmed && is_static ? 0 : -ENOMEM;
}

void neigh_fini(void)
{
	rte_hash_free(dp.neigh_idx);
	rte_free(dp.neigh);
	rte_free(confirmed);
	rte_free(is_static);
}

/* The MAC in the low six bytes, in memory order (neigh_slot_mac). */
static uint64_t pack(const struct rte_ether_addr *mac)
{
	uint64_t v = 0;

	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	return v | VALID;
}

int32_t neigh_slot(const struct addr6 *a)
{
	int32_t slot = rte_hash_lookup(dp.neigh_idx, a->b);

	return slot >= 0 && (uint32_t)slot < dp.neigh_max ? slot : -1;
}

bool neigh_lookup(const struct addr6 *a, struct rte_ether_addr *mac)
{
	int32_t slot = neigh_slot(a);

	return slot >= 0 && neigh_slot_mac(slot, mac);
}

bool neigh_known(const struct addr6 *a)
{
	return rte_hash_lookup(dp.neigh_idx, a->b) >= 0;
}

int neigh_update(const struct addr6 *a, const struct rte_ether_addr *mac)
{
	int32_t slot = rte_hash_add_key(dp.neigh_idx, a->b);

	if (slot < 0 || (uint32_t)slot >= dp.neigh_max)
		return slot < 0 ? slot : -ENOSPC;
	if (is_static[slot])
		return 0; /* a configured MAC: ARP and ND do not override it */
	atomic_store_explicit(&dp.neigh[slot].mac_valid, pack(mac), memory_order_release);
	confirmed[slot] = rte_rdtsc();
	return 0;
}

void neigh_set_static(const struct addr6 *a)
{
	int32_t slot = rte_hash_lookup(dp.neigh_idx, a->b);

	if (slot >= 0 && (uint32_t)slot < dp.neigh_max)
		is_static[slot] = 1;
}

/* Like ARP caches and ND's REACHABLE state (RFC 4861 section 7.3): an entry
 * not confirmed for a while is checked again, and dropped if nobody
 * answers. One pass over the table per call: call it every few seconds. */
void neigh_age(uint64_t now, uint64_t age_tsc, uint64_t dead_tsc, void (*fn)(const struct addr6 *a))
{
	const void *key;
	void *data;
	uint32_t next = 0;
	int32_t slot;

	while ((slot = rte_hash_iterate(dp.neigh_idx, &key, &data, &next)) >= 0) {
		if ((uint32_t)slot >= dp.neigh_max || is_static[slot] ||
		    !(atomic_load(&dp.neigh[slot].mac_valid) & VALID))
			continue;
		if (now - confirmed[slot] > dead_tsc)
			atomic_store_explicit(&dp.neigh[slot].mac_valid, 0, memory_order_release);
		else if (now - confirmed[slot] > age_tsc)
			fn(key);
	}
}

void neigh_forget(const struct addr6 *a)
{
	int32_t slot = rte_hash_lookup(dp.neigh_idx, a->b);

	if (slot >= 0 && (uint32_t)slot < dp.neigh_max)
		atomic_store_explicit(&dp.neigh[slot].mac_valid, 0, memory_order_release);
}
