/* 802.1Q tags pushed and popped in place (IEEE 802.1Q: TPID 0x8100, then
 * the TCI: priority, DEI, VLAN id), with the 12 bytes of MAC addresses
 * moved through registers: DPDK's rte_vlan_insert and rte_vlan_strip call
 * memmove for them, which costs more than the rest of the move. */
#ifndef AFTR_VLAN_H
#define AFTR_VLAN_H

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <stdbool.h>
#include <string.h>

/* Pushes a tag with this TCI before the frame's EtherType; false if the
 * buffer has no headroom for it. */
static inline bool vlan_push(struct rte_mbuf *m, uint16_t tci)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, RTE_VLAN_HLEN);
	uint64_t a;
	uint32_t b;
	uint16_t v[2] = {rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN), rte_cpu_to_be_16(tci)};

	if (p == NULL)
		return false;
	memcpy(&a, p + RTE_VLAN_HLEN, 8);
	memcpy(&b, p + RTE_VLAN_HLEN + 8, 4);
	memcpy(p, &a, 8);
	memcpy(p + 8, &b, 4);
	memcpy(p + 12, v, 4);
	return true;
}

/* Pops the 802.1Q tag of a frame that has one (its EtherType checked, and
 * 18 bytes there); returns its TCI. */
static inline uint16_t vlan_pop(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t tci;
	uint64_t a;
	uint32_t b;

	memcpy(&tci, p + 14, 2);
	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 4);
	memcpy(p + RTE_VLAN_HLEN, &a, 8);
	memcpy(p + RTE_VLAN_HLEN + 8, &b, 4);
	rte_pktmbuf_adj(m, RTE_VLAN_HLEN);
	return rte_be_to_cpu_16(tci);
}

#endif
