/* Unit tests of lib/net/rss.c: the Toeplitz hash against DPDK's
 * rte_softrss (the reference NIC drivers are tested with) and the
 * specification's published values, and the byte tables against both. */
#include <check.h>
#include <rte_thash.h>
#include <stdlib.h>
#include <string.h>

#include "rss.h"

/* rte_softrss's input: the bytes as host-order 32-bit words. */
static void words(const uint8_t *in, size_t len, uint32_t *w)
{
	for (size_t i = 0; i < len / 4; i++)
		w[i] = (uint32_t)in[4 * i] << 24 | (uint32_t)in[4 * i + 1] << 16 |
		       (uint32_t)in[4 * i + 2] << 8 | in[4 * i + 3];
}

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

START_TEST(test_against_softrss)
{
	uint8_t in[36];
	uint32_t w[9];

	srand(6333);
	for (int i = 0; i < 5000; i++) {
		size_t len = i % 3 == 0 ? 12 : i % 3 == 1 ? 16 : 36;

		fill(in, len);
		words(in, len, w);
		ck_assert_uint_eq(rss_toeplitz(rss_key, RSS_KEY_STD_LEN, in, len),
		                  rte_softrss(w, (uint32_t)(len / 4), rss_key));
	}
}
END_TEST

/* Microsoft's RSS verification values (IPv4 and IPv6, addresses only
 * and with TCP ports) under its key. */
START_TEST(test_published)
{
	const uint8_t v4[12] = {66, 9, 149, 187, 161, 142, 100, 80, 0x0a, 0xea, 0x06, 0xe6};
	const uint8_t v6[36] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0,
	                        0,    0,    0,    0,    0,    0,    0x07, 0x3f, 0xfe,
	                        0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0,    0,    0,
	                        0,    0,    0,    0,    0x01, 0x0a, 0xea, 0x06, 0xe6};

	ck_assert_uint_eq(rss_toeplitz(rss_key, RSS_KEY_STD_LEN, v4, 8), 0x323e8fc2);
	ck_assert_uint_eq(rss_toeplitz(rss_key, RSS_KEY_STD_LEN, v4, 12), 0x51ccc178);
	ck_assert_uint_eq(rss_toeplitz(rss_key, RSS_KEY_STD_LEN, v6, 32), 0x2cc18cd5);
	ck_assert_uint_eq(rss_toeplitz(rss_key, RSS_KEY_STD_LEN, v6, 36), 0x40207d3d);
}
END_TEST

/* Two tables, for a source at byte 0 and a destination at byte 16: their
 * parts XOR to the hash of both; the padding past the usual 40 bytes
 * changes nothing. */
START_TEST(test_tables)
{
	static struct rss_table src, dst;
	uint8_t in[32];

	rss_table_init(&src, rss_key, RSS_KEY_LEN, 0);
	rss_table_init(&dst, rss_key, RSS_KEY_LEN, 16);
	srand(7596);
	for (int i = 0; i < 5000; i++) {
		uint32_t want;

		fill(in, sizeof(in));
		want = rss_toeplitz(rss_key, RSS_KEY_STD_LEN, in, 32);
		ck_assert_uint_eq(rss_hash16(&src, in) ^ rss_hash16(&dst, in + 16), want);
		ck_assert_uint_eq(rss_toeplitz(rss_key, RSS_KEY_LEN, in, 32), want);
		memset(in + 16, 0, 16);
		ck_assert_uint_eq(rss_hash16(&src, in), rss_toeplitz(rss_key, RSS_KEY_LEN, in, 16));
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rss");
	TCase *tc = tcase_create("toeplitz");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_against_softrss);
	tcase_add_test(tc, test_published);
	tcase_add_test(tc, test_tables);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
