/* The live tables; see tables.h. */
#include "tables.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "util.h"

#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y))

static int nonat_cmp(const void *a, const void *b)
{
	const struct cfg_nonat *x = *(const struct cfg_nonat *const *)a;
	const struct cfg_nonat *y = *(const struct cfg_nonat *const *)b;

	return CMP(x->prefix.addr, y->prefix.addr);
}

/* Softwires by address, then shape: runs of one address, sub-runs of one
 * shape. */
static int sw_cmp(const void *a, const void *b)
{
	const struct cfg_softwire *x = *(const struct cfg_softwire *const *)a;
	const struct cfg_softwire *y = *(const struct cfg_softwire *const *)b;

	if (x->ipv4 != y->ipv4)
		return CMP(x->ipv4, y->ipv4);
	if (x->psid.offset != y->psid.offset)
		return CMP(x->psid.offset, y->psid.offset);
	return CMP(x->psid.psid_len, y->psid.psid_len);
}

/* The B4 record of b4, made on first use; NULL when out of room. */
static struct tables_b4 *b4_rec(struct tables *t, const struct addr6 *b4, uint32_t *n)
{
	uint32_t i = lhash_get_n(&t->by_b4, b4->b, 16);

	if (i != LHASH_NONE)
		return &t->b4s[i];
	if (lhash_put(&t->by_b4, b4->b, *n) < 0)
		return NULL;
	t->b4s[*n] = (struct tables_b4){LHASH_NONE, LHASH_NONE, 0, LHASH_NONE, *b4};
	return &t->b4s[(*n)++];
}

/* A B4's softwires: the first in its record, the others chained from it
 * (sw_next), in the order met. */
static void link_softwire(struct tables *t, struct tables_b4 *r, uint32_t i)
{
	uint32_t *at = &r->softwire;

	while (*at != LHASH_NONE)
		at = &t->sw_next[*at];
	*at = i;
}

/* The lw4o6 indexes: by B4, by address (its shapes), by (address, shape,
 * PSID). Softwires were validated: no two claim a port. */
static int build_softwires(struct tables *t, uint32_t *nb4)
{
	const struct aftr_config *c = &t->cfg;
	const struct cfg_softwire **v = calloc(c->lists.n_softwires + 1, sizeof(*v));
	uint32_t na = 0, ns = 0;
	int rc = 0;

	t->addrs = big_calloc(c->lists.n_softwires + 1, sizeof(*t->addrs));
	t->shapes = calloc(c->lists.n_softwires + 1, sizeof(*t->shapes));
	if (v == NULL || t->addrs == NULL || t->shapes == NULL ||
	    lhash_init(&t->sw_addr, c->lists.n_softwires + t->spare, 4) < 0 ||
	    lhash_init(&t->sw_port, c->lists.n_softwires + t->spare, sizeof(uint64_t)) < 0) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < c->lists.n_softwires; i++)
		v[i] = &c->lists.softwires[i];
	qsort(v, c->lists.n_softwires, sizeof(*v), sw_cmp);
	for (size_t i = 0; i < c->lists.n_softwires && rc == 0; i++) {
		const struct cfg_softwire *s = v[i];
		uint64_t k = tables_sw_key(s->ipv4, s->psid.offset, s->psid.psid_len, s->psid.psid);
		struct tables_b4 *r = b4_rec(t, &s->b4, nb4);

		if (i == 0 || s->ipv4 != v[i - 1]->ipv4)
			t->addrs[na++] = (struct tables_addr){s->ipv4, ns, 0};
		if (i == 0 || sw_cmp(&v[i], &v[i - 1]) != 0) {
			t->shapes[ns++] = (struct tables_shape){s->psid.offset, s->psid.psid_len};
			t->addrs[na - 1].n++;
		}
		if (r == NULL)
			rc = -ENOMEM;
		else if (lhash_put(&t->sw_port, &k, (uint32_t)(s - c->lists.softwires)) == 0)
			link_softwire(t, r, (uint32_t)(s - c->lists.softwires));
	}
	/* One shape for every address (the usual: one PSID length and
	 * offset for the whole domain): the shape needs no lookup. */
	t->one_shape = ns > 0;
	for (uint32_t i = 1; i < ns; i++)
		t->one_shape = t->one_shape && t->shapes[i].offset == t->shapes[0].offset &&
		               t->shapes[i].psid_len == t->shapes[0].psid_len;
	for (uint32_t a = 0; a < na && rc == 0; a++) {
		const struct tables_addr *ad = &t->addrs[a];
		const struct tables_shape *sh = &t->shapes[ad->first];

		if (a == 0 || ad->ipv4 < t->sw_lo)
			t->sw_lo = ad->ipv4;
		if (a == 0 || ad->ipv4 > t->sw_hi)
			t->sw_hi = ad->ipv4;
		rc = lhash_put(&t->sw_addr, &ad->ipv4,
		               ad->n == 1 ? TABLES_SHAPE_INLINE | (uint32_t)sh->offset << 8 |
		                                    sh->psid_len
		                          : a);
	}
	free(v);
	return rc;
}

/* The span of the nonat prefixes (sorted), and their index by length
 * when they have few lengths (with room for more in place). */
static int build_nonat_net(struct tables *t)
{
	bool len_used[33] = {false};
	uint8_t n = 0;

	if (lhash_init(&t->nonat_net, t->nonat_cap, sizeof(struct tables_nonat_key)) < 0)
		return -ENOMEM;
	if (t->n_nonat == 0) {
		t->nonat_lo = UINT32_MAX; /* none: lo > hi */
		return 0;
	}
	t->nonat_lo = t->nonat[0]->prefix.addr;
	t->nonat_hi = t->nonat[t->n_nonat - 1]->prefix.addr |
	              ~prefix4_mask(t->nonat[t->n_nonat - 1]->prefix.len);
	for (size_t i = 0; i < t->n_nonat; i++)
		len_used[t->nonat[i]->prefix.len] = true;
	for (int len = 32; len >= 0; len--) {
		if (!len_used[len])
			continue;
		if (n == TABLES_NONAT_LENS)
			return 0; /* too many: binary search */
		t->nonat_lens[n++] = (uint8_t)len;
	}
	for (size_t i = 0; i < t->n_nonat; i++) {
		struct tables_nonat_key k = {t->nonat[i]->prefix.addr, t->nonat[i]->prefix.len};

		/* no overlap (validated) */
		lhash_put(&t->nonat_net, &k, (uint32_t)(t->nonat[i] - t->nonats));
	}
	t->n_nonat_lens = n;
	return 0;
}

/* The entries of the lists a set indexes. */
static size_t total_of(const struct aftr_config *c)
{
	return c->lists.n_softwires + c->lists.n_tunnels + c->lists.n_nats + c->lists.n_prrs +
	       c->lists.n_nonats;
}

/* A copy of a list the packet path reads, in huge-page memory, with room
 * for cap entries. */
static void *hot_copy(const void *v, size_t n, size_t cap, size_t size)
{
	void *p = big_calloc(cap + 1, size);

	if (p && n)
		memcpy(p, v, n * size);
	return p;
}

/* prr by (protocol, address, port); nonat sorted by address. */
static int build_prr_nonat(struct tables *t, uint32_t *nb4)
{
	const struct aftr_config *c = &t->cfg;

	t->prr_n = (uint32_t)c->lists.n_prrs;
	t->prr_cap = (uint32_t)(c->lists.n_prrs + TABLES_ROOM(c->lists.n_prrs, total_of(c)));
	t->prrs = hot_copy(c->lists.prrs, t->prr_n, t->prr_cap, sizeof(*t->prrs));
	if (t->prrs == NULL || lhash_init(&t->prr, t->prr_cap, sizeof(uint64_t)) < 0)
		return -ENOMEM;
	t->prr_lo = UINT32_MAX;
	t->prr_hi = 0;
	for (size_t i = 0; i < t->prr_n; i++) {
		const struct cfg_prr *p = &t->prrs[i];
		uint64_t k = tables_prr_key(p->addr, p->port, (uint8_t)p->proto);
		struct tables_b4 *r = b4_rec(t, &p->b4, nb4);

		if (r == NULL)
			return -ENOMEM;
		r->has_prr++;
		t->prr_lo = p->addr < t->prr_lo ? p->addr : t->prr_lo;
		t->prr_hi = p->addr > t->prr_hi ? p->addr : t->prr_hi;
		lhash_put(&t->prr, &k, (uint32_t)i); /* a duplicate was refused by validation */
	}
	t->n_nonat = t->nonat_n = (uint32_t)c->lists.n_nonats;
	t->nonat_cap = (uint32_t)(c->lists.n_nonats + TABLES_ROOM(c->lists.n_nonats, total_of(c)));
	t->nonats = hot_copy(c->lists.nonats, t->nonat_n, t->nonat_cap, sizeof(*t->nonats));
	t->nonat = calloc(t->n_nonat + 1, sizeof(*t->nonat));
	if (t->nonats == NULL || t->nonat == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_nonat; i++) {
		struct tables_b4 *r = b4_rec(t, &t->nonats[i].b4, nb4);

		if (r == NULL)
			return -ENOMEM;
		r->nonat = (uint32_t)i;
		t->nonat[i] = &t->nonats[i];
	}
	qsort(t->nonat, t->n_nonat, sizeof(*t->nonat), nonat_cmp);
	return build_nonat_net(t);
}

/* sl_lo and sl_hi: the lw4o6 addresses' span and the nonat prefixes'. */
static void build_stateless_span(struct tables *t)
{
	t->sl_lo = UINT32_MAX;
	t->sl_hi = 0;
	if (t->sw_addr.n) {
		t->sl_lo = t->sw_lo;
		t->sl_hi = t->sw_hi;
	}
	if (t->n_nonat) {
		t->sl_lo = t->nonat_lo < t->sl_lo ? t->nonat_lo : t->sl_lo;
		t->sl_hi = t->nonat_hi > t->sl_hi ? t->nonat_hi : t->sl_hi;
	}
}

/* The tunnels' slots and B4 records. */
static int build_tunnels(struct tables *t, uint32_t *nb4)
{
	t->tun_n = (uint32_t)t->cfg.lists.n_tunnels;
	t->tun_cap = (uint32_t)(t->tun_n + TABLES_ROOM(t->tun_n, total_of(&t->cfg)));
	t->tun = hot_copy(t->cfg.lists.tunnels, t->tun_n, t->tun_cap, sizeof(*t->tun));
	if (t->tun == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->tun_n; i++) {
		const struct cfg_tunnel *c = &t->tun[i];
		struct tables_b4 *r = b4_rec(t, &c->b4, nb4);

		if (r == NULL)
			return -ENOMEM;
		r->tunnel = (uint32_t)i; /* a duplicate was refused by validation */
		t->tunnel_mtus |= c->mtu != 0;
		t->tunnel_limits |= c->nat_set != 0;
	}
	return 0;
}

/* A B4's value in by_b4 (TABLES_B4_*): its only entry inline, or i. */
static uint32_t b4_value(const struct tables_b4 *r, uint32_t i)
{
	bool sw = r->softwire != LHASH_NONE, tun = r->tunnel != LHASH_NONE;

	if (r->nonat != LHASH_NONE || r->has_prr || sw == tun)
		return i;
	return sw ? TABLES_B4_SOFTWIRE | r->softwire : TABLES_B4_TUNNEL | r->tunnel;
}

/* The one index of B4s (by_b4) and their records, over the tunnels and
 * the stateless bindings. */
static int build_b4s(struct tables *t)
{
	const struct aftr_config *c = &t->cfg;
	size_t n = c->lists.n_softwires + c->lists.n_prrs + c->lists.n_nonats + c->lists.n_tunnels;
	size_t room;
	uint32_t nb4 = 0;

	/* Inline values keep 30 bits of index (TABLES_B4_INDEX). */
	t->spare = TABLES_SPARE(c->lists.n_softwires);
	room = t->spare + TABLES_ROOM(c->lists.n_prrs, total_of(c)) +
	       TABLES_ROOM(c->lists.n_nonats, total_of(c)) +
	       TABLES_ROOM(c->lists.n_tunnels, total_of(c));
	if (n + room > TABLES_B4_INDEX)
		return -E2BIG;
	t->sw_n = (uint32_t)c->lists.n_softwires;
	t->sw_cap = (uint32_t)(c->lists.n_softwires + t->spare);
	/* The model's list too (tables_edit.h: changes in place append to
	 * it): no copy of a million entries at the first change. */
	if (c->lists.cap_softwires < t->sw_cap &&
	    vec_reserve((void **)&t->cfg.lists.softwires, &t->cfg.lists.cap_softwires,
	                t->sw_cap + 1, sizeof(*c->lists.softwires)) < 0)
		return -ENOMEM;
	t->sw = hot_copy(c->lists.softwires, t->sw_n, t->sw_cap, sizeof(*c->lists.softwires));
	t->sw_next = big_calloc(t->sw_cap + 1, sizeof(*t->sw_next));
	if (t->sw == NULL || t->sw_next == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < c->lists.n_softwires; i++) {
		int ep = cfg_endpoint_index(c, cfg_softwire_endpoint(c, &t->sw[i]));

		/* Validated: a softwire names one of the endpoints. */
		t->sw[i].ep = (uint8_t)(ep < 0 ? 0 : ep);
		t->sw[i].test = psid_test_of(&t->sw[i].psid);
		t->sw_next[i] = LHASH_NONE;
	}
	t->b4s_cap = (uint32_t)(n + room);
	t->b4s = big_calloc(t->b4s_cap + 1, sizeof(*t->b4s));
	if (t->b4s == NULL || lhash_init(&t->by_b4, n, 16) < 0)
		return -ENOMEM;
	if (build_tunnels(t, &nb4) < 0 || build_softwires(t, &nb4) < 0 ||
	    build_prr_nonat(t, &nb4) < 0)
		return -ENOMEM;
	build_stateless_span(t);
	/* Again, with the B4s that have one entry inline. */
	lhash_free(&t->by_b4);
	t->b4s_n = nb4;
	if (lhash_init(&t->by_b4, nb4 + room, 16) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < nb4; i++)
		lhash_put(&t->by_b4, t->b4s[i].b4.b, b4_value(&t->b4s[i], i));
	return 0;
}

/* A prefix as two host-order (network, mask) words (tables_net6). */
static struct tables_net6 net6_of(const struct prefix6 *p)
{
	struct tables_net6 n;

	for (int i = 0; i < 2; i++) {
		unsigned int len = p->len > 64 * i ? p->len - 64 * i : 0;
		uint64_t a;

		memcpy(&a, p->addr.b + 8 * i, 8);
		n.mask[i] = len >= 64 ? ~0ull : len ? ~0ull << (64 - len) : 0;
		n.net[i] = be64toh(a) & n.mask[i];
	}
	return n;
}

/* Fills f, zeroed memory, field by field: its padding stays zero, so that
 * tables_filters_equal may compare rules whole. */
static void filter_rule(const struct cfg_filter_rule *r, struct tables_filter_rule *f)
{
	f->proto = (int16_t)(r->proto < 0 ? -1 : cfg_proto_ip(r->proto));
	f->accept = r->action == FILTER_ACT_ACCEPT;
	f->sport_hi = f->dport_hi = 65535;
	if (r->has_src) {
		f->src_mask = prefix4_mask(r->src.len);
		f->src = r->src.addr & f->src_mask;
	}
	if (r->has_dst) {
		f->dst_mask = prefix4_mask(r->dst.len);
		f->dst = r->dst.addr & f->dst_mask;
	}
	if (r->has_b4)
		f->b4 = net6_of(&r->b4);
	if (r->has_sport) {
		f->sport_lo = r->sport.min;
		f->sport_hi = r->sport.max;
	}
	if (r->has_dport) {
		f->dport_lo = r->dport.min;
		f->dport_hi = r->dport.max;
	}
	f->ports = r->has_sport || r->has_dport;
}

static int build_filters(struct tables *t)
{
	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++) {
			const struct cfg_filter_list *l = &t->cfg.lists.filters[i][k];
			struct tables_filter *f = &t->filters[i][k];

			f->rules = calloc(l->n + 1, sizeof(*f->rules));
			if (f->rules == NULL)
				return -ENOMEM;
			for (size_t r = 0; r < l->n; r++)
				filter_rule(&l->v[r], &f->rules[r]);
			f->n = (uint16_t)l->n;
		}
	return 0;
}

bool tables_filters_equal(const struct tables *a, const struct tables *b)
{
	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++)
			if (a->filters[i][k].n != b->filters[i][k].n ||
			    memcmp(a->filters[i][k].rules, b->filters[i][k].rules,
			           a->filters[i][k].n * sizeof(struct tables_filter_rule)) != 0)
				return false;
	return true;
}

/* The static mappings' slots, by inside and by public endpoint. */
static int build_nats(struct tables *t)
{
	t->nat_n = (uint32_t)t->cfg.lists.n_nats;
	t->nat_cap = (uint32_t)(t->nat_n + TABLES_ROOM(t->nat_n, total_of(&t->cfg)));
	t->nat = hot_copy(t->cfg.lists.nats, t->nat_n, t->nat_cap, sizeof(*t->nat));
	if (t->nat == NULL ||
	    lhash_init(&t->nat_in, t->nat_cap, sizeof(struct tables_nat_key)) < 0 ||
	    lhash_init(&t->nat_ext, t->nat_cap, sizeof(uint64_t)) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->nat_n; i++) {
		struct tables_nat_key k = tables_nat_in_key(&t->nat[i]);
		uint64_t e =
		        tables_nat_ext_key(t->nat[i].ext_addr, t->nat[i].ext_port, t->nat[i].proto);

		/* Duplicates either way were refused by validation. */
		lhash_put(&t->nat_in, &k, i);
		lhash_put(&t->nat_ext, &e, i);
	}
	return 0;
}

/* priv and priv16 from cfg.private4: a /16 is all private when a prefix
 * of /16 or shorter holds it, else some when a longer one is inside it. */
static void build_private(struct tables *t)
{
	for (size_t i = 0; i < t->n_priv; i++) {
		const struct prefix4 *p = &t->cfg.lists.private4[i].p;
		uint32_t first, last;

		t->priv[i].mask = prefix4_mask(p->len);
		t->priv[i].net = p->addr & t->priv[i].mask;
		first = t->priv[i].net >> 16;
		last = (t->priv[i].net | ~t->priv[i].mask) >> 16;
		for (uint32_t k = first; k <= last; k++)
			if (p->len <= 16)
				t->priv16[k] = TABLES_PRIV_ALL;
			else if (t->priv16[k] == TABLES_PRIV_NONE)
				t->priv16[k] = TABLES_PRIV_SOME;
	}
}

int tables_build(struct tables *t, struct aftr_config *cfg, uint64_t gen)
{
	static _Atomic uint32_t serial;
	int rc;

	memset(t, 0, sizeof(*t));
	t->gen = gen;
	t->serial = ++serial;
	t->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	t->n_priv = t->cfg.lists.n_private4;
	t->priv = calloc(t->n_priv + 1, sizeof(*t->priv));
	t->priv16 = calloc(1u << 16, 1);
	t->n_acl6 = t->cfg.lists.n_acl6;
	t->acl6 = calloc(t->n_acl6 + 1, sizeof(*t->acl6));
	if (t->priv == NULL || t->priv16 == NULL || t->acl6 == NULL || build_nats(t) < 0) {
		tables_free(t);
		return -ENOMEM;
	}
	build_private(t);
	for (size_t i = 0; i < t->n_acl6; i++)
		t->acl6[i] = net6_of(&t->cfg.lists.acl6[i].p);
	rc = build_b4s(t);
	if (rc == 0)
		rc = build_filters(t);
	if (rc < 0) {
		tables_free(t);
		return rc;
	}
	return 0;
}

void tables_free(struct tables *t)
{
	free(t->priv);
	free(t->priv16);
	free(t->acl6);
	big_free(t->tun);
	big_free(t->nat);
	lhash_free(&t->nat_in);
	lhash_free(&t->nat_ext);
	big_free(t->nonats);
	lhash_free(&t->by_b4);
	big_free(t->b4s);
	big_free(t->sw);
	big_free(t->sw_next);
	big_free(t->prrs);
	lhash_free(&t->sw_addr);
	big_free(t->addrs);
	free(t->shapes);
	lhash_free(&t->sw_port);
	lhash_free(&t->prr);
	free(t->nonat);
	lhash_free(&t->nonat_net);
	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++)
			free(t->filters[i][k].rules);
	cfg_free(&t->cfg);
	memset(t, 0, sizeof(*t));
}

const struct cfg_tunnel *tables_tunnel(const struct tables *t, const struct addr6 *b4)
{
	return tables_bind_tunnel(t, tables_b4_bind(t, b4));
}

bool tables_b4_allowed(const struct tables *t, const struct addr6 *b4, int *drop, bool *nat)
{
	return tables_b4_allowed_bind(t, b4, tables_b4_bind(t, b4), drop, nat);
}

const struct cfg_nat *tables_nat_inside(const struct tables *t, const struct addr6 *b4,
                                        enum cfg_proto proto, uint32_t addr, uint16_t port)
{
	struct tables_nat_key k = {.addr = addr, .port = port, .proto = (uint8_t)proto};
	uint32_t i;

	if (t->nat_in.n == 0)
		return NULL;
	memcpy(k.b4, b4->b, 16);
	i = lhash_get_n(&t->nat_in, &k, sizeof(k));
	return i == LHASH_NONE ? NULL : &t->nat[i];
}

const struct cfg_nat *tables_nat_public(const struct tables *t, enum cfg_proto proto, uint32_t addr,
                                        uint16_t port)
{
	uint64_t k = tables_nat_ext_key(addr, port, (uint8_t)proto);
	uint32_t i = lhash_get_n(&t->nat_ext, &k, sizeof(k));

	return i == LHASH_NONE ? NULL : &t->nat[i];
}

bool tables_nat_allows(const struct cfg_nat *n, uint32_t remote, uint16_t rport)
{
	return !n->has_filter || (prefix4_contains(&n->filter_dst, remote) &&
	                          (n->filter_port == 0 || n->filter_port == rport));
}

bool tables_b4(const struct tables *t, const struct addr6 *b4, struct tables_b4 *out)
{
	if (!tables_b4_of(t, tables_b4_bind(t, b4), out))
		return false;
	out->b4 = *b4;
	return true;
}

const struct cfg_softwire *tables_softwire(const struct tables *t, uint32_t addr, uint16_t port)
{
	return tables_softwire_of(t, addr, port);
}

bool tables_b4_ahead(const struct tables *t, const struct addr6 *b4, struct tables_ahead *a)
{
	if (t->by_b4.n == 0)
		return false;
	memcpy(a->key, b4->b, 16);
	a->which = TABLES_AHEAD_B4;
	a->hash = lhash_hash_n(&t->by_b4, a->key, 16);
	lhash_prefetch(&t->by_b4, a->hash);
	return true;
}

bool tables_softwire_ahead(const struct tables *t, uint32_t addr, uint16_t port,
                           struct tables_ahead *a)
{
	uint32_t s = tables_addr_shapes(t, addr);
	uint8_t offset = (uint8_t)(s >> 8), psid_len = (uint8_t)s;
	uint64_t k;

	/* Only the common case: one port-set shape on the address. */
	if (s == LHASH_NONE || !(s & TABLES_SHAPE_INLINE))
		return false;
	if (psid_port_excluded(offset, port))
		return false;
	k = tables_sw_key(addr, offset, psid_len, psid_of_port(offset, psid_len, port));
	memcpy(a->key, &k, sizeof(k));
	a->which = TABLES_AHEAD_SW;
	a->addr = addr;
	a->port = port;
	a->hash = lhash_hash_n(&t->sw_port, a->key, sizeof(uint64_t));
	lhash_prefetch(&t->sw_port, a->hash);
	return true;
}

void tables_ahead_get(const struct tables *t, struct tables_ahead *a)
{
	uint32_t v;

	if (a->which == TABLES_AHEAD_SW) {
		a->val = v = lhash_get_hashed_n(&t->sw_port, a->key, a->hash, sizeof(uint64_t));
		if (v != LHASH_NONE)
			__builtin_prefetch(&t->sw[v]);
		return;
	}
	a->val = v = lhash_get_hashed_n(&t->by_b4, a->key, a->hash, 16);
	/* A tunnel's entry is not read on the way (admission needs only
	 * to know there is one). */
	if (v == LHASH_NONE || v & TABLES_B4_TUNNEL)
		return;
	if (v & TABLES_B4_SOFTWIRE)
		__builtin_prefetch(&t->sw[v & TABLES_B4_INDEX]);
	else
		__builtin_prefetch(&t->b4s[v]);
}

const struct cfg_nonat *tables_nonat_search(const struct tables *t, uint32_t addr)
{
	size_t lo = 0, hi = t->n_nonat;

	/* The last prefix starting at or below addr is the only candidate. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->nonat[mid]->prefix.addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && prefix4_contains(&t->nonat[lo - 1]->prefix, addr) ? t->nonat[lo - 1]
	                                                                   : NULL;
}
