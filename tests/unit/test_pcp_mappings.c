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

/* Every field the record keeps (the JSON form's and the file's). */
static void expect_same(const struct pcp_mapping *a, const struct pcp_mapping *b)
{
	ck_assert_mem_eq(a->b4, b->b4, 16);
	ck_assert_uint_eq(a->internal, b->internal);
	ck_assert_uint_eq(a->internal_port, b->internal_port);
	ck_assert_uint_eq(a->proto, b->proto);
	ck_assert_uint_eq(a->opcode, b->opcode);
	ck_assert_uint_eq(a->ep, b->ep);
	ck_assert_uint_eq(a->v6, b->v6);
	ck_assert_mem_eq(a->nonce, b->nonce, 12);
	ck_assert_uint_eq(a->client, b->client);
	ck_assert_uint_eq(a->client_port, b->client_port);
	ck_assert_uint_eq(a->external, b->external);
	ck_assert_uint_eq(a->external_port, b->external_port);
	ck_assert_uint_eq(a->lifetime, b->lifetime);
	ck_assert_int_eq(a->created, b->created);
	ck_assert_int_eq(a->expires, b->expires);
}

/* A MAP over TCP inside a softwire, field by field through its JSON, and
 * an expired one's expires_in 0. */
START_TEST(test_json_fields)
{
	struct pcp_mapping m = one(42, 1), back;
	json_t *j;

	m.proto = IPPROTO_TCP;
	m.ep = 3;
	m.lifetime = 604800; /* pcp.max_lifetime's largest */
	m.expires = 1700000000;
	m.nonce[11] = 0xff;
	j = pcp_mapping_json(&m, 1700000000);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "transport")), "softwire");
	ck_assert_str_eq(json_string_value(json_object_get(j, "opcode")), "map");
	ck_assert_str_eq(json_string_value(json_object_get(j, "protocol")), "tcp");
	ck_assert_str_eq(json_string_value(json_object_get(j, "internal")), "192.168.1.42");
	ck_assert_str_eq(json_string_value(json_object_get(j, "external")), "198.51.100.1");
	ck_assert_str_eq(json_string_value(json_object_get(j, "b4")), "2001:db8::1");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "expires_in")), 0);
	ck_assert_int_eq(pcp_mapping_from_json(j, &back), 0);
	expect_same(&back, &m);
	ck_assert_ptr_null(back.next);
	json_decref(j);
}
END_TEST

/* Each field wrong in its own way: not an entry (load skips it). */
START_TEST(test_json_bad_fields)
{
	static const struct {
		const char *key, *json;
	} bad[] = {{"internal", "\"192.168.1\""},
	           {"external", "7"},
	           {"client", "null"},
	           {"b4", "\"2001:db8::g\""},
	           {"internal_port", "65536"},
	           {"external_port", "-1"},
	           {"client_port", "\"40000\""},
	           {"lifetime", "4294967296"},
	           {"created", "-5"},
	           {"expires", "1.5"},
	           {"endpoint", "256"},
	           {"protocol", "\"icmp\""},
	           {"protocol", "17"},
	           {"nonce", "\"0001020304050607080910\""},
	           {"nonce", "\"zz0102030405060708090a0b\""},
	           {"opcode", "1"}};
	struct pcp_mapping m = one(3, 1), back;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = pcp_mapping_json(&m, 0);

		ck_assert_int_eq(
		        json_object_set_new(j, bad[i].key,
		                            json_loads(bad[i].json, JSON_DECODE_ANY, NULL)),
		        0);
		ck_assert_msg(pcp_mapping_from_json(j, &back) == -1, "%s %s taken", bad[i].key,
		              bad[i].json);
		json_object_del(j, bad[i].key);
		ck_assert_msg(pcp_mapping_from_json(j, &back) == -1, "no %s taken", bad[i].key);
		json_decref(j);
	}
}
END_TEST

/* Past the first growth: deleting half leaves the other half found, and
 * each visits every entry once. */
static void count_each(const struct pcp_mapping *m, void *arg)
{
	size_t *n = arg;

	ck_assert_uint_eq(m->opcode, 2);
	n[0]++;
	n[1] += m->internal_port;
}

START_TEST(test_growth_del)
{
	struct pcp_mappings *t = pcp_mappings_new();
	size_t seen[2] = {0, 0}, sum = 0;

	for (uint32_t i = 0; i < 2000; i++) {
		struct pcp_mapping m = one(i, 2);

		ck_assert_int_eq(pcp_mappings_put(t, &m), 0);
	}
	for (uint32_t i = 0; i < 2000; i += 2) {
		struct pcp_mapping m = one(i, 2);

		pcp_mappings_del(t, &m);
	}
	ck_assert_uint_eq(pcp_mappings_count(t), 1000);
	for (uint32_t i = 0; i < 2000; i++) {
		struct pcp_mapping m = one(i, 2), *f = get(t, &m);

		if (i % 2 == 0) {
			ck_assert_ptr_null(f);
			continue;
		}
		ck_assert_ptr_nonnull(f);
		expect_same(f, &m);
		sum += m.internal_port;
	}
	pcp_mappings_each(t, count_each, seen);
	ck_assert_uint_eq(seen[0], 1000);
	ck_assert_uint_eq(seen[1], sum);
	pcp_mappings_free(t);
}
END_TEST

/* Expiry at its second (expires <= now goes), nothing when none is due;
 * take_all of an empty table, and the table usable after a take_all. */
START_TEST(test_expire_edges)
{
	struct pcp_mappings *t = pcp_mappings_new();
	struct pcp_mapping a = one(10, 1), b = one(11, 1), *all;

	ck_assert_ptr_null(pcp_mappings_take_all(t));
	ck_assert_int_eq(pcp_mappings_put(t, &a), 0); /* expires 1010 */
	ck_assert_int_eq(pcp_mappings_put(t, &b), 0); /* expires 1011 */
	ck_assert_uint_eq(pcp_mappings_expire(t, 1009), 0);
	ck_assert_uint_eq(pcp_mappings_expire(t, 1010), 1);
	ck_assert_ptr_null(get(t, &a));
	ck_assert_ptr_nonnull(get(t, &b));
	all = pcp_mappings_take_all(t);
	ck_assert_ptr_nonnull(all);
	ck_assert_ptr_null(all->next);
	expect_same(all, &b);
	free(all);
	ck_assert_ptr_null(get(t, &b));
	ck_assert_uint_eq(pcp_mappings_expire(t, 5000), 0);
	ck_assert_int_eq(pcp_mappings_put(t, &a), 0);
	ck_assert_ptr_nonnull(get(t, &a));
	ck_assert_uint_eq(pcp_mappings_count(t), 1);
	pcp_mappings_free(t);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* The file: a bad entry is skipped, the good ones and the generation kept;
 * what is not a record at all is -EINVAL; an empty record saves and loads;
 * a save where it cannot write says why and keeps the table. */
START_TEST(test_file_entries)
{
	struct pcp_mappings *t = pcp_mappings_new();
	struct pcp_mapping good = one(7, 1), other = one(8, 2), *f;
	char path[] = "/tmp/test_pcp_mappings_XXXXXX", *text, tmp[64];
	json_t *list = json_array(), *bad, *o;
	uint64_t gen = 99;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	bad = pcp_mapping_json(&other, 0);
	json_object_set_new(bad, "internal_port", json_integer(70000));
	json_array_append_new(list, bad);
	json_array_append_new(list, pcp_mapping_json(&good, 0));
	json_array_append_new(list, json_integer(5));
	o = json_pack("{s:s,s:I,s:o}", "format", "aftr-pcp 1", "generation", (json_int_t)12,
	              "mappings", list);
	text = json_dumps(o, 0);
	write_file(path, text);
	free(text);
	json_decref(o);
	ck_assert_int_eq(pcp_mappings_load(t, path, &gen), 0);
	ck_assert_uint_eq(gen, 12);
	ck_assert_uint_eq(pcp_mappings_count(t), 1);
	ck_assert_ptr_nonnull(f = get(t, &good));
	expect_same(f, &good);
	ck_assert_ptr_null(get(t, &other));
	pcp_mappings_free(t);

	/* Not a record: cut short, not an object, no generation. */
	t = pcp_mappings_new();
	write_file(path, "{\"format\": \"aftr-pcp 1\", \"generation\": 3, \"mappings\": [");
	ck_assert_int_eq(pcp_mappings_load(t, path, &gen), -EINVAL);
	ck_assert_uint_eq(gen, 0);
	write_file(path, "[1, 2]");
	ck_assert_int_eq(pcp_mappings_load(t, path, &gen), -EINVAL);
	write_file(path, "{\"format\": \"aftr-pcp 1\", \"mappings\": []}");
	ck_assert_int_eq(pcp_mappings_load(t, path, &gen), -EINVAL);
	ck_assert_uint_eq(pcp_mappings_count(t), 0);

	/* Empty, saved and loaded. */
	ck_assert_int_eq(pcp_mappings_save(t, path, 5), 0);
	ck_assert_int_eq(pcp_mappings_load(t, path, &gen), 0);
	ck_assert_uint_eq(gen, 5);
	ck_assert_uint_eq(pcp_mappings_count(t), 0);
	unlink(path);

	/* A directory that is not there. */
	snprintf(tmp, sizeof(tmp), "%s.d/pcp.json", path);
	ck_assert_int_eq(pcp_mappings_put(t, &good), 0);
	ck_assert_int_eq(pcp_mappings_save(t, tmp, 6), -ENOENT);
	ck_assert_ptr_nonnull(get(t, &good));
	ck_assert_uint_eq(pcp_mappings_count(t), 1);
	pcp_mappings_free(t);
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
	tcase_add_test(tc, test_json_fields);
	tcase_add_test(tc, test_json_bad_fields);
	tcase_add_test(tc, test_growth_del);
	tcase_add_test(tc, test_expire_edges);
	tcase_add_test(tc, test_file_entries);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
