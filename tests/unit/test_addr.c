/* Unit tests of lib/net/addr.c: IPv4/IPv6 address and prefix parsing and formatting,
 * containment and overlap at the edge lengths, and first-match prefix lists. */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "util.h"

static uint32_t a4(const char *s)
{
	uint32_t a = 0;
	char err[128] = "";

	ck_assert_msg(addr4_parse(s, &a, err, sizeof(err)) == 0, "%s: %s", s, err);
	return a;
}

static struct addr6 a6(const char *s)
{
	struct addr6 a;
	char err[128] = "";

	memset(&a, 0, sizeof(a));
	ck_assert_msg(addr6_parse(s, &a, err, sizeof(err)) == 0, "%s: %s", s, err);
	return a;
}

static struct prefix4 p4(const char *s, unsigned int flags)
{
	struct prefix4 p = {0, 0};
	char err[128] = "";

	ck_assert_msg(prefix4_parse(s, flags, &p, err, sizeof(err)) == 0, "%s: %s", s, err);
	return p;
}

static struct prefix6 p6(const char *s, unsigned int flags)
{
	struct prefix6 p;
	char err[128] = "";

	memset(&p, 0, sizeof(p));
	ck_assert_msg(prefix6_parse(s, flags, &p, err, sizeof(err)) == 0, "%s: %s", s, err);
	return p;
}

static void expect_a4_bad(const char *s)
{
	uint32_t a = 0;
	char err[128] = "", want[128];

	ck_assert_msg(addr4_parse(s, &a, err, sizeof(err)) == -EINVAL, "\"%s\" accepted", s);
	snprintf(want, sizeof(want), "%s: not an IPv4 address", s);
	ck_assert_str_eq(err, want);
	/* The message buffer is optional. */
	ck_assert_int_eq(addr4_parse(s, &a, NULL, 0), -EINVAL);
}

static void expect_a6_bad(const char *s)
{
	struct addr6 a;
	char err[128] = "", want[128];

	ck_assert_msg(addr6_parse(s, &a, err, sizeof(err)) == -EINVAL, "\"%s\" accepted", s);
	snprintf(want, sizeof(want), "%s: not an IPv6 address", s);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(addr6_parse(s, &a, NULL, 0), -EINVAL);
}

static void expect_p4_bad(const char *s, unsigned int flags, const char *msg)
{
	struct prefix4 p;
	char err[128] = "";

	ck_assert_msg(prefix4_parse(s, flags, &p, err, sizeof(err)) == -EINVAL, "\"%s\" accepted",
	              s);
	ck_assert_str_eq(err, msg);
	ck_assert_int_eq(prefix4_parse(s, flags, &p, NULL, 0), -EINVAL);
}

static void expect_p6_bad(const char *s, unsigned int flags, const char *msg)
{
	struct prefix6 p;
	char err[160] = "";

	ck_assert_msg(prefix6_parse(s, flags, &p, err, sizeof(err)) == -EINVAL, "\"%s\" accepted",
	              s);
	ck_assert_str_eq(err, msg);
	ck_assert_int_eq(prefix6_parse(s, flags, &p, NULL, 0), -EINVAL);
}

/* Formats the address that s parses to: the canonical form of s. */
static void expect_a6_canon(const char *s, const char *canon)
{
	struct addr6 a = a6(s);
	char buf[ADDR6_STRLEN];

	ck_assert_ptr_eq(addr6_format(&a, buf), buf);
	ck_assert_str_eq(buf, canon);
}

START_TEST(test_addr4_parse_good)
{
	ck_assert_uint_eq(a4("0.0.0.0"), 0);
	ck_assert_uint_eq(a4("255.255.255.255"), 0xffffffffu);
	/* Host byte order: the first octet is the most significant. */
	ck_assert_uint_eq(a4("192.0.2.1"), 0xc0000201u);
	ck_assert_uint_eq(a4("10.1.2.3"), 0x0a010203u);
	ck_assert_uint_eq(a4("1.0.0.0"), 0x01000000u);
}
END_TEST

START_TEST(test_addr4_parse_bad)
{
	expect_a4_bad("1.2.3");
	expect_a4_bad("256.1.1.1");
	expect_a4_bad("1.2.3.256");
	expect_a4_bad("1.2.3.4 ");
	expect_a4_bad(" 1.2.3.4");
	expect_a4_bad("");
	expect_a4_bad("1.2.3.4.5");
	expect_a4_bad("1..2.3");
	expect_a4_bad("1.2.3.");
	expect_a4_bad("0x1.2.3.4");
	expect_a4_bad("1.2.3.-1");
	expect_a4_bad("1.2.3.4/32");
	expect_a4_bad("::1");
	/* No inet_aton shorthand and no octal-looking octets. */
	expect_a4_bad("127.1");
	expect_a4_bad("3221225985");
	expect_a4_bad("01.2.3.4");
}
END_TEST

START_TEST(test_addr6_parse_good)
{
	static const uint8_t doc1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                                 0,    0,    0,    0,    0, 0, 0, 1};
	static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
	static const uint8_t zero[16];
	struct addr6 a;

	a = a6("2001:db8::1");
	ck_assert_mem_eq(a.b, doc1, 16);
	a = a6("2001:0DB8:0000:0000:0000:0000:0000:0001");
	ck_assert_mem_eq(a.b, doc1, 16);
	a = a6("::ffff:192.0.2.1");
	ck_assert_mem_eq(a.b, mapped, 16);
	a = a6("::");
	ck_assert_mem_eq(a.b, zero, 16);
	a = a6("::1");
	ck_assert_uint_eq(a.b[15], 1);
	ck_assert_mem_eq(a.b, zero, 15);
	a = a6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(a.b[i], 0xff);
}
END_TEST

START_TEST(test_addr6_parse_bad)
{
	expect_a6_bad("::g");
	expect_a6_bad("");
	expect_a6_bad(":");
	expect_a6_bad(":::");
	expect_a6_bad("1:2:3:4:5:6:7:8:9");
	expect_a6_bad("1:2:3:4:5:6:7");
	expect_a6_bad("2001:db8::1::2");
	expect_a6_bad("2001:db8::1 ");
	expect_a6_bad(" 2001:db8::1");
	expect_a6_bad("12345::");
	expect_a6_bad("fe80::1%eth0");
	expect_a6_bad("2001:db8::/32");
	expect_a6_bad("192.0.2.1");
	expect_a6_bad("::ffff:192.0.2");
}
END_TEST

START_TEST(test_addr4_format)
{
	char buf[ADDR4_STRLEN];

	ck_assert_ptr_eq(addr4_format(0, buf), buf);
	ck_assert_str_eq(buf, "0.0.0.0");
	ck_assert_str_eq(addr4_format(0xffffffffu, buf), "255.255.255.255");
	ck_assert_str_eq(addr4_format(0xc0000201u, buf), "192.0.2.1");
	ck_assert_str_eq(addr4_format(0x0a000001u, buf), "10.0.0.1");
	ck_assert_str_eq(addr4_format(a4("198.51.100.254"), buf), "198.51.100.254");
}
END_TEST

START_TEST(test_addr6_format_rfc5952)
{
	/* 4.1: leading zeros suppressed; 4.3: lower case. */
	expect_a6_canon("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	expect_a6_canon("2001:DB8::A:BC", "2001:db8::a:bc");
	/* 4.2.1: "::" shortens as much as possible. */
	expect_a6_canon("2001:db8:0:0:0:0:2:1", "2001:db8::2:1");
	/* 4.2.2: not for a single 16-bit 0 field. */
	expect_a6_canon("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	/* 4.2.3: the longest run; the first of equal runs. */
	expect_a6_canon("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
	expect_a6_canon("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	expect_a6_canon("0:0:0:0:0:0:0:0", "::");
	expect_a6_canon("0:0:0:0:0:0:0:1", "::1");
	expect_a6_canon("1:0:0:0:0:0:0:0", "1::");
	/* Section 5: IPv4-mapped addresses end in dotted decimal. */
	expect_a6_canon("::ffff:c000:201", "::ffff:192.0.2.1");
	expect_a6_canon("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}
END_TEST

START_TEST(test_prefix_format)
{
	char b4[PREFIX4_STRLEN], b6[PREFIX6_STRLEN];
	struct prefix4 q4 = {0xc0000200u, 24};
	struct prefix6 q6;

	ck_assert_ptr_eq(prefix4_format(&q4, b4), b4);
	ck_assert_str_eq(b4, "192.0.2.0/24");
	q4 = (struct prefix4){0xffffffffu, 32};
	ck_assert_str_eq(prefix4_format(&q4, b4), "255.255.255.255/32");
	q4 = (struct prefix4){0, 0};
	ck_assert_str_eq(prefix4_format(&q4, b4), "0.0.0.0/0");

	q6.addr = a6("2001:db8::");
	q6.len = 32;
	ck_assert_ptr_eq(prefix6_format(&q6, b6), b6);
	ck_assert_str_eq(b6, "2001:db8::/32");
	q6.addr = a6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	q6.len = 128;
	ck_assert_str_eq(prefix6_format(&q6, b6), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
}
END_TEST

START_TEST(test_prefix4_parse_good)
{
	struct prefix4 p;
	char buf[PREFIX4_STRLEN];

	p = p4("10.0.0.0/8", 0);
	ck_assert_uint_eq(p.addr, 0x0a000000u);
	ck_assert_uint_eq(p.len, 8);
	p = p4("0.0.0.0/0", 0);
	ck_assert_uint_eq(p.addr, 0);
	ck_assert_uint_eq(p.len, 0);
	p = p4("192.0.2.1/32", 0);
	ck_assert_uint_eq(p.addr, 0xc0000201u);
	ck_assert_uint_eq(p.len, 32);
	p = p4("192.0.2.8/29", 0);
	ck_assert_uint_eq(p.addr, 0xc0000208u);
	ck_assert_uint_eq(p.len, 29);
	ck_assert_str_eq(prefix4_format(&p, buf), "192.0.2.8/29");

	/* PFX_BARE: a bare address is a /32; a prefix is still a prefix. */
	p = p4("192.0.2.1", PFX_BARE);
	ck_assert_uint_eq(p.addr, 0xc0000201u);
	ck_assert_uint_eq(p.len, 32);
	p = p4("192.0.2.0/24", PFX_BARE);
	ck_assert_uint_eq(p.addr, 0xc0000200u);
	ck_assert_uint_eq(p.len, 24);

	/* PFX_HOST keeps the host bits (an interface address). */
	p = p4("192.0.2.1/24", PFX_HOST);
	ck_assert_uint_eq(p.addr, 0xc0000201u);
	ck_assert_uint_eq(p.len, 24);
	ck_assert_str_eq(prefix4_format(&p, buf), "192.0.2.1/24");
	p = p4("192.0.2.1", PFX_BARE | PFX_HOST);
	ck_assert_uint_eq(p.addr, 0xc0000201u);
	ck_assert_uint_eq(p.len, 32);
}
END_TEST

START_TEST(test_prefix4_parse_bad)
{
	/* Strict by default: host bits are a typo, and the message offers the fix. */
	expect_p4_bad("192.0.2.1/24", 0,
	              "192.0.2.1/24: host bits set (did you mean 192.0.2.0/24?)");
	expect_p4_bad("192.0.2.9/29", 0,
	              "192.0.2.9/29: host bits set (did you mean 192.0.2.8/29?)");
	expect_p4_bad("10.0.0.1/0", 0, "10.0.0.1/0: host bits set (did you mean 0.0.0.0/0?)");
	expect_p4_bad("192.0.2.1/24", PFX_BARE,
	              "192.0.2.1/24: host bits set (did you mean 192.0.2.0/24?)");
	/* Length out of range or malformed. */
	expect_p4_bad("10.0.0.0/33", 0, "10.0.0.0/33: prefix length must be 0..32");
	expect_p4_bad("10.0.0.0/-1", 0, "10.0.0.0/-1: prefix length must be 0..32");
	expect_p4_bad("10.0.0.0/+8", 0, "10.0.0.0/+8: prefix length must be 0..32");
	expect_p4_bad("10.0.0.0/ 8", 0, "10.0.0.0/ 8: prefix length must be 0..32");
	expect_p4_bad("10.0.0.0/8x", 0, "10.0.0.0/8x: prefix length must be 0..32");
	expect_p4_bad("10.0.0.0/", 0, "10.0.0.0/: prefix length must be 0..32");
	expect_p4_bad("10.0.0.0/8/8", 0, "10.0.0.0/8/8: prefix length must be 0..32");
	expect_p4_bad("10.0.0.0/4294967304", 0, "10.0.0.0/4294967304: prefix length must be 0..32");
	expect_p4_bad("10.0.0.0/99999999999999999999", 0,
	              "10.0.0.0/99999999999999999999: prefix length must be 0..32");
	/* Missing length, unless PFX_BARE. */
	expect_p4_bad("10.0.0.0", 0, "10.0.0.0: not a prefix (expected address/length)");
	expect_p4_bad("10.0.0.0", PFX_HOST, "10.0.0.0: not a prefix (expected address/length)");
	expect_p4_bad("", 0, ": not a prefix (expected address/length)");
	/* A bad address part. */
	expect_p4_bad("10.0.0/8", 0, "10.0.0/8: not an IPv4 prefix");
	expect_p4_bad("/8", 0, "/8: not an IPv4 prefix");
	expect_p4_bad("", PFX_BARE, ": not an IPv4 prefix");
	expect_p4_bad("2001:db8::/32", 0, "2001:db8::/32: not an IPv4 prefix");
	expect_p4_bad("255.255.255.255.255/8", 0, "255.255.255.255.255/8: not a prefix");
}
END_TEST

START_TEST(test_prefix6_parse_good)
{
	struct prefix6 p;
	char buf[PREFIX6_STRLEN];

	p = p6("2001:db8::/32", 0);
	ck_assert_uint_eq(p.len, 32);
	ck_assert(addr6_equal(&p.addr, &(struct addr6){{0x20, 0x01, 0x0d, 0xb8}}));
	p = p6("::/0", 0);
	ck_assert_uint_eq(p.len, 0);
	p = p6("2001:db8::1/128", 0);
	ck_assert_uint_eq(p.len, 128);
	ck_assert_str_eq(prefix6_format(&p, buf), "2001:db8::1/128");
	/* /47 ends inside byte 5: its low bit is a host bit. */
	p = p6("2001:db8:fffe::/47", 0);
	ck_assert_uint_eq(p.len, 47);
	ck_assert_uint_eq(p.addr.b[5], 0xfe);
	/* Not canonical on input, canonical on output. */
	p = p6("2001:0DB8:0:0::/48", 0);
	ck_assert_str_eq(prefix6_format(&p, buf), "2001:db8::/48");

	p = p6("2001:db8::1", PFX_BARE);
	ck_assert_uint_eq(p.len, 128);
	ck_assert_str_eq(prefix6_format(&p, buf), "2001:db8::1/128");
	p = p6("2001:db8::1/64", PFX_HOST);
	ck_assert_uint_eq(p.len, 64);
	ck_assert_str_eq(prefix6_format(&p, buf), "2001:db8::1/64");
	p = p6("2001:db8::1", PFX_BARE | PFX_HOST);
	ck_assert_uint_eq(p.len, 128);
}
END_TEST

START_TEST(test_prefix6_parse_bad)
{
	expect_p6_bad("2001:db8::1/64", 0,
	              "2001:db8::1/64: host bits set (did you mean 2001:db8::/64?)");
	expect_p6_bad("2001:db8:ffff::/47", 0,
	              "2001:db8:ffff::/47: host bits set (did you mean 2001:db8:fffe::/47?)");
	expect_p6_bad("2001:db8::/0", 0, "2001:db8::/0: host bits set (did you mean ::/0?)");
	expect_p6_bad("2001:db8::1/64", PFX_BARE,
	              "2001:db8::1/64: host bits set (did you mean 2001:db8::/64?)");
	expect_p6_bad("2001:db8::/129", 0, "2001:db8::/129: prefix length must be 0..128");
	expect_p6_bad("2001:db8::/-1", 0, "2001:db8::/-1: prefix length must be 0..128");
	expect_p6_bad("2001:db8::/", 0, "2001:db8::/: prefix length must be 0..128");
	expect_p6_bad("2001:db8::/32 ", 0, "2001:db8::/32 : prefix length must be 0..128");
	expect_p6_bad("2001:db8::", 0, "2001:db8::: not a prefix (expected address/length)");
	expect_p6_bad("2001:db8::", PFX_HOST, "2001:db8::: not a prefix (expected address/length)");
	expect_p6_bad("::g/64", 0, "::g/64: not an IPv6 prefix");
	expect_p6_bad("10.0.0.0/8", 0, "10.0.0.0/8: not an IPv6 prefix");
	expect_p6_bad("", PFX_BARE, ": not an IPv6 prefix");
}
END_TEST

START_TEST(test_prefix4_mask)
{
	ck_assert_uint_eq(prefix4_mask(0), 0);
	ck_assert_uint_eq(prefix4_mask(1), 0x80000000u);
	ck_assert_uint_eq(prefix4_mask(8), 0xff000000u);
	ck_assert_uint_eq(prefix4_mask(24), 0xffffff00u);
	ck_assert_uint_eq(prefix4_mask(29), 0xfffffff8u);
	ck_assert_uint_eq(prefix4_mask(31), 0xfffffffeu);
	ck_assert_uint_eq(prefix4_mask(32), 0xffffffffu);
}
END_TEST

START_TEST(test_prefix4_contains)
{
	struct prefix4 all = p4("0.0.0.0/0", 0), host = p4("192.0.2.1/32", 0);
	struct prefix4 p29 = p4("192.0.2.8/29", 0), p31 = p4("192.0.2.254/31", 0);

	ck_assert(prefix4_contains(&all, 0));
	ck_assert(prefix4_contains(&all, 0xffffffffu));
	ck_assert(prefix4_contains(&host, a4("192.0.2.1")));
	ck_assert(!prefix4_contains(&host, a4("192.0.2.0")));
	ck_assert(!prefix4_contains(&host, a4("192.0.2.2")));
	ck_assert(!prefix4_contains(&host, a4("64.0.2.1")));
	ck_assert(!prefix4_contains(&p29, a4("192.0.2.7")));
	for (uint32_t a = a4("192.0.2.8"); a <= a4("192.0.2.15"); a++)
		ck_assert(prefix4_contains(&p29, a));
	ck_assert(!prefix4_contains(&p29, a4("192.0.2.16")));
	ck_assert(!prefix4_contains(&p29, a4("192.0.3.8")));
	ck_assert(prefix4_contains(&p31, a4("192.0.2.254")));
	ck_assert(prefix4_contains(&p31, a4("192.0.2.255")));
	ck_assert(!prefix4_contains(&p31, a4("192.0.2.253")));
}
END_TEST

/* Overlap is symmetric: checks both argument orders. */
static void expect_overlap4(const char *x, const char *y, bool want)
{
	struct prefix4 a = p4(x, 0), b = p4(y, 0);

	ck_assert_msg(prefix4_overlap(&a, &b) == want, "%s vs %s", x, y);
	ck_assert_msg(prefix4_overlap(&b, &a) == want, "%s vs %s", y, x);
}

static void expect_overlap6(const char *x, const char *y, bool want)
{
	struct prefix6 a = p6(x, 0), b = p6(y, 0);

	ck_assert_msg(prefix6_overlap(&a, &b) == want, "%s vs %s", x, y);
	ck_assert_msg(prefix6_overlap(&b, &a) == want, "%s vs %s", y, x);
}

START_TEST(test_prefix4_overlap)
{
	expect_overlap4("0.0.0.0/0", "192.0.2.1/32", true);
	expect_overlap4("0.0.0.0/0", "0.0.0.0/0", true);
	expect_overlap4("10.0.0.0/8", "10.0.0.0/8", true);
	expect_overlap4("10.0.0.0/8", "10.255.255.255/32", true);
	expect_overlap4("10.0.0.0/8", "11.0.0.0/8", false);
	expect_overlap4("10.0.0.0/7", "11.0.0.0/8", true);
	expect_overlap4("192.0.2.8/29", "192.0.2.0/29", false);
	expect_overlap4("192.0.2.8/29", "192.0.2.16/29", false);
	expect_overlap4("192.0.2.8/29", "192.0.2.15/32", true);
	expect_overlap4("192.0.2.8/29", "192.0.2.16/32", false);
	expect_overlap4("192.0.2.8/29", "192.0.2.0/24", true);
	expect_overlap4("192.0.2.1/32", "192.0.2.1/32", true);
	expect_overlap4("192.0.2.1/32", "192.0.2.2/32", false);
	expect_overlap4("128.0.0.0/1", "0.0.0.0/1", false);
}
END_TEST

START_TEST(test_prefix6_contains)
{
	struct prefix6 all = p6("::/0", 0), host = p6("2001:db8::1/128", 0);
	struct prefix6 p47 = p6("2001:db8:fffe::/47", 0), p1 = p6("8000::/1", 0);
	struct prefix6 p127 = p6("2001:db8::/127", 0);
	struct addr6 x;

	ck_assert(prefix6_contains(&all, &(struct addr6){{0}}));
	x = a6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert(prefix6_contains(&all, &x));
	ck_assert(!prefix6_contains(&p1, &(struct addr6){{0}}));
	ck_assert(prefix6_contains(&p1, &x));
	x = a6("7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert(!prefix6_contains(&p1, &x));

	x = a6("2001:db8::1");
	ck_assert(prefix6_contains(&host, &x));
	x = a6("2001:db8::");
	ck_assert(!prefix6_contains(&host, &x));
	x = a6("2001:db8::1:1");
	ck_assert(!prefix6_contains(&host, &x));
	x = a6("2001:db8::1");
	ck_assert(prefix6_contains(&p127, &x));
	x = a6("2001:db8::2");
	ck_assert(!prefix6_contains(&p127, &x));

	/* /47: fffe and ffff share the first 47 bits; fffd, and fffe under db9, do not. */
	x = a6("2001:db8:fffe::");
	ck_assert(prefix6_contains(&p47, &x));
	x = a6("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert(prefix6_contains(&p47, &x));
	x = a6("2001:db8:fffd:ffff:ffff:ffff:ffff:ffff");
	ck_assert(!prefix6_contains(&p47, &x));
	x = a6("2001:db9:fffe::");
	ck_assert(!prefix6_contains(&p47, &x));
}
END_TEST

START_TEST(test_prefix6_overlap)
{
	expect_overlap6("::/0", "2001:db8::1/128", true);
	expect_overlap6("2001:db8::/32", "2001:db8:1::/48", true);
	expect_overlap6("2001:db8::/32", "2001:db9::/32", false);
	expect_overlap6("2001:db8::/31", "2001:db9::/32", true);
	expect_overlap6("2001:db8:fffe::/47", "2001:db8:fffc::/47", false);
	expect_overlap6("2001:db8:fffe::/47", "2001:db8:ffff::/64", true);
	expect_overlap6("2001:db8::1/128", "2001:db8::1/128", true);
	expect_overlap6("2001:db8::1/128", "2001:db8::2/128", false);
	expect_overlap6("8000::/1", "::/1", false);
}
END_TEST

START_TEST(test_addr6_equal_cmp)
{
	struct addr6 x = a6("2001:db8::1"), y = a6("2001:db8::2"), z = a6("2001:0db8::0001");

	ck_assert(addr6_equal(&x, &z));
	ck_assert(!addr6_equal(&x, &y));
	ck_assert_int_eq(addr6_cmp(&x, &z), 0);
	ck_assert_int_lt(addr6_cmp(&x, &y), 0);
	ck_assert_int_gt(addr6_cmp(&y, &x), 0);
	/* Network order: the first byte is the most significant. */
	x = a6("1::");
	y = a6("::ffff");
	ck_assert_int_gt(addr6_cmp(&x, &y), 0);
}
END_TEST

START_TEST(test_prefix4_list_match_first)
{
	struct prefix4 v[3];
	uint32_t a10 = a4("10.1.2.3");

	v[0] = p4("10.0.0.0/8", 0);
	v[1] = p4("10.1.0.0/16", 0);
	v[2] = p4("0.0.0.0/0", 0);
	/* The first entry that contains the address wins, not the longest. */
	ck_assert_ptr_eq(prefix4_list_match(v, 3, a10), &v[0]);
	ck_assert_ptr_eq(prefix4_list_match(v + 1, 2, a10), &v[1]);
	ck_assert_ptr_eq(prefix4_list_match(v, 3, a4("11.0.0.1")), &v[2]);
	ck_assert_ptr_null(prefix4_list_match(v, 2, a4("11.0.0.1")));
	ck_assert_ptr_null(prefix4_list_match(v, 0, a10));
	ck_assert_ptr_null(prefix4_list_match(NULL, 0, a10));
	/* n bounds the scan. */
	ck_assert_ptr_null(prefix4_list_match(v + 1, 1, a4("10.2.0.0")));
}
END_TEST

/* Martians (RFC 1812 5.3.7, RFC 3927, RFC 6890) against the ranges spelt
 * out, over every /16 and both ends of each. */
START_TEST(test_addr4_martian)
{
	for (uint32_t n = 0; n < 65536; n++) {
		uint32_t top = n >> 8;
		bool want = top == 0 || top == 127 || top >= 224 || n == 0xa9fe;

		ck_assert_msg(addr4_is_martian(n << 16) == want, "%u.%u.0.0", top, n & 255);
		ck_assert_msg(addr4_is_martian(n << 16 | 0xffff) == want, "%u.%u.255.255", top,
		              n & 255);
	}
}
END_TEST

START_TEST(test_prefix6_list_match_first)
{
	struct prefix6 v[3];
	struct addr6 x = a6("2001:db8:1::5"), y = a6("2001:db9::1");

	v[0] = p6("2001:db8::/32", 0);
	v[1] = p6("2001:db8:1::/48", 0);
	v[2] = p6("::/0", 0);
	ck_assert_ptr_eq(prefix6_list_match(v, 3, &x), &v[0]);
	ck_assert_ptr_eq(prefix6_list_match(v + 1, 2, &x), &v[1]);
	ck_assert_ptr_eq(prefix6_list_match(v, 3, &y), &v[2]);
	ck_assert_ptr_null(prefix6_list_match(v, 2, &y));
	ck_assert_ptr_null(prefix6_list_match(v, 0, &x));
}
END_TEST

/* Parse, format, parse again: the same value, and the text is a fixed point. */
START_TEST(test_prefix_roundtrip)
{
	static const char *const v4[] = {"0.0.0.0/0", "10.0.0.0/8", "192.0.2.8/29",
	                                 "255.255.255.255/32", "128.0.0.0/1"};
	static const char *const v6[] = {
	        "::/0",     "2001:db8::/32",       "2001:db8:fffe::/47", "2001:db8::1/128",
	        "8000::/1", "::ffff:192.0.2.0/120"};
	char buf[PREFIX6_STRLEN];

	for (size_t i = 0; i < ARRAY_SIZE(v4); i++) {
		struct prefix4 p = p4(v4[i], 0), q;

		ck_assert_str_eq(prefix4_format(&p, buf), v4[i]);
		q = p4(buf, 0);
		ck_assert_uint_eq(p.addr, q.addr);
		ck_assert_uint_eq(p.len, q.len);
	}
	for (size_t i = 0; i < ARRAY_SIZE(v6); i++) {
		struct prefix6 p = p6(v6[i], 0), q;

		ck_assert_str_eq(prefix6_format(&p, buf), v6[i]);
		q = p6(buf, 0);
		ck_assert(addr6_equal(&p.addr, &q.addr));
		ck_assert_uint_eq(p.len, q.len);
	}
}
END_TEST

static Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *parse = tcase_create("parse");
	TCase *format = tcase_create("format");
	TCase *prefix = tcase_create("prefix");
	TCase *match = tcase_create("match");

	tcase_add_test(parse, test_addr4_parse_good);
	tcase_add_test(parse, test_addr4_parse_bad);
	tcase_add_test(parse, test_addr6_parse_good);
	tcase_add_test(parse, test_addr6_parse_bad);
	suite_add_tcase(s, parse);

	tcase_add_test(format, test_addr4_format);
	tcase_add_test(format, test_addr6_format_rfc5952);
	tcase_add_test(format, test_prefix_format);
	suite_add_tcase(s, format);

	tcase_add_test(prefix, test_prefix4_parse_good);
	tcase_add_test(prefix, test_prefix4_parse_bad);
	tcase_add_test(prefix, test_prefix6_parse_good);
	tcase_add_test(prefix, test_prefix6_parse_bad);
	tcase_add_test(prefix, test_prefix_roundtrip);
	suite_add_tcase(s, prefix);

	tcase_add_test(match, test_prefix4_mask);
	tcase_add_test(match, test_prefix4_contains);
	tcase_add_test(match, test_prefix4_overlap);
	tcase_add_test(match, test_prefix6_contains);
	tcase_add_test(match, test_prefix6_overlap);
	tcase_add_test(match, test_addr6_equal_cmp);
	tcase_add_test(match, test_prefix4_list_match_first);
	tcase_add_test(match, test_prefix6_list_match_first);
	tcase_add_test(match, test_addr4_martian);
	suite_add_tcase(s, match);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
