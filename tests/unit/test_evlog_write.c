/* aftr-control's event log writer (control/events/evlog_write.h): files
 * begun every file_mb, each indexed when closed, the oldest deleted past
 * max_total_mb, a crash's unindexed file indexed at the next start; and
 * what it wrote answers "who" (lib/export/evlog.h). */
#include <arpa/inet.h>
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evlog.h"
#include "evlog_write.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/evlogw-test-%d", (int)getpid());
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Block k of 198.51.100.1, allocated (even i) and released (odd i). */
static struct ctl_msg rec(uint32_t i, uint64_t t)
{
	struct ctl_msg m = {.type = i % 2 ? CTL_EVT_BLOCK_FREE : CTL_EVT_BLOCK_ALLOC, .time_ms = t};
	uint32_t k = i / 2;

	inet_pton(AF_INET6, "2001:db8::b4", m.u.block.b4);
	memcpy(m.u.block.b4 + 12, &k, 4);
	m.u.block.addr = inet_addr("198.51.100.1");
	m.u.block.first = (uint16_t)(1024 + 8 * (k % 1000));
	m.u.block.count = 8;
	m.u.block.proto = 17;
	return m;
}

static int count_files(const char *ext)
{
	uint64_t *f;
	int n = evlog_files(dir, &f), with = 0;
	char path[128];

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/ev-%013" PRIu64 ".%s", dir, f[i], ext);
		with += access(path, F_OK) == 0;
	}
	free(f);
	return with;
}

START_TEST(rotates_indexes_keeps)
{
	/* 1 MB files of 16,384 records; 50,000 records: 4 files. */
	struct cfg_event_log c = {true, "", 1, 180, 0};
	char err[256];
	struct evlog_w *l = evlog_w_open(&c, dir, err, sizeof(err));
	uint64_t t0 = now_ms(), r, lost, e;
	struct evlog_hit h;
	struct ctl_msg m;

	ck_assert_msg(l != NULL, "%s", err);
	for (uint32_t i = 0; i < 50000; i++) {
		m = rec(i, t0 + i);
		evlog_w_put(l, &m);
		if (i % 100 == 99)
			evlog_w_flush(l);
	}
	evlog_w_flush(l);
	evlog_w_counts(l, &r, &lost, &e);
	ck_assert_uint_eq(r, 50000);
	ck_assert_uint_eq(lost + e, 0);
	evlog_w_close(l); /* the last file indexed too */
	ck_assert_int_eq(count_files("evl"), 4);
	ck_assert_int_eq(count_files("idx"), 4);
	/* Record 20,000 (block 10,000 % 1000 = 0's allocation to B4 10,000)
	 * answers for its port between its two records. */
	m = rec(20000, t0 + 20000);
	ck_assert_int_eq(evlog_who(dir, m.u.block.addr, 1030, 17, t0 + 20000, &h), 1);
	ck_assert_mem_eq(h.alloc.u.block.b4, m.u.block.b4, 16);
	ck_assert_uint_eq(h.released_ms, t0 + 20001);
	/* A new start keeps the files; max_total_mb 2 then deletes the
	 * oldest at its first rotation. */
	c.max_total_mb = 2;
	l = evlog_w_open(&c, dir, err, sizeof(err));
	ck_assert_ptr_nonnull(l);
	for (uint32_t i = 0; i < 17000; i++) {
		m = rec(i, t0 + 60000 + i);
		evlog_w_put(l, &m);
	}
	evlog_w_flush(l);
	evlog_w_close(l);
	ck_assert_int_le(count_files("evl"), 3);
	ck_assert_int_eq(count_files("evl"), count_files("idx"));
}
END_TEST

START_TEST(unindexed_file_indexed_at_start)
{
	struct cfg_event_log c = {true, "", 64, 180, 0};
	char err[256], path[128];
	uint64_t begun = now_ms() - 1000;
	struct ctl_msg m = rec(0, begun + 10);
	struct evlog_w *l;
	FILE *f;

	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/ev-%013" PRIu64 ".evl", dir, begun);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fwrite(EVLOG_MAGIC, EVLOG_HDR, 1, f), 1);
	ck_assert_int_eq(fwrite(&m, sizeof(m), 1, f), 1);
	fclose(f);
	l = evlog_w_open(&c, dir, err, sizeof(err));
	ck_assert_ptr_nonnull(l);
	snprintf(path, sizeof(path), "%s/ev-%013" PRIu64 ".idx", dir, begun);
	ck_assert_int_eq(access(path, F_OK), 0);
	evlog_w_close(l);
	/* A folder that cannot be made: an error, named. */
	ck_assert_ptr_null(evlog_w_open(&c, "/proc/no/such", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/proc/no/such"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("evlog_write");
	TCase *tc = tcase_create("evlog_write");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rotates_indexes_keeps);
	tcase_add_test(tc, unindexed_file_indexed_at_start);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
