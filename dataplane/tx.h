/* Leaving a worker: to a port (through the next hop's MAC), to the worker
 * that owns a packet, or to the main lcore. Each consumes the mbuf and
 * counts a drop if it cannot go. */
#ifndef AFTR_TX_H
#define AFTR_TX_H

#include <rte_mbuf.h>

#include "dp.h"

/* Why a packet goes to the main lcore (kept in mbuf->hash.usr with the
 * port index in the low byte). */
enum ctrl_reason {
	CTRL_RX = 1 << 8,      /* ARP, ND, ping to us: answer it */
	CTRL_RESOLVE = 2 << 8, /* next hop unresolved: resolve, then send it */
	CTRL_SEND = 3 << 8,    /* main -> worker: a finished frame to send */
};

/* The next hop towards a destination (itself when on-link, else the
 * gateway); false when there is none (WAN: off-link and no gateway). */
bool dp_nexthop4(uint32_t dst_host, struct addr6 *nh);
bool dp_nexthop6(const uint8_t dst[16], struct addr6 *nh);

/* m starts with room for an Ethernet header (written here). */
void dp_send(struct dp_worker *w, int port, struct rte_mbuf *m, uint16_t ethertype,
             const struct addr6 *nexthop);
/* m is a finished frame. */
void dp_tx(struct dp_worker *w, int port, struct rte_mbuf *m);
void dp_to_ctrl(struct dp_worker *w, struct rte_mbuf *m, enum ctrl_reason why, int port);
/* What a handed-off packet is (mbuf->hash.usr): a frame as received on a
 * port, an IPv4 packet to a pool address (low 16 bits: pool index), or a
 * learned softwire MTU (pmtu.h). */
#define HANDOFF_TRANSPORT (1u << 16)
#define HANDOFF_WAN       (2u << 16)
#define HANDOFF_POOL      (3u << 16)
#define HANDOFF_PMTU      (4u << 16)
void dp_handoff(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m, uint32_t tag);

#endif
