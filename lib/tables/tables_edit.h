/* Entries changed in a published set of live tables (tables.h), while
 * the workers read it: one change of a million-entry set costs a few
 * index writes instead of a new set (a second of building). Main lcore
 * only, one change at a time; the workers take no lock.
 *
 * Each step is a store a reader sees whole, ordered so that whatever a
 * reader sees is a set the control process had at some moment, or on the
 * way from one to the next: a new entry is written in a free slot (of
 * sw, tun, nat, prrs or nonats) before an index names it; a deleted one
 * leaves its indexes (tombstones, lhash.h) but keeps its slot, never
 * used again in this set, so a reader that found it a moment before
 * reads what it was. A replacement goes in a new slot, and one store of
 * an index entry switches to it: no moment without it. Spans that
 * readers test first only widen (tables_edit_int.h).
 *
 * What cannot be done in place is refused (-ENOSPC: the set's room is
 * used up; -EINVAL: a softwire of a port-set shape other than the set's
 * one shape, or moved to another B4; a nonat prefix of a fifth length or
 * in a set searched by address; acl6 and private prefixes, which are
 * compiled whole; -EEXIST, -ENOENT: the set is not what the change
 * expects) and done by a new set instead (dataplane/mainlcore/gen.c). */
#ifndef AFTR_TABLES_EDIT_H
#define AFTR_TABLES_EDIT_H

#include "cfg_kinds.h"
#include "config.h"
#include "tables.h"

/* Whether entries of kind k change in place (all but acl6 and private
 * prefixes, which are compiled whole). */
bool tables_edit_kind(enum cfg_kind k);
/* Whether n more entries like e (of kind k) fit in place. */
bool tables_edit_fits(const struct tables *t, enum cfg_kind k, const void *e, size_t n);
/* Adds e: 0 or a refusal (above). */
int tables_edit_add(struct tables *t, enum cfg_kind k, const void *e);
/* Removes old (the entry as the set has it): 0 or a refusal. */
int tables_edit_del(struct tables *t, enum cfg_kind k, const void *old);
/* Replaces old by e, of the same identity (cfg_kinds.h): 0 or a refusal. */
int tables_edit_replace(struct tables *t, enum cfg_kind k, const void *old, const void *e);

/* Whether n more softwires of s's shape fit in place (s: one of them). */
bool tables_sw_fits(const struct tables *t, const struct cfg_softwire *s, size_t n);
/* Adds a softwire: 0, -EEXIST (its port set is taken), -ENOSPC, -EINVAL. */
int tables_sw_add(struct tables *t, const struct cfg_softwire *s);
/* Removes the softwire with s's address, shape and PSID: 0 or -ENOENT. */
int tables_sw_del(struct tables *t, const struct cfg_softwire *s);
/* Replaces the softwire with s's address, shape and PSID by s, whose B4
 * is old's: 0, -ENOENT, -ENOSPC, -EINVAL. */
int tables_sw_replace(struct tables *t, const struct cfg_softwire *old,
                      const struct cfg_softwire *s);

#endif
