/* Neighbours (next hops) of the two links, resolved by the main lcore with
 * ARP (RFC 826) and Neighbor Discovery (RFC 4861) and read by the workers.
 * IPv4 addresses are kept as IPv4-mapped IPv6 (::ffff:a.b.c.d). */
#ifndef AFTR_NEIGH_H
#define AFTR_NEIGH_H

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "dp.h"

#define NEIGH_MAX 4096
/* A slot's MAC is its low six bytes in memory order (one copy to read it),
 * with this bit set when valid. */
#define NEIGH_VALID (1ull << 63)
_Static_assert(RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN, "the MAC shares a word with NEIGH_VALID");

int neigh_init(void);
void neigh_fini(void);

/* Workers: the MAC of a neighbour, false if not (yet) resolved. */
bool neigh_lookup(const struct addr6 *a, struct rte_ether_addr *mac);
/* The slot of an address in the table, or -1. A key is never removed or
 * moved (a forgotten neighbour keeps its slot, invalid), so a worker may
 * keep a slot it found. */
int32_t neigh_slot(const struct addr6 *a);
/* The MAC in a slot, if valid. */
static inline bool neigh_slot_mac(int32_t slot, struct rte_ether_addr *mac)
{
	uint64_t v = atomic_load_explicit(&dp.neigh[slot].mac_valid, memory_order_acquire);

	if (!(v & NEIGH_VALID))
		return false;
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	return true;
}
/* Main lcore only: whether an address has an entry (valid or not). */
bool neigh_known(const struct addr6 *a);
/* Main lcore only: learns or refreshes a neighbour (static ones stay). */
int neigh_update(const struct addr6 *a, const struct rte_ether_addr *mac);
/* Main lcore only: forgets one (expiry). */
void neigh_forget(const struct addr6 *a);
/* Main lcore only: marks one static (a configured gateway MAC: never aged). */
void neigh_set_static(const struct addr6 *a);
/* Main lcore only: calls fn for each dynamic entry confirmed longer than
 * age_tsc ago (to be solicited again), and forgets those not confirmed for
 * longer than dead_tsc. */
void neigh_age(uint64_t now, uint64_t age_tsc, uint64_t dead_tsc,
               void (*fn)(const struct addr6 *a));

static inline struct addr6 neigh_key4(uint32_t addr_host)
{
	struct addr6 k = {{0}};

	k.b[10] = 0xff;
	k.b[11] = 0xff;
	k.b[12] = (uint8_t)(addr_host >> 24);
	k.b[13] = (uint8_t)(addr_host >> 16);
	k.b[14] = (uint8_t)(addr_host >> 8);
	k.b[15] = (uint8_t)addr_host;
	return k;
}

#endif
