/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Property test of validation by neighbourhood (control/state/state_delta.c):
 * on random valid configurations, a random change (entries added, or one
 * replaced) has exactly the errors cfg_validate finds in the whole changed
 * configuration, in the same order, with the same paths and messages.
 * Values are drawn from small sets so that changes often clash: shared
 * B4s, addresses, port sets, nonat prefixes over softwires, private and
 * martian addresses, pool ports in the dynamic range.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_yaml.h"
#include "state_delta.h"
#include "state_index.h"
#include "cfg_kinds.h"
#include "util.h"

static const char base_yaml[] = "endpoint: 2001:db8::1\n"
                                "icmp_source: 192.0.0.1\n"
                                "acl6: [2001:db8:1::/48]\n"
                                "private: [10.0.0.0/8, 100.64.0.0/10]\n"
                                "pools: [{address: 198.51.100.1}, {address: 198.51.100.2}]\n";

static unsigned int seed;

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)rand_r(&seed) % n;
}

static struct addr6 b4(void)
{
	struct addr6 a = {{0x20, 0x01, 0x0d, 0xb8, 0, 1}};

	a.b[15] = (uint8_t)(1 + rnd(40));
	if (rnd(40) == 0)
		a.b[0] = 0xff; /* multicast: refused */
	return a;
}

/* 192.0.2.0-3, a pool address, 203.0.113.0-15, now and then a martian. */
static uint32_t v4(void)
{
	switch (rnd(10)) {
	case 0:
		return 0xc6336401u + rnd(2);
	case 1:
		return rnd(8) ? 0xcb007100u + rnd(16) : 0x7f000001u;
	default:
		return 0xc0000200u + rnd(12);
	}
}

static void rand_softwire(struct cfg_softwire *s)
{
	s->b4 = b4();
	s->ipv4 = v4();
	s->psid.offset = rnd(4) ? 6 : 0;
	s->psid.psid_len = rnd(4) ? 4 : 6;
	s->psid.psid = (uint16_t)rnd(1u << s->psid.psid_len < 8 ? 1u << s->psid.psid_len : 8);
}

static void rand_nat(struct cfg_nat *n)
{
	n->b4 = b4();
	n->proto = (uint8_t)(rnd(2) ? CFG_TCP : CFG_UDP);
	n->addr = rnd(6) ? 0x0a000001u + rnd(4) : 0xc0a80001u;
	n->port = (uint16_t)(80 + rnd(3));
	n->ext_addr = rnd(8) ? 0xc6336401u + rnd(2) : v4();
	n->ext_port = (uint16_t)(rnd(6) ? 80 + rnd(4) : 5000);
}

static void rand_prr(struct cfg_prr *p)
{
	p->b4 = b4();
	p->proto = (uint8_t)rnd(3);
	p->addr = rnd(8) ? 0xc6336401u + rnd(2) : v4();
	p->port = (uint16_t)(rnd(6) ? 80 + rnd(4) : 5000);
}

static void rand_nonat(struct cfg_nonat *n)
{
	static const uint8_t lens[] = {28, 29, 30, 32, 32, 16};

	n->b4 = b4();
	n->prefix.len = lens[rnd(sizeof(lens))];
	n->prefix.addr = (rnd(3) ? 0xcb007100u + rnd(16) : 0xc0000200u + rnd(4)) &
	                 prefix4_mask(n->prefix.len);
}

static void rand_tunnel(struct cfg_tunnel *t)
{
	t->b4 = b4();
	t->has_ipv4 = rnd(3) == 0;
	t->ipv4 = t->has_ipv4 ? (rnd(6) ? 0xc6336401u + rnd(2) : v4()) : 0;
	t->mss = t->toobig = t->admpro = CFG_INHERIT;
}

static const enum cfg_kind kinds_used[] = {K_TUNNEL, K_NAT, K_PRR, K_NONAT, K_SOFTWIRE};

static void rand_entry(enum cfg_kind k, void *e)
{
	memset(e, 0, kinds[k].elem);
	switch (k) {
	case K_TUNNEL:
		rand_tunnel(e);
		break;
	case K_NAT:
		rand_nat(e);
		break;
	case K_PRR:
		rand_prr(e);
		break;
	case K_NONAT:
		rand_nonat(e);
		break;
	default:
		rand_softwire(e);
	}
}

/* The whole changed configuration's errors: cfg with v appended (at < 0)
 * or in place of entry at. */
static void whole(const struct aftr_config *cfg, enum cfg_kind k, const char *v, size_t n, long at,
                  struct diag *d)
{
	const struct kind *kd = &kinds[k];
	struct aftr_config c;
	struct kind_list l;

	ck_assert_int_eq(cfg_copy(&c, cfg), 0);
	l = kind_list(kd, &c);
	if (at >= 0)
		memcpy(kind_at(kd, &c, (size_t)at), v, kd->elem);
	for (size_t i = 0; at < 0 && i < n; i++)
		memcpy(vec_push(l.v, l.n, l.cap, kd->elem), v + i * kd->elem, kd->elem);
	cfg_validate(&c, d);
	cfg_free(&c);
}

/* The errors of a and b, one by one. */
static void same_errors(const struct diag *a, const struct diag *b, const char *what)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->n && a->v[i].level != DIAG_ERROR)
			i++;
		while (j < b->n && b->v[j].level != DIAG_ERROR)
			j++;
		if (i == a->n || j == b->n)
			break;
		ck_assert_msg(strcmp(a->v[i].path, b->v[j].path) == 0 &&
		                      strcmp(a->v[i].msg, b->v[j].msg) == 0 &&
		                      a->v[i].conflict == b->v[j].conflict,
		              "%s: delta %s: %s, whole %s: %s", what, a->v[i].path, a->v[i].msg,
		              b->v[j].path, b->v[j].msg);
		i++;
		j++;
	}
	ck_assert_msg(i == a->n && j == b->n, "%s: %zu errors by delta, %zu whole", what, a->errors,
	              b->errors);
}

/* A valid configuration of about n entries: random ones kept when the
 * whole stays valid. */
static void grow_valid(struct aftr_config *cfg, size_t n)
{
	char e[256];

	for (size_t tries = 0; tries < n * 4; tries++) {
		enum cfg_kind k = kinds_used[rnd(5)];
		const struct kind *kd = &kinds[k];
		struct kind_list l = kind_list(kd, cfg);
		struct diag d;

		rand_entry(k, e);
		memcpy(vec_push(l.v, l.n, l.cap, kd->elem), e, kd->elem);
		diag_init(&d, NULL);
		if (cfg_validate(cfg, &d) > 0)
			(*l.n)--;
		diag_free(&d);
	}
}

START_TEST(test_delta_equals_whole)
{
	size_t checked = 0, wide = 0, clashing = 0;

	for (unsigned int round = 0; round < 40; round++) {
		struct aftr_config cfg;
		struct sindex ix;
		struct diag d;

		seed = round * 7919u + 1;
		diag_init(&d, NULL);
		ck_assert_int_eq(cfg_load_yaml_buf(base_yaml, strlen(base_yaml), &cfg, &d), 0);
		diag_free(&d);
		grow_valid(&cfg, 20 + round);
		ck_assert_int_eq(sindex_build(&ix, &cfg), 0);
		for (int change = 0; change < 150; change++) {
			enum cfg_kind k = kinds_used[rnd(5)];
			size_t n_list = *kind_list(&kinds[k], &cfg).n, n = 1 + rnd(3);
			long at = n_list && rnd(3) == 0 ? (long)rnd((uint32_t)n_list) : -1;
			char v[3][256], what[64];
			struct diag da, dw;
			long rc;

			for (size_t i = 0; i < n; i++)
				rand_entry(k, v[0] + i * kinds[k].elem);
			if (at >= 0)
				n = 1;
			snprintf(what, sizeof(what), "round %u change %d %s", round, change,
			         kinds[k].url);
			diag_init(&da, NULL);
			diag_init(&dw, NULL);
			rc = state_check_delta(&cfg, &ix, k, v[0], n, at, &da);
			if (rc == -1) {
				wide++;
			} else {
				ck_assert_int_ge(rc, 0);
				whole(&cfg, k, v[0], n, at, &dw);
				same_errors(&da, &dw, what);
				checked++;
				clashing += rc > 0;
			}
			diag_free(&da);
			diag_free(&dw);
		}
		sindex_free(&ix);
		cfg_free(&cfg);
	}
	/* The draw makes both kinds of change common. */
	ck_assert_uint_gt(clashing, checked / 10);
	ck_assert_uint_gt(checked - clashing, checked / 10);
	ck_assert_uint_gt(wide, 0);
}
END_TEST

/* The indexes find each entry by identity after removals (the last entry
 * moves into the hole) and additions. */
START_TEST(test_index_follows)
{
	struct aftr_config cfg;
	struct sindex ix;
	struct diag d;

	seed = 42;
	diag_init(&d, NULL);
	ck_assert_int_eq(cfg_load_yaml_buf(base_yaml, strlen(base_yaml), &cfg, &d), 0);
	diag_free(&d);
	grow_valid(&cfg, 300);
	ck_assert_int_eq(sindex_build(&ix, &cfg), 0);
	for (int step = 0; step < 400; step++) {
		enum cfg_kind k = kinds_used[rnd(5)];
		const struct kind *kd = &kinds[k];
		struct kind_list l = kind_list(kd, &cfg);

		if (*l.n && rnd(2)) {
			sindex_remove(&ix, &cfg, k, rnd((uint32_t)*l.n));
		} else {
			char e[256];

			rand_entry(k, e);
			if (sindex_find(&ix, &cfg, k, e) >= 0)
				continue;
			ck_assert_int_eq(sindex_reserve(&ix, 1), 0);
			memcpy(vec_push(l.v, l.n, l.cap, kd->elem), e, kd->elem);
			ck_assert_int_eq(sindex_add(&ix, &cfg, k, *l.n - 1), 0);
		}
		for (size_t i = 0; i < *l.n; i++)
			ck_assert_int_eq(sindex_find(&ix, &cfg, k, kind_at(kd, &cfg, i)),
			                 kind_find(kd, &cfg, kind_at(kd, &cfg, i), 0));
	}
	sindex_free(&ix);
	cfg_free(&cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state_delta");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_delta_equals_whole);
	tcase_add_test(tc, test_index_follows);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
