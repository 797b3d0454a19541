/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of lib/config/cfg_bin.c: every kind's entries come back as
 * they went (their JSON the same), and a damaged, cut or out-of-range
 * encoding is refused with the lists left as they were. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_bin.h"
#include "cfg_kinds.h"
#include "config_json.h"
#include "config_yaml.h"
#include "util.h"

static const char yaml[] =
        "endpoint: 2001:db8::1\n"
        "icmp_source: 192.0.0.1\n"
        "acl6: [2001:db8:1::/48, 2001:db8:2::/64]\n"
        "private: [10.0.0.0/8]\n"
        "pools: [{address: 198.51.100.1}]\n"
        "tunnels: [{b4: \"2001:db8:1::1\", ipv4: 198.51.100.1, mtu: 1400, mss: true, toobig: "
        "strict, admpro: in, nat_maxcount: {tcp: 4000, icmp: 0}, nat_rate: {udp: 255}}, "
        "{b4: \"2001:db8:1::3\", duid: \"00:03:00:01:02:00:00:00:00:0a\"}, "
        "{b4: \"2001:db8:1::2\"}]\n"
        "static_nat: [{b4: \"2001:db8:1::1\", protocol: udp, address: 10.0.0.2, port: 53,"
        " external_address: 198.51.100.1, external_port: 53, filter: {destination: "
        "203.0.113.0/24, port: 99}}]\n"
        "prr: [{b4: \"2001:db8:1::5\", protocol: tcp, address: 198.51.100.1, port: 81}]\n"
        "nonat: [{b4: \"2001:db8:1::6\", prefix: 203.0.113.0/29}]\n"
        "softwires: [{b4: \"2001:db8:1::7\", ipv4: 192.0.2.7, psid: 5, psid_len: 6, offset: 6,"
        " endpoint: \"2001:db8::1\"}, {b4: \"2001:db8:1::8\", ipv4: 192.0.2.8, psid: 0, "
        "psid_len: 0, offset: 0}]\n";

static void load(struct aftr_config *cfg)
{
	struct diag d;

	diag_init(&d, NULL);
	ck_assert_int_eq(cfg_load_yaml_buf(yaml, strlen(yaml), cfg, &d), 0);
	diag_free(&d);
}

/* The lists of cfg as JSON text (to compare). */
static char *lists_json(const struct aftr_config *cfg)
{
	json_t *all = cfg_to_json(cfg), *o = json_object();
	char *s;

	for (int k = 0; k < K_COUNT; k++)
		json_object_set(o, kinds[k].key, json_object_get(all, kinds[k].key));
	s = json_dumps(o, JSON_SORT_KEYS);
	json_decref(all);
	json_decref(o);
	return s;
}

/* The lists of a and b are the same; a, b and buf freed. */
static void same_lists_free(struct aftr_config *a, struct aftr_config *b, char *buf)
{
	char *ja = lists_json(a), *jb = lists_json(b);

	ck_assert_str_eq(ja, jb);
	free(ja);
	free(jb);
	free(buf);
	cfg_free(b);
	cfg_free(a);
}

/* A configuration with the fixed part of src and no lists. */
static void empty_like(struct aftr_config *dst, const struct aftr_config *src)
{
	ck_assert_int_eq(cfg_copy(dst, src), 0);
	for (int k = 0; k < K_COUNT; k++)
		*kind_list(&kinds[k], dst).n = 0;
}

START_TEST(test_round_trip)
{
	struct aftr_config cfg, back;
	char *buf, err[128];
	size_t len;

	load(&cfg);
	ck_assert_int_eq(cfg_bin_encode(&cfg, &buf, &len), 0);
	empty_like(&back, &cfg);
	ck_assert_msg(cfg_bin_decode(buf, len, &back, err, sizeof(err)) == 0, "%s", err);
	same_lists_free(&cfg, &back, buf);
}
END_TEST

START_TEST(test_refused)
{
	struct aftr_config cfg, back;
	char *buf, err[128];
	size_t len;

	load(&cfg);
	ck_assert_int_eq(cfg_bin_encode(&cfg, &buf, &len), 0);
	empty_like(&back, &cfg);
	/* Damaged: one bit. */
	buf[len / 2] ^= 1;
	ck_assert_int_eq(cfg_bin_decode(buf, len, &back, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "check sum"));
	buf[len / 2] ^= 1;
	/* Cut: the sum no longer matches either. */
	ck_assert_int_eq(cfg_bin_decode(buf, len - 9, &back, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(cfg_bin_decode(buf, 7, &back, err, sizeof(err)), -EINVAL);
	for (int k = 0; k < K_COUNT; k++)
		ck_assert_uint_eq(*kind_list(&kinds[k], &back).n, 0);
	free(buf);
	/* A field out of range, with a right sum: a PSID past its length. */
	cfg.lists.softwires[0].psid.psid = 64;
	ck_assert_int_eq(cfg_bin_encode(&cfg, &buf, &len), 0);
	ck_assert_int_eq(cfg_bin_decode(buf, len, &back, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "softwires[0]") != NULL, "%s", err);
	for (int k = 0; k < K_COUNT; k++)
		ck_assert_uint_eq(*kind_list(&kinds[k], &back).n, 0);
	free(buf);
	cfg_free(&back);
	cfg_free(&cfg);
}
END_TEST

/* A version 3 encoding of cfg as version 2 wrote it: tunnels without
 * their limits and DUID (the bytes after admpro: 11 and the DUID's). */
static char *as_version2(const struct aftr_config *cfg, size_t *len)
{
	enum { HEAD = 8 + 4 + 8, OLD = 26, NEW = 37 };
	size_t n = cfg->lists.n_tunnels, from = HEAD, to = HEAD;
	char *buf, *out;

	ck_assert_int_eq(cfg_bin_encode(cfg, &buf, len), 0);
	ck_assert_mem_eq(buf, "AFTRLST3", 8);
	out = malloc(*len);
	memcpy(out, buf, HEAD);
	memcpy(out, "AFTRLST2", 8);
	for (size_t i = 0; i < n; i++) {
		memcpy(out + to, buf + from, OLD);
		to += OLD;
		from += NEW + cfg->lists.tunnels[i].duid_len;
	}
	memcpy(out + to, buf + from, *len - 8 - from);
	*len = to + (*len - 8 - from) + 8;
	free(buf);
	return out;
}

static void sum_as(char *buf, size_t len, bool fnv)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (fnv)
		for (size_t i = 0; i < len - 8; i++)
			h = (h ^ (uint8_t)buf[i]) * 0x100000001b3ULL;
	else
		h = hash_mem64(buf, len - 8, 0);
	for (int i = 0; i < 8; i++)
		buf[len - 8 + (size_t)i] = (char)(h >> (8 * i));
}

/* Snapshots of older aftr-controls: "AFTRLST2" (tunnels without limits)
 * and "AFTRLST1" (the same, summed with FNV-1a) read, the tunnels with
 * the defaults' limits. */
START_TEST(test_older_versions_read)
{
	struct aftr_config cfg, back;
	char *buf, err[128];
	size_t len;

	load(&cfg);
	ck_assert_uint_ne(cfg.lists.tunnels[0].nat_set, 0);
	buf = as_version2(&cfg, &len);
	sum_as(buf, len, false);
	for (size_t i = 0; i < cfg.lists.n_tunnels; i++) {
		cfg.lists.tunnels[i].nat_set = 0;
		cfg.lists.tunnels[i].duid_len = 0;
	}
	empty_like(&back, &cfg);
	ck_assert_msg(cfg_bin_decode(buf, len, &back, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(back.lists.n_tunnels, 3);
	ck_assert_uint_eq(back.lists.tunnels[0].mtu, 1400);
	cfg_free(&back);
	/* Version 2's sum under version 1's name: refused; FNV-1a: read. */
	memcpy(buf, "AFTRLST1", 8);
	empty_like(&back, &cfg);
	ck_assert_int_eq(cfg_bin_decode(buf, len, &back, err, sizeof(err)), -EINVAL);
	sum_as(buf, len, true);
	ck_assert_msg(cfg_bin_decode(buf, len, &back, err, sizeof(err)) == 0, "%s", err);
	same_lists_free(&cfg, &back, buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cfg_bin");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_older_versions_read);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
