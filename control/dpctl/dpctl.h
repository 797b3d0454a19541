/* The control process's end of the rings to the dataplane workers
 * (lib/shm/ctl_msg.h, in the region of lib/shm/stats_shm.h): a thread that follows
 * the dataplane (re-attaching when a new one starts), turns its events into
 * log lines, and matches acknowledgements to commands. */
#ifndef AFTR_DPCTL_H
#define AFTR_DPCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

struct dpctl;

/* Starts following the dataplane whose region is /dev/shm/<shm>-stats;
 * its event records go to events (export.h; NULL: nowhere). NULL on
 * failure. */
struct events;
struct dpctl *dpctl_start(const char *shm, const struct aftr_config *cfg, struct events *events);
void dpctl_stop(struct dpctl *c);

/* ISC "noop" to every worker (at most max): for each, rc 0 and the round
 * trip in microseconds when it answered within timeout_ms, else -ETIMEDOUT
 * (or -ENOBUFS: its ring was full). Returns the number of workers (0: no
 * dataplane). */
unsigned int dpctl_ping_all(struct dpctl *c, unsigned int timeout_ms, int *rc, uint64_t *rtt_us,
                            unsigned int max);

/* The rates of the followed dataplane's counters (rates.h), or NULL
 * before a first second of them. */
json_t *dpctl_rates(struct dpctl *c);

/* Workers of the dataplane followed now (0: none). */
unsigned int dpctl_workers(struct dpctl *c);

/* The generation of the dataplane followed now (0: none); a new value
 * means a new dataplane, to program from the full state. */
uint64_t dpctl_generation(struct dpctl *c);
/* The generation of the dataplane followed (as above) and the generation
 * and origin of the tables it runs (0 and 0: its configuration file's, or
 * none: stats_shm_tables). */
uint64_t dpctl_tables(struct dpctl *c, uint64_t *gen, uint64_t *origin);

/* Sends the live tables (a tables file's len bytes: ctl_msg.h,
 * state_tables) as generation gen to the dataplane's main lcore and
 * waits for its answer: 0, or -errno with the reason in err (-ENOENT: no
 * dataplane). */
int dpctl_push_tables(struct dpctl *c, const char *file, size_t len, uint64_t gen, char *err,
                      size_t errlen);
/* Sends the change records (state_delta_text) that take the dataplane
 * from generation base to gen, the same way: 0, or -errno (-ESTALE: it
 * does not run base; the whole tables must go). */
int dpctl_push_delta(struct dpctl *c, const char *records, uint64_t base, uint64_t gen, char *err,
                     size_t errlen);

/* Lists up to max sessions (filter->type CTL_CMD_SESSIONS), subscribers
 * with their port blocks (CTL_CMD_SUBSCRIBERS) or its share of each pool
 * address and protocol (CTL_CMD_POOLS) of one worker from its cursor on,
 * those matching filter's u.dump fields (proto, b4, ext, eport), appending
 * JSON objects to out; *next is where to go on (CTL_DUMP_END when done).
 * 0, or -ENOENT / -ENOBUFS / -ETIMEDOUT. */
struct ctl_msg;
int dpctl_dump(struct dpctl *c, unsigned int worker, const struct ctl_msg *filter, uint32_t cursor,
               uint16_t max, json_t *out, uint32_t *next);
/* All of a worker's listing, max entries a command, from the start: a command that lists
 * nothing (its event ring full) is sent again a little later, 50 times at most (then
 * -EBUSY). 0, or dpctl_dump's error. */
int dpctl_dump_all(struct dpctl *c, unsigned int worker, const struct ctl_msg *filter, uint16_t max,
                   json_t *out);
/* dpctl_dump_all of every worker, in one list: 0, -ENOENT without a dataplane (c may be
 * NULL), or the first error. */
int dpctl_dump_workers(struct dpctl *c, const struct ctl_msg *filter, uint16_t max, json_t *out);

/* A PCP mapping command (ctl_msg.h u.pcp) to a worker, its CTL_EVT_PCP in
 * reply: 0, -EXDEV (the worker does not own the B4), or another -errno. */
int dpctl_pcp(struct dpctl *c, unsigned int worker, struct ctl_msg *cmd, struct ctl_msg *reply);
/* The dataplane's packets for the control process (ctl_pkt.h), up to max;
 * *generation: of the dataplane they came from (0: none). Returns how many. */
struct ctl_pkt;
int dpctl_pkt_recv(struct dpctl *c, struct ctl_pkt *out, unsigned int max, uint64_t *generation);
/* A packet for the dataplane to send: 0, -ENOENT (none), -ENOBUFS (full). */
int dpctl_pkt_send(struct dpctl *c, const struct ctl_pkt *p);
/* fn(arg, m) hears, on dpctl's thread, each CTL_EVT_PCP of a mapping the
 * dataplane ended itself (its lifetime, a cleared session); NULL stops it
 * (no call runs once this returns). */
void dpctl_set_pcp_hook(struct dpctl *c, void (*fn)(void *arg, const struct ctl_msg *m), void *arg);
/* When the dataplane followed started (seconds since 1970; 0: none). */
int64_t dpctl_start_time(struct dpctl *c);

#endif
