/* A worker's learned softwire MTUs (pmtu.c; what they are: pmtu.h).
 * Embedded in the worker (dp_worker.pmtu), written and read by that worker
 * only: learned from the ICMPv6 errors it takes and from the HANDOFF_PMTU
 * messages other workers send it, read when it encapsulates (toobig.c),
 * thinned once a second (pmtu_tick). */
#ifndef AFTR_PMTU_STATE_H
#define AFTR_PMTU_STATE_H

#include <stdint.h>

struct dp_pmtu;

struct pmtu_state {
	struct dp_pmtu *slots; /* PMTU_SLOTS entries, fixed at start */
	uint32_t n;            /* entries in use: 0 costs the packet path nothing */
	uint32_t cursor;       /* the next slot pmtu_tick looks at */
};

#endif
