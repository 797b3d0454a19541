/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of lib/tables/tables_edit.c: softwires added, removed and
 * replaced in place answer every lookup as a set built afresh from the
 * same softwires does (random changes, B4s with several softwires and
 * with tunnels), and what cannot be done in place is refused. */
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

/* The model: which softwire holds (address, psid), and tunnels of the
 * first ten B4s. */
static void model_cfg(struct aftr_config *cfg, const struct cfg_softwire *v, const bool *used)
{
	ck_assert_int_eq(cfg_init(cfg), 0);
	cfg->fixed.has_endpoint = true;
	cfg->fixed.endpoint = b4(200);
	for (uint32_t i = 0; i < 10; i++)
		*VEC_PUSH(cfg->lists.tunnels, cfg->lists.n_tunnels, cfg->lists.cap_tunnels) =
		        (struct cfg_tunnel){.b4 = b4(i)};
	for (uint32_t i = 0; i < ADDRS * PSIDS; i++)
		if (used[i])
			*VEC_PUSH(cfg->lists.softwires, cfg->lists.n_softwires,
			          cfg->lists.cap_softwires) = v[i];
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

/* Refusals: another shape, outside the span, a taken port set, a
 * replacement onto another B4, no room. */
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
	s = sw(9, 1, 3); /* past the span */
	ck_assert_int_eq(tables_sw_add(&t, &s), -ERANGE);
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

int main(void)
{
	Suite *s = suite_create("tables_edit");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_edits_equal_rebuild);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
