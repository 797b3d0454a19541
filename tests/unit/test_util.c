/* Unit tests of lib/util.c's key_idx_sort: against qsort over random keys
 * of every width (passes skipped where every key has the same byte),
 * stable (equal keys keep their order), and the edge sizes. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static int by_key_then_idx(const void *a, const void *b)
{
	const struct key_idx *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* n keys of mask's bits (few distinct values when mask is small: many
 * ties), put in by index, sorted both ways. */
static void same_as_qsort(size_t n, uint64_t mask)
{
	struct key_idx *v = calloc(n + 1, sizeof(*v)), *tmp = calloc(n + 1, sizeof(*tmp)),
	               *ref = calloc(n + 1, sizeof(*ref));

	ck_assert(v && tmp && ref);
	for (size_t i = 0; i < n; i++)
		v[i] = ref[i] = (struct key_idx){rnd() & mask, (uint32_t)i};
	qsort(ref, n, sizeof(*ref), by_key_then_idx);
	key_idx_sort(v, tmp, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(v[i].key == ref[i].key && v[i].idx == ref[i].idx,
		              "n %zu mask %llx: at %zu, key %llx idx %u, want %llx idx %u", n,
		              (unsigned long long)mask, i, (unsigned long long)v[i].key, v[i].idx,
		              (unsigned long long)ref[i].key, ref[i].idx);
	free(v);
	free(tmp);
	free(ref);
}

START_TEST(test_random_widths)
{
	static const uint64_t masks[] = {0,
	                                 0x7,
	                                 0xff,
	                                 0xff00,
	                                 0xffffffff,
	                                 0xff000000000000ffULL,
	                                 0x00ffff0000ff0000ULL,
	                                 UINT64_MAX};

	for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
		same_as_qsort(0, masks[m]);
		same_as_qsort(1, masks[m]);
		same_as_qsort(2, masks[m]);
		same_as_qsort(1000, masks[m]);
		same_as_qsort(100000, masks[m]);
	}
}
END_TEST

/* Softwire keys as cfg_validate makes them (address, offset, PSID length,
 * PSID), in reverse: the sort puts them in order, ties by index. */
START_TEST(test_softwire_keys)
{
	enum { N = 64 * 1024 };
	struct key_idx *v = calloc(N, sizeof(*v)), *tmp = calloc(N, sizeof(*tmp));

	ck_assert(v && tmp);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t j = N - 1 - i;

		v[i] = (struct key_idx){(uint64_t)(0xc6120000u + j / 64) << 32 | 6u << 24 |
		                                6u << 16 | (j % 64) / 2,
		                        i};
	}
	key_idx_sort(v, tmp, N);
	for (uint32_t i = 1; i < N; i++) {
		ck_assert(v[i - 1].key <= v[i].key);
		if (v[i - 1].key == v[i].key)
			ck_assert_uint_lt(v[i - 1].idx, v[i].idx);
	}
	free(v);
	free(tmp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("key_idx_sort");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_random_widths);
	tcase_add_test(tc, test_softwire_keys);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
