/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of lib/tables/tables_edit.c and tables_edit_kinds.c: entries
 * added, removed and replaced in place answer every lookup as a set built
 * afresh from the same entries does (random changes of softwires alone,
 * then of every kind at once: B4s with several softwires, tunnels, prr
 * and nonat entries, mappings moving between B4s), and what cannot be
 * done in place is refused. */
#include "tables_edit.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ADDRS 16 /* 192.0.2.0-15 */
#define PSIDS 16 /* psid_len 4, offset 6 */
#define B4S   40

static unsigned int seed;

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)rand_r(&seed) % n;
}

static struct addr6 b4(uint32_t i)
{
	struct addr6 a = {{0x20, 0x01, 0x0d, 0xb8, 0, 1}};

	a.b[15] = (uint8_t)(1 + i);
	return a;
}

static struct cfg_softwire sw(uint32_t addr, uint16_t psid, uint32_t b)
{
	return (struct cfg_softwire){.b4 = b4(b),
	                             .ipv4 = 0xc0000200u + addr,
	                             .psid = {.offset = 6, .psid_len = 4, .psid = psid}};
}

/* The softwires of a model: which softwire holds (address, psid). */
static void softwires_cfg(struct aftr_config *cfg, const struct cfg_softwire *v, const bool *used)
{
	ck_assert_int_eq(cfg_init(cfg), 0);
	cfg->fixed.has_endpoint = true;
	cfg->fixed.endpoint = b4(200);
	for (uint32_t i = 0; i < ADDRS * PSIDS; i++)
		if (used[i])
			*VEC_PUSH(cfg->lists.softwires, cfg->lists.n_softwires,
			          cfg->lists.cap_softwires) = v[i];
}

/* The model: its softwires, and tunnels of the first ten B4s. */
static void model_cfg(struct aftr_config *cfg, const struct cfg_softwire *v, const bool *used)
{
	softwires_cfg(cfg, v, used);
	for (uint32_t i = 0; i < 10; i++)
		*VEC_PUSH(cfg->lists.tunnels, cfg->lists.n_tunnels, cfg->lists.cap_tunnels) =
		        (struct cfg_tunnel){.b4 = b4(i)};
}

/* What a B4's chain names, as a bit per (address, psid). */
static void chain(const struct tables *t, uint32_t b, uint8_t *bits)
{
	struct tables_b4 r;
	struct addr6 a = b4(b);

	memset(bits, 0, ADDRS * PSIDS);
	if (!tables_b4(t, &a, &r))
		return;
	for (uint32_t i = r.softwire; i != LHASH_NONE; i = t->sw_next[i])
		bits[(t->sw[i].ipv4 - 0xc0000200u) * PSIDS + t->sw[i].psid.psid] = 1;
}

/* Every lookup of live equals fresh's. */
static void same(const struct tables *live, const struct tables *fresh)
{
	uint8_t x[ADDRS * PSIDS], y[ADDRS * PSIDS];

	for (uint32_t a = 0; a < ADDRS + 2; a++) {
		uint32_t addr = 0xc0000200u + a;

		ck_assert_int_eq(tables_softwire_addr(live, addr),
		                 tables_softwire_addr(fresh, addr));
		for (uint32_t p = 0; p < PSIDS; p++) {
			uint16_t port = (uint16_t)(1024 + (p << 6) + 5);
			const struct cfg_softwire *s = tables_softwire(live, addr, port),
			                          *f = tables_softwire(fresh, addr, port);

			ck_assert_int_eq(s == NULL, f == NULL);
			if (s) {
				ck_assert(addr6_equal(&s->b4, &f->b4));
				ck_assert_uint_eq(s->ep, f->ep);
				ck_assert_uint_eq(s->psid.psid, f->psid.psid);
			}
		}
	}
	for (uint32_t b = 0; b < B4S; b++) {
		struct addr6 a = b4(b);
		int d1 = 0, d2 = 0;
		bool n1, n2;

		chain(live, b, x);
		chain(fresh, b, y);
		ck_assert_mem_eq(x, y, sizeof(x));
		ck_assert_int_eq(tables_b4_allowed(live, &a, &d1, &n1),
		                 tables_b4_allowed(fresh, &a, &d2, &n2));
		ck_assert_int_eq(n1, n2);
		ck_assert_int_eq(tables_tunnel(live, &a) != NULL, tables_tunnel(fresh, &a) != NULL);
	}
}

START_TEST(test_edits_equal_rebuild)
{
	static struct cfg_softwire v[ADDRS * PSIDS];
	static bool used[ADDRS * PSIDS];
	struct aftr_config cfg;
	struct tables live, fresh;
	unsigned int added = 0, deleted = 0, replaced = 0;

	seed = 7;
	memset(used, 0, sizeof(used));
	/* Half the port sets, the first and last addresses among them
	 * (edits stay inside the span). */
	for (uint32_t i = 0; i < ADDRS * PSIDS; i++)
		if (i < PSIDS || i >= (ADDRS - 1) * PSIDS || rnd(2)) {
			v[i] = sw(i / PSIDS, (uint16_t)(i % PSIDS), rnd(B4S));
			used[i] = true;
		}
	model_cfg(&cfg, v, used);
	ck_assert_int_eq(tables_build(&live, &cfg, 1), 0);
	for (int step = 0; step < 2000; step++) {
		uint32_t i = rnd(ADDRS * PSIDS);
		struct cfg_softwire s = sw(i / PSIDS, (uint16_t)(i % PSIDS), rnd(B4S));

		if (!used[i]) {
			if (!tables_sw_fits(&live, &s, 1))
				break; /* the room is used up: a rebuild's business */
			ck_assert_int_eq(tables_sw_add(&live, &s), 0);
			v[i] = s;
			used[i] = true;
			added++;
		} else if (rnd(3) == 0) {
			s.b4 = v[i].b4;
			s.endpoint = rnd(2) ? b4(200) : (struct addr6){{0}};
			ck_assert_int_eq(tables_sw_replace(&live, &v[i], &s), 0);
			v[i] = s;
			replaced++;
		} else {
			ck_assert_int_eq(tables_sw_del(&live, &v[i]), 0);
			ck_assert_int_eq(tables_sw_del(&live, &v[i]), -ENOENT);
			used[i] = false;
			deleted++;
		}
		model_cfg(&cfg, v, used);
		ck_assert_int_eq(tables_build(&fresh, &cfg, 2), 0);
		same(&live, &fresh);
		tables_free(&fresh);
	}
	ck_assert_uint_gt(added, 20);
	ck_assert_uint_gt(deleted, 20);
	ck_assert_uint_gt(replaced, 20);
	tables_free(&live);
}
END_TEST

/* Refusals: another shape, a taken port set, a replacement onto another
 * B4, no room. */
START_TEST(test_refusals)
{
	static struct cfg_softwire v[ADDRS * PSIDS];
	static bool used[ADDRS * PSIDS];
	struct aftr_config cfg;
	struct tables t;
	struct cfg_softwire s;
	int rc = 0;

	memset(used, 0, sizeof(used));
	v[0] = sw(0, 0, 1);
	v[PSIDS * 4] = sw(4, 0, 2);
	used[0] = used[PSIDS * 4] = true;
	model_cfg(&cfg, v, used);
	ck_assert_int_eq(tables_build(&t, &cfg, 1), 0);
	s = sw(1, 1, 3);
	s.psid.psid_len = 5;
	ck_assert_int_eq(tables_sw_add(&t, &s), -EINVAL);
	ck_assert_int_eq(tables_sw_add(&t, &v[0]), -EEXIST);
	s = v[0];
	s.b4 = b4(7);
	ck_assert_int_eq(tables_sw_replace(&t, &v[0], &s), -EINVAL);
	/* The room: TABLES_SPARE(2) more softwires, then no more. */
	for (uint32_t k = 0, added = 0; k < 5 * PSIDS && rc == 0; k++) {
		s = sw(k / PSIDS, (uint16_t)(k % PSIDS), k % B4S);
		if (k == 0 || k == PSIDS * 4)
			continue;
		rc = tables_sw_add(&t, &s);
		added += rc == 0;
		ck_assert(rc == 0 || added == TABLES_SPARE(2));
	}
	ck_assert_int_eq(rc, -ENOSPC);
	tables_free(&t);
}
END_TEST

/* Every kind at once: tunnels, static mappings, prr and nonat entries
 * beside the softwires, changed at random through tables_edit_*, answer
 * every lookup as a set built afresh does. */
#define NATS    24
#define PRRS    24
#define NONATS  12
#define INSIDES 6

struct world {
	struct cfg_softwire sw[ADDRS * PSIDS];
	bool sw_used[ADDRS * PSIDS];
	struct cfg_tunnel tun[B4S];
	bool tun_used[B4S];
	struct cfg_nat nat[NATS];
	bool nat_used[NATS];
	struct cfg_prr prr[PRRS];
	bool prr_used[PRRS];
	struct cfg_nonat nonat[NONATS];
	bool nonat_used[NONATS];
};

/* The static mapping of public port i, from inside endpoint in of B4 b. */
static struct cfg_nat nat_of(uint32_t i, uint32_t in, uint32_t b)
{
	return (struct cfg_nat){.b4 = b4(b),
	                        .proto = (uint8_t)(i % 2 ? CFG_UDP : CFG_TCP),
	                        .addr = 0x0a000001u + in,
	                        .port = 8000,
	                        .ext_addr = 0xc6336401u,
	                        .ext_port = (uint16_t)(100 + i)};
}

/* prr i: 198.51.100.2-4, ports 53.., of B4 b. */
static struct cfg_prr prr_of(uint32_t i, uint32_t b)
{
	return (struct cfg_prr){.b4 = b4(b),
	                        .proto = (uint8_t)(i % 3 == 0 ? CFG_ICMP : CFG_UDP),
	                        .addr = 0xc6336402u + i % 3,
	                        .port = (uint16_t)(53 + i)};
}

/* nonat i: 203.0.(100 + i).0 of length 24 to 27 (they never overlap). */
static struct cfg_nonat nonat_of(uint32_t i, uint32_t b)
{
	return (struct cfg_nonat){.b4 = b4(b),
	                          .prefix = {0xcb006400u + (i << 8), (uint8_t)(24 + i % 4)}};
}

static void world_cfg(struct aftr_config *cfg, const struct world *w)
{
	softwires_cfg(cfg, w->sw, w->sw_used);
	for (uint32_t i = 0; i < B4S; i++)
		if (w->tun_used[i])
			*VEC_PUSH(cfg->lists.tunnels, cfg->lists.n_tunnels,
			          cfg->lists.cap_tunnels) = w->tun[i];
	for (uint32_t i = 0; i < NATS; i++)
		if (w->nat_used[i])
			*VEC_PUSH(cfg->lists.nats, cfg->lists.n_nats, cfg->lists.cap_nats) =
			        w->nat[i];
	for (uint32_t i = 0; i < PRRS; i++)
		if (w->prr_used[i])
			*VEC_PUSH(cfg->lists.prrs, cfg->lists.n_prrs, cfg->lists.cap_prrs) =
			        w->prr[i];
	for (uint32_t i = 0; i < NONATS; i++)
		if (w->nonat_used[i])
			*VEC_PUSH(cfg->lists.nonats, cfg->lists.n_nonats, cfg->lists.cap_nonats) =
			        w->nonat[i];
}

static void same_b4s(const struct tables *live, const struct tables *fresh)
{
	for (uint32_t b = 0; b < B4S; b++) {
		struct addr6 a = b4(b);
		const struct cfg_tunnel *x = tables_tunnel(live, &a), *y = tables_tunnel(fresh, &a);
		struct tables_b4 r1, r2;
		bool k1 = tables_b4(live, &a, &r1), k2 = tables_b4(fresh, &a, &r2);
		int d1 = 0, d2 = 0;
		bool n1, n2;

		ck_assert_int_eq(x == NULL, y == NULL);
		if (x)
			ck_assert_uint_eq(x->mtu, y->mtu);
		ck_assert_int_eq(tables_b4_allowed(live, &a, &d1, &n1),
		                 tables_b4_allowed(fresh, &a, &d2, &n2));
		ck_assert_int_eq(n1, n2);
		ck_assert_int_eq(d1, d2);
		ck_assert_int_eq(k1, k2);
		if (!k1)
			continue;
		ck_assert_int_eq(r1.has_prr != 0, r2.has_prr != 0);
		ck_assert_int_eq(r1.nonat == LHASH_NONE, r2.nonat == LHASH_NONE);
		if (r1.nonat != LHASH_NONE)
			ck_assert_uint_eq(live->nonats[r1.nonat].prefix.addr,
			                  fresh->nonats[r2.nonat].prefix.addr);
	}
}

static void same_nat(const struct tables *live, const struct tables *fresh)
{
	for (uint32_t i = 0; i < NATS; i++) {
		struct cfg_nat k = nat_of(i, 0, 0);
		const struct cfg_nat *x = tables_nat_public(live, k.proto, k.ext_addr, k.ext_port),
		                     *y = tables_nat_public(fresh, k.proto, k.ext_addr, k.ext_port);

		ck_assert_int_eq(x == NULL, y == NULL);
		if (x) {
			ck_assert(addr6_equal(&x->b4, &y->b4));
			ck_assert_uint_eq(x->addr, y->addr);
		}
		for (uint32_t in = 0; in < INSIDES; in++)
			for (uint32_t b = 0; b < 3; b++) {
				struct cfg_nat q = nat_of(i, in, b);

				x = tables_nat_inside(live, &q.b4, q.proto, q.addr, q.port);
				y = tables_nat_inside(fresh, &q.b4, q.proto, q.addr, q.port);
				ck_assert_int_eq(x == NULL, y == NULL);
				if (x)
					ck_assert_uint_eq(x->ext_port, y->ext_port);
			}
	}
}

static void same_stateless(const struct tables *live, const struct tables *fresh)
{
	for (uint32_t i = 0; i < PRRS; i++) {
		struct cfg_prr k = prr_of(i, 0);
		const struct cfg_prr *x = tables_prr(live, k.proto, k.addr, k.port),
		                     *y = tables_prr(fresh, k.proto, k.addr, k.port);

		ck_assert_int_eq(x == NULL, y == NULL);
		if (x) {
			ck_assert(addr6_equal(&x->b4, &y->b4));
			/* Inside the span the packet path tests first. */
			ck_assert_uint_le(live->prr_lo, k.addr);
			ck_assert_uint_ge(live->prr_hi, k.addr);
		}
	}
	for (uint32_t i = 0; i < NONATS; i++) {
		struct cfg_nonat p = nonat_of(i, 0);
		uint32_t last = p.prefix.addr | ~prefix4_mask(p.prefix.len);
		const uint32_t probe[] = {p.prefix.addr - 1, p.prefix.addr, last, last + 1};

		for (size_t k = 0; k < 4; k++) {
			const struct cfg_nonat *x = tables_nonat(live, probe[k]),
			                       *y = tables_nonat(fresh, probe[k]);

			ck_assert_int_eq(x == NULL, y == NULL);
			if (x) {
				ck_assert(addr6_equal(&x->b4, &y->b4));
				ck_assert(probe[k] - live->sl_lo <= live->sl_hi - live->sl_lo);
			}
		}
	}
}

/* One random change of a random kind in the world and in place: false
 * when it does not fit (a rebuild's business). */
static bool change(struct tables *t, struct world *w)
{
	_Alignas(16) unsigned char old[256], e[256];
	uint32_t kind = rnd(5), b = rnd(B4S), i;
	void *slot;
	size_t elem;
	bool *used;
	enum cfg_kind k;

	if (kind == 0) {
		struct cfg_softwire n;

		i = rnd(ADDRS * PSIDS);
		n = sw(i / PSIDS, (uint16_t)(i % PSIDS), b);
		if (w->sw_used[i]) /* a replacement stays on its B4 */
			n.b4 = w->sw[i].b4;
		k = K_SOFTWIRE, slot = &w->sw[i], used = &w->sw_used[i], elem = sizeof(n);
		memcpy(e, &n, elem);
	} else if (kind == 1) {
		struct cfg_tunnel n = {.b4 = b4(b), .mtu = (uint16_t)(rnd(3) * 100)};

		k = K_TUNNEL, slot = &w->tun[b], used = &w->tun_used[b], elem = sizeof(n);
		memcpy(e, &n, elem);
	} else if (kind == 2) {
		uint32_t in = rnd(INSIDES);
		struct cfg_nat n;

		i = rnd(NATS);
		n = nat_of(i, in, b % 3);
		for (uint32_t j = 0; j < NATS; j++) /* an inside endpoint is one mapping's */
			if (j != i && w->nat_used[j] && w->nat[j].addr == n.addr &&
			    addr6_equal(&w->nat[j].b4, &n.b4))
				return true;
		k = K_NAT, slot = &w->nat[i], used = &w->nat_used[i], elem = sizeof(n);
		memcpy(e, &n, elem);
	} else if (kind == 3) {
		struct cfg_prr n;

		i = rnd(PRRS);
		n = prr_of(i, b);
		k = K_PRR, slot = &w->prr[i], used = &w->prr_used[i], elem = sizeof(n);
		memcpy(e, &n, elem);
	} else {
		struct cfg_nonat n;

		i = rnd(NONATS);
		n = nonat_of(i, b);
		for (uint32_t j = 0; j < NONATS; j++) /* a B4 has one prefix */
			if (j != i && w->nonat_used[j] && addr6_equal(&w->nonat[j].b4, &n.b4))
				return true;
		k = K_NONAT, slot = &w->nonat[i], used = &w->nonat_used[i], elem = sizeof(n);
		memcpy(e, &n, elem);
	}
	memcpy(old, slot, elem);
	if (*used && rnd(2)) {
		ck_assert_int_eq(tables_edit_del(t, k, old), 0);
		ck_assert_int_eq(tables_edit_del(t, k, old), -ENOENT);
		*used = false;
		return true;
	}
	if (!tables_edit_fits(t, k, e, 1))
		return false;
	if (*used)
		ck_assert_int_eq(tables_edit_replace(t, k, old, e), 0);
	else
		ck_assert_int_eq(tables_edit_add(t, k, e), 0);
	memcpy(slot, e, elem);
	*used = true;
	return true;
}

START_TEST(test_every_kind_equals_rebuild)
{
	static struct world w;
	struct aftr_config cfg;
	struct tables live, fresh;
	int step, rebuilt = 0;

	seed = 11;
	memset(&w, 0, sizeof(w));
	/* A few of each to start with, softwires on the middle addresses
	 * only (the span widens). */
	for (uint32_t i = 4 * PSIDS; i < 8 * PSIDS; i += 3) {
		w.sw[i] = sw(i / PSIDS, (uint16_t)(i % PSIDS), rnd(B4S));
		w.sw_used[i] = true;
	}
	for (uint32_t i = 0; i < 4; i++) {
		w.tun[i] = (struct cfg_tunnel){.b4 = b4(i)};
		w.tun_used[i] = true;
		w.nat[i] = nat_of(i, i, 0);
		w.nat_used[i] = true;
		w.prr[3 * i] = prr_of(3 * i, 20 + i); /* one address: the span widens */
		w.prr_used[3 * i] = true;
	}
	w.nonat[1] = nonat_of(1, 30);
	w.nonat_used[1] = true;
	world_cfg(&cfg, &w);
	ck_assert_int_eq(tables_build(&live, &cfg, 1), 0);
	for (step = 0; step < 3000; step++) {
		if (!change(&live, &w)) {
			/* The room is used up: a new set, as the dataplane builds. */
			tables_free(&live);
			world_cfg(&cfg, &w);
			ck_assert_int_eq(tables_build(&live, &cfg, 1), 0);
			rebuilt++;
			continue;
		}
		world_cfg(&cfg, &w);
		ck_assert_int_eq(tables_build(&fresh, &cfg, 2), 0);
		same(&live, &fresh);
		same_b4s(&live, &fresh);
		same_nat(&live, &fresh);
		same_stateless(&live, &fresh);
		tables_free(&fresh);
	}
	ck_assert_int_gt(rebuilt, 0);
	ck_assert_int_lt(rebuilt, 30);
	tables_free(&live);
}
END_TEST

/* What is not done in place: prefixes compiled whole, nonat prefixes of
 * a fifth length. */
START_TEST(test_refusals_other_kinds)
{
	static struct world w;
	struct aftr_config cfg;
	struct tables t;
	struct cfg_prefix4 p = {.p = {0x64400000u, 10}};
	struct cfg_nonat n;

	memset(&w, 0, sizeof(w));
	for (uint32_t i = 0; i < 4; i++) {
		w.nonat[i] = nonat_of(i, i);
		w.nonat_used[i] = true;
	}
	world_cfg(&cfg, &w);
	ck_assert_int_eq(tables_build(&t, &cfg, 1), 0);
	ck_assert(!tables_edit_fits(&t, K_PRIVATE, &p, 1));
	ck_assert_int_eq(tables_edit_add(&t, K_PRIVATE, &p), -ENOSPC);
	n = nonat_of(4, 5);
	n.prefix.len = 30; /* a fifth length */
	ck_assert(!tables_edit_fits(&t, K_NONAT, &n, 1));
	n.prefix.len = 24; /* a known one */
	ck_assert(tables_edit_fits(&t, K_NONAT, &n, 1));
	ck_assert_int_eq(tables_edit_add(&t, K_NONAT, &n), 0);
	ck_assert_ptr_nonnull(tables_nonat(&t, 0xcb006805u));
	/* One prefix a B4. */
	n = nonat_of(8, 5);
	ck_assert_int_eq(tables_edit_add(&t, K_NONAT, &n), -EEXIST);
	tables_free(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tables_edit");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_edits_equal_rebuild);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_every_kind_equals_rebuild);
	tcase_add_test(tc, test_refusals_other_kinds);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
