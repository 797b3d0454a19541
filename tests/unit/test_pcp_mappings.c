/* The PCP server's record of its mappings (control/pcp/pcp_mappings.c):
 * keys (a MAP and a PEER of one endpoint apart), growth, expiry, taking
 * all for ANNOUNCE, the JSON form and the file, and a bad file refused. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcp_mappings.h"

static struct pcp_mapping one(uint32_t n, uint8_t opcode)
{
	struct pcp_mapping m = {.b4 = {0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)(n % 7 + 1)},
	                        .internal = htonl(0xc0a80100u + n % 200),
	                        .internal_port = (uint16_t)(1000 + n),
	                        .proto = IPPROTO_UDP,
	                        .opcode = opcode,
	                        .ep = 1,
	                        .client = htonl(0xc0a80102u),
	                        .client_port = 40000,
	                        .external = htonl(0xc6336401u),
	                        .external_port = (uint16_t)(2048 + n),
	                        .lifetime = 300,
	                        .created = 1000,
	                        .expires = 1000 + (int64_t)n};

	for (int i = 0; i < 12; i++)
		m.nonce[i] = (uint8_t)(n + (uint32_t)i);
	return m;
}

static struct pcp_mapping *get(struct pcp_mappings *t, const struct pcp_mapping *k)
{
	return pcp_mappings_find(t, k->b4, k->internal, k->internal_port, k->proto, k->opcode);
}

START_TEST(test_keys)
{
	struct pcp_mappings *t = pcp_mappings_new();
	struct pcp_mapping m = one(1, 1), p = one(1, 2), *f;

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(pcp_mappings_put(t, &m), 0);
	ck_assert_ptr_null(get(t, &p)); /* the PEER of the endpoint is another */
	ck_assert_int_eq(pcp_mappings_put(t, &p), 0);
	ck_assert_uint_eq(pcp_mappings_count(t), 2);
	m.lifetime = 600; /* replaced, not added */
	ck_assert_int_eq(pcp_mappings_put(t, &m), 0);
	ck_assert_uint_eq(pcp_mappings_count(t), 2);
	ck_assert_ptr_nonnull(f = get(t, &m));
	ck_assert_uint_eq(f->lifetime, 600);
	pcp_mappings_del(t, &m);
	ck_assert_ptr_null(get(t, &m));
	ck_assert_ptr_nonnull(get(t, &p));
	pcp_mappings_del(t, &m); /* twice: nothing */
	ck_assert_uint_eq(pcp_mappings_count(t), 1);
	pcp_mappings_free(t);
}
END_TEST

START_TEST(test_growth_expiry_take)
{
	struct pcp_mappings *t = pcp_mappings_new();
	struct pcp_mapping *all;
	size_t n = 0;

	for (uint32_t i = 0; i < 2000; i++) {
		struct pcp_mapping m = one(i, 1);

		ck_assert_int_eq(pcp_mappings_put(t, &m), 0);
	}
	ck_assert_uint_eq(pcp_mappings_count(t), 2000);
	for (uint32_t i = 0; i < 2000; i++) {
		struct pcp_mapping m = one(i, 1);

		ck_assert_ptr_nonnull(get(t, &m));
	}
	/* Those whose expiry is at or before 1000 + 499 go. */
	ck_assert_uint_eq(pcp_mappings_expire(t, 1499), 500);
	ck_assert_uint_eq(pcp_mappings_count(t), 1500);
	all = pcp_mappings_take_all(t);
	ck_assert_uint_eq(pcp_mappings_count(t), 0);
	while (all) {
		struct pcp_mapping *next = all->next;

		ck_assert_int_gt(all->expires, 1499);
		free(all);
		all = next;
		n++;
	}
	ck_assert_uint_eq(n, 1500);
	pcp_mappings_free(t);
}
END_TEST

START_TEST(test_json_and_file)
{
	struct pcp_mappings *t = pcp_mappings_new(), *u = pcp_mappings_new();
	struct pcp_mapping m = one(5, 2), back, *f;
	char path[] = "/tmp/test_pcp_mappings_XXXXXX";
	int fd = mkstemp(path);
	uint64_t gen = 0;
	json_t *j;
	FILE *bad;

	ck_assert_int_ge(fd, 0);
	close(fd);
	m.v6 = 1;
	j = pcp_mapping_json(&m, 1002);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "expires_in")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(j, "transport")), "ipv6");
	ck_assert_str_eq(json_string_value(json_object_get(j, "opcode")), "peer");
	ck_assert_int_eq(pcp_mapping_from_json(j, &back), 0);
	{ /* every field back (as their JSON says: no padding compared) */
		json_t *k = pcp_mapping_json(&back, 1002);

		ck_assert(json_equal(j, k));
		ck_assert_mem_eq(back.nonce, m.nonce, 12);
		ck_assert_uint_eq(back.v6, 1);
		json_decref(k);
	}
	/* A field wrong: not an entry. */
	json_object_set_new(j, "internal", json_string("192.168.1.300"));
	ck_assert_int_eq(pcp_mapping_from_json(j, &back), -1);
	json_decref(j);
	/* Saved and loaded: the same entries and generation. */
	ck_assert_int_eq(pcp_mappings_put(t, &m), 0);
	m = one(6, 1);
	ck_assert_int_eq(pcp_mappings_put(t, &m), 0);
	ck_assert_int_eq(pcp_mappings_save(t, path, 77), 0);
	ck_assert_int_eq(pcp_mappings_load(u, path, &gen), 0);
	ck_assert_uint_eq(gen, 77);
	ck_assert_uint_eq(pcp_mappings_count(u), 2);
	ck_assert_ptr_nonnull(f = get(u, &m));
	ck_assert_uint_eq(f->external_port, m.external_port);
	ck_assert_mem_eq(f->nonce, m.nonce, 12);
	/* Missing, and not a record. */
	unlink(path);
	ck_assert_int_eq(pcp_mappings_load(u, path, &gen), -ENOENT);
	bad = fopen(path, "w");
	ck_assert_ptr_nonnull(bad);
	fputs("{\"format\": \"something else\", \"generation\": 1, \"mappings\": []}", bad);
	fclose(bad);
	ck_assert_int_eq(pcp_mappings_load(u, path, &gen), -EINVAL);
	unlink(path);
	pcp_mappings_free(t);
	pcp_mappings_free(u);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pcp_mappings");
	TCase *tc = tcase_create("mappings");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_growth_expiry_take);
	tcase_add_test(tc, test_json_and_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
