/* What the in-place changes of each kind share (tables_edit.c,
 * tables_edit_kinds.c): stores the workers see whole, the spans they
 * test first, and the B4 records. Main lcore only. */
#ifndef AFTR_TABLES_EDIT_INT_H
#define AFTR_TABLES_EDIT_INT_H

#include "tables.h"

/* A 32-bit field the workers read, written whole and after what it
 * names (tables_edit.h). */
static inline void tables_publish_u32(uint32_t *at, uint32_t v)
{
	__atomic_store_n(at, v, __ATOMIC_RELEASE);
}

/* Widens the span [*lo, *hi] (lo > hi: empty) to hold [first, last], a
 * word at a time. A reader may see one word new and the other old: each
 * word only moves outwards, so whatever it sees holds the old span, and
 * what it holds besides only sends it on to an exact lookup, which finds
 * nothing until the new entry is indexed (after this). */
void tables_span_widen(uint32_t *lo, uint32_t *hi, uint32_t first, uint32_t last);

/* The index of b4's record in b4s, made if it has none (from its inline
 * value in by_b4, or empty): >= 0, or -ENOSPC, -ENOMEM. */
int64_t tables_b4_record(struct tables *t, const struct addr6 *b4);

/* b4 out of by_b4 when its record names nothing any more: unknown again,
 * as in a set built without it. */
void tables_b4_tidy(struct tables *t, const struct addr6 *b4);

/* Whether n more B4 records fit. */
static inline bool tables_b4_room(const struct tables *t, size_t n)
{
	return t->b4s_n + n <= t->b4s_cap && lhash_room(&t->by_b4) >= n;
}

#endif
