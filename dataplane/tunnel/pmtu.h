/* Tunnel MTUs learned from ICMPv6 packet too big (RFC 2473 section 8.2,
 * RFC 8201): a router between the AFTR and a B4 said a softwire packet was
 * too big for its link, so packets into that B4's softwire are fragmented
 * to the MTU it gave (toobig_mtu) for PMTU_LIFETIME seconds. One table per
 * worker, written by that worker only: the worker that takes the error
 * tells the others (HANDOFF_PMTU), since packets to stateless addresses are
 * encapsulated by whichever worker receives them. Memory is fixed at start;
 * when the table is full, the entry nearest its end makes room. The
 * table is the worker's struct pmtu_state (pmtu_state.h). */
#ifndef AFTR_PMTU_H
#define AFTR_PMTU_H

#include <rte_mbuf.h>

#include "dp.h"

/* RFC 8201 section 4: an estimate may be raised again after at least 5
 * minutes, 10 recommended. */
#define PMTU_LIFETIME 600
#define PMTU_SLOTS    4096 /* per worker */
#define PMTU_PROBE    8    /* slots looked at per key */

/* The worker's table (pmtu_state.h), empty: 0 or -ENOMEM. */
int pmtu_init(struct pmtu_state *p);
void pmtu_fini(struct pmtu_state *p);

/* The learned MTU towards b4, or 0. */
uint16_t pmtu_get(struct dp_worker *w, const struct addr6 *b4);

/* Learns (lowers, or sets) the MTU towards b4 in this worker's table. */
void pmtu_learn(struct dp_worker *w, const struct addr6 *b4, uint16_t mtu);

/* Learns it and tells every other worker. */
void pmtu_learn_all(struct dp_worker *w, const struct addr6 *b4, uint16_t mtu);

/* A HANDOFF_PMTU message from another worker: learned here, m freed. */
void pmtu_handoff_rx(struct dp_worker *w, struct rte_mbuf *m);

/* Once a second: forgets a slice of the entries past their lifetime, so
 * that an empty table costs the packet path nothing again. */
void pmtu_tick(struct dp_worker *w);

#endif
