/* Unit tests of lib/tables/sidx.c: sizes, adds and deletes against a shadow model
 * over many seeded random steps (with hashes made to collide, so probe runs
 * are long and wrap around the end), and the structure's invariant after
 * every step: each entry is reachable from its home slot. */

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sidx.h"

/* A little deterministic generator (xorshift64*). */
static uint64_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Every slot from an entry's home slot to the entry is taken; counts. */
static void check_invariant(const struct sidx *x)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i <= x->mask; i++) {
		if (x->slots[i].val == SIDX_NONE)
			continue;
		n++;
		for (uint32_t j = x->slots[i].hash & x->mask; j != i; j = (j + 1) & x->mask)
			ck_assert_msg(x->slots[j].val != SIDX_NONE, "slot %u (home %u): hole at %u",
			              i, x->slots[i].hash & x->mask, j);
	}
	ck_assert_uint_eq(n, x->n);
}

/* Whether val is found under hash. */
static bool found(const struct sidx *x, uint32_t hash, uint32_t val)
{
	uint32_t v;

	for (uint32_t pos = hash; (v = sidx_next(x, hash, &pos)) != SIDX_NONE;)
		if (v == val)
			return true;
	return false;
}

START_TEST(test_sizes)
{
	ck_assert_uint_eq(sidx_mem_size(0), 0);
	ck_assert_uint_eq(sidx_mem_size(SIDX_MAX + 1u), 0);
	ck_assert_uint_eq(sidx_mem_size(1), 16 * 8);
	ck_assert_uint_eq(sidx_mem_size(8), 16 * 8);
	ck_assert_uint_eq(sidx_mem_size(9), 32 * 8);
	ck_assert_uint_eq(sidx_mem_size(1000000), (size_t)(1u << 21) * 8);
	ck_assert_uint_eq(sidx_mem_size(1u << 20), (size_t)(1u << 21) * 8);
	ck_assert_uint_eq(sidx_mem_size((1u << 20) + 1), (size_t)(1u << 22) * 8);
}
END_TEST

START_TEST(test_basic)
{
	struct sidx x;
	void *mem = malloc(sidx_mem_size(8));

	sidx_init(&x, 8, mem);
	ck_assert_uint_eq(sidx_first(&x, 5), SIDX_NONE);
	ck_assert_int_eq(sidx_del(&x, 5, 1), -ENOENT);
	for (uint32_t i = 0; i < 8; i++)
		ck_assert_int_eq(sidx_add(&x, 0xabc0u + (i & 1), i), 0); /* two hashes, one home */
	ck_assert_int_eq(sidx_add(&x, 1, 99), -ENOSPC);                  /* half of 16 slots */
	check_invariant(&x);
	ck_assert_uint_eq(sidx_first(&x, 0xabc1u), 1);
	for (uint32_t i = 0; i < 8; i++)
		ck_assert(found(&x, 0xabc0u + (i & 1), i));
	ck_assert(!found(&x, 0xabc0u, 1)); /* the hash must match too */
	ck_assert_int_eq(sidx_del(&x, 0xabc1u, 2), -ENOENT);
	ck_assert_int_eq(sidx_del(&x, 0xabc0u, 0), 0);
	check_invariant(&x);
	ck_assert(!found(&x, 0xabc0u, 0));
	for (uint32_t i = 1; i < 8; i++)
		ck_assert(found(&x, 0xabc0u + (i & 1), i));
	/* The same key twice (the caller's business): both are kept. */
	ck_assert_int_eq(sidx_add(&x, 0xabc0u, 0), 0);
	ck_assert_int_eq(sidx_del(&x, 0xabc0u, 0), 0);
	free(mem);
}
END_TEST

/* A run that wraps past the last slot, then deletes in it. */
START_TEST(test_wrap)
{
	struct sidx x;
	void *mem = malloc(sidx_mem_size(8));

	sidx_init(&x, 8, mem);
	ck_assert_int_eq(sidx_add(&x, 14, 1), 0);
	ck_assert_int_eq(sidx_add(&x, 15, 2), 0);
	ck_assert_int_eq(sidx_add(&x, 14, 3), 0); /* in slot 0 */
	ck_assert_int_eq(sidx_add(&x, 0, 4), 0);  /* home 0, in slot 1 */
	ck_assert_int_eq(sidx_add(&x, 1, 5), 0);  /* home 1, in slot 2 */
	ck_assert_uint_eq(x.slots[0].val, 3);
	ck_assert_int_eq(sidx_del(&x, 14, 1), 0);
	check_invariant(&x);
	ck_assert_uint_eq(x.slots[14].val, 3); /* moved back over the end */
	ck_assert_uint_eq(x.slots[0].val, 4);
	ck_assert_uint_eq(x.slots[1].val, 5);
	for (uint32_t v = 2; v <= 5; v++)
		ck_assert(found(&x, v == 2 ? 15 : v == 3 ? 14 : v - 4, v));
	free(mem);
}
END_TEST

/* Random adds and deletes against a shadow of which value has which hash;
 * the loop's i picks how many distinct hashes there are (few: long runs). */
START_TEST(test_random)
{
	static const uint32_t nhash[] = {3, 64, 1u << 31};
	const uint32_t cap = 500, steps = 200000;
	uint32_t *hash_of = calloc(cap, sizeof(*hash_of));
	bool *in = calloc(cap, sizeof(*in));
	void *mem = malloc(sidx_mem_size(cap));
	struct sidx x;
	uint32_t n = 0;

	rnd_state = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	sidx_init(&x, cap, mem);
	for (uint32_t s = 0; s < steps; s++) {
		uint32_t v = rnd() % cap;

		if (in[v]) {
			ck_assert_int_eq(sidx_del(&x, hash_of[v], v), 0);
			ck_assert_int_eq(sidx_del(&x, hash_of[v], v), -ENOENT);
			in[v] = false;
			n--;
		} else {
			/* Scaled so the top hash bits differ too (the slot is the
			 * low bits, the rest tell entries apart). */
			hash_of[v] = (rnd() % nhash[_i]) * 0x9e3779b1u;
			ck_assert_int_eq(sidx_add(&x, hash_of[v], v), 0);
			in[v] = true;
			n++;
		}
		ck_assert_uint_eq(x.n, n);
		if (s % 997 == 0 || s + 1 == steps) {
			check_invariant(&x);
			for (uint32_t u = 0; u < cap; u++)
				ck_assert_msg(!in[u] || found(&x, hash_of[u], u),
				              "step %u: %u lost", s, u);
		}
	}
	/* Empty it: nothing left behind. */
	for (uint32_t u = 0; u < cap; u++)
		if (in[u])
			ck_assert_int_eq(sidx_del(&x, hash_of[u], u), 0);
	ck_assert_uint_eq(x.n, 0);
	for (uint32_t i = 0; i <= x.mask; i++)
		ck_assert_uint_eq(x.slots[i].val, SIDX_NONE);
	free(mem);
	free(in);
	free(hash_of);
}
END_TEST

static Suite *sidx_suite(void)
{
	Suite *s = suite_create("sidx");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_wrap);
	tcase_add_loop_test(tc, test_random, 0, 3);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sidx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
