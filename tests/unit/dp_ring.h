/* The real dataplane in this process, for tests that drive its packet
 * path (tests/fuzz/fuzz_packet.c, tests/unit/test_pool.c): the app's own
 * start (dataplane/app: tables, buffers, one worker, the main lcore's
 * rings) on two in-memory ports (net_ring), the transport first, polled
 * by the caller instead of by lcores. The caller starts DPDK's EAL. */
#ifndef AFTR_DP_RING_H
#define AFTR_DP_RING_H

#include <rte_mbuf.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* Starts the dataplane with the configuration yaml, a format whose two
 * %s are the ports' device names (transport, WAN): 0, or -1 said on
 * stderr. shm names the shared-memory region. */
int dp_ring_start(const char *yaml, const char *shm);
void dp_ring_stop(void);

/* A frame of len bytes onto port's receive ring: its buffer, still
 * writable until the next dp_ring_settle, or NULL (no buffer, ring full). */
struct rte_mbuf *dp_ring_feed(int port, const void *frame, uint32_t len);

/* Runs the worker and the main lcore until nothing moves (hand-offs,
 * emitted packets, the slow path), giving each frame sent to out (port,
 * frame; out frees it, or it is freed if out is NULL). True once quiet. */
bool dp_ring_settle(void (*out)(int port, struct rte_mbuf *m));

/* Every packet accounted for (lib/shm/counters.h): received and made =
 * sent, dropped, consumed and held, over the worker's and the main
 * lcore's counters. If not, what moved since the last time it held goes
 * to stderr. */
bool dp_ring_conserved(void);

/* A counter or a drop (by name, as in the stats file: "tx_wan",
 * "drop_no_mbuf"), summed over the worker and the main lcore. */
uint64_t dp_ring_counter(const char *name);

#endif
