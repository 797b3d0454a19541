/* The YAML loader and writer (lib/config/config_yaml.c, lib/config/config_yaml_emit.c):
 * positions in errors, scalar typing, refusals, and write -> load round
 * trips of every knob. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "config_json.h"
#include "config_yaml.h"

#define HEAD "endpoint: 2001:db8::1\nicmp_source: 192.0.0.1\nacl6: [2001:db8::/32]\n"
#define POOL "pools:\n  - address: 198.51.100.1\n"

static int load(const char *text, struct aftr_config *cfg, struct diag *d)
{
	diag_init(d, "aftr.yaml");
	return cfg_load_yaml_buf(text, strlen(text), cfg, d);
}

/* Loads text expecting failure; returns the formatted first error. */
static const char *first_error(const char *text, char *buf, size_t len)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_int_eq(load(text, &cfg, &d), -1);
	ck_assert_uint_ge(d.n, 1);
	diag_format(&d, &d.v[0], buf, len);
	cfg_free(&cfg);
	diag_free(&d);
	return buf;
}

START_TEST(minimal_loads)
{
	struct aftr_config cfg;
	struct diag d;
	char a[ADDR6_STRLEN];

	ck_assert_int_eq(load(HEAD POOL, &cfg, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(addr6_format(&cfg.fixed.endpoint, a), "2001:db8::1");
	ck_assert_uint_eq(cfg.fixed.icmp_source, 0xc0000001);
	ck_assert_uint_eq(cfg.fixed.n_pools, 1);
	ck_assert_uint_eq(cfg.fixed.pools[0].addr, 0xc6336401);
	ck_assert_uint_eq(cfg.lists.n_private4, 4); /* the default list stays */
	cfg_free(&cfg);
	diag_free(&d);
}
END_TEST

/* The error form the issue asks for: file:line:col: path: message. */
/* IP protocol numbers to the configuration's protocols (a table). */
START_TEST(proto_of_ip)
{
	for (unsigned int p = 0; p < 256; p++)
		ck_assert_int_eq(cfg_proto_of_ip((uint8_t)p), p == 6    ? CFG_TCP
		                                              : p == 17 ? CFG_UDP
		                                                        : CFG_ICMP);
}
END_TEST

START_TEST(error_names_file_line_column_path)
{
	char buf[256];
	const char *text = HEAD "pools:\n"
	                        "  - address: 198.51.100.1\n"
	                        "  - address: 198.51.100.2\n"
	                        "    tcp: 70000-80000\n";

	ck_assert_str_eq(first_error(text, buf, sizeof(buf)),
	                 "aftr.yaml:7:10: pools[1].tcp: 70000-80000 is beyond 65535");
}
END_TEST

START_TEST(errors_in_nested_lists)
{
	char buf[256];

	ck_assert_str_eq(first_error(HEAD POOL "static_nat:\n"
	                                       "  - b4: 2001:db8::2\n"
	                                       "    protocol: sctp\n",
	                             buf, sizeof(buf)),
	                 "aftr.yaml:8:15: static_nat[0].protocol: sctp: expected one of tcp|udp");
	ck_assert_str_eq(first_error(HEAD POOL "tunnels:\n  - {b4: 2001:db8::2, mtu: 9999999}\n",
	                             buf, sizeof(buf)),
	                 "aftr.yaml:7:28: tunnels[0].mtu: 9999999 is out of range 1280..65535");
}
END_TEST

/* The NAT table sizes (start-time knobs) read from YAML; a value out of
 * range names the key and the range. */
START_TEST(nat_table_sizes)
{
	struct aftr_config cfg;
	struct diag d;
	char buf[256];

	ck_assert_int_eq(load(HEAD POOL "nat:\n  sessions_per_worker: 10000000\n"
	                                "  subscribers_per_worker: 1000\n",
	                      &cfg, &d),
	                 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(cfg.fixed.sessions_per_worker, 10000000);
	ck_assert_uint_eq(cfg.fixed.subscribers_per_worker, 1000);
	cfg_free(&cfg);
	diag_free(&d);
	ck_assert_str_eq(
	        first_error(HEAD POOL "nat:\n  sessions_per_worker: 100\n", buf, sizeof(buf)),
	        "aftr.yaml:7:24: nat.sessions_per_worker: 100 is out of range "
	        "1024..67108864");
	ck_assert_str_eq(first_error(HEAD POOL "nat: {subscribers_per_worker: 0x2000000}\n", buf,
	                             sizeof(buf)),
	                 "aftr.yaml:6:31: nat.subscribers_per_worker: 33554432 is out of range "
	                 "16..16777216");
	ck_assert_str_eq(first_error(HEAD POOL "  - address: 198.51.100.2\nnat: {max_pools: 1}\n",
	                             buf, sizeof(buf)),
	                 "aftr.yaml: nat.max_pools: 1, fewer than the 2 pools configured: raise it "
	                 "(it sizes the dataplane's pool tables at start)");
}
END_TEST

/* dataplane.idle and its sleep cap read from YAML; a wrong value names the
 * key, and the choices or the range. */
START_TEST(dataplane_idle)
{
	struct aftr_config cfg;
	struct diag d;
	char buf[256];

	ck_assert_int_eq(
	        load(HEAD POOL "dataplane:\n  idle: poll\n  idle_sleep_max_us: 50\n", &cfg, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(cfg.fixed.idle, IDLE_POLL);
	ck_assert_uint_eq(cfg.fixed.idle_sleep_max_us, 50);
	cfg_free(&cfg);
	diag_free(&d);
	ck_assert_str_eq(first_error(HEAD POOL "dataplane: {idle: interrupt}\n", buf, sizeof(buf)),
	                 "aftr.yaml:6:19: dataplane.idle: interrupt: expected one of "
	                 "adaptive|poll");
	ck_assert_str_eq(
	        first_error(HEAD POOL "dataplane:\n  idle_sleep_max_us: 5000\n", buf, sizeof(buf)),
	        "aftr.yaml:7:22: dataplane.idle_sleep_max_us: 5000 is out of range 50..1000");
}
END_TEST

START_TEST(unknown_keys_are_errors)
{
	char buf[256];

	ck_assert_str_eq(first_error(HEAD POOL "tunel_defaults: {mtu: 1400}\n", buf, sizeof(buf)),
	                 "aftr.yaml:6:17: tunel_defaults: unknown key");
}
END_TEST

START_TEST(scalar_typing)
{
	struct aftr_config cfg;
	struct diag d;
	char buf[256];

	/* on/off are strings in YAML 1.2 and accepted for switches. */
	ck_assert_int_eq(load(HEAD POOL "tunnel_defaults: {mss: on, auto: off}\n"
	                                "acl6_icmp: false\nquantum: 0x20\n",
	                      &cfg, &d),
	                 0);
	ck_assert(cfg.fixed.tun.mss);
	ck_assert(!cfg.fixed.tun.auto_create);
	ck_assert(!cfg.fixed.acl6_icmp);
	ck_assert_uint_eq(cfg.fixed.quantum, 32);
	cfg_free(&cfg);
	diag_free(&d);
	/* A quoted number is a string. */
	ck_assert_str_eq(first_error(HEAD POOL "quantum: \"20\"\n", buf, sizeof(buf)),
	                 "aftr.yaml:6:10: quantum: expected an integer, found a string");
	/* 1.2.3.4 is not a float, and 1e3 is. */
	ck_assert_str_eq(first_error(HEAD POOL "quantum: 1e3\n", buf, sizeof(buf)),
	                 "aftr.yaml:6:10: quantum: expected an integer, found a number");
}
END_TEST

START_TEST(refusals)
{
	char buf[256];

	ck_assert_str_eq(first_error(HEAD POOL "quantum: 20\nquantum: 21\n", buf, sizeof(buf)),
	                 "aftr.yaml:7:1: duplicate key \"quantum\"");
	ck_assert_str_eq(
	        first_error(HEAD "pools:\n  - &p {address: 198.51.100.1}\n  - *p\n", buf,
	                    sizeof(buf)),
	        "aftr.yaml:6:5: YAML aliases (*name) are not supported: write the value out");
	ck_assert_str_eq(first_error(HEAD POOL "---\nquantum: 3\n", buf, sizeof(buf)),
	                 "aftr.yaml:6:1: only one YAML document is allowed in a configuration");
	ck_assert_str_eq(first_error("- 1\n- 2\n", buf, sizeof(buf)),
	                 "aftr.yaml:1:1: expected a mapping, found a list");
	ck_assert_str_eq(first_error("endpoint: [unclosed\n", buf, sizeof(buf)),
	                 "aftr.yaml:2:1: YAML syntax error: did not find expected ',' or ']' while "
	                 "parsing a flow sequence");
	ck_assert_str_eq(
	        first_error("{? [a]: 1}\n", buf, sizeof(buf)),
	        "aftr.yaml:1:4: a mapping key must be a plain word, not a list or mapping");
}
END_TEST

START_TEST(empty_file_reports_what_is_required)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_int_eq(load("", &cfg, &d), -1);
	ck_assert_uint_eq(d.errors, 4);
	ck_assert_str_eq(d.v[0].path, "endpoint");
	ck_assert_str_eq(d.v[1].path, "icmp_source");
	ck_assert_str_eq(d.v[2].path, "pools");
	ck_assert_str_eq(d.v[3].path, "acl6");
	cfg_free(&cfg);
	diag_free(&d);
}
END_TEST

static void load_file(const char *rel, struct aftr_config *cfg)
{
	char path[512];
	struct diag d;

	snprintf(path, sizeof(path), "%s/%s", TEST_SRCDIR, rel);
	diag_init(&d, path);
	if (cfg_load_yaml_file(path, cfg, &d) < 0)
		diag_print(&d, stderr);
	ck_assert_uint_eq(d.errors, 0);
	diag_free(&d);
}

/* Writes cfg (full or sparse), loads it back and compares. */
static void round_trip(const struct aftr_config *cfg, bool sparse)
{
	struct aftr_config back;
	struct diag d;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(cfg_write_yaml(cfg, sparse, "a header\nof two lines", f), 0);
	fclose(f);
	ck_assert(strncmp(text, "# a header\n# of two lines\n", 26) == 0);
	diag_init(&d, "written.yaml");
	if (cfg_load_yaml_buf(text, len, &back, &d) < 0) {
		diag_print(&d, stderr);
		fputs(text, stderr);
	}
	ck_assert_uint_eq(d.errors, 0);
	ck_assert(cfg_equal(cfg, &back));
	cfg_free(&back);
	diag_free(&d);
	free(text);
}

START_TEST(reference_round_trips)
{
	struct aftr_config cfg;

	load_file("config/reference.yaml", &cfg);
	/* Spot checks that the reference means what it says. */
	ck_assert_uint_eq(cfg.lists.tunnels[0].mtu, 1460);
	ck_assert_int_eq(cfg.lists.tunnels[0].toobig, TOOBIG_STRICT);
	ck_assert_uint_eq(cfg.lists.softwires[0].psid.psid, 52);
	ck_assert_uint_eq(cfg.lists.nats[0].filter_dst.len, 24);
	ck_assert_str_eq(cfg.fixed.api_token_file, "/etc/aftr/api.token");
	ck_assert_str_eq(cfg.fixed.api_tls_cert, "/etc/aftr/api.crt");
	ck_assert_str_eq(cfg.fixed.api_tls_key, "/etc/aftr/api.key");
	ck_assert_str_eq(cfg.fixed.cluster_follow, "http://192.0.2.10:8080");
	ck_assert_uint_eq(cfg.fixed.cluster_kinds, CFG_CLUSTER_KINDS_DEFAULT);
	ck_assert_uint_eq(cfg.fixed.cluster_retry_ms, 1000);
	round_trip(&cfg, false);
	round_trip(&cfg, true);
	{
		struct aftr_config copy;

		/* A deep copy: equal, and its lists are its own. */
		ck_assert_int_eq(cfg_copy(&copy, &cfg), 0);
		ck_assert(cfg_equal(&copy, &cfg));
		ck_assert_ptr_ne(copy.lists.softwires, cfg.lists.softwires);
		ck_assert_ptr_ne(copy.fixed.api_listen, cfg.fixed.api_listen);
		copy.lists.tunnels[0].mtu = 1300;
		ck_assert_uint_eq(cfg.lists.tunnels[0].mtu, 1460);
		cfg_free(&copy);
	}
	cfg_free(&cfg);
}
END_TEST

/* The values reference.yaml lists as defaults are cfg_init's. */
START_TEST(reference_documents_the_defaults)
{
	struct aftr_config ref, def;
	json_t *r, *d;

	load_file("config/reference.yaml", &ref);
	ck_assert_int_eq(cfg_init(&def), 0);
	r = cfg_to_json(&ref);
	d = cfg_to_json(&def);
	static const char *const knobs[] = {
	        "acl6_icmp", "private", "pool_defaults", "tunnel_defaults", "fragment",
	        "nat",       "decay",   "quantum",       "logging",         NULL};
	for (int i = 0; knobs[i]; i++)
		ck_assert_msg(
		        json_equal(json_object_get(r, knobs[i]), json_object_get(d, knobs[i])),
		        "reference.yaml %s differs from the default", knobs[i]);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "pcp"), "daemon")),
	                 "disable");
	json_decref(r);
	json_decref(d);
	cfg_free(&ref);
	cfg_free(&def);
}
END_TEST

START_TEST(strings_that_look_typed_are_quoted)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_int_eq(load(HEAD POOL "api: {token_file: \"123\"}\n"
	                                "logging: {exporters: [{type: syslog, transport: local,"
	                                " path: \"true\"}]}\n",
	                      &cfg, &d),
	                 0);
	ck_assert_str_eq(cfg.fixed.api_token_file, "123");
	ck_assert_str_eq(cfg.fixed.exporters[0].path, "true");
	round_trip(&cfg, true);
	cfg_free(&cfg);
	diag_free(&d);
}
END_TEST

/* 10,000 softwires: loading stays fast (positions, validation). */
START_TEST(many_softwires)
{
	size_t cap = 10000 * 96 + 256, off;
	char *text = malloc(cap);
	struct aftr_config cfg;
	struct diag d;
	clock_t t0;

	off = (size_t)snprintf(text, cap, HEAD "softwires:\n");
	for (int i = 0; i < 10000; i++)
		off += (size_t)snprintf(text + off, cap - off,
		                        "  - {b4: '2001:db8:1::%x', ipv4: 203.0.%d.%d, psid: %d, "
		                        "psid_len: 6, offset: 6}\n",
		                        i + 1, 113 + i / (63 * 250), (i / 63) % 250 + 1,
		                        i % 63 + 1);
	t0 = clock();
	ck_assert_int_eq(load(text, &cfg, &d), 0);
	ck_assert_uint_eq(cfg.lists.n_softwires, 10000);
	ck_assert_msg((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0, "loading took too long");
	cfg_free(&cfg);
	diag_free(&d);
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config_yaml");
	TCase *tc = tcase_create("yaml");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, minimal_loads);
	tcase_add_test(tc, proto_of_ip);
	tcase_add_test(tc, error_names_file_line_column_path);
	tcase_add_test(tc, errors_in_nested_lists);
	tcase_add_test(tc, nat_table_sizes);
	tcase_add_test(tc, dataplane_idle);
	tcase_add_test(tc, unknown_keys_are_errors);
	tcase_add_test(tc, scalar_typing);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, empty_file_reports_what_is_required);
	tcase_add_test(tc, reference_round_trips);
	tcase_add_test(tc, reference_documents_the_defaults);
	tcase_add_test(tc, strings_that_look_typed_are_quoted);
	tcase_add_test(tc, many_softwires);
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
	return failed ? 1 : 0;
}
