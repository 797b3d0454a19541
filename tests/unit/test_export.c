/* NAT event records as collectors take them (lib/export): RFC 5424
 * messages and IPFIX (RFC 7011) with RFC 8158's templates, byte for byte. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evfmt.h"

/* 2026-12-03T14:02:11.042Z */
#define T_MS 1796306531042ULL

static struct ctl_msg block_msg(uint16_t type)
{
	struct ctl_msg m = {.type = type, .time_ms = T_MS};

	inet_pton(AF_INET6, "2001:db8::b4", m.u.block.b4);
	inet_pton(AF_INET, "203.0.113.7", &m.u.block.addr);
	m.u.block.first = 40256;
	m.u.block.count = 64;
	m.u.block.proto = 6;
	return m;
}

static const struct evfmt_syslog fmt = {21, 32473, "aftr1", "77"};

START_TEST(syslog_block)
{
	struct ctl_msg m = block_msg(CTL_EVT_BLOCK_ALLOC);
	char buf[512];
	int n = evfmt_syslog(&fmt, &m, buf, sizeof(buf));

	ck_assert_str_eq(buf, "<173>1 2026-12-03T14:02:11.042Z aftr1 aftr 77 blockAlloc "
	                      "[blockAlloc@32473 b4=\"2001:db8::b4\" addr=\"203.0.113.7\" "
	                      "proto=\"tcp\" first=\"40256\" last=\"40319\"] "
	                      "bucket add 2001:db8::b4 203.0.113.7 tcp 40256-40319");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(evfmt_syslog(&fmt, &m, buf, 40), -1); /* too small */
}
END_TEST

START_TEST(syslog_session_and_limits)
{
	struct ctl_msg m = {.type = CTL_EVT_NAT_DEL, .time_ms = T_MS};
	char buf[512];

	inet_pton(AF_INET6, "2001:db8::b4", m.u.sess.b4);
	inet_pton(AF_INET, "192.168.1.2", &m.u.sess.src);
	inet_pton(AF_INET, "203.0.113.7", &m.u.sess.ext);
	inet_pton(AF_INET, "198.51.100.1", &m.u.sess.dst);
	m.u.sess.sport = 5000;
	m.u.sess.eport = 40312;
	m.u.sess.dport = 53;
	m.u.sess.proto = 17;
	ck_assert_int_gt(evfmt_syslog(&fmt, &m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "<173>1 2026-12-03T14:02:11.042Z aftr1 aftr 77 sessionDelete "
	                      "[sessionDelete@32473 b4=\"2001:db8::b4\" src=\"192.168.1.2\" "
	                      "sport=\"5000\" addr=\"203.0.113.7\" port=\"40312\" proto=\"udp\" "
	                      "dst=\"198.51.100.1\" dport=\"53\"] "
	                      "nat del 2001:db8::b4 udp 203.0.113.7 40312");
	m = (struct ctl_msg){.type = CTL_EVT_QUOTA, .time_ms = T_MS};
	inet_pton(AF_INET6, "2001:db8::b4", m.u.limit.b4);
	inet_pton(AF_INET, "203.0.113.7", &m.u.limit.addr);
	m.u.limit.proto = 1;
	m.u.limit.kind = CTL_QUOTA_SESSIONS;
	m.u.limit.limit = 100;
	ck_assert_int_gt(evfmt_syslog(&fmt, &m, buf, sizeof(buf)), 0);
	/* A warning (severity 4): local5 * 8 + 4. */
	ck_assert_str_eq(buf, "<172>1 2026-12-03T14:02:11.042Z aftr1 aftr 77 quotaExceeded "
	                      "[quotaExceeded@32473 b4=\"2001:db8::b4\" addr=\"203.0.113.7\" "
	                      "proto=\"icmp\" limit=\"sessions\" max=\"100\"] "
	                      "quota 2001:db8::b4 203.0.113.7 icmp sessions 100");
	m.u.limit.kind = CTL_QUOTA_RATE;
	m.u.limit.limit = 5;
	ck_assert_int_gt(evfmt_syslog(&fmt, &m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "<172>1 2026-12-03T14:02:11.042Z aftr1 aftr 77 quotaExceeded "
	                      "[quotaExceeded@32473 b4=\"2001:db8::b4\" addr=\"203.0.113.7\" "
	                      "proto=\"icmp\" limit=\"rate\" max=\"5\"] "
	                      "quota 2001:db8::b4 203.0.113.7 icmp rate 5");
	m.u.limit.kind = 4;
	ck_assert_int_eq(evfmt_syslog(&fmt, &m, buf, sizeof(buf)), -1);
	m.type = CTL_EVT_ACK;
	ck_assert_int_eq(evfmt_syslog(&fmt, &m, buf, sizeof(buf)), -1);
	ck_assert_int_eq(evfmt_facility("local0"), 16);
	ck_assert_int_eq(evfmt_facility("daemon"), 3);
	ck_assert_int_eq(evfmt_facility("local8"), -1);
}
END_TEST

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static unsigned int get32(const uint8_t *p)
{
	return get16(p) << 16 | get16(p + 2);
}

START_TEST(ipfix_templates_and_record)
{
	struct evfmt_ipfix x;
	struct ctl_msg m = block_msg(CTL_EVT_BLOCK_FREE);
	const uint8_t *p, *r;
	size_t len, off = 16;
	unsigned int tid = 0, nf = 0;

	evfmt_ipfix_begin(&x);
	ck_assert_int_eq(evfmt_ipfix_templates(&x), 0);
	ck_assert_int_eq(evfmt_ipfix_record(&x, &m), 1);
	ck_assert_int_eq(evfmt_ipfix_record(&x, &m), 1);
	len = evfmt_ipfix_finish(&x, 1796306531, 41, 7);
	p = x.buf;
	/* Header: version 10, length, export time, sequence, domain. */
	ck_assert_uint_eq(get16(p), 10);
	ck_assert_uint_eq(get16(p + 2), len);
	ck_assert_uint_eq(get32(p + 4), 1796306531u);
	ck_assert_uint_eq(get32(p + 8), 41);
	ck_assert_uint_eq(get32(p + 12), 7);
	/* The template set (id 2) holds five templates; find 257's fields. */
	ck_assert_uint_eq(get16(p + off), 2);
	for (size_t t = off + 4; t < off + get16(p + off + 2); t += 4 + 4 * nf) {
		tid = get16(p + t);
		nf = get16(p + t + 2);
		if (tid == EVFMT_TPL_BLOCK) {
			ck_assert_uint_eq(nf, 9);
			ck_assert_uint_eq(get16(p + t + 4), 323);  /* observationTimeMilliseconds */
			ck_assert_uint_eq(get16(p + t + 8), 27);   /* sourceIPv6Address */
			ck_assert_uint_eq(get16(p + t + 36), 230); /* natEvent, last */
		}
	}
	off += get16(p + off + 2);
	/* One data set of template 257, both records in it: 8 + 16 + 4 + 1 +
	 * 4 x 2 + 1 = 38 bytes each. */
	ck_assert_uint_eq(get16(p + off), EVFMT_TPL_BLOCK);
	ck_assert_uint_eq(get16(p + off + 2), 4 + 2 * 38);
	ck_assert_uint_eq(off + 4 + 2 * 38, len);
	r = p + off + 4;
	ck_assert_uint_eq((uint64_t)get32(r) << 32 | get32(r + 4), T_MS);
	ck_assert_mem_eq(r + 8, m.u.block.b4, 16);
	ck_assert_mem_eq(r + 24, &m.u.block.addr, 4);
	ck_assert_uint_eq(r[28], 6);
	ck_assert_uint_eq(get16(r + 29), 40256); /* portRangeStart */
	ck_assert_uint_eq(get16(r + 31), 40319); /* portRangeEnd */
	ck_assert_uint_eq(get16(r + 33), 1);     /* portRangeStepSize */
	ck_assert_uint_eq(get16(r + 35), 64);    /* portRangeNumPorts */
	ck_assert_uint_eq(r[37], 17);            /* natEvent: port block de-allocation */
}
END_TEST

START_TEST(ipfix_fills_one_datagram)
{
	struct evfmt_ipfix x;
	struct ctl_msg m = block_msg(CTL_EVT_BLOCK_ALLOC);
	int n = 0;

	evfmt_ipfix_begin(&x);
	while (evfmt_ipfix_record(&x, &m) == 1)
		n++;
	ck_assert_int_eq(n, (EVFMT_IPFIX_MAX - 16 - 4) / 38);
	ck_assert_uint_le(evfmt_ipfix_finish(&x, 0, 0, 1), EVFMT_IPFIX_MAX);
	m.type = CTL_EVT_ACK;
	evfmt_ipfix_begin(&x);
	ck_assert_int_eq(evfmt_ipfix_record(&x, &m), -1);
	/* A creation-rate limit has no RFC 8158 quota: not exported. */
	m = (struct ctl_msg){.type = CTL_EVT_QUOTA,
	                     .u.limit = {.proto = 17, .kind = CTL_QUOTA_RATE}};
	ck_assert_int_eq(evfmt_ipfix_record(&x, &m), -1);
	m.u.limit.kind = CTL_QUOTA_SESSIONS;
	ck_assert_int_eq(evfmt_ipfix_record(&x, &m), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_add_test(tc, syslog_block);
	tcase_add_test(tc, syslog_session_and_limits);
	tcase_add_test(tc, ipfix_templates_and_record);
	tcase_add_test(tc, ipfix_fills_one_datagram);
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
