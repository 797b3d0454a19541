/* Worker lcores: set-up and the polling loop (worker.c). */
#ifndef AFTR_WORKER_H
#define AFTR_WORKER_H

#include "dp.h"

/* w->ctr must point at the worker's counter block already. */
int worker_init(struct dp_worker *w);
/* rte_eal_remote_launch entry point; arg is the struct dp_worker. */
int worker_main(void *arg);

#endif
