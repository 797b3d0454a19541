/* Drops per B4 ("why is this customer dropping?"), kept without a counter
 * per B4 on the packet path: each worker keeps the drops of the B4s that
 * drop most in a fixed heavy-hitter table, B4D_SETS sets of B4D_WAYS B4s
 * picked by the B4's hash. A drop of a B4 the table holds adds to its
 * counts; one it does not takes an empty way of its set, or, at one in
 * B4D_ADMIT of such drops (the worker's, not the B4's), the place of the
 * B4 of its set with the fewest drops (their counts start again; "since"
 * says when). A B4 that keeps dropping gets in within a few drops and
 * stays; one that dropped once is soon replaced; a flood from many
 * addresses (spoofed sources) replaces an entry at one drop in B4D_ADMIT,
 * not at each. Only dropped packets pay (a hash and a set's two cache
 * lines; the reasons' row when counted): forwarded ones never touch it.
 * The cost per drop is measured by bench/b4drops.sh.
 *
 * Counted: every drop of a packet from or to a B4 (its context's b4 set:
 * a 4in6 packet, or an Internet packet once NAT or a binding found its
 * B4) at the dispatcher's drop sink; not the drops for want of resources
 * counted outside the graph (full rings, no mbuf), which no B4 causes.
 * Each worker counts the packets it drops: the control process sums a
 * B4's entries over the workers (CTL_CMD_B4DROPS). */
#ifndef AFTR_B4DROPS_H
#define AFTR_B4DROPS_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "counters.h"
#include "b4drops_state.h"

#define B4D_WAYS  4
#define B4D_SETS  256 /* 1,024 B4s a worker */
#define B4D_SLOTS (B4D_SETS * B4D_WAYS)
#define B4D_ADMIT 8 /* one newcomer to a full set in this many */

struct b4d_set {
	struct addr6 b4[B4D_WAYS];
	uint64_t total[B4D_WAYS]; /* 0: the way is empty */
	uint32_t since[B4D_WAYS]; /* the worker's now when the B4 took the way */
	uint32_t last[B4D_WAYS];  /* and at its last drop */
} __attribute__((aligned(64)));

struct b4d_reasons {
	uint64_t n[DROP_COUNT];
};

/* The worker's table, empty: 0 or -ENOMEM. */
int b4drops_init(struct b4drops_state *d);
void b4drops_fini(struct b4drops_state *d);

/* Counts a drop of reason of b4 at second now. */
void b4drops_count(struct b4drops_state *d, const struct addr6 *b4, unsigned int reason,
                   uint64_t now);

/* Slot i (0 .. B4D_SLOTS - 1) if it holds a B4: true, with its address,
 * total and the seconds since it took its place and since its last drop at
 * now, its counts by reason in *r. */
bool b4drops_slot(const struct b4drops_state *d, uint32_t i, uint64_t now, struct addr6 *b4,
                  uint64_t *total, uint32_t *since_s, uint32_t *last_s,
                  const struct b4d_reasons **r);

#endif
