/* Softwires changed in a published set of live tables (tables.h), while
 * the workers read it: one change of a million-entry set costs a few
 * index writes instead of a new set (a second of building). Main lcore
 * only, one change at a time; the workers take no lock.
 *
 * Each step is a store a reader sees whole, ordered so that whatever a
 * reader sees is a set the control process had at some moment: a new
 * softwire is written in a free slot of sw before an index names it; a
 * deleted one leaves its indexes (tombstones, lhash.h) but keeps its
 * slot, never used again in this set, so a reader that found it a
 * moment before reads what it was. A replacement goes in a new slot, and
 * one store of its index entry switches to it: no moment without it.
 *
 * What cannot be done in place is refused (-ENOSPC: the set's room is
 * used up; -EINVAL: a port-set shape other than the set's one shape, or
 * a replacement that moves the softwire to another B4; -ERANGE: an
 * address outside the span of the set's lw4o6 addresses) and done by a
 * new set instead (dataplane/mainlcore/gen.c). */
#ifndef AFTR_TABLES_EDIT_H
#define AFTR_TABLES_EDIT_H

#include "config.h"
#include "tables.h"

/* Whether n more softwires of s's shape fit in place (s: one of them). */
bool tables_sw_fits(const struct tables *t, const struct cfg_softwire *s, size_t n);
/* Adds a softwire: 0, -EEXIST (its port set is taken), -ENOSPC, -EINVAL,
 * -ERANGE. */
int tables_sw_add(struct tables *t, const struct cfg_softwire *s);
/* Removes the softwire with s's address, shape and PSID: 0 or -ENOENT. */
int tables_sw_del(struct tables *t, const struct cfg_softwire *s);
/* Replaces the softwire with s's address, shape and PSID by s, whose B4
 * is old's: 0, -ENOENT, -ENOSPC, -EINVAL. */
int tables_sw_replace(struct tables *t, const struct cfg_softwire *old,
                      const struct cfg_softwire *s);

#endif
