/* Worker lcores: set-up and the polling loop (worker.c). */
#ifndef AFTR_WORKER_H
#define AFTR_WORKER_H

#include "dp.h"

struct nat_mem;

/* w->ctr must point at the worker's counter block already; mem (may be
 * NULL) gets what the NAT tables took (nat_init). */
int worker_init(struct dp_worker *w, struct nat_mem *mem);
/* rte_eal_remote_launch entry point; arg is the struct dp_worker: from
 * gen_reader_start to gen_reader_stop, worker_poll until dp.stop, backing
 * off between idle rounds as dataplane.idle says (idle.h). */
int worker_main(void *arg);

/* One round of the loop: a burst from each RX queue, the hand-off and
 * control rings, TX flushes, a slice of expiry, commands; returns how many
 * packets it took from the queues and rings (0: an idle round, idle.h).
 * The in-memory benchmark calls it on its own thread (after
 * gen_reader_start). */
unsigned int worker_poll(struct dp_worker *w);

#endif
