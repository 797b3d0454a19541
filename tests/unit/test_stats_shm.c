/* The shared counters region (lib/stats_shm.c): layout, readers, refusals. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "stats_shm.h"

static char name[64];

static void setup(void)
{
	snprintf(name, sizeof(name), "aftr-test-%d", (int)getpid());
}

START_TEST(write_then_read)
{
	static const char *const names[] = {"alpha", "beta", "a_name_of_exactly_forty_seven_characters_long_x"};
	void *w = stats_shm_create(name, 3, names, 3, 42);
	const struct stats_shm_hdr *r;

	ck_assert_ptr_nonnull(w);
	for (uint32_t b = 0; b < 3; b++) {
		uint64_t *v = stats_shm_block(w, b);

		ck_assert_uint_eq((uintptr_t)v % 64, 0); /* a cache line per block */
		v[0] = b + 1;
		v[1] = 10 * (b + 1);
	}
	r = stats_shm_open(name);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->generation, 42);
	ck_assert_int_eq(r->pid, getpid());
	ck_assert_uint_eq(r->nblocks, 3);
	ck_assert_str_eq(stats_shm_name(r, 0), "alpha");
	ck_assert_str_eq(stats_shm_name(r, 2), names[2]);
	ck_assert_str_eq(stats_shm_name(r, 3), "");
	ck_assert_uint_eq(stats_shm_value(r, 1, 0), 2);
	ck_assert_uint_eq(stats_shm_total(r, 0), 6);
	ck_assert_uint_eq(stats_shm_total(r, 1), 60);
	ck_assert_uint_eq(stats_shm_total(r, 2), 0);
	ck_assert_uint_eq(stats_shm_value(r, 3, 0), 0); /* out of range reads 0 */
	stats_shm_close(r);
	stats_shm_destroy(name, w);
	ck_assert_ptr_null(stats_shm_open(name));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(other_versions_are_refused)
{
	static const char *const names[] = {"x"};
	struct stats_shm_hdr *w = stats_shm_create(name, 1, names, 1, 1);

	ck_assert_ptr_nonnull(w);
	w->version = STATS_SHM_VERSION + 1;
	ck_assert_ptr_null(stats_shm_open(name));
	ck_assert_int_eq(errno, EPROTO);
	w->version = STATS_SHM_VERSION;
	w->magic = 0;
	ck_assert_ptr_null(stats_shm_open(name));
	ck_assert_int_eq(errno, EPROTO);
	w->magic = STATS_SHM_MAGIC;
	w->ncounters = 1000; /* would read past the mapping */
	ck_assert_ptr_null(stats_shm_open(name));
	w->ncounters = 1;
	stats_shm_destroy(name, w);
}
END_TEST

/* A new dataplane replaces the region of a dead one. */
START_TEST(restart_replaces)
{
	static const char *const names[] = {"x"};
	void *a = stats_shm_create(name, 1, names, 1, 1);
	void *b = stats_shm_create(name, 2, names, 1, 2);
	const struct stats_shm_hdr *r = stats_shm_open(name);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->generation, 2);
	ck_assert_uint_eq(r->nblocks, 2);
	stats_shm_close(r);
	stats_shm_destroy(name, b);
	stats_shm_close(a); /* the old mapping stays readable until unmapped */
}
END_TEST

/* The dataplane's name table: counters, drops, port statistics. */
START_TEST(dataplane_names)
{
	const char *names[AFTR_STATS_COUNT];

	ck_assert_uint_eq(aftr_stats_names(names), AFTR_STATS_COUNT);
	ck_assert_str_eq(names[0], "rx_transport");
	ck_assert_str_eq(names[CNT_COUNT], "drop_bad_ether");
	ck_assert_str_eq(names[CNT_COUNT + DROP_COUNT], "port_transport_rx_packets");
	ck_assert_str_eq(names[AFTR_STATS_COUNT - 1], "port_wan_tx_errors");
	for (unsigned int i = 0; i < AFTR_STATS_COUNT; i++) {
		ck_assert_uint_lt(strlen(names[i]), STATS_NAME_LEN);
		for (unsigned int j = 0; j < i; j++)
			ck_assert_str_ne(names[i], names[j]);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats_shm");
	TCase *tc = tcase_create("shm");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, write_then_read);
	tcase_add_test(tc, other_versions_are_refused);
	tcase_add_test(tc, restart_replaces);
	tcase_add_test(tc, dataplane_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
