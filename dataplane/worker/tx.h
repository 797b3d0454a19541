/* Where packets leave a worker (the dispatcher's sinks, graph.c): a port's
 * TX queue, or the main lcore. Each consumes the mbuf and counts a drop if
 * it cannot go. */
#ifndef AFTR_TX_H
#define AFTR_TX_H

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "vlan.h"

/* Why a packet goes to the main lcore (kept in mbuf->hash.usr with the
 * port index in the low byte). */
enum ctrl_reason {
	CTRL_RX = 1 << 8,      /* ARP, ND, ping to us: answer it */
	CTRL_RESOLVE = 2 << 8, /* next hop unresolved: resolve, then send it */
	CTRL_SEND = 3 << 8,    /* main -> worker: a finished frame to send */
	CTRL_PCP = 4 << 8,     /* a PCP request to the AFTR (RFC 6887): to the control process */
};

/* dp_tx on a port where the worker has no TX queue of its own. */
void dp_tx_shared(struct dp_worker *w, int port, struct rte_mbuf *m);

/* The 802.1Q tag of VLAN vlan (priority 0) pushed in front of a frame's
 * EtherType; false if it has no room for it (every buffer has headroom).
 * Frames of the graph get it at the TX sink, the main lcore's when a
 * worker sends them. */
static inline bool dp_vlan_push(struct rte_mbuf *m, uint16_t vlan)
{
	return vlan_push(m, vlan);
}

_Static_assert(CNT_TX_TRANSPORT + DP_PORT_WAN == CNT_TX_WAN &&
                       CNT_RX_TRANSPORT + DP_PORT_WAN == CNT_RX_WAN && DP_PORT_TRANSPORT == 0,
               "a port's counters are its index apart");

/* m is a finished frame. Inline: every packet forwarded passes here. */
static __rte_always_inline void dp_tx(struct dp_worker *w, int port, struct rte_mbuf *m)
{
	if (unlikely(w->txq[port] == UINT16_MAX)) {
		dp_tx_shared(w, port, m);
		return;
	}
	/* Counted first: a flush failing inside the call takes it back. */
	w->ctr->cnt[CNT_TX_TRANSPORT + port]++;
	rte_eth_tx_buffer(dp.port[port].port_id, w->txq[port], w->txb[port], m);
}
void dp_to_ctrl(struct dp_worker *w, struct rte_mbuf *m, enum ctrl_reason why, int port);

/* What a message on a worker's hand-off ring is (mbuf->hash.usr): a
 * packet, resuming at its context's node (worker/ctx.h), or a learned
 * softwire MTU (pmtu.h). */
#define HANDOFF_PACKET 0u
#define HANDOFF_PMTU   (4u << 16)

#endif
