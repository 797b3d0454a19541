/* Softwires changed in place; see tables_edit.h. */
#include "tables_edit.h"

#include <errno.h>
#include <string.h>

#include "tables_edit_int.h"

#define publish_u32 tables_publish_u32

void tables_span_widen(uint32_t *lo, uint32_t *hi, uint32_t first, uint32_t last)
{
	bool empty = *lo > *hi;

	if (empty || first < *lo)
		__atomic_store_n(lo, first, __ATOMIC_RELEASE);
	if (empty || last > *hi)
		__atomic_store_n(hi, last, __ATOMIC_RELEASE);
}

int64_t tables_b4_record(struct tables *t, const struct addr6 *b4)
{
	uint32_t bind = lhash_get(&t->by_b4, b4->b), r;
	int rc;

	if (bind != LHASH_NONE && !(bind & (TABLES_B4_SOFTWIRE | TABLES_B4_TUNNEL)))
		return bind;
	if (t->b4s_n >= t->b4s_cap)
		return -ENOSPC;
	r = t->b4s_n++;
	t->b4s[r] = (struct tables_b4){LHASH_NONE, LHASH_NONE, 0, LHASH_NONE, *b4};
	if (bind != LHASH_NONE && bind & TABLES_B4_SOFTWIRE)
		t->b4s[r].softwire = bind & TABLES_B4_INDEX;
	else if (bind != LHASH_NONE)
		t->b4s[r].tunnel = bind & TABLES_B4_INDEX;
	/* Written before by_b4 names it (a release store). */
	rc = bind == LHASH_NONE ? lhash_put(&t->by_b4, b4->b, r) : lhash_set(&t->by_b4, b4->b, r);
	return rc < 0 ? (int64_t)rc : (int64_t)r;
}

void tables_b4_tidy(struct tables *t, const struct addr6 *b4)
{
	uint32_t bind = lhash_get(&t->by_b4, b4->b);
	const struct tables_b4 *r;

	if (bind == LHASH_NONE || bind & (TABLES_B4_SOFTWIRE | TABLES_B4_TUNNEL))
		return;
	r = &t->b4s[bind];
	if (r->softwire == LHASH_NONE && r->nonat == LHASH_NONE && r->has_prr == 0 &&
	    r->tunnel == LHASH_NONE)
		lhash_del(&t->by_b4, b4->b);
}

static uint64_t sw_key(const struct cfg_softwire *s)
{
	return tables_sw_key(s->ipv4, s->psid.offset, s->psid.psid_len, s->psid.psid);
}

/* Why s cannot be added in place, or 0. */
static int refusal(const struct tables *t, const struct cfg_softwire *s, size_t n)
{
	if (!t->one_shape || s->psid.offset != t->shapes[0].offset ||
	    s->psid.psid_len != t->shapes[0].psid_len)
		return -EINVAL;
	if (t->sw_n + n > t->sw_cap || !tables_b4_room(t, n) || lhash_room(&t->sw_port) < n ||
	    lhash_room(&t->sw_addr) < n)
		return -ENOSPC;
	return 0;
}

bool tables_sw_fits(const struct tables *t, const struct cfg_softwire *s, size_t n)
{
	return refusal(t, s, n) == 0;
}

/* Slot i written as s, ready for an index to name it. */
static uint32_t new_slot(struct tables *t, const struct cfg_softwire *s)
{
	uint32_t i = t->sw_n++;
	int ep = cfg_endpoint_index(&t->cfg, cfg_softwire_endpoint(&t->cfg, s));

	t->sw[i] = *s;
	t->sw[i].ep = (uint8_t)(ep < 0 ? 0 : ep);
	t->sw[i].test = psid_test_of(&s->psid);
	t->sw_next[i] = LHASH_NONE;
	return i;
}

/* Whether by_b4's value bind names softwire i inline. */
static bool inline_head(uint32_t bind, uint32_t i)
{
	return bind != LHASH_NONE && bind & TABLES_B4_SOFTWIRE && (bind & TABLES_B4_INDEX) == i;
}

/* The link that names softwire i in its B4's chain (a record's first,
 * or the one before it), or NULL; *bind: the B4's value in by_b4. */
static uint32_t *link_of(struct tables *t, const struct addr6 *b4, uint32_t i, uint32_t *bind)
{
	uint32_t *at;

	*bind = lhash_get(&t->by_b4, b4->b);
	if (*bind == LHASH_NONE || *bind & TABLES_B4_TUNNEL)
		return NULL;
	if (*bind & TABLES_B4_SOFTWIRE) {
		if (inline_head(*bind, i))
			return NULL; /* named inline by by_b4 */
		at = &t->sw_next[*bind & TABLES_B4_INDEX];
	} else {
		at = &t->b4s[*bind].softwire;
	}
	while (*at != LHASH_NONE && *at != i)
		at = &t->sw_next[*at];
	return *at == i ? at : NULL;
}

/* Softwire i (written) made its B4's: by_b4 and its chain. */
static int link_b4(struct tables *t, uint32_t i)
{
	const struct addr6 *b4 = &t->sw[i].b4;
	uint32_t bind = lhash_get(&t->by_b4, b4->b), *at;

	if (bind == LHASH_NONE)
		return lhash_put(&t->by_b4, b4->b, TABLES_B4_SOFTWIRE | i);
	if (bind & TABLES_B4_TUNNEL) {
		/* A tunnel's B4 gets a record naming both. */
		int64_t r = tables_b4_record(t, b4);

		if (r < 0)
			return (int)r;
		publish_u32(&t->b4s[r].softwire, i);
		return 0;
	}
	at = bind & TABLES_B4_SOFTWIRE ? &t->sw_next[bind & TABLES_B4_INDEX]
	                               : &t->b4s[bind].softwire;
	while (*at != LHASH_NONE)
		at = &t->sw_next[*at];
	publish_u32(at, i);
	return 0;
}

int tables_sw_add(struct tables *t, const struct cfg_softwire *s)
{
	uint64_t k = sw_key(s);
	uint32_t i;
	int rc;

	if ((rc = refusal(t, s, 1)) < 0)
		return rc;
	if (lhash_get(&t->sw_port, &k) != LHASH_NONE)
		return -EEXIST;
	i = new_slot(t, s);
	tables_span_widen(&t->sw_lo, &t->sw_hi, s->ipv4, s->ipv4);
	tables_span_widen(&t->sl_lo, &t->sl_hi, s->ipv4, s->ipv4);
	if ((rc = link_b4(t, i)) < 0)
		return rc;
	/* Found by its port set last: by then its B4 knows it. */
	if ((rc = lhash_put(&t->sw_port, &k, i)) < 0)
		return rc;
	if (lhash_get(&t->sw_addr, &s->ipv4) == LHASH_NONE)
		rc = lhash_put(&t->sw_addr, &s->ipv4,
		               TABLES_SHAPE_INLINE | (uint32_t)s->psid.offset << 8 |
		                       s->psid.psid_len);
	return rc;
}

/* Whether some softwire has a port set on addr (the set's one shape). */
static bool addr_used(const struct tables *t, uint32_t addr)
{
	const struct tables_shape *sh = &t->shapes[0];

	for (uint32_t psid = 0; psid < 1u << sh->psid_len; psid++) {
		uint64_t k = tables_sw_key(addr, sh->offset, sh->psid_len, (uint16_t)psid);

		if (lhash_get(&t->sw_port, &k) != LHASH_NONE)
			return true;
	}
	return false;
}

int tables_sw_del(struct tables *t, const struct cfg_softwire *s)
{
	uint64_t k = sw_key(s);
	uint32_t i = lhash_get(&t->sw_port, &k), bind, *at;

	if (i == LHASH_NONE)
		return -ENOENT;
	/* Out of its B4's chain first: the chain skips it, it still leads on. */
	at = link_of(t, &t->sw[i].b4, i, &bind);
	if (at) {
		publish_u32(at, t->sw_next[i]);
		tables_b4_tidy(t, &t->sw[i].b4);
	} else if (inline_head(bind, i) && t->sw_next[i] == LHASH_NONE)
		lhash_del(&t->by_b4, t->sw[i].b4.b);
	else if (inline_head(bind, i))
		lhash_set(&t->by_b4, t->sw[i].b4.b, TABLES_B4_SOFTWIRE | t->sw_next[i]);
	lhash_del(&t->sw_port, &k);
	if (!addr_used(t, s->ipv4))
		lhash_del(&t->sw_addr, &s->ipv4);
	return 0;
}

int tables_sw_replace(struct tables *t, const struct cfg_softwire *old,
                      const struct cfg_softwire *s)
{
	uint64_t k = sw_key(s);
	uint32_t i = lhash_get(&t->sw_port, &k), j, bind, *at;

	if (i == LHASH_NONE || sw_key(old) != k)
		return -ENOENT;
	if (!addr6_equal(&t->sw[i].b4, &s->b4))
		return -EINVAL;
	if (t->sw_n >= t->sw_cap)
		return -ENOSPC;
	/* The new one leads where the old one did, then takes its place in
	 * the chain and the port-set index: each one store. */
	j = new_slot(t, s);
	t->sw_next[j] = t->sw_next[i];
	at = link_of(t, &s->b4, i, &bind);
	if (at)
		publish_u32(at, j);
	else if (inline_head(bind, i))
		lhash_set(&t->by_b4, s->b4.b, TABLES_B4_SOFTWIRE | j);
	return lhash_set(&t->sw_port, &k, j);
}
