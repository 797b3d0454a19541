/* The event log's searches (lib/export/evlog.h): a port block allocated,
 * released and given to another B4, across an indexed file and one still
 * being written; sessions; times. */
#include <arpa/inet.h>
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evlog.h"

#define T0 1796306531000ULL /* 2026-12-03T14:02:11Z */

static char dir[64];

static struct ctl_msg block(uint16_t type, const char *b4, uint64_t t, uint16_t first)
{
	struct ctl_msg m = {.type = type, .time_ms = t};

	inet_pton(AF_INET6, b4, m.u.block.b4);
	inet_pton(AF_INET, "203.0.113.7", &m.u.block.addr);
	m.u.block.first = first;
	m.u.block.count = 64;
	m.u.block.proto = 6;
	return m;
}

static struct ctl_msg sess(uint16_t type, const char *b4, uint64_t t, uint16_t eport)
{
	struct ctl_msg m = {.type = type, .time_ms = t};

	inet_pton(AF_INET6, b4, m.u.sess.b4);
	inet_pton(AF_INET, "192.168.1.2", &m.u.sess.src);
	inet_pton(AF_INET, "203.0.113.7", &m.u.sess.ext);
	m.u.sess.sport = 5000;
	m.u.sess.eport = eport;
	m.u.sess.proto = 6;
	return m;
}

static void write_file(uint64_t begun, const struct ctl_msg *m, size_t n, bool index)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ev-%013" PRIu64 ".evl", dir, begun);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fwrite(EVLOG_MAGIC, EVLOG_HDR, 1, f), 1);
	ck_assert_int_eq(fwrite(m, sizeof(*m), n, f), n);
	fclose(f);
	if (index)
		ck_assert_int_eq(evlog_index(path), 0);
}

static void setup(void)
{
	/* File 1 (indexed): A gets 40256-40319 at T0 + 1 s and opens a
	 * session on 40312; another block nearby for someone else. File 2
	 * (still written): the session ends, A's block is freed at T0 + 60 s
	 * and given to B at T0 + 120 s. */
	struct ctl_msg f1[] = {
	        block(CTL_EVT_BLOCK_ALLOC, "2001:db8::c", T0 + 500, 40192),
	        block(CTL_EVT_BLOCK_ALLOC, "2001:db8::a", T0 + 1000, 40256),
	        sess(CTL_EVT_NAT_ADD, "2001:db8::a", T0 + 1001, 40312),
	        block(CTL_EVT_BLOCK_ALLOC, "2001:db8::d", T0 + 2000, 40320),
	};
	struct ctl_msg f2[] = {
	        sess(CTL_EVT_NAT_DEL, "2001:db8::a", T0 + 50000, 40312),
	        block(CTL_EVT_BLOCK_FREE, "2001:db8::a", T0 + 60000, 40256),
	        block(CTL_EVT_BLOCK_ALLOC, "2001:db8::b", T0 + 120000, 40256),
	};

	snprintf(dir, sizeof(dir), "/tmp/evlog-test-%d", (int)getpid());
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	write_file(T0, f1, 4, true);
	write_file(T0 + 40000, f2, 3, false);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int who(uint64_t at, uint16_t port, struct evlog_hit *h)
{
	return evlog_who(dir, inet_addr("203.0.113.7"), port, 6, at, h);
}

static void assert_b4(const uint8_t *b, const char *want)
{
	uint8_t w[16];

	inet_pton(AF_INET6, want, w);
	ck_assert_mem_eq(b, w, 16);
}

START_TEST(block_given_to_another)
{
	struct evlog_hit h;

	ck_assert_int_eq(who(T0 + 30000, 40312, &h), 1);
	assert_b4(h.alloc.u.block.b4, "2001:db8::a");
	ck_assert_uint_eq(h.alloc.time_ms, T0 + 1000);
	ck_assert_uint_eq(h.released_ms, T0 + 60000);
	ck_assert(h.session);
	ck_assert_uint_eq(h.create.u.sess.sport, 5000);
	ck_assert_uint_eq(h.ended_ms, T0 + 50000);
	/* Between release and the next allocation: nobody. */
	ck_assert_int_eq(who(T0 + 90000, 40312, &h), 0);
	/* B from then on, with no release logged. */
	ck_assert_int_eq(who(T0 + 130000, 40312, &h), 1);
	assert_b4(h.alloc.u.block.b4, "2001:db8::b");
	ck_assert_uint_eq(h.released_ms, 0);
	ck_assert(!h.session);
	/* Before anything, another port, another protocol. */
	ck_assert_int_eq(who(T0 + 999, 40312, &h), 0);
	ck_assert_int_eq(who(T0 + 30000, 40400, &h), 0);
	ck_assert_int_eq(evlog_who(dir, inet_addr("203.0.113.7"), 40312, 17, T0 + 30000, &h), 0);
	/* The blocks beside it are their holders'. */
	ck_assert_int_eq(who(T0 + 30000, 40255, &h), 1);
	assert_b4(h.alloc.u.block.b4, "2001:db8::c");
	ck_assert_int_eq(who(T0 + 30000, 40320, &h), 1);
	assert_b4(h.alloc.u.block.b4, "2001:db8::d");
}
END_TEST

START_TEST(lost_with_its_dataplane)
{
	/* A block allocated, never released: its dataplane stopped and
	 * another started at T0 + 200 s (aftr-control's record). From then
	 * on nobody holds it. */
	struct ctl_msg f3[] = {
	        block(CTL_EVT_BLOCK_ALLOC, "2001:db8::e", T0 + 150000, 48000),
	        {.type = CTL_EVT_DP_START, .time_ms = T0 + 200000, .u.dp = {7, T0 + 200000, 99}}};
	struct evlog_hit h;

	write_file(T0 + 140000, f3, 2, false);
	ck_assert_int_eq(who(T0 + 190000, 48001, &h), 1);
	assert_b4(h.alloc.u.block.b4, "2001:db8::e");
	ck_assert_int_eq(who(T0 + 210000, 48001, &h), 0);
	/* Blocks of before the restart kept their answers for their time. */
	ck_assert_int_eq(who(T0 + 30000, 40312, &h), 1);
}
END_TEST

START_TEST(times)
{
	char buf[40];

	ck_assert_int_eq(evlog_parse_time("2026-12-03T14:02:11Z"), (int64_t)T0);
	ck_assert_int_eq(evlog_parse_time("2026-12-03T14:02:11.250+00:00"), (int64_t)T0 + 250);
	ck_assert_int_eq(evlog_parse_time("1796306531"), (int64_t)T0);
	ck_assert_int_eq(evlog_parse_time("2026-12-03T14:02:11+01:00"), -1);
	ck_assert_int_eq(evlog_parse_time("yesterday"), -1);
	ck_assert_str_eq(evlog_format_time(T0 + 42, buf, sizeof(buf)), "2026-12-03T14:02:11.042Z");
	ck_assert_int_lt(evlog_who("/nonexistent-evlog", 0, 1, 6, T0, &(struct evlog_hit){0}), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("evlog");
	TCase *tc = tcase_create("evlog");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, block_given_to_another);
	tcase_add_test(tc, lost_with_its_dataplane);
	tcase_add_test(tc, times);
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
