/* Unit tests of control/dpctl/rates.c, the counters' rates aftr-control
 * keeps (ISC decay): over a real shared region (lib/shm/stats_shm.h) with
 * two workers and a main lcore, the clock given: the last second's rate,
 * the decayed averages second by second (a = a * d + rate * (1 - d)),
 * a longer interval counted as its length, a new dataplane starting the
 * rates again, gauges left out. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rates.h"
#include "stats_shm.h"

static const char *const names[] = {"nat_out", "drop_no_session", "mbufs_in_use"};
static const double decay[3] = {0.9, 0.99, 0.999};
static char shm[64];

static void *region(uint64_t generation)
{
	void *r;

	snprintf(shm, sizeof(shm), "test_rates%d", (int)getpid());
	r = stats_shm_create(shm, 3, names, 3, generation, NULL, 0);
	ck_assert_ptr_nonnull(r);
	stats_shm_publish(r);
	return r;
}

static double get(json_t *j, const char *name, const char *w)
{
	json_t *v = json_object_get(json_object_get(json_object_get(j, "rates"), name), w);

	ck_assert_msg(json_is_number(v), "%s %s", name, w);
	return json_number_value(v);
}

START_TEST(test_decayed)
{
	void *reg = region(7);
	const struct stats_shm_hdr *h = reg;
	struct rates *r = rates_new(decay);
	json_t *j;

	ck_assert_ptr_nonnull(r);
	stats_shm_block(reg, 0)[0] = 1000; /* before the first tick: not a rate */
	rates_tick(r, h, 0);
	ck_assert_ptr_null(rates_json(r)); /* no second yet */
	stats_shm_block(reg, 0)[0] += 60;  /* two workers: summed */
	stats_shm_block(reg, 1)[0] += 40;
	rates_tick(r, h, 500000); /* half a second: nothing moves */
	ck_assert_ptr_null(rates_json(r));
	rates_tick(r, h, 1000000);
	j = rates_json(r);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "generation")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "seconds")), 1);
	ck_assert_double_eq_tol(get(j, "nat_out", "last"), 100, 1e-9);
	/* The averages start at the first second's rate. */
	ck_assert_double_eq_tol(get(j, "nat_out", "1min"), 100, 1e-9);
	ck_assert_double_eq_tol(get(j, "drop_no_session", "15min"), 0, 1e-9);
	ck_assert_ptr_null(json_object_get(json_object_get(j, "rates"), "mbufs_in_use"));
	json_decref(j);

	/* A quiet second: the averages decay by their factors. */
	rates_tick(r, h, 2000000);
	j = rates_json(r);
	ck_assert_double_eq_tol(get(j, "nat_out", "last"), 0, 1e-9);
	ck_assert_double_eq_tol(get(j, "nat_out", "1min"), 90, 1e-9);
	ck_assert_double_eq_tol(get(j, "nat_out", "5min"), 99, 1e-9);
	ck_assert_double_eq_tol(get(j, "nat_out", "15min"), 99.9, 1e-9);
	json_decref(j);

	/* Two seconds at once (a late tick): 300 over 2 s is 150 a second,
	 * the factor that of two seconds. */
	stats_shm_block(reg, 2)[1] += 300;
	rates_tick(r, h, 4000000);
	j = rates_json(r);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "seconds")), 4);
	ck_assert_double_eq_tol(get(j, "drop_no_session", "last"), 150, 1e-9);
	ck_assert_double_eq_tol(get(j, "drop_no_session", "1min"), 150 * (1 - 0.81), 1e-9);
	ck_assert_double_eq_tol(get(j, "nat_out", "1min"), 90 * 0.81, 1e-9);
	json_decref(j);

	/* A new dataplane: its counters from 0, the rates again from there. */
	stats_shm_destroy(shm, reg);
	reg = region(8);
	h = reg;
	rates_tick(r, h, 5000000);
	ck_assert_ptr_null(rates_json(r));
	stats_shm_block(reg, 0)[0] = 5;
	rates_tick(r, h, 6000000);
	j = rates_json(r);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "generation")), 8);
	ck_assert_double_eq_tol(get(j, "nat_out", "1min"), 5, 1e-9);
	json_decref(j);
	rates_free(r);
	stats_shm_destroy(shm, reg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rates");
	TCase *tc = tcase_create("rates");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_decayed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
