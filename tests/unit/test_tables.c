/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of lib/tables/tables.c: the live tables' lookups against a linear
 * search over the same entries, and the acl6 and filter rules. */
#include "tables.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_json.h"
#include "counters.h"

#define N 2000

static struct addr6 b4(uint32_t i)
{
	struct addr6 a = {{0x20, 0x01, 0x0d, 0xb8}};

	a.b[12] = (uint8_t)(i >> 24);
	a.b[13] = (uint8_t)(i >> 16);
	a.b[14] = (uint8_t)(i >> 8);
	a.b[15] = (uint8_t)i;
	return a;
}

/* N tunnels and N mappings in a scrambled order. */
static void fill(struct aftr_config *cfg)
{
	ck_assert_int_eq(cfg_init(cfg), 0);
	cfg->lists.tunnels = calloc(N, sizeof(*cfg->lists.tunnels));
	cfg->lists.nats = calloc(N, sizeof(*cfg->lists.nats));
	ck_assert(cfg->lists.tunnels && cfg->lists.nats);
	for (uint32_t k = 0; k < N; k++) {
		uint32_t i = (k * 7919u) % N;

		cfg->lists.tunnels[k] =
		        (struct cfg_tunnel){.b4 = b4(i * 2), .mtu = (uint16_t)(1280 + i)};
		cfg->lists.nats[k] = (struct cfg_nat){.b4 = b4(i % 100),
		                                      .proto = i % 2 ? CFG_TCP : CFG_UDP,
		                                      .addr = 0xc0a80000u + i,
		                                      .port = (uint16_t)(1000 + i),
		                                      .ext_addr = 0xc6336401u + i % 3,
		                                      .ext_port = (uint16_t)(10 + i)};
	}
	cfg->lists.n_tunnels = cfg->lists.cap_tunnels = N;
	cfg->lists.n_nats = cfg->lists.cap_nats = N;
}

START_TEST(test_lookups)
{
	struct aftr_config cfg;
	struct tables t;

	fill(&cfg);
	ck_assert_int_eq(tables_build(&t, &cfg, 42), 0);
	ck_assert_ptr_null(cfg.lists.tunnels); /* moved in */
	ck_assert_uint_eq(t.gen, 42);
	for (uint32_t i = 0; i < 2 * N; i++) {
		struct addr6 a = b4(i);
		const struct cfg_tunnel *x = tables_tunnel(&t, &a);

		if (i % 2) {
			ck_assert_ptr_null(x);
			continue;
		}
		ck_assert_ptr_nonnull(x);
		ck_assert_uint_eq(x->mtu, 1280 + i / 2);
	}
	for (uint32_t i = 0; i < N; i++) {
		struct addr6 a = b4(i % 100);
		enum cfg_proto p = i % 2 ? CFG_TCP : CFG_UDP;
		const struct cfg_nat *in =
		        tables_nat_inside(&t, &a, p, 0xc0a80000u + i, (uint16_t)(1000 + i));
		const struct cfg_nat *ext =
		        tables_nat_public(&t, p, 0xc6336401u + i % 3, (uint16_t)(10 + i));

		ck_assert_ptr_nonnull(in);
		ck_assert_ptr_eq(in, ext);
		/* The other protocol, the next port, another B4: nothing. */
		ck_assert_ptr_null(tables_nat_public(&t, p == CFG_TCP ? CFG_UDP : CFG_TCP,
		                                     0xc6336401u + i % 3, (uint16_t)(10 + i)));
		ck_assert_ptr_null(
		        tables_nat_inside(&t, &a, p, 0xc0a80000u + i, (uint16_t)(1001 + i)));
		a.b[0] ^= 1;
		ck_assert_ptr_null(
		        tables_nat_inside(&t, &a, p, 0xc0a80000u + i, (uint16_t)(1000 + i)));
	}
	tables_free(&t);
}
END_TEST

START_TEST(test_empty)
{
	struct aftr_config cfg;
	struct tables t;
	struct addr6 a = b4(1);
	int drop = -1;

	ck_assert_int_eq(cfg_init(&cfg), 0);
	ck_assert_int_eq(tables_build(&t, &cfg, 0), 0);
	ck_assert_ptr_null(tables_tunnel(&t, &a));
	ck_assert_ptr_null(tables_nat_public(&t, CFG_TCP, 1, 1));
	ck_assert(!tables_b4_allowed(&t, &a, &drop, NULL));
	ck_assert_int_eq(drop, DROP_ACL6);
	/* No stateless address: an empty span (lo above hi). */
	ck_assert_uint_gt(t.sl_lo, t.sl_hi);
	ck_assert_uint_gt(t.prr_lo, t.prr_hi);
	ck_assert_ptr_null(tables_nonat(&t, 0));
	ck_assert_ptr_null(tables_nonat(&t, UINT32_MAX));
	tables_free(&t);
}
END_TEST

START_TEST(test_acl6_and_filter)
{
	struct aftr_config cfg;
	struct tables t;
	struct addr6 in = b4(1), out = b4(1), tun;
	struct cfg_nat n = {.has_filter = true, .filter_port = 443};
	int drop = -1;

	fill(&cfg);
	out.b[1] = 0x02; /* 2002:db8:: is outside the ACL */
	tun = cfg.lists.tunnels[0].b4;
	cfg.lists.acl6 = calloc(1, sizeof(*cfg.lists.acl6));
	ck_assert_ptr_nonnull(cfg.lists.acl6);
	cfg.lists.n_acl6 = cfg.lists.cap_acl6 = 1;
	cfg.lists.acl6[0].p = (struct prefix6){.addr = b4(0), .len = 32};
	cfg.fixed.tun.auto_create = false;
	ck_assert_int_eq(tables_build(&t, &cfg, 1), 0);
	/* A configured tunnel passes; inside acl6 without auto tunnels: no_tunnel. */
	ck_assert(tables_b4_allowed(&t, &tun, &drop, NULL));
	ck_assert(!tables_b4_allowed(&t, &in, &drop, NULL));
	ck_assert_int_eq(drop, DROP_NO_TUNNEL);
	ck_assert(!tables_b4_allowed(&t, &out, &drop, NULL));
	ck_assert_int_eq(drop, DROP_ACL6);
	t.cfg.fixed.tun.auto_create = true;
	ck_assert(tables_b4_allowed(&t, &in, &drop, NULL));
	tables_free(&t);

	/* filter 198.51.100.0/24 port 443. */
	n.filter_dst = (struct prefix4){.addr = 0xc6336400u, .len = 24};
	ck_assert(tables_nat_allows(&n, 0xc6336407u, 443));
	ck_assert(!tables_nat_allows(&n, 0xc6336407u, 444));
	ck_assert(!tables_nat_allows(&n, 0xc6336507u, 443));
	n.filter_port = 0;
	ck_assert(tables_nat_allows(&n, 0xc63364ffu, 1));
	n.has_filter = false;
	ck_assert(tables_nat_allows(&n, 0x01020304u, 9));
}
END_TEST

START_TEST(test_lhash)
{
	struct lhash h;
	uint64_t k;

	ck_assert_int_eq(lhash_init(&h, 65536, 8), 0);
	for (uint32_t i = 0; i < 65536; i++) {
		k = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		ck_assert_int_eq(lhash_put(&h, &k, i), 0);
	}
	k = 0;
	ck_assert_int_eq(lhash_put(&h, &k, 7), -EEXIST); /* i = 0's key */
	k = 1;
	ck_assert_int_eq(lhash_put(&h, &k, 7), -ENOSPC); /* 65536 keys: half full */
	for (uint32_t i = 0; i < 65536; i++) {
		k = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		if (lhash_get(&h, &k) != i)
			ck_abort_msg("key %u", i);
		k ^= 1;
		if (lhash_get(&h, &k) != LHASH_NONE)
			ck_abort_msg("absent key %u found", i);
	}
	lhash_free(&h);
	ck_assert_uint_eq(lhash_get(&h, &k), LHASH_NONE); /* freed: empty */
	ck_assert_int_eq(lhash_init(&h, 1, 25), -EINVAL);
}
END_TEST

static struct cfg_softwire sw(uint32_t b4i, uint32_t ipv4, uint8_t offset, uint8_t len,
                              uint16_t psid)
{
	return (struct cfg_softwire){.b4 = b4(b4i), .ipv4 = ipv4, .psid = {offset, len, psid}};
}

/* lw4o6 (RFC 7596, port sets of RFC 7597 section 5.1), prr, nonat. */
/* A B4 with three softwires (two addresses) keeps them in one chain,
 * inline in by_b4 when it has nothing else; each softwire knows the index
 * of its endpoint. */
/* Private sources: the defaults (RFC 1918, 192.0.0.0/29) and a /7 and a
 * /24 added, by the /16 index and the list behind it. */
START_TEST(test_private)
{
	static const struct prefix4 more[] = {{0x02000000u, 7}, {0xc6336400u, 24}};
	static const struct {
		uint32_t addr;
		bool priv;
	} cases[] = {
	        {0x0a000000u, true},  {0x0affffffu, true},  {0x09ffffffu, false},
	        {0x0b000000u, false}, {0xac100000u, true},  {0xac1fffffu, true},
	        {0xac200000u, false}, {0xac0fffffu, false}, {0xc0a80101u, true},
	        {0xc0a90000u, false}, {0xc0000000u, true},  {0xc0000007u, true},
	        {0xc0000008u, false}, {0xc0000201u, false}, {0x02000000u, true},
	        {0x03ffffffu, true},  {0x04000000u, false}, {0x01ffffffu, false},
	        {0xc63364ffu, true},  {0xc6336500u, false}, {0xc63363ffu, false},
	        {0x08080808u, false}, {0u, false},          {0xffffffffu, false},
	};
	struct aftr_config cfg;
	struct cfg_prefix4 *priv;
	struct tables t;

	ck_assert_int_eq(cfg_init(&cfg), 0);
	priv = realloc(cfg.lists.private4, (cfg.lists.n_private4 + 2) * sizeof(*priv));
	ck_assert_ptr_nonnull(priv);
	cfg.lists.private4 = priv;
	for (size_t i = 0; i < 2; i++)
		priv[cfg.lists.n_private4++] = (struct cfg_prefix4){.p = more[i]};
	cfg.lists.cap_private4 = cfg.lists.n_private4;
	ck_assert_int_eq(tables_build(&t, &cfg, 1), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(tables_is_private(&t, cases[i].addr) == cases[i].priv, "%08x",
		              cases[i].addr);
	tables_free(&t);
}
END_TEST

/* The nonat prefix holding a, by looking at each. */
static const struct cfg_nonat *nonat_scan(const struct tables *t, uint32_t a)
{
	for (size_t k = 0; k < t->n_nonat; k++)
		if (prefix4_contains(&t->nonats[k].prefix, a))
			return &t->nonats[k];
	return NULL;
}

/* nonat prefixes of n lengths (/32, /31, ... down), 203.0.(113 - i).0 each,
 * found the same way by the hash (up to TABLES_NONAT_LENS lengths) and by
 * the binary search past it: every address of each, and the neighbours. */
static void check_nonat_lengths(uint8_t n)
{
	struct aftr_config cfg;
	struct tables t;

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.lists.nonats = calloc(n, sizeof(*cfg.lists.nonats));
	ck_assert_ptr_nonnull(cfg.lists.nonats);
	for (uint8_t i = 0; i < n; i++)
		cfg.lists.nonats[i] = (struct cfg_nonat){
		        .b4 = b4(100u + i), .prefix = {0xcb007100u - ((uint32_t)i << 8), 32 - i}};
	cfg.lists.n_nonats = cfg.lists.cap_nonats = n;
	ck_assert_int_eq(tables_build(&t, &cfg, 1), 0);
	ck_assert_uint_eq(t.n_nonat_lens, n <= TABLES_NONAT_LENS ? n : 0);
	for (uint8_t i = 0; i < n; i++) {
		const struct cfg_nonat *want = NULL;
		uint32_t net = 0xcb007100u - ((uint32_t)i << 8), size = 1u << i;

		for (size_t k = 0; k < n; k++)
			if (t.cfg.lists.nonats[k].prefix.addr == net)
				want = &t.nonats[k];
		ck_assert_ptr_nonnull(want);
		for (uint32_t a = net; a < net + size; a++)
			ck_assert_ptr_eq(tables_nonat(&t, a), want);
		ck_assert_ptr_eq(tables_nonat(&t, net + size), nonat_scan(&t, net + size));
		ck_assert_ptr_eq(tables_nonat(&t, net - 1), nonat_scan(&t, net - 1));
	}
	ck_assert_uint_eq(t.sl_lo, t.nonat_lo);
	ck_assert_uint_eq(t.sl_hi, t.nonat_hi);
	/* Outside the span the prefixes cover, and at its ends. */
	ck_assert_ptr_null(tables_nonat(&t, 0));
	ck_assert_ptr_null(tables_nonat(&t, 0xffffffffu));
	ck_assert_ptr_null(tables_nonat(&t, 0xcb007101u));
	tables_free(&t);
}

START_TEST(test_nonat_lengths)
{
	check_nonat_lengths(1);
	check_nonat_lengths(TABLES_NONAT_LENS);
	check_nonat_lengths(TABLES_NONAT_LENS + 1);
	check_nonat_lengths(9);
}
END_TEST

START_TEST(test_softwires_per_b4)
{
	struct aftr_config cfg;
	struct tables t;
	struct addr6 a = b4(1);
	struct tables_b4 rec;
	uint32_t seen = 0, n = 0;

	ck_assert_int_eq(cfg_init(&cfg), 0);
	ck_assert_int_eq(addr6_parse("2001:db8::1", &cfg.fixed.endpoint, NULL, 0), 0);
	ck_assert_int_eq(addr6_parse("2001:db8::2", &cfg.fixed.endpoints[0], NULL, 0), 0);
	ck_assert_int_eq(addr6_parse("2001:db8::3", &cfg.fixed.endpoints[1], NULL, 0), 0);
	cfg.fixed.has_endpoint = true;
	cfg.fixed.n_endpoints = 2;
	cfg.lists.softwires = calloc(4, sizeof(*cfg.lists.softwires));
	ck_assert_ptr_nonnull(cfg.lists.softwires);
	cfg.lists.softwires[0] = sw(1, 0xc0000201u, 0, 4, 0);
	cfg.lists.softwires[1] = sw(2, 0xc0000201u, 0, 4, 1);
	cfg.lists.softwires[2] = sw(1, 0xc0000202u, 0, 4, 2);
	cfg.lists.softwires[3] = sw(1, 0xc0000201u, 0, 4, 5);
	cfg.lists.softwires[2].endpoint = cfg.fixed.endpoints[1];
	cfg.lists.softwires[3].endpoint = cfg.fixed.endpoint;
	cfg.lists.n_softwires = cfg.lists.cap_softwires = 4;
	ck_assert_int_eq(tables_build(&t, &cfg, 1), 0);
	ck_assert(tables_b4_bind(&t, &a) & TABLES_B4_SOFTWIRE);
	ck_assert(tables_b4_of(&t, tables_b4_bind(&t, &a), &rec));
	for (uint32_t i = rec.softwire; i != LHASH_NONE; i = t.sw_next[i], n++) {
		ck_assert(addr6_equal(&t.sw[i].b4, &a));
		seen |= 1u << i;
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(seen, 0xd);
	ck_assert_uint_eq(t.sw[0].ep, 0);
	ck_assert_uint_eq(t.sw[2].ep, 2);
	ck_assert_uint_eq(t.sw[3].ep, 0);
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000202u, 0x2345), &t.sw[2]);
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000201u, 0x5345), &t.sw[3]);
	tables_free(&t);
}
END_TEST

/* A no-NAT B4's tunnel entry holds its settings: found, but it does not
 * make the B4 NATed; a prr B4's does (ISC: its tunnel NATs). */
START_TEST(test_settings_of_stateless_b4s)
{
	struct aftr_config cfg;
	struct tables t;
	struct addr6 a;
	int drop = -1;
	bool nat = true;

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.lists.nonats = calloc(1, sizeof(*cfg.lists.nonats));
	cfg.lists.prrs = calloc(1, sizeof(*cfg.lists.prrs));
	cfg.lists.tunnels = calloc(2, sizeof(*cfg.lists.tunnels));
	ck_assert(cfg.lists.nonats && cfg.lists.prrs && cfg.lists.tunnels);
	cfg.lists.nonats[0] = (struct cfg_nonat){.b4 = b4(6), .prefix = {0xcb007100u, 28}};
	cfg.lists.prrs[0] =
	        (struct cfg_prr){.b4 = b4(5), .proto = CFG_UDP, .addr = 0xc6336401u, .port = 53};
	cfg.lists.tunnels[0] = (struct cfg_tunnel){.b4 = b4(6), .mtu = 1300};
	cfg.lists.tunnels[1] = (struct cfg_tunnel){.b4 = b4(5), .mtu = 1400};
	cfg.lists.n_nonats = cfg.lists.cap_nonats = 1;
	cfg.lists.n_prrs = cfg.lists.cap_prrs = 1;
	cfg.lists.n_tunnels = cfg.lists.cap_tunnels = 2;
	ck_assert_int_eq(tables_build(&t, &cfg, 1), 0);
	a = b4(6);
	ck_assert_ptr_eq(tables_tunnel(&t, &a), &t.tun[0]);
	ck_assert(tables_b4_allowed(&t, &a, &drop, &nat));
	ck_assert(!nat);
	a = b4(5);
	ck_assert_ptr_eq(tables_tunnel(&t, &a), &t.tun[1]);
	ck_assert(tables_b4_allowed(&t, &a, &drop, &nat));
	ck_assert(nat);
	tables_free(&t);
}
END_TEST

/* Two sets built from the same filters compare equal (their counters go
 * on across generations); another rule makes them differ. */
static void build_with_filter(struct tables *t, uint16_t port)
{
	struct aftr_config cfg;
	struct cfg_filter_list *l;

	ck_assert_int_eq(cfg_init(&cfg), 0);
	l = &cfg.lists.filters[CFG_SIDE_WAN][CFG_DIR_IN];
	l->v = calloc(1, sizeof(*l->v));
	ck_assert_ptr_nonnull(l->v);
	l->n = l->cap = 1;
	l->v[0] = (struct cfg_filter_rule){.action = FILTER_ACT_DROP,
	                                   .proto = CFG_TCP,
	                                   .has_dport = true,
	                                   .dport = {port, port}};
	ck_assert_int_eq(tables_build(t, &cfg, 1), 0);
}

START_TEST(test_filters_equal)
{
	struct tables a, b, c;

	build_with_filter(&a, 22);
	build_with_filter(&b, 22);
	build_with_filter(&c, 23);
	ck_assert_uint_eq(a.filters[CFG_SIDE_WAN][CFG_DIR_IN].n, 1);
	ck_assert_int_eq(a.filters[CFG_SIDE_WAN][CFG_DIR_IN].rules[0].proto, 6);
	ck_assert(tables_filters_equal(&a, &b));
	ck_assert(!tables_filters_equal(&a, &c));
	tables_free(&a);
	tables_free(&b);
	tables_free(&c);
}
END_TEST

START_TEST(test_stateless)
{
	struct aftr_config cfg;
	struct tables t;
	struct addr6 a;
	struct tables_b4 rec, *r = &rec;

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.lists.softwires = calloc(4, sizeof(*cfg.lists.softwires));
	cfg.lists.prrs = calloc(1, sizeof(*cfg.lists.prrs));
	cfg.lists.nonats = calloc(2, sizeof(*cfg.lists.nonats));
	ck_assert(cfg.lists.softwires && cfg.lists.prrs && cfg.lists.nonats);
	/* 192.0.2.1: PSID length 4, offset 0: 4096 ports each (a = 0). */
	cfg.lists.softwires[0] = sw(1, 0xc0000201u, 0, 4, 0);
	cfg.lists.softwires[1] = sw(2, 0xc0000201u, 0, 4, 15);
	/* 192.0.2.2 with two shapes: offset 6 length 4 (PSID 3) and length 6 (PSID 1). */
	cfg.lists.softwires[2] = sw(3, 0xc0000202u, 6, 4, 3);
	cfg.lists.softwires[3] = sw(4, 0xc0000202u, 6, 6, 1);
	cfg.lists.n_softwires = cfg.lists.cap_softwires = 4;
	cfg.lists.prrs[0] =
	        (struct cfg_prr){.b4 = b4(5), .proto = CFG_UDP, .addr = 0xc6336401u, .port = 53};
	cfg.lists.n_prrs = cfg.lists.cap_prrs = 1;
	cfg.lists.nonats[0] = (struct cfg_nonat){.b4 = b4(6), .prefix = {0xcb007100u, 28}};
	cfg.lists.nonats[1] = (struct cfg_nonat){.b4 = b4(7), .prefix = {0xcb007000u, 24}};
	cfg.lists.n_nonats = cfg.lists.cap_nonats = 2;
	/* A tunnel for a B4 with a softwire, and one for a B4 with nothing else. */
	cfg.lists.tunnels = calloc(2, sizeof(*cfg.lists.tunnels));
	ck_assert_ptr_nonnull(cfg.lists.tunnels);
	cfg.lists.tunnels[0] = (struct cfg_tunnel){.b4 = b4(4), .mtu = 1400};
	cfg.lists.tunnels[1] = (struct cfg_tunnel){.b4 = b4(8), .mtu = 1500};
	cfg.lists.n_tunnels = cfg.lists.cap_tunnels = 2;
	ck_assert_int_eq(tables_build(&t, &cfg, 3), 0);

	/* First and last port of each set; the neighbours belong to others. */
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000201u, 0), &t.sw[0]);
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000201u, 4095), &t.sw[0]);
	ck_assert_ptr_null(tables_softwire(&t, 0xc0000201u, 4096)); /* PSID 1: nobody's */
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000201u, 61440), &t.sw[1]);
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000201u, 65535), &t.sw[1]);
	/* Offset 6: ports below 1024 are nobody's (A = 0). PSID 3 of length 4
	 * holds 1024 + 3*64 .. +63 = 1216-1279, then every 1024 ports. */
	ck_assert_ptr_null(tables_softwire(&t, 0xc0000202u, 195));
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000202u, 1216), &t.sw[2]);
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000202u, 1279), &t.sw[2]);
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000202u, 65535 - 1023 + 255), &t.sw[2]);
	/* Length 6, PSID 1: 1024 + 16 .. 1024 + 31. */
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000202u, 1040), &t.sw[3]);
	ck_assert_ptr_eq(tables_softwire(&t, 0xc0000202u, 1055), &t.sw[3]);
	ck_assert_ptr_null(tables_softwire(&t, 0xc0000202u, 1056));
	ck_assert(tables_softwire_addr(&t, 0xc0000202u));
	ck_assert(!tables_softwire_addr(&t, 0xc0000203u));
	ck_assert_ptr_null(tables_softwire(&t, 0xc0000203u, 1040));

	a = b4(3);
	ck_assert(tables_b4(&t, &a, r));
	ck_assert_uint_eq(r->softwire, 2);
	ck_assert_uint_eq(r->nonat, LHASH_NONE);
	a = b4(5);
	ck_assert(tables_b4(&t, &a, r));
	ck_assert_uint_eq(r->has_prr, 1);
	ck_assert_ptr_eq(tables_prr(&t, CFG_UDP, 0xc6336401u, 53), &t.prrs[0]);
	ck_assert_ptr_null(tables_prr(&t, CFG_TCP, 0xc6336401u, 53));
	/* The prr addresses' span: the one address. */
	ck_assert_uint_eq(t.prr_lo, 0xc6336401u);
	ck_assert_uint_eq(t.prr_hi, 0xc6336401u);
	a = b4(6);
	ck_assert(tables_b4(&t, &a, r));
	ck_assert_uint_eq(r->nonat, 0);
	/* The span of every stateless address: 192.0.2.1 to 203.0.113.15. */
	ck_assert_uint_eq(t.sl_lo, 0xc0000201u);
	ck_assert_uint_eq(t.sl_hi, 0xcb00710fu);
	/* Sorted by address: 203.0.112.0/24 then 203.0.113.0/28. */
	ck_assert_ptr_eq(tables_nonat(&t, 0xcb00710fu), &t.nonats[0]);
	ck_assert_ptr_null(tables_nonat(&t, 0xcb007110u));
	ck_assert_ptr_eq(tables_nonat(&t, 0xcb0070ffu), &t.nonats[1]);
	ck_assert_ptr_null(tables_nonat(&t, 0xcb006fffu));
	/* A stateless B4 may use the softwire without a tunnel or acl6. */
	{
		int drop;

		ck_assert(tables_b4_allowed(&t, &a, &drop, NULL));
	}
	/* A binding read once (a packet's context keeps it) says the same as
	 * the lookup: a B4 with only a softwire holds it inline. */
	a = b4(3);
	ck_assert(tables_b4_bind(&t, &a) & TABLES_B4_SOFTWIRE);
	ck_assert(tables_b4_of(&t, tables_b4_bind(&t, &a), r));
	ck_assert_uint_eq(r->softwire, 2);
	ck_assert_uint_eq(r->has_prr, 0);
	a = b4(5);
	ck_assert(tables_b4_of(&t, tables_b4_bind(&t, &a), r));
	ck_assert_uint_eq(r->has_prr, 1);
	a = b4(9);
	ck_assert_uint_eq(tables_b4_bind(&t, &a), LHASH_NONE);
	ck_assert(!tables_b4_of(&t, LHASH_NONE, r));
	ck_assert_ptr_null(tables_tunnel(&t, &a));
	/* Tunnels are in the same index: a B4 with only a tunnel holds it
	 * inline and has no stateless binding; one with a softwire too has a
	 * record with both. */
	{
		int drop = -1;
		bool nat = false;

		a = b4(8);
		ck_assert(tables_b4_bind(&t, &a) & TABLES_B4_TUNNEL);
		ck_assert(!tables_b4_of(&t, tables_b4_bind(&t, &a), r));
		ck_assert_ptr_eq(tables_tunnel(&t, &a), &t.tun[1]);
		ck_assert(tables_b4_allowed(&t, &a, &drop, &nat));
		ck_assert(nat);
		a = b4(4);
		ck_assert_uint_eq(tables_b4_bind(&t, &a) & ~TABLES_B4_INDEX, 0);
		ck_assert(tables_b4_of(&t, tables_b4_bind(&t, &a), r));
		ck_assert_uint_eq(r->softwire, 3);
		ck_assert_uint_eq(r->tunnel, 0);
		ck_assert_ptr_eq(tables_tunnel(&t, &a), &t.tun[0]);
		nat = false;
		ck_assert(tables_b4_allowed(&t, &a, &drop, &nat));
		ck_assert(nat);
		a = b4(3);
		ck_assert_ptr_null(tables_tunnel(&t, &a));
		ck_assert(tables_b4_allowed(&t, &a, &drop, &nat));
		ck_assert(!nat); /* a softwire only: not NATed (RFC 7596 5.2) */
	}
	{
		/* Each set has its own serial, even with the same generation. */
		struct aftr_config c2;
		struct tables t2;

		ck_assert_int_eq(cfg_init(&c2), 0);
		ck_assert_int_eq(tables_build(&t2, &c2, 3), 0);
		ck_assert_uint_ne(t2.serial, t.serial);
		ck_assert_uint_ne(t2.serial, 0);
		tables_free(&t2);
	}
	tables_free(&t);
}
END_TEST

/* What a running dataplane can take (the live lists) and what needs a
 * restart, compared both ways (a key may be in one side only). */
START_TEST(test_fixed_diff)
{
	struct aftr_config a, b;
	char which[64];

	fill(&a);
	ck_assert_int_eq(cfg_init(&b), 0);
	ck_assert_int_eq(cfg_fixed_diff(&a, &b, 0, which, sizeof(which)), 0); /* lists only */
	a.fixed.has_endpoint = true;
	ck_assert_int_eq(cfg_fixed_diff(&a, &b, 0, which, sizeof(which)), 1);
	ck_assert_str_eq(which, "endpoint");
	ck_assert_int_eq(cfg_fixed_diff(&b, &a, 0, which, sizeof(which)), 1);
	ck_assert_str_eq(which, "endpoint");
	a.fixed.has_endpoint = false;
	a.fixed.api_port = 9090; /* the control process's own: only with CFG_FIXED_CONTROL */
	ck_assert_int_eq(cfg_fixed_diff(&a, &b, 0, which, sizeof(which)), 0);
	ck_assert_int_eq(cfg_fixed_diff(&a, &b, CFG_FIXED_CONTROL, which, sizeof(which)), 1);
	ck_assert_str_eq(which, "api.port");
	a.fixed.api_port = b.fixed.api_port;
	/* The NAT table sizes are reserved at start: a restart, by their name. */
	a.fixed.sessions_per_worker = 1 << 20;
	ck_assert_int_eq(cfg_fixed_diff(&a, &b, 0, which, sizeof(which)), 1);
	ck_assert_str_eq(which, "nat.sessions_per_worker");
	a.fixed.sessions_per_worker = b.fixed.sessions_per_worker;
	a.fixed.subscribers_per_worker = 1 << 20;
	ck_assert_int_eq(cfg_fixed_diff(&b, &a, 0, which, sizeof(which)), 1);
	ck_assert_str_eq(which, "nat.subscribers_per_worker");
	/* A short buffer gets what fits. */
	ck_assert_int_eq(cfg_fixed_diff(&b, &a, 0, which, 4), 1);
	ck_assert_str_eq(which, "nat");
	ck_assert_int_eq(cfg_fixed_diff(&b, &a, 0, NULL, 0), 1);
	cfg_free(&a);
	cfg_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tables");
	TCase *tc = tcase_create("tables");
	SRunner *r;
	int failed;

	tcase_add_test(tc, test_lookups);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_acl6_and_filter);
	tcase_add_test(tc, test_fixed_diff);
	tcase_add_test(tc, test_lhash);
	tcase_add_test(tc, test_stateless);
	tcase_add_test(tc, test_nonat_lengths);
	tcase_add_test(tc, test_private);
	tcase_add_test(tc, test_softwires_per_b4);
	tcase_add_test(tc, test_filters_equal);
	tcase_add_test(tc, test_settings_of_stateless_b4s);
	suite_add_tcase(s, tc);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
