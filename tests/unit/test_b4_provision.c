/* Unit tests of the software B4's provisioning (deploy/b4/dhcp6.c, dns.c): the
 * Information-Request's bytes, Replies with AFTR-Name, DNS servers, the refresh time and
 * the lw4o6 container read as RFC 6334, 3646, 8415 and 7598 write them, the Replies to
 * ignore or refuse, the retransmission schedule; the AAAA question and its answers
 * (compressed names, a CNAME first, NXDOMAIN, truncation, damage). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>

#include "dhcp6.h"
#include "dns.h"

static const uint8_t duid[10] = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0xa};

/* A Reply of xid: our client id, a server id, then the options in opts. */
static size_t reply(uint8_t *b, uint32_t xid, const uint8_t *opts, size_t n)
{
	static const uint8_t head[] = {0, 1, 0,   10, 0, 3, 0, 1, 2, 0, 0,
	                               0, 0, 0xa, 0,  2, 0, 4, 0, 4, 1, 2};
	b[0] = DHCP6_REPLY;
	b[1] = (uint8_t)(xid >> 16);
	b[2] = (uint8_t)(xid >> 8);
	b[3] = (uint8_t)xid;
	memcpy(b + 4, head, sizeof(head));
	memcpy(b + 4 + sizeof(head), opts, n);
	return 4 + sizeof(head) + n;
}

START_TEST(test_info_request)
{
	uint8_t b[128];
	int n = dhcp6_info_request(b, sizeof(b), 0x123456, duid, sizeof(duid), 70000);
	static const uint8_t want[] = {11, 0x12, 0x34, 0x56, 0,   1,  0, 10, 0, 3,    0,    1, 2,
	                               0,  0,    0,    0,    0xa, 0,  8, 0,  2, 0xff, 0xff, 0, 6,
	                               0,  10,   0,    23,   0,   64, 0, 96, 0, 32,   0,    83};

	ck_assert_int_eq(n, (int)sizeof(want));
	ck_assert_mem_eq(b, want, sizeof(want));
	ck_assert_int_eq(dhcp6_info_request(b, 20, 1, duid, sizeof(duid), 0), -ENOSPC);
}
END_TEST

START_TEST(test_reply_dslite)
{
	static const uint8_t opts[] = {0,   64,  0,    15,  4,   'a', 'f', 't', 'r', 3, 'l', 'a',
	                               'b', 4,   't',  'e', 's', 't', 0,   0,   23,  0, 16,  0x20,
	                               1,   0xd, 0xb8, 0,   0,   0,   0,   0,   0,   0, 0,   0,
	                               0,   0,   0x53, 0,   32,  0,   4,   0,   0,   0, 10};
	uint8_t b[256];
	size_t n = reply(b, 7, opts, sizeof(opts));
	struct dhcp6_info in;
	char a[INET6_ADDRSTRLEN];

	ck_assert_int_eq(dhcp6_parse_reply(b, n, 7, duid, sizeof(duid), &in), 0);
	ck_assert_str_eq(in.aftr_name, "aftr.lab.test");
	ck_assert_uint_eq(in.n_dns, 1);
	ck_assert_str_eq(inet_ntop(AF_INET6, &in.dns[0], a, sizeof(a)), "2001:db8::53");
	ck_assert_uint_eq(in.refresh, DHCP6_IRT_MINIMUM); /* 10 s: raised to the floor */
	ck_assert(!in.lw.present);
	ck_assert_uint_eq(in.inf_max_rt, 0);
	/* Another transaction, another client, no server id: ignored. */
	ck_assert_int_eq(dhcp6_parse_reply(b, n, 8, duid, sizeof(duid), &in), -ENOMSG);
	ck_assert_int_eq(dhcp6_parse_reply(b, n, 7, duid, sizeof(duid) - 1, &in), -ENOMSG);
	b[4 + 14 + 1] = 99; /* the server id's code */
	ck_assert_int_eq(dhcp6_parse_reply(b, n, 7, duid, sizeof(duid), &in), -ENOMSG);
	/* An option past the end; a name without its root label: refused. */
	n = reply(b, 7, opts, sizeof(opts));
	ck_assert_int_eq(dhcp6_parse_reply(b, n - 1, 7, duid, sizeof(duid), &in), -EBADMSG);
	b[4 + 22 + 3] = 16;
	ck_assert_int_eq(dhcp6_parse_reply(b, n, 7, duid, sizeof(duid), &in), -EBADMSG);
}
END_TEST

/* RFC 8415 section 21.25: INF_MAX_RT taken within 60-86400, ignored outside. */
START_TEST(test_reply_inf_max_rt)
{
	uint8_t opts[] = {0, 83, 0, 4, 0, 0, 0, 120};
	uint8_t b[128];
	struct dhcp6_info in;
	size_t n = reply(b, 7, opts, sizeof(opts));

	ck_assert_int_eq(dhcp6_parse_reply(b, n, 7, duid, sizeof(duid), &in), 0);
	ck_assert_uint_eq(in.inf_max_rt, 120);
	opts[7] = 59;
	n = reply(b, 7, opts, sizeof(opts));
	ck_assert_int_eq(dhcp6_parse_reply(b, n, 7, duid, sizeof(duid), &in), 0);
	ck_assert_uint_eq(in.inf_max_rt, 0);
	opts[3] = 3; /* not 4 octets */
	n = reply(b, 7, opts, sizeof(opts) - 1);
	ck_assert_int_eq(dhcp6_parse_reply(b, n, 7, duid, sizeof(duid), &in), -EBADMSG);
}
END_TEST

/* RFC 7598: a container with the BR and a binding whose port parameters say offset 6,
 * PSID length 5, PSID 3 (left-aligned: 3 << 11). */
START_TEST(test_reply_lw4o6)
{
	static const uint8_t opts[] = {0, 96,  0,    45, /* S46_CONT_LW */
	                               0, 90,  0,    16, 0x20, 1, 0xd,  0xb8, 0,  0,
	                               0, 0,   0,    0,  0,    0, 0,    0,    0,  1, /* BR */
	                               0, 92,  0,    21, 192,  0, 2,    7,    64, 0x20,
	                               1, 0xd, 0xb8, 0,  1,    0, 0,        /* V4V6BIND */
	                               0, 93,  0,    4,  6,    5, 0x18, 0}; /* PORTPARAMS */
	uint8_t b[256], bad[256];
	size_t n = reply(b, 9, opts, sizeof(opts));
	struct dhcp6_info in;
	char a[INET6_ADDRSTRLEN];

	ck_assert_int_eq(dhcp6_parse_reply(b, n, 9, duid, sizeof(duid), &in), 0);
	ck_assert(in.lw.present);
	ck_assert_str_eq(inet_ntop(AF_INET6, &in.lw.br, a, sizeof(a)), "2001:db8::1");
	ck_assert_str_eq(inet_ntop(AF_INET, &in.lw.ipv4, a, sizeof(a)), "192.0.2.7");
	ck_assert_uint_eq(in.lw.bindprefix6_len, 64);
	ck_assert_uint_eq(in.lw.offset, 6);
	ck_assert_uint_eq(in.lw.psid_len, 5);
	ck_assert_uint_eq(in.lw.psid, 3);
	ck_assert_uint_eq(in.refresh, DHCP6_IRT_DEFAULT);
	/* Padding bits of the PSID that are not zero; no BR: refused. */
	memcpy(bad, b, n);
	bad[n - 1] = 1;
	ck_assert_int_eq(dhcp6_parse_reply(bad, n, 9, duid, sizeof(duid), &in), -EBADMSG);
	memcpy(bad, b, n);
	bad[4 + 22 + 4 + 1] = 91; /* the BR's code */
	ck_assert_int_eq(dhcp6_parse_reply(bad, n, 9, duid, sizeof(duid), &in), -EBADMSG);
}
END_TEST

START_TEST(test_retransmission)
{
	unsigned int rt = dhcp6_next_rt_ms(0, 0, 0);

	ck_assert_uint_eq(rt, 1000);
	ck_assert_uint_eq(dhcp6_next_rt_ms(0, 100, 0), 1100);
	ck_assert_uint_eq(dhcp6_next_rt_ms(0, -100, 0), 900);
	ck_assert_uint_eq(dhcp6_next_rt_ms(1000, 0, 0), 2000);
	ck_assert_uint_eq(dhcp6_next_rt_ms(1000, 100, 0), 2100);
	for (int i = 0; i < 20; i++)
		rt = dhcp6_next_rt_ms(rt, 100, 0);
	ck_assert_uint_eq(rt, 3960000); /* MRT + 0.1 MRT */
	ck_assert_uint_eq(dhcp6_next_rt_ms(rt, -100, 0), 3240000);
	/* The server's INF_MAX_RT (RFC 8415 section 21.25) caps it instead. */
	ck_assert_uint_eq(dhcp6_next_rt_ms(200000, 0, 120), 120000);
	ck_assert_uint_eq(dhcp6_next_rt_ms(200000, 100, 120), 132000);
	ck_assert_uint_eq(dhcp6_next_rt_ms(1000, 0, 120), 2000);
}
END_TEST

START_TEST(test_dns_query)
{
	uint8_t b[DNS_MSG_MAX];
	static const uint8_t want[] = {0x12, 0x34, 1,   0,   0, 1,   0,   0,   0, 0, 0,  0, 4,
	                               'a',  'f',  't', 'r', 3, 'l', 'a', 'b', 0, 0, 28, 0, 1};

	ck_assert_int_eq(dns_aaaa_query(b, sizeof(b), 0x1234, "aftr.lab."), (int)sizeof(want));
	ck_assert_mem_eq(b, want, sizeof(want));
	ck_assert_int_eq(dns_aaaa_query(b, sizeof(b), 1, "a..b"), -EINVAL);
	ck_assert_int_eq(dns_aaaa_query(b, sizeof(b), 1, ""), -EINVAL);
}
END_TEST

START_TEST(test_dns_answer)
{
	/* aftr.lab CNAME br.lab (compressed: br + pointer to "lab" at 17), br.lab AAAA. */
	static const uint8_t ans[] = {0x12, 0x34, 0x81, 0x80, 0,    1,   0,    2,   0, 0, 0,  0, 4,
	                              'a',  'f',  't',  'r',  3,    'l', 'a',  'b', 0, 0, 28, 0, 1,
	                              0xc0, 12,   0,    5,    0,    1,   0,    0,   1, 0, 0,  5, 2,
	                              'b',  'r',  0xc0, 17,   0xc0, 38,  0,    28,  0, 1, 0,  0, 0,
	                              60,   0,    16,   0x20, 1,    0xd, 0xb8, 0,   0, 0, 0,  0, 0,
	                              0,    0,    0,    0,    0,    1};
	uint8_t b[sizeof(ans)];
	struct in6_addr got[2];
	uint32_t ttl;
	char a[INET6_ADDRSTRLEN];

	ck_assert_int_eq(dns_aaaa_parse(ans, sizeof(ans), 0x1234, got, 2, &ttl), 1);
	ck_assert_str_eq(inet_ntop(AF_INET6, &got[0], a, sizeof(a)), "2001:db8::1");
	ck_assert_uint_eq(ttl, 60);
	ck_assert_int_eq(dns_aaaa_parse(ans, sizeof(ans), 0x1235, got, 2, &ttl), -ENOMSG);
	ck_assert_int_eq(dns_aaaa_parse(ans, sizeof(ans) - 1, 0x1234, got, 2, &ttl), -EBADMSG);
	memcpy(b, ans, sizeof(ans));
	b[3] = 0x83; /* NXDOMAIN */
	ck_assert_int_eq(dns_aaaa_parse(b, sizeof(b), 0x1234, got, 2, &ttl), -ENOENT);
	b[3] = 0x82; /* SERVFAIL */
	ck_assert_int_eq(dns_aaaa_parse(b, sizeof(b), 0x1234, got, 2, &ttl), -EAGAIN);
	b[2] = 0x83; /* truncated */
	b[3] = 0x80;
	ck_assert_int_eq(dns_aaaa_parse(b, sizeof(b), 0x1234, got, 2, &ttl), -EMSGSIZE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("b4_provision");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_info_request);
	tcase_add_test(tc, test_reply_dslite);
	tcase_add_test(tc, test_reply_inf_max_rt);
	tcase_add_test(tc, test_reply_lw4o6);
	tcase_add_test(tc, test_retransmission);
	tcase_add_test(tc, test_dns_query);
	tcase_add_test(tc, test_dns_answer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
