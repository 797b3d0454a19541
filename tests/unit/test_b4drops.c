/* Unit tests of dataplane/worker/b4drops.c, the drops per B4 each worker
 * keeps for the B4s that drop most: counts by reason, a B4 that keeps
 * dropping stays while others come and go in its set, the ages, and a
 * flood from many addresses leaves the table bounded. DPDK's EAL is
 * started (no hugepages) for rte_malloc. */
#include <check.h>
#include <rte_eal.h>
#include <string.h>

#include "b4drops.h"
#include "crc.h"
#include "dp_test.h"

static struct b4drops_state d;

static uint32_t set_of(const struct addr6 *a)
{
	return dp_crc(a->b, 16, 0xb4d) % B4D_SETS;
}

/* The slot holding a, or -1. */
static int find(const struct addr6 *a, uint64_t now, uint64_t *total, uint32_t *since,
                uint32_t *last, const struct b4d_reasons **r)
{
	for (uint32_t i = 0; i < B4D_SLOTS; i++) {
		struct addr6 got;

		if (b4drops_slot(&d, i, now, &got, total, since, last, r) && addr6_equal(&got, a))
			return (int)i;
	}
	return -1;
}

/* Addresses from n on that share a's set, count of them. */
static void same_set(const struct addr6 *a, uint32_t n, struct addr6 *out, int count)
{
	for (int k = 0; k < count; n++) {
		struct addr6 c = dp_test_b4(n);

		if (set_of(&c) == set_of(a) && !addr6_equal(&c, a))
			out[k++] = c;
	}
}

static void setup(void)
{
	ck_assert_int_eq(b4drops_init(&d), 0);
}

static void teardown(void)
{
	b4drops_fini(&d);
}

START_TEST(test_counts_by_reason)
{
	struct addr6 a = dp_test_b4(1), other = dp_test_b4(2);
	const struct b4d_reasons *r;
	uint32_t since, last;
	uint64_t total;

	b4drops_count(&d, &a, DROP_NOT_PRIVATE, 10);
	b4drops_count(&d, &a, DROP_NOT_PRIVATE, 12);
	b4drops_count(&d, &a, DROP_ACL6, 15);
	b4drops_count(&d, &other, DROP_ACL6, 15);
	ck_assert_int_ge(find(&a, 20, &total, &since, &last, &r), 0);
	ck_assert_uint_eq(total, 3);
	ck_assert_uint_eq(r->n[DROP_NOT_PRIVATE], 2);
	ck_assert_uint_eq(r->n[DROP_ACL6], 1);
	ck_assert_uint_eq(since, 10);
	ck_assert_uint_eq(last, 5);
	ck_assert_uint_eq(d.tracked, 2);
	ck_assert_uint_eq(d.replaced, 0);
	ck_assert_int_eq(find(&(struct addr6){{0}}, 20, &total, &since, &last, &r), -1);
}
END_TEST

/* A set's ways full: a newcomer gets in at one in B4D_ADMIT of such
 * drops, in the place of the B4 with the fewest drops, whose counts are
 * gone; the heavy ones stay. */
START_TEST(test_heavy_stays)
{
	struct addr6 heavy = dp_test_b4(1), others[B4D_WAYS + 1];
	const struct b4d_reasons *r;
	uint32_t since, last;
	uint64_t total;

	same_set(&heavy, 100, others, B4D_WAYS + 1);
	for (int i = 0; i < 50; i++)
		b4drops_count(&d, &heavy, DROP_NAT_RATE, 1);
	for (int i = 0; i < B4D_WAYS - 1; i++)
		for (int k = 0; k <= i; k++)
			b4drops_count(&d, &others[i], DROP_NAT_COUNT, 2);
	ck_assert_uint_eq(d.tracked, B4D_WAYS);
	/* The set is full: the newcomer knocks B4D_ADMIT times to get in. */
	for (int i = 0; i < B4D_ADMIT - 1; i++)
		b4drops_count(&d, &others[B4D_WAYS - 1], DROP_ACL6, 3);
	ck_assert_int_eq(find(&others[B4D_WAYS - 1], 3, &total, &since, &last, &r), -1);
	ck_assert_uint_eq(d.replaced, 0);
	b4drops_count(&d, &others[B4D_WAYS - 1], DROP_ACL6, 3);
	ck_assert_uint_eq(d.tracked, B4D_WAYS);
	ck_assert_uint_eq(d.replaced, 1);
	ck_assert_int_eq(find(&others[0], 3, &total, &since, &last, &r), -1);
	ck_assert_int_ge(find(&heavy, 3, &total, &since, &last, &r), 0);
	ck_assert_uint_eq(total, 50);
	ck_assert_uint_eq(r->n[DROP_NAT_RATE], 50);
	ck_assert_int_ge(find(&others[B4D_WAYS - 2], 3, &total, &since, &last, &r), 0);
	ck_assert_uint_eq(total, B4D_WAYS - 1);
	/* The newcomer holds only the drop it got in with, its reasons fresh. */
	ck_assert_int_ge(find(&others[B4D_WAYS - 1], 3, &total, &since, &last, &r), 0);
	ck_assert_uint_eq(total, 1);
	ck_assert_uint_eq(r->n[DROP_ACL6], 1);
	ck_assert_uint_eq(r->n[DROP_NAT_COUNT], 0);
	/* Once in, every drop counts. */
	b4drops_count(&d, &others[B4D_WAYS - 1], DROP_ACL6, 4);
	ck_assert_int_ge(find(&others[B4D_WAYS - 1], 4, &total, &since, &last, &r), 0);
	ck_assert_uint_eq(total, 2);
	/* A knock that is not the B4D_ADMIT'th: not counted. */
	b4drops_count(&d, &others[B4D_WAYS], DROP_ACL6, 4);
	ck_assert_int_eq(find(&others[B4D_WAYS], 4, &total, &since, &last, &r), -1);
}
END_TEST

/* Drops from a million addresses: the table holds at most its slots, at
 * most one replacement in B4D_ADMIT drops, and B4s that drop often all the
 * while are still there with their drops (but the few before they first
 * held their place against the flood). */
START_TEST(test_flood_bounded)
{
	struct addr6 heavy[8];
	const struct b4d_reasons *r;
	uint32_t since, last;
	uint64_t total;

	for (int i = 0; i < 8; i++)
		heavy[i] = dp_test_b4(0x10000000u + (uint32_t)i);
	for (uint32_t n = 0; n < 1000000; n++) {
		struct addr6 a = dp_test_b4(n);

		b4drops_count(&d, &a, DROP_ACL6, 1);
		if (n % 50 == 0)
			b4drops_count(&d, &heavy[n / 50 % 8], DROP_NOT_PRIVATE, 1);
	}
	ck_assert_uint_le(d.tracked, B4D_SLOTS);
	ck_assert_uint_le(d.replaced, 1020000 / B4D_ADMIT);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_ge(find(&heavy[i], 1, &total, &since, &last, &r), 0);
		ck_assert_uint_le(total, 2500);
		ck_assert_uint_ge(total, 2400);
		ck_assert_uint_eq(r->n[DROP_NOT_PRIVATE], total);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("b4drops");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_counts_by_reason);
	tcase_add_test(tc, test_heavy_stays);
	tcase_add_test(tc, test_flood_bounded);
	suite_add_tcase(s, tc);
	if (dp_test_eal("test_b4drops", "64") < 0)
		return 1;
	return dp_test_run(s);
}
