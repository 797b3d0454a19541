/* The main lcore's slow path: ARP (ctrl_arp.c), Neighbor Discovery and
 * ICMPv6 (ctrl_nd.c), pings to our own addresses, and resolving next hops
 * for packets the workers could not send yet (ctrl.c). Frames it sends go
 * through worker 0's from_ctrl ring (workers own the TX queues). */
#ifndef AFTR_SLOWPATH_H
#define AFTR_SLOWPATH_H

#include <rte_mbuf.h>

#include "dp.h"

/* Counters of the main lcore, for the same lists as the workers'. */
extern struct dp_counters *ctrl_ctr;

int ctrl_init(void);
/* One round: drain the ring from the workers, run timers; returns the
 * number of packets handled. */
unsigned int ctrl_poll(void);

/* Sends a finished frame on a port (through worker 0). */
void ctrl_send(struct rte_mbuf *m, int port);
/* A new frame with room for the headers the caller appends. */
struct rte_mbuf *ctrl_alloc(void);

/* ctrl_arp.c */
void ctrl_arp_rx(struct rte_mbuf *m);
void ctrl_arp_request(uint32_t target_host);
void ctrl_ip4_rx(struct rte_mbuf *m);
/* ctrl_nd.c */
void ctrl_icmp6_rx(struct rte_mbuf *m);
void ctrl_nd_solicit(const struct addr6 *target);

/* Whether a neighbour heard from should be learned (ctrl.c). */
bool ctrl_wants(const struct addr6 *a);
/* A neighbour answered: send what waited for it (ctrl.c). */
void ctrl_resolved(const struct addr6 *nh);

#endif
