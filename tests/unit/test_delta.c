/* Unit tests of dataplane/mainlcore/delta.c: change records applied to the
 * running tables. Changes of softwires, tunnels, static mappings, prr and
 * nonat entries go in place (the same set, its lookups changed); acl6 and
 * private prefixes, or entries past the set's room, make a new set; a delta for another generation,
 * with an entry out of place or a damaged record changes nothing. DPDK's EAL is started (no
 * hugepages) for the RCU of gen.c. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_yaml.h"
#include "ctl_msg.h"
#include "delta.h"
#include "dp.h"
#include "dp_test.h"
#include "gen.h"

static char path[64];
static struct aftr_config cfg;

/* 192.0.2.0-3, psid_len 4 (offset 6): 16 softwires an address, their
 * B4s 2001:db8:1::1-64. */
static const char yaml_head[] = "endpoint: 2001:db8::1\n"
                                "icmp_source: 192.0.0.1\n"
                                "acl6: [2001:db8::/32]\n"
                                "pools: [{address: 198.51.100.1}]\n"
                                "softwires:\n";

static void write_delta(uint64_t base, uint64_t gen, const char *records)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, CTL_DELTA_MAGIC "%llu %llu\n%s", (unsigned long long)base,
	        (unsigned long long)gen, records);
	ck_assert_int_eq(fclose(f), 0);
}

static const struct tables *tab(void)
{
	return atomic_load(&dp.tab);
}

/* The softwire owning a port of psid on 192.0.2.a, or NULL. */
static const struct cfg_softwire *owner(uint32_t a, uint16_t psid)
{
	return tables_softwire(tab(), 0xc0000200u + a, (uint16_t)(1024 + (psid << 6) + 1));
}

static void setup(void)
{
	char *yaml = NULL;
	size_t len;
	FILE *f = open_memstream(&yaml, &len);
	struct diag d;

	fputs(yaml_head, f);
	for (int a = 0; a < 4; a++)
		for (int p = 0; p < 16; p += 2)
			fprintf(f,
			        "  - {b4: \"2001:db8:1::%x\", ipv4: 192.0.2.%d, psid: %d, "
			        "psid_len: 4, offset: 6}\n",
			        1 + a * 16 + p, a, p);
	fclose(f);
	diag_init(&d, NULL);
	ck_assert_int_eq(cfg_load_yaml_buf(yaml, len, &cfg, &d), 0);
	diag_free(&d);
	free(yaml);
	dp.nworkers = 1;
	ck_assert_int_eq(gen_init(&cfg), 0);
	snprintf(path, sizeof(path), "/tmp/test_delta.%d", (int)getpid());
}

static void teardown(void)
{
	gen_fini();
	cfg_free(&cfg);
	unlink(path);
}

#define SW(b4, a, p)                                                                               \
	"{\"b4\":\"2001:db8:1::" b4 "\",\"ipv4\":\"192.0.2." a "\",\"psid\":" p                    \
	",\"psid_len\":4,\"offset\":6}"

START_TEST(test_softwires_in_place)
{
	const struct tables *t0 = tab();
	char err[256] = "";
	bool in_place;

	ck_assert_ptr_nonnull(owner(1, 2));
	ck_assert_ptr_null(owner(1, 3));
	/* Added at the end (32 entries), 192.0.2.1/2 deleted (it was at
	 * 8 + 1: the last moves there), 192.0.2.0/4 replaced on its B4. */
	write_delta(0, 3,
	            "{\"generation\":1,\"op\":\"add\",\"kind\":\"softwires\",\"entries\":[" SW(
	                    "99", "1",
	                    "3") "],\"at\":[32]}\n"
	                         "{\"generation\":2,\"op\":\"delete\",\"kind\":\"softwires\","
	                         "\"entries\":[" SW("13", "1",
	                                            "2") "],\"at\":[9]}\n"
	                                                 "{\"generation\":3,\"op\":\"replace\","
	                                                 "\"kind\":\"softwires\",\"entries\":[" SW(
	                                                         "5", "0", "4") "],\"at\":[2]}\n");
	ck_assert_msg(delta_apply(path, 0, 3, &in_place, err, sizeof(err)) == 0, "%s", err);
	ck_assert(in_place);
	ck_assert_ptr_eq(tab(), t0); /* the same set */
	ck_assert_uint_eq(tab()->gen, 3);
	ck_assert_ptr_nonnull(owner(1, 3));
	ck_assert_uint_eq(owner(1, 3)->b4.b[15], 0x99);
	ck_assert_ptr_null(owner(1, 2));
	ck_assert_ptr_nonnull(owner(0, 4));
	/* The model moved as the control process's list did. */
	ck_assert_uint_eq(tab()->cfg.lists.n_softwires, 32);
	ck_assert_uint_eq(tab()->cfg.lists.softwires[9].b4.b[15], 0x99);
}
END_TEST

/* A record of generation g adding one entry of kind at position at. */
#define ADD(g, kind, entry, at)                                                                    \
	"{\"generation\":" g ",\"op\":\"add\",\"kind\":\"" kind "\",\"entries\":[" entry           \
	"],\"at\":[" at "]}\n"

/* Every kind but acl6 and private in place, a softwire outside the span
 * of the set's addresses among them. */
START_TEST(test_other_kinds_in_place)
{
	const struct tables *t0 = tab();
	struct addr6 b4 = {{0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1}};
	const struct cfg_nat *n;
	const struct cfg_nonat *nn;
	char err[256] = "";
	bool in_place;

	write_delta(0, 5,
	            ADD("1", "tunnels", "{\"b4\":\"2001:db8:2::1\",\"mtu\":1400}", "0")
	                    ADD("2", "softwires", SW("98", "7", "1"), "32")
	                            ADD("3", "static-nat",
	                                "{\"b4\":\"2001:db8:2::1\",\"protocol\":\"tcp\","
	                                "\"address\":\"10.0.0.2\",\"port\":80,"
	                                "\"external_address\":\"198.51.100.1\","
	                                "\"external_port\":80}",
	                                "0") ADD("4", "prr",
	                                         "{\"b4\":\"2001:db8:2::2\",\"protocol\":"
	                                         "\"udp\",\"address\":\"198.51.100.1\","
	                                         "\"port\":53}",
	                                         "0") ADD("5", "nonat",
	                                                  "{\"b4\":\"2001:db8:2::3\",\"prefix\":"
	                                                  "\"203.0.113.0/29\"}",
	                                                  "0"));
	ck_assert_msg(delta_apply(path, 0, 5, &in_place, err, sizeof(err)) == 0, "%s", err);
	ck_assert(in_place);
	ck_assert_ptr_eq(tab(), t0);
	ck_assert_uint_eq(tab()->gen, 5);
	ck_assert_ptr_nonnull(tables_tunnel(tab(), &b4));
	ck_assert_uint_eq(tables_tunnel(tab(), &b4)->mtu, 1400);
	ck_assert(tab()->tunnel_mtus);
	ck_assert_ptr_nonnull(owner(7, 1)); /* past the span: widened */
	ck_assert_ptr_nonnull(owner(1, 2));
	n = tables_nat_public(tab(), CFG_TCP, 0xc6336401u, 80);
	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_eq(tables_nat_inside(tab(), &b4, CFG_TCP, 0x0a000002u, 80), n);
	ck_assert_ptr_nonnull(tables_prr(tab(), CFG_UDP, 0xc6336401u, 53));
	nn = tables_nonat(tab(), 0xcb007107u);
	ck_assert_ptr_nonnull(nn);
	ck_assert_uint_eq(nn->b4.b[15], 3);
	ck_assert_ptr_null(tables_nonat(tab(), 0xcb007108u));
	ck_assert_uint_eq(tab()->cfg.lists.n_tunnels, 1);
}
END_TEST

/* acl6 and private prefixes are compiled whole: a new set. */
START_TEST(test_prefixes_new_set)
{
	const struct tables *t0 = tab();
	char err[256] = "";
	bool in_place;

	write_delta(0, 1, ADD("1", "private", "{\"prefix\":\"100.64.0.0/10\"}", "4"));
	ck_assert_msg(delta_apply(path, 0, 1, &in_place, err, sizeof(err)) == 0, "%s", err);
	ck_assert(!in_place);
	ck_assert_ptr_ne(tab(), t0);
	ck_assert_uint_eq(tab()->gen, 1);
	ck_assert(tables_is_private(tab(), 0x64400001u));
	ck_assert_ptr_nonnull(owner(1, 2));
}
END_TEST

START_TEST(test_refused_changes_nothing)
{
	static const char *const bad[] = {
	        /* out of place */
	        "{\"generation\":1,\"op\":\"delete\",\"kind\":\"softwires\",\"entries\":[" SW(
	                "13", "1", "2") "],\"at\":[3]}\n",
	        /* an addition not at the end */
	        "{\"generation\":1,\"op\":\"add\",\"kind\":\"softwires\",\"entries\":[" SW(
	                "99", "1", "3") "],\"at\":[5]}\n",
	        /* a damaged record, after a good one */
	        "{\"generation\":1,\"op\":\"add\",\"kind\":\"softwires\",\"entries\":[" SW(
	                "99", "1", "3") "],\"at\":[32]}\n{\"generation\":2,\"op\":\n",
	        /* a bad entry */
	        "{\"generation\":1,\"op\":\"add\",\"kind\":\"softwires\",\"entries\":[{\"b4\":1}],"
	        "\"at\":[32]}\n",
	};
	const struct tables *t0 = tab();
	char err[256];
	bool in_place;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_delta(0, 1 + (i == 2), bad[i]);
		err[0] = '\0';
		ck_assert_int_eq(delta_apply(path, 0, 1 + (i == 2), &in_place, err, sizeof(err)),
		                 -EINVAL);
		ck_assert_msg(err[0] != '\0', "case %zu: no reason", i);
		ck_assert_ptr_eq(tab(), t0);
		ck_assert_uint_eq(tab()->gen, 0);
		ck_assert_uint_eq(tab()->cfg.lists.n_softwires, 32);
		ck_assert_ptr_null(owner(1, 3));
		ck_assert_ptr_nonnull(owner(1, 2));
	}
	write_delta(5, 6, "");
	ck_assert_int_eq(delta_apply(path, 5, 6, &in_place, err, sizeof(err)), -ESTALE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("delta");
	TCase *tc = tcase_create("delta");

	if (dp_test_eal("test_delta", "64") < 0)
		return EXIT_FAILURE;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_softwires_in_place);
	tcase_add_test(tc, test_other_kinds_in_place);
	tcase_add_test(tc, test_prefixes_new_set);
	tcase_add_test(tc, test_refused_changes_nothing);
	suite_add_tcase(s, tc);
	return dp_test_run(s);
}
