/* A worker's drops per B4 (b4drops.c; what they are: b4drops.h).
 * Embedded in the worker (dp_worker.b4drops), written by that worker only:
 * counted where its packets are dropped (graph.c's drop sink), read by the
 * control commands it applies itself between bursts (commands.c). */
#ifndef AFTR_B4DROPS_STATE_H
#define AFTR_B4DROPS_STATE_H

#include <stdint.h>

struct b4d_set;
struct b4d_reasons;

struct b4drops_state {
	struct b4d_set *sets;        /* B4D_SETS sets of B4D_WAYS B4s, fixed at start */
	struct b4d_reasons *reasons; /* a B4's drops by reason: its set * B4D_WAYS + way */
	uint32_t tracked;            /* B4s held now */
	uint64_t replaced;           /* B4s that took another's place */
	uint64_t knocks;             /* drops of B4s a full set did not hold (B4D_ADMIT) */
};

#endif
