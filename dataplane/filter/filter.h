/* Per-interface filters (filters.IFACE.in|out): an operator's own rules
 * on the AFTR itself - BCP 38 anti-spoofing, management ports blocked,
 * a B4 prefix shut out - checked by the node where a packet enters or
 * leaves an interface: inner (a B4's packet, decapsulated and whole),
 * wan_fwd (an Internet packet, reassembled), encap (into a softwire) and
 * ip4_out (out of the WAN). The first matching rule decides and counts the
 * match in its own counter (filter_IFACE_DIR_N); a packet no rule matches
 * passes. Compiled at start from the configuration (it needs a restart to
 * change), read-only after. */
#ifndef AFTR_FILTER_H
#define AFTR_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dp.h"

/* Compiles cfg's rules into dp.conf.filters and names their counters;
 * 0 or -ENOMEM. At start, before the counters' region is made. */
int filter_init(const struct cfg_fixed *cfg);
/* The names of the rules' counters (filter_IFACE_DIR_N), in order: how
 * many, at most FILTER_COUNTERS_MAX. */
#define FILTER_COUNTERS_MAX (CFG_NSIDES * CFG_NDIRS * CFG_FILTER_RULES_MAX)
unsigned int filter_counter_names(const char **names);
void filter_fini(void);

/* The slow part of filter_pass: the rules, in order. Cold: an AFTR
 * without rules must not pay for the call in the dispatcher's code. */
bool filter_run(struct dp_worker *w, const struct dp_filter *f, const struct rte_mbuf *m)
        __attribute__((cold, noinline));

/* Whether packet m (ctx: its IPv4 header, L4, B4) may go on through
 * interface side in direction dir. A list with no rules costs one test. */
static inline __attribute__((always_inline)) bool
filter_pass(struct dp_worker *w, unsigned int side, unsigned int dir, const struct rte_mbuf *m)
{
	const struct dp_filter *f = &dp.conf.filters[side][dir];

	return likely(f->n == 0) || filter_run(w, f, m);
}

#endif
