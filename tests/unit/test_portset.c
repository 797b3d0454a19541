/* SPDX-License-Identifier: BSD-2-Clause */
#include "portset.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * ck_assert_*() records its location through the fork pipe on every success,
 * which costs seconds over the millions of checks of the exhaustive tests:
 * those loops use EXPECT(), which only calls into Check on failure.
 */
#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

static void expect_range(const char *s, uint16_t lowest, uint16_t min, uint16_t max)
{
	struct port_range r = {0, 0};
	char err[128] = "";

	ck_assert_msg(port_range_parse(s, lowest, &r, err, sizeof(err)) == 0, "%s: %s", s, err);
	ck_assert_uint_eq(r.min, min);
	ck_assert_uint_eq(r.max, max);
}

static void expect_error(const char *s, uint16_t lowest, const char *msg)
{
	struct port_range r = {7, 7};
	char err[128] = "";

	ck_assert_msg(port_range_parse(s, lowest, &r, err, sizeof(err)) == -EINVAL, "%s: accepted",
	              s != NULL ? s : "NULL");
	ck_assert_str_eq(err, msg);
	/* A failed parse leaves the output alone. */
	ck_assert_uint_eq(r.min, 7);
	ck_assert_uint_eq(r.max, 7);
}

START_TEST(test_range_parse_good)
{
	expect_range("80", 1, 80, 80);
	expect_range("1024-65535", 1, 1024, 65535);
	expect_range("65535", 1, 65535, 65535);
	expect_range("1-1", 1, 1, 1);
	expect_range("0", 0, 0, 0);
	expect_range("0-65535", 0, 0, 65535);
	expect_range("1024-1024", 1024, 1024, 1024);
}
END_TEST

START_TEST(test_range_parse_bad)
{
	expect_error("abc", 1, "abc: not a port range");
	expect_error("80 ", 1, "80 : not a port range");
	expect_error(" 80", 1, " 80: not a port range");
	expect_error("+80", 1, "+80: not a port range");
	expect_error("-80", 1, "-80: not a port range");
	expect_error("80-", 1, "80-: not a port range");
	expect_error("-", 1, "-: not a port range");
	expect_error("1-2-3", 1, "1-2-3: not a port range");
	expect_error("1024 - 2048", 1, "1024 - 2048: not a port range");
	expect_error("0x50", 0, "0x50: not a port range");
	expect_error("", 1, "empty port range");
	expect_error(NULL, 1, "empty port range");
	expect_error("080", 1, "080: leading zeros are not allowed");
	expect_error("80-090", 1, "80-090: leading zeros are not allowed");
	expect_error("70000-80000", 1, "70000-80000 is beyond 65535");
	expect_error("1000-65536", 1, "1000-65536 is beyond 65535");
	expect_error("65536", 0, "65536 is beyond 65535");
	expect_error("99999999999999999999", 1, "99999999999999999999 is beyond 65535");
	/* 2^32 + 80: would read as 80 if the value wrapped. */
	expect_error("4294967376", 1, "4294967376 is beyond 65535");
	expect_error("2000-1000", 1, "2000-1000: start above end");
	expect_error("0", 1, "0: ports below 1 are not allowed");
	expect_error("0-100", 1, "0-100: ports below 1 are not allowed");
	expect_error("1000-2000", 1024, "1000-2000: ports below 1024 are not allowed");
}
END_TEST

START_TEST(test_range_parse_no_err_buffer)
{
	struct port_range r;

	ck_assert_int_eq(port_range_parse("x", 1, &r, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_range_format)
{
	char buf[PORT_RANGE_STRLEN];
	char small[4];

	ck_assert_int_eq(port_range_format((struct port_range){80, 80}, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "80");
	ck_assert_int_eq(port_range_format((struct port_range){65535, 65535}, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "65535");
	ck_assert_int_eq(port_range_format((struct port_range){0, 65535}, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "0-65535");
	ck_assert_int_eq(port_range_format((struct port_range){65534, 65535}, buf, sizeof(buf)),
	                 11);
	ck_assert_str_eq(buf, "65534-65535");
	/* Truncation is reported as snprintf() does. */
	ck_assert_int_eq(port_range_format((struct port_range){1024, 2047}, small, sizeof(small)),
	                 9);
	ck_assert_str_eq(small, "102");
}
END_TEST

START_TEST(test_range_helpers)
{
	struct port_range r = {1024, 2047};

	ck_assert(port_range_contains(r, 1024));
	ck_assert(port_range_contains(r, 2047));
	ck_assert(!port_range_contains(r, 1023));
	ck_assert(!port_range_contains(r, 2048));
	ck_assert(port_range_overlap(r, (struct port_range){2047, 3000}));
	ck_assert(port_range_overlap(r, (struct port_range){0, 1024}));
	ck_assert(port_range_overlap(r, (struct port_range){1500, 1500}));
	ck_assert(port_range_overlap(r, (struct port_range){0, 65535}));
	ck_assert(!port_range_overlap(r, (struct port_range){2048, 3000}));
	ck_assert(!port_range_overlap(r, (struct port_range){0, 1023}));
	ck_assert_uint_eq(port_range_size(r), 1024);
	ck_assert_uint_eq(port_range_size((struct port_range){0, 65535}), 65536);
	ck_assert_uint_eq(port_range_size((struct port_range){9, 9}), 1);
}
END_TEST

static void expect_ranges(const struct port_ranges *set, unsigned int n, const uint16_t *bounds)
{
	ck_assert_uint_eq(set->n, n);
	for (unsigned int i = 0; i < n; i++) {
		ck_assert_uint_eq(set->r[i].min, bounds[2 * i]);
		ck_assert_uint_eq(set->r[i].max, bounds[2 * i + 1]);
	}
}

START_TEST(test_ranges_add_sorted)
{
	struct port_ranges set;

	port_ranges_init(&set);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){5000, 5999}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){100, 199}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){60000, 65535}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){1000, 1999}), 0);
	expect_ranges(&set, 4, (const uint16_t[]){100, 199, 1000, 1999, 5000, 5999, 60000, 65535});
	ck_assert_uint_eq(port_ranges_size(&set), 100 + 1000 + 1000 + 5536);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){2, 1}), -EINVAL);
	ck_assert_uint_eq(set.n, 4);
}
END_TEST

START_TEST(test_ranges_add_merge)
{
	struct port_ranges set;

	port_ranges_init(&set);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){10, 20}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){40, 50}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){70, 80}), 0);
	/* Adjacent on either side. */
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){21, 25}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){5, 9}), 0);
	expect_ranges(&set, 3, (const uint16_t[]){5, 25, 40, 50, 70, 80});
	/* Inside an existing range: no change. */
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){42, 44}), 0);
	expect_ranges(&set, 3, (const uint16_t[]){5, 25, 40, 50, 70, 80});
	/* Bridges two ranges and overlaps a third. */
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){26, 75}), 0);
	expect_ranges(&set, 1, (const uint16_t[]){5, 80});
	/* The ends of the port space do not wrap. */
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){65535, 65535}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){0, 0}), 0);
	expect_ranges(&set, 3, (const uint16_t[]){0, 0, 5, 80, 65535, 65535});
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){1, 65534}), 0);
	expect_ranges(&set, 1, (const uint16_t[]){0, 65535});
	ck_assert_uint_eq(port_ranges_size(&set), 65536);
}
END_TEST

START_TEST(test_ranges_full)
{
	struct port_ranges set;

	port_ranges_init(&set);
	for (uint16_t lo = 0; lo < 10 * PORT_RANGES_MAX; lo += 10)
		ck_assert_int_eq(port_ranges_add(&set, (struct port_range){lo, lo + 1}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){1000, 1001}), -ENOSPC);
	ck_assert_uint_eq(set.n, PORT_RANGES_MAX);
	/* A range that merges needs no new slot. */
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){2, 3}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){1000, 1001}), -ENOSPC);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){4, 9}), 0);
	ck_assert_uint_eq(set.n, PORT_RANGES_MAX - 1);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){1000, 1001}), 0);
	ck_assert_uint_eq(set.n, PORT_RANGES_MAX);
}
END_TEST

START_TEST(test_ranges_lookup)
{
	struct port_ranges set;

	port_ranges_init(&set);
	ck_assert(!port_ranges_contains(&set, 80));
	ck_assert(!port_ranges_overlap(&set, (struct port_range){0, 65535}));
	ck_assert_uint_eq(port_ranges_size(&set), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){1024, 4095}), 0);
	ck_assert_int_eq(port_ranges_add(&set, (struct port_range){8192, 65535}), 0);
	/* A static mapping on port 80 stays outside the dynamic pool... */
	ck_assert(!port_ranges_contains(&set, 80));
	ck_assert(!port_ranges_overlap(&set, (struct port_range){80, 80}));
	/* ... while one on 2000 would collide with it. */
	ck_assert(port_ranges_contains(&set, 2000));
	ck_assert(port_ranges_contains(&set, 1024));
	ck_assert(port_ranges_contains(&set, 4095));
	ck_assert(!port_ranges_contains(&set, 4096));
	ck_assert(!port_ranges_contains(&set, 8191));
	ck_assert(port_ranges_contains(&set, 65535));
	ck_assert(!port_ranges_overlap(&set, (struct port_range){4096, 8191}));
	ck_assert(port_ranges_overlap(&set, (struct port_range){4096, 8192}));
	ck_assert(port_ranges_overlap(&set, (struct port_range){0, 1024}));
	ck_assert(!port_ranges_overlap(&set, (struct port_range){0, 1023}));
}
END_TEST

static void expect_psid_error(uint8_t offset, uint8_t psid_len, uint16_t psid, const char *msg)
{
	struct psid_params p = {.offset = offset, .psid_len = psid_len, .psid = psid};
	char err[128] = "";

	ck_assert_int_eq(psid_params_validate(&p, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, msg);
}

START_TEST(test_psid_validate)
{
	struct psid_params ok[] = {
	        {.offset = 6, .psid_len = 8, .psid = 0x34},
	        {.offset = 0, .psid_len = 0, .psid = 0},
	        {.offset = 0, .psid_len = 16, .psid = 0xffff},
	        {.offset = 15, .psid_len = 1, .psid = 1},
	        {.offset = 15, .psid_len = 0, .psid = 0},
	};
	char err[128];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_int_eq(psid_params_validate(&ok[i], err, sizeof(err)), 0);

	expect_psid_error(16, 0, 0, "PSID offset 16 is above 15");
	expect_psid_error(255, 0, 0, "PSID offset 255 is above 15");
	expect_psid_error(10, 7, 0, "PSID offset 10 + PSID length 7 exceed 16 bits");
	expect_psid_error(0, 17, 0, "PSID offset 0 + PSID length 17 exceed 16 bits");
	expect_psid_error(6, 6, 64, "PSID 64 does not fit in PSID length 6 (max 63)");
	expect_psid_error(6, 0, 1, "PSID 1 does not fit in PSID length 0 (max 0)");
	expect_psid_error(0, 15, 0x8000, "PSID 32768 does not fit in PSID length 15 (max 32767)");
}
END_TEST

/*
 * RFC 7599 Appendix A, Example 5 ("Rule with no embedded address bits and
 * address sharing (sharing ratio of 256)"), a MAP rule whose port set follows
 * RFC 7597 section 5.1:
 *
 *   PSID length: 8, PSID offset: 6 (default), PSID: 0x34
 *   Available ports (63 ranges): 1232-1235, 2256-2259, ...... ,
 *                                63696-63699, 64720-64723
 *
 * (The example first says "PSID: 0x20 (provisioned with DHCPv6)"; the ports
 * it lists are those of 0x34, the PSID it then derives.)
 */
START_TEST(test_rfc7599_example5_port_set)
{
	const struct psid_params p = {.offset = 6, .psid_len = 8, .psid = 0x34};
	static const uint16_t first[] = {1232, 1233, 1234, 1235, 2256, 2257, 2258, 2259};
	static const uint16_t last[] = {63696, 63697, 63698, 63699, 64720, 64721, 64722, 64723};
	uint16_t ports[252];

	ck_assert_int_eq(psid_params_validate(&p, NULL, 0), 0);
	/* 63 ranges of 4 ports. */
	ck_assert_uint_eq(psid_port_count(&p), 63 * 4);
	ck_assert_uint_eq(psid_ports_fill(&p, ports, 252), 252);
	for (unsigned int i = 0; i < 8; i++) {
		ck_assert_uint_eq(ports[i], first[i]);
		ck_assert_uint_eq(ports[244 + i], last[i]);
		ck_assert_uint_eq(psid_port_nth(&p, i), first[i]);
		ck_assert_uint_eq(psid_port_nth(&p, 244 + i), last[i]);
	}
	/* Each of the 63 ranges is 4 ports starting at A * 1024 + 0x34 * 4. */
	for (unsigned int j = 0; j < 63; j++) {
		ck_assert_uint_eq(ports[4 * j], (j + 1) * 1024 + 0x34 * 4);
		ck_assert_uint_eq(ports[4 * j + 3], ports[4 * j] + 3);
	}
	ck_assert(!psid_port_in_set(&p, 1231));
	ck_assert(!psid_port_in_set(&p, 1236));
	ck_assert(!psid_port_in_set(&p, 208)); /* 0x34 << 2 in the excluded A = 0 block */
	ck_assert(psid_port_excluded(6, 208));
	ck_assert(psid_port_in_set(&p, 64723));
}
END_TEST

/*
 * RFC 7599 Appendix A, Example 2 ("BR"), same rule as its Example 1 (Rule
 * IPv4 prefix 192.0.2.0/24, EA-bits length 16, PSID offset 6): port 1232 of
 * 192.0.2.18 maps to PSID 0x34 (so PSID length 16 - (32 - 24) = 8):
 *
 *   IPv4 suffix bits (p):     32 - 24 = 8 (18 (0x12))
 *   PSID length:              8
 *   PSID:  0                  x34 (1232)
 */
START_TEST(test_rfc7599_example2_br)
{
	const struct psid_params p = {.offset = 6, .psid_len = 16 - (32 - 24), .psid = 0x34};

	ck_assert_uint_eq(p.psid_len, 8);
	ck_assert(!psid_port_excluded(6, 1232));
	ck_assert_uint_eq(psid_of_port(6, 8, 1232), 0x34);
	ck_assert(psid_port_in_set(&p, 1232));
	ck_assert_uint_eq(psid_port_index(&p, 1232), 0);
}
END_TEST

/* a = 0, the lw4o6 default (RFC 7596): one contiguous range per PSID. */
START_TEST(test_psid_offset0_contiguous)
{
	const struct psid_params p = {.offset = 0, .psid_len = 8, .psid = 0x34};

	ck_assert_uint_eq(psid_port_count(&p), 256);
	ck_assert_uint_eq(psid_port_nth(&p, 0), 0x3400);
	ck_assert_uint_eq(psid_port_nth(&p, 255), 0x34ff);
	ck_assert(!psid_port_in_set(&p, 0x33ff));
	ck_assert(!psid_port_in_set(&p, 0x3500));
	ck_assert(!psid_port_excluded(0, 0));
}
END_TEST

/* k = 0: no sharing, the one set owns every port outside the A = 0 block. */
START_TEST(test_psid_len0_whole_space)
{
	const struct psid_params map = {.offset = 6, .psid_len = 0, .psid = 0};
	const struct psid_params all = {.offset = 0, .psid_len = 0, .psid = 0};

	ck_assert_uint_eq(psid_port_count(&map), 65536 - 1024);
	ck_assert_uint_eq(psid_port_nth(&map, 0), 1024);
	ck_assert_uint_eq(psid_port_nth(&map, 65535 - 1024), 65535);
	ck_assert(!psid_port_in_set(&map, 1023));
	ck_assert(psid_port_in_set(&map, 1024));
	ck_assert_uint_eq(psid_port_count(&all), 65536);
	ck_assert_uint_eq(psid_port_nth(&all, 0), 0);
	ck_assert_uint_eq(psid_port_nth(&all, 65535), 65535);
	ck_assert(psid_port_in_set(&all, 0));
	ck_assert_uint_eq(psid_port_index(&all, 65535), 65535);
}
END_TEST

START_TEST(test_psid_fill_truncates)
{
	const struct psid_params p = {.offset = 6, .psid_len = 8, .psid = 0x34};
	uint16_t ports[5] = {0, 0, 0, 0, 0xbeef};

	ck_assert_uint_eq(psid_ports_fill(&p, ports, 4), 252);
	ck_assert_uint_eq(ports[0], 1232);
	ck_assert_uint_eq(ports[3], 1235);
	ck_assert_uint_eq(ports[4], 0xbeef);
	ck_assert_uint_eq(psid_ports_fill(&p, NULL, 0), 252);
}
END_TEST

#define NO_PSID UINT32_MAX

/* PSID owning each port for the (a, k) under test, NO_PSID if excluded. */
static uint32_t owner[65536];
static uint32_t per_psid[65536];
static uint16_t ports[65536];

/*
 * Reference owner computed independently of the library: section 5.1
 * excludes P < 2^(16-a) when a > 0, and Appendix B gives
 * PSID = trunc((P modulo (R * M)) / M) with R = 2^k, M = 2^m.
 */
static uint32_t ref_owner(unsigned int a, unsigned int k, uint32_t port)
{
	uint32_t r = 1u << k, m = 1u << (16 - a - k);

	if (a > 0 && port < (1u << (16 - a)))
		return NO_PSID;
	/* NOLINTNEXTLINE(clang-analyzer-core.DivideZero): m >= 1, as a + k <= 16 */
	return (port % (r * m)) / m;
}

static uint32_t expected_count(unsigned int a, unsigned int k)
{
	uint32_t m = 1u << (16 - a - k);

	return a > 0 ? ((1u << a) - 1) * m : m;
}

/* (i) and (iv): every port is excluded or owned by exactly one PSID. */
static void check_partition(uint8_t a, uint8_t k)
{
	uint32_t npsid = 1u << k, excluded = 0;

	memset(per_psid, 0, npsid * sizeof(per_psid[0]));
	for (uint32_t port = 0; port < 65536; port++) {
		uint32_t want = ref_owner(a, k, port);
		uint16_t got = psid_of_port(a, k, (uint16_t)port);

		EXPECT(psid_port_excluded(a, (uint16_t)port) == (want == NO_PSID),
		       "a=%u k=%u port %u: excluded", a, k, port);
		owner[port] = want;
		if (want == NO_PSID) {
			excluded++;
			continue;
		}
		EXPECT(got == want, "a=%u k=%u port %u: PSID %u, want %u", a, k, port, got, want);
		per_psid[got]++;
	}
	EXPECT(excluded == (a > 0 ? 1u << (16 - a) : 0), "a=%u k=%u: %u excluded", a, k, excluded);
	/* (ii) every set has the size of the formula. */
	for (uint32_t q = 0; q < npsid; q++)
		EXPECT(per_psid[q] == expected_count(a, k), "a=%u k=%u PSID %u: %u ports", a, k, q,
		       per_psid[q]);
}

/* (ii), (iii), (iv) for one set: in_set, nth, index, fill agree with owner[]. */
static void check_set(const struct psid_params *p)
{
	uint32_t count = psid_port_count(p), i = 0;

	EXPECT(psid_params_validate(p, NULL, 0) == 0, "a=%u k=%u psid=%u invalid", p->offset,
	       p->psid_len, p->psid);
	EXPECT(count == expected_count(p->offset, p->psid_len), "a=%u k=%u: count %u", p->offset,
	       p->psid_len, count);
	for (uint32_t port = 0; port < 65536; port++) {
		bool in = psid_port_in_set(p, (uint16_t)port);

		EXPECT(in == (owner[port] == p->psid), "a=%u k=%u psid=%u port %u: in_set %d",
		       p->offset, p->psid_len, p->psid, port, in);
		EXPECT(psid_test_port(psid_test_of(p), (uint16_t)port) == in,
		       "a=%u k=%u psid=%u port %u: psid_test_port differs", p->offset, p->psid_len,
		       p->psid, port);
		if (!in)
			continue;
		EXPECT(i < count && psid_port_nth(p, i) == port, "a=%u k=%u psid=%u: nth(%u)",
		       p->offset, p->psid_len, p->psid, i);
		EXPECT(psid_port_index(p, (uint16_t)port) == i, "a=%u k=%u psid=%u: index(%u)",
		       p->offset, p->psid_len, p->psid, port);
		i++;
	}
	EXPECT(i == count, "a=%u k=%u psid=%u: %u ports in set, count %u", p->offset, p->psid_len,
	       p->psid, i, count);
	EXPECT(psid_ports_fill(p, ports, 65536) == count, "fill count");
	for (i = 0; i < count; i++)
		EXPECT(ports[i] == psid_port_nth(p, i), "a=%u k=%u psid=%u: fill[%u]", p->offset,
		       p->psid_len, p->psid, i);
}

/* Every PSID while there are at most 64 of them, else both ends and a few between. */
static void check_sets(uint8_t a, uint8_t k)
{
	uint32_t npsid = 1u << k;
	struct psid_params p = {.offset = a, .psid_len = k};
	char err[128];

	if (npsid <= 64) {
		for (uint32_t q = 0; q < npsid; q++) {
			p.psid = (uint16_t)q;
			check_set(&p);
		}
	} else {
		const uint32_t sample[] = {0, 1, 0x34, npsid / 2 + 3, npsid - 2, npsid - 1};

		for (size_t s = 0; s < sizeof(sample) / sizeof(sample[0]); s++) {
			p.psid = (uint16_t)sample[s];
			check_set(&p);
		}
	}
	if (k < 16) {
		p.psid = (uint16_t)npsid;
		EXPECT(psid_params_validate(&p, err, sizeof(err)) == -EINVAL,
		       "a=%u k=%u: PSID %u accepted", a, k, npsid);
	}
}

/* Loop index _i is the PSID offset a; every PSID length k with a + k <= 16. */
START_TEST(test_psid_exhaustive)
{
	uint8_t a = (uint8_t)_i;

	for (uint8_t k = 0; a + k <= 16; k++) {
		check_partition(a, k);
		check_sets(a, k);
	}
}
END_TEST

static Suite *portset_suite(void)
{
	Suite *s = suite_create("portset");
	TCase *range = tcase_create("port_range");
	TCase *ranges = tcase_create("port_ranges");
	TCase *psid = tcase_create("psid");
	TCase *exhaustive = tcase_create("psid_exhaustive");

	tcase_add_test(range, test_range_parse_good);
	tcase_add_test(range, test_range_parse_bad);
	tcase_add_test(range, test_range_parse_no_err_buffer);
	tcase_add_test(range, test_range_format);
	tcase_add_test(range, test_range_helpers);
	suite_add_tcase(s, range);

	tcase_add_test(ranges, test_ranges_add_sorted);
	tcase_add_test(ranges, test_ranges_add_merge);
	tcase_add_test(ranges, test_ranges_full);
	tcase_add_test(ranges, test_ranges_lookup);
	suite_add_tcase(s, ranges);

	tcase_add_test(psid, test_psid_validate);
	tcase_add_test(psid, test_rfc7599_example5_port_set);
	tcase_add_test(psid, test_rfc7599_example2_br);
	tcase_add_test(psid, test_psid_offset0_contiguous);
	tcase_add_test(psid, test_psid_len0_whole_space);
	tcase_add_test(psid, test_psid_fill_truncates);
	suite_add_tcase(s, psid);

	/* Sanitizer builds are several times slower than the default 4 s allows. */
	tcase_set_timeout(exhaustive, 60);
	tcase_add_loop_test(exhaustive, test_psid_exhaustive, 0, 16);
	suite_add_tcase(s, exhaustive);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(portset_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
