/* The main lcore's slow path (slowpath.c dispatches): ARP and pings to
 * our IPv4 addresses (arp.c), Neighbor Discovery and ICMPv6 (nd.c),
 * requests for next hops (solicit.c), resolving next hops for packets the
 * workers could not send yet (resolve.c). Frames it sends go through
 * worker 0's from_ctrl ring (ctrl_io.c; workers own the TX queues). Calls
 * go one way: slowpath -> arp, nd -> resolve -> solicit -> ctrl_io. */
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

/* arp.c */
void ctrl_arp_rx(struct rte_mbuf *m);
void ctrl_ip4_rx(struct rte_mbuf *m);
/* nd.c */
void ctrl_icmp6_rx(struct rte_mbuf *m);
/* solicit.c */
void ctrl_arp_request(uint32_t target_host);
void ctrl_nd_solicit(const struct addr6 *target);

/* pcp_relay.c: a PCP request a worker passed up, to the control process;
 * the control process's answers into their softwires (returns how many). */
void ctrl_pcp_rx(struct rte_mbuf *m);
unsigned int ctrl_pcp_poll(void);
/* resolve.c: a frame whose next hop a worker could not resolve (sent
 * once it is, or dropped); retries and refreshes, each round. */
void ctrl_resolve(struct rte_mbuf *m, int port);
void ctrl_timers(void);
/* Whether a neighbour heard from should be learned. */
bool ctrl_wants(const struct addr6 *a);
/* A neighbour answered: send what waited for it. */
void ctrl_resolved(const struct addr6 *nh);

#endif
