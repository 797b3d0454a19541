/* Tunnels, static mappings, prr and nonat entries changed in place, and
 * the changes of every kind by kind; see tables_edit.h. */
#include <errno.h>
#include <string.h>

#include "tables_edit.h"
#include "tables_edit_int.h"

/* Tunnels (ISC tunnel): one per B4, found by by_b4 (inline, or in the
 * B4's record). */

/* Whether the B4 of by_b4's value bind has a tunnel. */
static bool has_tunnel(const struct tables *t, uint32_t bind)
{
	if (bind == LHASH_NONE || bind & TABLES_B4_SOFTWIRE)
		return false;
	return bind & TABLES_B4_TUNNEL || t->b4s[bind].tunnel != LHASH_NONE;
}

/* A new slot holding e, ready for an index to name it. */
static uint32_t tun_slot(struct tables *t, const struct cfg_tunnel *e)
{
	uint32_t j = t->tun_n++;

	t->tun[j] = *e;
	if (e->mtu)
		__atomic_store_n(&t->tunnel_mtus, true, __ATOMIC_RELEASE);
	if (e->nat_set)
		__atomic_store_n(&t->tunnel_limits, true, __ATOMIC_RELEASE);
	return j;
}

static int tun_add(struct tables *t, const struct cfg_tunnel *e)
{
	uint32_t bind = lhash_get(&t->by_b4, e->b4.b), j;
	int64_t r;

	if (has_tunnel(t, bind))
		return -EEXIST;
	j = tun_slot(t, e);
	if (bind == LHASH_NONE)
		return lhash_put(&t->by_b4, e->b4.b, TABLES_B4_TUNNEL | j);
	if ((r = tables_b4_record(t, &e->b4)) < 0)
		return (int)r;
	tables_publish_u32(&t->b4s[r].tunnel, j);
	return 0;
}

static int tun_del(struct tables *t, const struct cfg_tunnel *old)
{
	uint32_t bind = lhash_get(&t->by_b4, old->b4.b);

	if (!has_tunnel(t, bind))
		return -ENOENT;
	if (bind & TABLES_B4_TUNNEL)
		return lhash_del(&t->by_b4, old->b4.b);
	tables_publish_u32(&t->b4s[bind].tunnel, LHASH_NONE);
	tables_b4_tidy(t, &old->b4);
	return 0;
}

static int tun_replace(struct tables *t, const struct cfg_tunnel *e)
{
	uint32_t bind = lhash_get(&t->by_b4, e->b4.b), j;

	if (!has_tunnel(t, bind))
		return -ENOENT;
	j = tun_slot(t, e);
	if (bind & TABLES_B4_TUNNEL)
		return lhash_set(&t->by_b4, e->b4.b, TABLES_B4_TUNNEL | j);
	tables_publish_u32(&t->b4s[bind].tunnel, j);
	return 0;
}

/* Static mappings (ISC nat): by inside and by public endpoint. */

static uint64_t nat_ext(const struct cfg_nat *n)
{
	return tables_nat_ext_key(n->ext_addr, n->ext_port, n->proto);
}

static int nat_add(struct tables *t, const struct cfg_nat *e)
{
	struct tables_nat_key k = tables_nat_in_key(e);
	uint64_t x = nat_ext(e);
	uint32_t j;
	int rc;

	if (lhash_get(&t->nat_in, &k) != LHASH_NONE || lhash_get(&t->nat_ext, &x) != LHASH_NONE)
		return -EEXIST;
	j = t->nat_n++;
	t->nat[j] = *e;
	if ((rc = lhash_put(&t->nat_in, &k, j)) < 0)
		return rc;
	return lhash_put(&t->nat_ext, &x, j);
}

static int nat_del(struct tables *t, const struct cfg_nat *old)
{
	uint64_t x = nat_ext(old);
	uint32_t i = lhash_get(&t->nat_ext, &x);
	struct tables_nat_key k;

	if (i == LHASH_NONE)
		return -ENOENT;
	k = tables_nat_in_key(&t->nat[i]);
	/* No new session from the Internet first, then none from inside. */
	lhash_del(&t->nat_ext, &x);
	return lhash_del(&t->nat_in, &k);
}

/* The public endpoint is the identity; the inside one may change. */
static int nat_replace(struct tables *t, const struct cfg_nat *e)
{
	uint64_t x = nat_ext(e);
	uint32_t i = lhash_get(&t->nat_ext, &x), j;
	struct tables_nat_key was, k = tables_nat_in_key(e);
	bool moved;
	int rc;

	if (i == LHASH_NONE)
		return -ENOENT;
	was = tables_nat_in_key(&t->nat[i]);
	moved = memcmp(&was, &k, sizeof(k)) != 0;
	if (moved && lhash_get(&t->nat_in, &k) != LHASH_NONE)
		return -EEXIST;
	j = t->nat_n++;
	t->nat[j] = *e;
	rc = moved ? lhash_put(&t->nat_in, &k, j) : lhash_set(&t->nat_in, &k, j);
	if (rc == 0)
		rc = lhash_set(&t->nat_ext, &x, j);
	if (rc == 0 && moved)
		rc = lhash_del(&t->nat_in, &was);
	return rc;
}

/* prr entries: by (protocol, address, port); each B4's record counts
 * its own. */

static uint64_t prr_key(const struct cfg_prr *p)
{
	return tables_prr_key(p->addr, p->port, (uint8_t)p->proto);
}

/* One more (or one fewer) prr entry for b4's record. */
static int prr_count(struct tables *t, const struct addr6 *b4, int by)
{
	int64_t r = tables_b4_record(t, b4);

	if (r < 0)
		return (int)r;
	tables_publish_u32(&t->b4s[r].has_prr, t->b4s[r].has_prr + (uint32_t)by);
	if (by < 0)
		tables_b4_tidy(t, b4);
	return 0;
}

static int prr_add(struct tables *t, const struct cfg_prr *e)
{
	uint64_t k = prr_key(e);
	uint32_t j;
	int rc;

	if (lhash_get(&t->prr, &k) != LHASH_NONE)
		return -EEXIST;
	if ((rc = prr_count(t, &e->b4, 1)) < 0)
		return rc;
	j = t->prr_n++;
	t->prrs[j] = *e;
	tables_span_widen(&t->prr_lo, &t->prr_hi, e->addr, e->addr);
	return lhash_put(&t->prr, &k, j);
}

static int prr_del(struct tables *t, const struct cfg_prr *old)
{
	uint64_t k = prr_key(old);
	uint32_t i = lhash_get(&t->prr, &k);

	if (i == LHASH_NONE)
		return -ENOENT;
	lhash_del(&t->prr, &k);
	return prr_count(t, &t->prrs[i].b4, -1);
}

/* (protocol, address, port) is the identity; the B4 may change. */
static int prr_replace(struct tables *t, const struct cfg_prr *e)
{
	uint64_t k = prr_key(e);
	uint32_t i = lhash_get(&t->prr, &k), j;
	bool moved;
	int rc;

	if (i == LHASH_NONE)
		return -ENOENT;
	moved = !addr6_equal(&t->prrs[i].b4, &e->b4);
	if (moved && (rc = prr_count(t, &e->b4, 1)) < 0)
		return rc;
	j = t->prr_n++;
	t->prrs[j] = *e;
	if ((rc = lhash_set(&t->prr, &k, j)) < 0)
		return rc;
	return moved ? prr_count(t, &t->prrs[i].b4, -1) : 0;
}

/* nonat prefixes: by (network, length), one hash lookup a length; each
 * B4's record names its one prefix. */

static struct tables_nonat_key nonat_key(const struct cfg_nonat *n)
{
	return (struct tables_nonat_key){n->prefix.addr, n->prefix.len};
}

/* Whether the set finds prefixes of length len by hash (not by a binary
 * search over the built ones), with room for n more lengths. */
static bool nonat_len_fits(const struct tables *t, uint8_t len, uint32_t n)
{
	if (t->n_nonat_lens == 0 && t->n_nonat > 0)
		return false;
	for (uint32_t i = 0; i < t->n_nonat_lens; i++)
		if (t->nonat_lens[i] == len)
			return true;
	return t->n_nonat_lens + n <= TABLES_NONAT_LENS;
}

/* Slot j names b4's prefix instead of slot was (LHASH_NONE: b4 has
 * none yet). */
static int nonat_link(struct tables *t, const struct addr6 *b4, uint32_t j, uint32_t was)
{
	int64_t r = tables_b4_record(t, b4);

	if (r < 0)
		return (int)r;
	if (t->b4s[r].nonat != was)
		return -EEXIST;
	tables_publish_u32(&t->b4s[r].nonat, j);
	return 0;
}

static void nonat_unlink(struct tables *t, const struct addr6 *b4)
{
	int64_t r = tables_b4_record(t, b4);

	if (r >= 0) {
		tables_publish_u32(&t->b4s[r].nonat, LHASH_NONE);
		tables_b4_tidy(t, b4);
	}
}

static int nonat_add(struct tables *t, const struct cfg_nonat *e)
{
	struct tables_nonat_key k = nonat_key(e);
	uint32_t j, last = e->prefix.addr | ~prefix4_mask(e->prefix.len);
	bool known = false;
	int rc;

	if (!nonat_len_fits(t, e->prefix.len, 1))
		return -EINVAL;
	if (lhash_get(&t->nonat_net, &k) != LHASH_NONE)
		return -EEXIST;
	j = t->nonat_n++;
	t->nonats[j] = *e;
	if ((rc = nonat_link(t, &e->b4, j, LHASH_NONE)) < 0)
		return rc;
	for (uint32_t i = 0; i < t->n_nonat_lens; i++)
		known |= t->nonat_lens[i] == e->prefix.len;
	if (!known) {
		/* The length, then the count that lets readers see it. */
		t->nonat_lens[t->n_nonat_lens] = e->prefix.len;
		__atomic_store_n(&t->n_nonat_lens, t->n_nonat_lens + 1, __ATOMIC_RELEASE);
	}
	tables_span_widen(&t->nonat_lo, &t->nonat_hi, e->prefix.addr, last);
	tables_span_widen(&t->sl_lo, &t->sl_hi, e->prefix.addr, last);
	if ((rc = lhash_put(&t->nonat_net, &k, j)) < 0)
		return rc;
	__atomic_store_n(&t->n_nonat, t->n_nonat + 1, __ATOMIC_RELEASE);
	return 0;
}

static int nonat_del(struct tables *t, const struct cfg_nonat *old)
{
	struct tables_nonat_key k = nonat_key(old);
	uint32_t i = lhash_get(&t->nonat_net, &k);

	if (i == LHASH_NONE || t->n_nonat_lens == 0)
		return -ENOENT;
	lhash_del(&t->nonat_net, &k);
	__atomic_store_n(&t->n_nonat, t->n_nonat - 1, __ATOMIC_RELEASE);
	nonat_unlink(t, &t->nonats[i].b4);
	return 0;
}

/* The prefix is the identity; the B4 may change. */
static int nonat_replace(struct tables *t, const struct cfg_nonat *e)
{
	struct tables_nonat_key k = nonat_key(e);
	uint32_t i = lhash_get(&t->nonat_net, &k), j;
	bool moved;
	int rc;

	if (i == LHASH_NONE || t->n_nonat_lens == 0)
		return -ENOENT;
	moved = !addr6_equal(&t->nonats[i].b4, &e->b4);
	j = t->nonat_n++;
	t->nonats[j] = *e;
	if ((rc = nonat_link(t, &e->b4, j, moved ? LHASH_NONE : i)) < 0 ||
	    (rc = lhash_set(&t->nonat_net, &k, j)) < 0)
		return rc;
	if (moved)
		nonat_unlink(t, &t->nonats[i].b4);
	return 0;
}

bool tables_edit_kind(enum cfg_kind k)
{
	return k == K_SOFTWIRE || k == K_TUNNEL || k == K_NAT || k == K_PRR || k == K_NONAT;
}

bool tables_edit_fits(const struct tables *t, enum cfg_kind k, const void *e, size_t n)
{
	switch (k) {
	case K_SOFTWIRE:
		return tables_sw_fits(t, e, n);
	case K_TUNNEL:
		return t->tun_n + n <= t->tun_cap && tables_b4_room(t, n);
	case K_NAT:
		return t->nat_n + n <= t->nat_cap && lhash_room(&t->nat_in) >= n &&
		       lhash_room(&t->nat_ext) >= n;
	case K_PRR:
		return t->prr_n + n <= t->prr_cap && lhash_room(&t->prr) >= n &&
		       tables_b4_room(t, n);
	case K_NONAT:
		return t->nonat_n + n <= t->nonat_cap && lhash_room(&t->nonat_net) >= n &&
		       tables_b4_room(t, n) &&
		       /* a bulk of new lengths past the room: nonat_add refuses */
		       nonat_len_fits(t, ((const struct cfg_nonat *)e)->prefix.len, 1);
	default: /* acl6, private: compiled whole */
		return false;
	}
}

int tables_edit_add(struct tables *t, enum cfg_kind k, const void *e)
{
	if (!tables_edit_fits(t, k, e, 1))
		return -ENOSPC;
	switch (k) {
	case K_SOFTWIRE:
		return tables_sw_add(t, e);
	case K_TUNNEL:
		return tun_add(t, e);
	case K_NAT:
		return nat_add(t, e);
	case K_PRR:
		return prr_add(t, e);
	case K_NONAT:
		return nonat_add(t, e);
	default:
		return -EINVAL;
	}
}

int tables_edit_del(struct tables *t, enum cfg_kind k, const void *old)
{
	switch (k) {
	case K_SOFTWIRE:
		return tables_sw_del(t, old);
	case K_TUNNEL:
		return tun_del(t, old);
	case K_NAT:
		return nat_del(t, old);
	case K_PRR:
		return prr_del(t, old);
	case K_NONAT:
		return nonat_del(t, old);
	default:
		return -EINVAL;
	}
}

int tables_edit_replace(struct tables *t, enum cfg_kind k, const void *old, const void *e)
{
	/* A B4 record the change may need: room as for an addition. */
	if (!tables_edit_fits(t, k, e, 1))
		return -ENOSPC;
	switch (k) {
	case K_SOFTWIRE:
		return tables_sw_replace(t, old, e);
	case K_TUNNEL:
		return tun_replace(t, e);
	case K_NAT:
		return nat_replace(t, e);
	case K_PRR:
		return prr_replace(t, e);
	case K_NONAT:
		return nonat_replace(t, e);
	default:
		return -EINVAL;
	}
}
