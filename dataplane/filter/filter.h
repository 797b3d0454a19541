/* Per-interface filters (filters.IFACE.in|out): an operator's own rules
 * on the AFTR itself - BCP 38 anti-spoofing, management ports blocked,
 * a B4 prefix shut out - checked by the node where a packet enters or
 * leaves an interface: inner (a B4's packet, decapsulated and whole),
 * wan_fwd (an Internet packet, reassembled), encap (into a softwire) and
 * ip4_out (out of the WAN). The first matching rule decides and counts the
 * match in its own counter (filter_IFACE_DIR_N); a packet no rule matches
 * passes. The rules are in the live tables (compiled by lib/tables): a
 * reload changes them without a restart. Their counters are named in the
 * shared region at start, a number per list (filter_init): a set of rules
 * longer than that needs a restart (filter_fits). When the rules change,
 * each worker starts its counters over. */
#ifndef AFTR_FILTER_H
#define AFTR_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dp.h"

/* Counters made per list at start: its rules then, and at least this many
 * (room for rules a reload adds), at most CFG_FILTER_RULES_MAX. */
#define FILTER_SLOTS_MIN    8
#define FILTER_COUNTERS_MAX (CFG_NSIDES * CFG_NDIRS * CFG_FILTER_RULES_MAX)

/* Lays out the rules' counters for the lists of cfg (dp.conf.filter_*) and
 * names them. At start, before the counters' region is made. */
void filter_init(const struct aftr_config *cfg);
/* The names of the rules' counters (filter_IFACE_DIR_N), in order: how
 * many, at most FILTER_COUNTERS_MAX. */
unsigned int filter_counter_names(const char **names);
/* Whether the filters of t fit the counters made at start; else false,
 * with the reason in err. */
bool filter_fits(const struct tables *t, char *err, size_t errlen);

/* The slow part of filter_pass: the rules, in order. Cold: an AFTR
 * without rules must not pay for the call in the dispatcher's code. */
bool filter_run(struct dp_worker *w, unsigned int side, unsigned int dir, const struct rte_mbuf *m)
        __attribute__((cold, noinline));
/* A worker's counters started over for new rules (filter_loop). */
void filter_restart(struct dp_worker *w) __attribute__((cold, noinline));

/* Whether packet m (ctx: its IPv4 header, L4, B4) may go on through
 * interface side in direction dir. A list with no rules costs one test. */
static inline __attribute__((always_inline)) bool
filter_pass(struct dp_worker *w, unsigned int side, unsigned int dir, const struct rte_mbuf *m)
{
	return likely(w->tab->filters[side][dir].n == 0) || filter_run(w, side, dir, m);
}

/* A worker, once a loop, with the loop's tables: new rules, new counts. */
static inline void filter_loop(struct dp_worker *w)
{
	if (unlikely(w->tab->filters_serial != w->filters_serial))
		filter_restart(w);
}

#endif
