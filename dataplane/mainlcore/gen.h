/* Generations of the live tables (lib/tables/tables.h): the main lcore builds a
 * new set and publishes it with one pointer store; workers load the
 * pointer once per loop and report a quiescent state at the end of each
 * loop (DPDK's QSBR RCU), so the old set is freed only when no worker can
 * still hold it. No packet is dropped or delayed by a change. */
#ifndef AFTR_GEN_H
#define AFTR_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "dp.h"

/* The first generation (0), from a copy of the startup configuration's
 * lists. Main lcore, before the workers start; 0 or -ENOMEM. */
int gen_init(const struct aftr_config *cfg);
void gen_fini(void);

/* Replaces the live tables with those of the configuration in a tables
 * file the control process wrote (lib/shm/ctl_msg.h), expected to carry
 * generation gen. Main lcore. 0 with the origin the file names and how
 * long it took in note, or -errno with a message in err: the running
 * tables are then unchanged. */
int gen_apply_file(const char *path, uint64_t gen, uint64_t *origin, char *err, size_t errlen,
                   char *note, size_t notelen);

/* Publishes the tables of cfg (taken: moved in, or freed) as generation
 * gen, the old set freed once no worker holds it. 0 or -errno with err. */
int gen_publish(struct aftr_config *cfg, uint64_t gen, char *err, size_t errlen);

/* Main lcore: returns once every worker has passed a quiescent state
 * (the end of a loop) since the call: what it unpublished before is no
 * longer held. */
void gen_synchronize(void);

/* Workers: join the readers (at start) and leave them (at exit). */
void gen_reader_start(struct dp_worker *w);
void gen_reader_stop(struct dp_worker *w);
/* Workers: the tables for this loop, and the end of the loop. */
static inline void gen_loop_begin(struct dp_worker *w)
{
	w->tab = atomic_load_explicit(&dp.tab, memory_order_acquire);
}
void gen_loop_end(struct dp_worker *w);

#endif
