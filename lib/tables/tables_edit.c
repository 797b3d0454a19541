/* Softwires changed in place; see tables_edit.h. */
#include "tables_edit.h"

#include <errno.h>
#include <string.h>

/* A 32-bit field the workers read, written whole and after what it
 * names (tables_edit.h). */
static void publish_u32(uint32_t *at, uint32_t v)
{
	__atomic_store_n(at, v, __ATOMIC_RELEASE);
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
	/* Inside the span the readers test: two words that cannot change
	 * together, so never widened in place. */
	if (s->ipv4 < t->sw_lo || s->ipv4 > t->sw_hi)
		return -ERANGE;
	if (t->sw_n + n > t->sw_cap || t->b4s_n + n > t->b4s_cap || lhash_room(&t->sw_port) < n ||
	    lhash_room(&t->sw_addr) < n || lhash_room(&t->by_b4) < n)
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
	uint32_t bind = lhash_get(&t->by_b4, b4->b), *at, r;

	if (bind == LHASH_NONE)
		return lhash_put(&t->by_b4, b4->b, TABLES_B4_SOFTWIRE | i);
	if (bind & TABLES_B4_TUNNEL) {
		/* A tunnel's B4 gets a record naming both. */
		r = t->b4s_n++;
		t->b4s[r] = (struct tables_b4){i, LHASH_NONE, 0, bind & TABLES_B4_INDEX, *b4};
		return lhash_set(&t->by_b4, b4->b, r);
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
	if (at)
		publish_u32(at, t->sw_next[i]);
	else if (inline_head(bind, i) && t->sw_next[i] == LHASH_NONE)
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
