/* Deterministic port blocks (lib/config/determ.h): the formula both ways
 * for several layouts, its edges, and the configurations it refuses; and
 * the port-block space it drives (lib/net/portblock.h). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "determ.h"
#include "portblock.h"

/* A configuration: pools, the ranges of config.c's defaults, blocks. */
static void conf(struct aftr_config *cfg, unsigned int pools, const char *prefix, uint8_t len,
                 uint16_t k)
{
	ck_assert_int_eq(cfg_init(cfg), 0);
	cfg->fixed.pools = calloc(pools, sizeof(*cfg->fixed.pools));
	for (unsigned int i = 0; i < pools; i++)
		cfg->fixed.pools[i].addr = 0xc6336401u + i; /* 198.51.100.1 .. */
	cfg->fixed.n_pools = cfg->fixed.cap_pools = pools;
	ck_assert_int_eq(prefix6_parse(prefix, 0, &cfg->fixed.determ_prefix, NULL, 0), 0);
	cfg->fixed.determ_len = len;
	cfg->fixed.has_determ = true;
	for (int p = 0; p < CFG_NPROTO; p++)
		cfg->fixed.max_blocks[p] = k;
}

static struct addr6 a6(const char *s)
{
	struct addr6 a;

	ck_assert_int_eq(addr6_parse(s, &a, NULL, 0), 0);
	return a;
}

START_TEST(both_ways)
{
	/* Every /56 of a /48 over two addresses, 2 blocks a protocol. */
	struct aftr_config cfg;
	struct determ d;
	char err[256];
	struct addr6 b4 = a6("2001:db8:1:ab00::1");
	struct prefix6 back;
	uint16_t first, last;
	int64_t i;

	conf(&cfg, 2, "2001:db8:1::/48", 56, 2);
	ck_assert_int_eq(determ_init(&d, &cfg, err, sizeof(err)), 0);
	ck_assert(d.on);
	ck_assert_uint_eq(d.count, 256);
	i = determ_index(&d, &b4);
	ck_assert_int_eq(i, 0xab);
	determ_ports(&d, (uint64_t)i, CFG_UDP, &first, &last);
	ck_assert_uint_eq(determ_pool(&d, (uint64_t)i), 0xab / d.per_addr);
	ck_assert_uint_eq(last - first + 1u, 2u * cfg.fixed.port_block[CFG_UDP]);
	/* Every port of its blocks leads back to it, the next one does not. */
	for (uint32_t port = first; port <= last; port++)
		ck_assert_int_eq(
		        determ_reverse(&d, determ_pool(&d, (uint64_t)i), CFG_UDP, (uint16_t)port),
		        i);
	ck_assert_int_ne(
	        determ_reverse(&d, determ_pool(&d, (uint64_t)i), CFG_UDP, (uint16_t)(last + 1)), i);
	determ_prefix(&d, (uint64_t)i, &back);
	ck_assert_uint_eq(back.len, 56);
	ck_assert(prefix6_contains(&back, &b4));
	/* The edges: the first and the last subscriber, outside. */
	ck_assert_int_eq(determ_index(&d, &(struct addr6){0}), -1);
	b4 = a6("2001:db8:1::");
	ck_assert_int_eq(determ_index(&d, &b4), 0);
	b4 = a6("2001:db8:1:ffff:ffff::");
	ck_assert_int_eq(determ_index(&d, &b4), 255);
	b4 = a6("2001:db8:2::1");
	ck_assert_int_eq(determ_index(&d, &b4), -1);
	/* A port below the range, or on an address past the pools. */
	ck_assert_int_eq(determ_reverse(&d, 0, CFG_UDP, 1), -1);
	ck_assert_int_eq(determ_reverse(&d, 2, CFG_UDP, 4000), -1);
	cfg_free(&cfg);
}
END_TEST

START_TEST(every_layout)
{
	/* Prefix lengths, subscriber lengths and blocks: the mapping is a
	 * bijection between subscribers and (pool, slot). */
	static const struct {
		const char *prefix;
		uint8_t len;
		uint16_t k;
		unsigned int pools;
	} v[] = {{"2001:db8::/32", 40, 1, 1},
	         {"2001:db8:1::/48", 58, 3, 2},
	         {"2001:db8:1:2::/64", 72, 8, 1},
	         {"2001:db8:1:2:3:4:5:0/120", 128, 16, 3}};

	for (size_t n = 0; n < sizeof(v) / sizeof(v[0]); n++) {
		struct aftr_config cfg;
		struct determ d;
		char err[256];

		conf(&cfg, v[n].pools, v[n].prefix, v[n].len, v[n].k);
		ck_assert_msg(determ_init(&d, &cfg, err, sizeof(err)) == 0, "%s: %s", v[n].prefix,
		              err);
		for (uint64_t i = 0; i < d.count; i += 1 + d.count / 64) {
			struct prefix6 pf;
			uint16_t first, last;

			determ_prefix(&d, i, &pf);
			ck_assert_int_eq(determ_index(&d, &pf.addr), (int64_t)i);
			for (int p = 0; p < CFG_NPROTO; p++) {
				determ_ports(&d, i, (enum cfg_proto)p, &first, &last);
				ck_assert_int_eq(determ_reverse(&d, determ_pool(&d, i),
				                                (enum cfg_proto)p, first),
				                 (int64_t)i);
				ck_assert_int_eq(determ_reverse(&d, determ_pool(&d, i),
				                                (enum cfg_proto)p, last),
				                 (int64_t)i);
			}
		}
		cfg_free(&cfg);
	}
}
END_TEST

START_TEST(refused)
{
	struct aftr_config cfg;
	struct determ d;
	char err[256];

	/* 2^16 subscribers of 200 TCP blocks each cannot fit one address. */
	conf(&cfg, 1, "2001:db8::/32", 48, 0);
	ck_assert_int_eq(determ_init(&d, &cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "65536 subscribers"));
	cfg_free(&cfg);
	conf(&cfg, 1, "2001:db8::/48", 48, 1);
	ck_assert_int_eq(determ_init(&d, &cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than the prefix"));
	cfg_free(&cfg);
	/* Pools with another range. */
	conf(&cfg, 2, "2001:db8::/56", 60, 1);
	cfg.fixed.pools[1].has_range[CFG_UDP] = true;
	cfg.fixed.pools[1].range[CFG_UDP] = (struct port_range){1024, 2047};
	ck_assert_int_eq(determ_init(&d, &cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "ranges differ"));
	cfg_free(&cfg);
}
END_TEST

START_TEST(blocks_by_number)
{
	/* Two workers, groups of 3 blocks: blocks 0-2 are worker 0's, 3-5
	 * worker 1's; a block is taken by number once, back after release. */
	struct pb_space s0, s1;
	uint32_t head = PB_NONE;
	uint16_t port;

	ck_assert_int_eq(pb_init(&s0, 1024, 2047, 8, 0, 2), 0);
	ck_assert_int_eq(pb_init(&s1, 1024, 2047, 8, 1, 2), 0);
	pb_set_deterministic(&s0, 3);
	pb_set_deterministic(&s1, 3);
	ck_assert_uint_eq(pb_port_owner(&s0, 1024 + 2 * 8), 0);
	ck_assert_uint_eq(pb_port_owner(&s0, 1024 + 3 * 8), 1);
	ck_assert_uint_eq(pb_block_take(&s0, 7, &head), PB_NONE);       /* no free list */
	ck_assert_uint_eq(pb_block_take_at(&s0, 3, 7, &head), PB_NONE); /* worker 1's */
	ck_assert_uint_eq(pb_block_take_at(&s0, 2, 7, &head), 2);
	ck_assert_uint_eq(pb_block_take_at(&s0, 2, 8, &head), PB_NONE); /* held */
	ck_assert_int_eq(pb_port_alloc(&s0, head, &port), 0);
	ck_assert_uint_eq(port, 1024 + 16);
	ck_assert_int_eq(pb_port_release(&s0, port, &head), 1);
	ck_assert_uint_eq(head, PB_NONE);
	ck_assert_uint_eq(s0.nfree, 0);
	ck_assert_uint_eq(pb_block_take_at(&s0, 2, 8, &head), 2);
	pb_free(&s0);
	pb_free(&s1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("determ");
	TCase *tc = tcase_create("determ");

	tcase_add_test(tc, both_ways);
	tcase_add_test(tc, every_layout);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, blocks_by_number);
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
