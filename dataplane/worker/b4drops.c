/* Drops per B4; see b4drops.h. */
#include "b4drops.h"

#include <errno.h>
#include <rte_malloc.h>
#include <string.h>

#include "crc.h"

int b4drops_init(struct b4drops_state *d)
{
	d->sets = rte_zmalloc("b4drops", sizeof(*d->sets) * B4D_SETS, RTE_CACHE_LINE_SIZE);
	d->reasons = rte_zmalloc("b4drops_reasons", sizeof(*d->reasons) * B4D_SLOTS,
	                         RTE_CACHE_LINE_SIZE);
	d->tracked = 0;
	d->replaced = 0;
	d->knocks = 0;
	if (d->sets && d->reasons)
		return 0;
	b4drops_fini(d);
	return -ENOMEM;
}

void b4drops_fini(struct b4drops_state *d)
{
	rte_free(d->sets);
	rte_free(d->reasons);
	d->sets = NULL;
	d->reasons = NULL;
}

/* The way of b4 in set s, or the one it takes: an empty way, else the one
 * with the fewest drops (of equals, the one whose last drop is oldest),
 * but only at one in B4D_ADMIT of the drops of B4s the full set does not
 * hold (else B4D_WAYS: not counted). */
static unsigned int way_of(struct b4drops_state *d, struct b4d_set *s, const struct addr6 *b4,
                           uint32_t slot0, uint64_t now)
{
	unsigned int min = 0;

	for (unsigned int i = 0; i < B4D_WAYS; i++) {
		if (s->total[i] && addr6_equal(&s->b4[i], b4))
			return i;
		if (s->total[i] < s->total[min] ||
		    (s->total[i] == s->total[min] && s->last[i] < s->last[min]))
			min = i;
	}
	if (s->total[min] && (++d->knocks % B4D_ADMIT) != 0)
		return B4D_WAYS;
	if (s->total[min])
		d->replaced++;
	else
		d->tracked++;
	s->b4[min] = *b4;
	s->total[min] = 0;
	s->since[min] = (uint32_t)now;
	memset(&d->reasons[slot0 + min], 0, sizeof(d->reasons[0]));
	return min;
}

void b4drops_count(struct b4drops_state *d, const struct addr6 *b4, unsigned int reason,
                   uint64_t now)
{
	uint32_t set = dp_crc(b4->b, 16, 0xb4d) % B4D_SETS;
	struct b4d_set *s = &d->sets[set];
	unsigned int w = way_of(d, s, b4, set * B4D_WAYS, now);

	if (w == B4D_WAYS)
		return;
	s->total[w]++;
	s->last[w] = (uint32_t)now;
	d->reasons[set * B4D_WAYS + w].n[reason < DROP_COUNT ? reason : 0]++;
}

bool b4drops_slot(const struct b4drops_state *d, uint32_t i, uint64_t now, struct addr6 *b4,
                  uint64_t *total, uint32_t *since_s, uint32_t *last_s,
                  const struct b4d_reasons **r)
{
	const struct b4d_set *s;
	unsigned int w = i % B4D_WAYS;

	if (i >= B4D_SLOTS || (s = &d->sets[i / B4D_WAYS])->total[w] == 0)
		return false;
	*b4 = s->b4[w];
	*total = s->total[w];
	*since_s = (uint32_t)now - s->since[w];
	*last_s = (uint32_t)now - s->last[w];
	*r = &d->reasons[i];
	return true;
}
