/* The ISC aftr.conf importer (lib/isc/): every command's effect, the
 * line rules (comments, case, CRLF, sections), errors with line numbers,
 * the seed configurations, and import -> YAML -> load round trips. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_yaml.h"
#include "isc_import.h"

#define MIN_CONF                                                                                   \
	"address endpoint 2001::1\naddress icmp 192.0.0.1\nacl6 2001::/48\npool 198.18.200.1\n"

static int import(const char *text, struct aftr_config *cfg, struct diag *d)
{
	diag_init(d, "aftr.conf");
	return isc_import_buf(text, strlen(text), cfg, d);
}

/* Imports text that must fail with exactly one error; returns it formatted. */
static const char *only_error(const char *text, char *buf, size_t len)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_int_eq(import(text, &cfg, &d), -1);
	ck_assert_uint_eq(d.errors, 1);
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].level == DIAG_ERROR)
			diag_format(&d, &d.v[i], buf, len);
	cfg_free(&cfg);
	diag_free(&d);
	return buf;
}

static void import_file(const char *rel, struct aftr_config *cfg)
{
	char path[512];
	struct diag d;

	snprintf(path, sizeof(path), "%s/%s", TEST_SRCDIR, rel);
	diag_init(&d, path);
	if (isc_import_file(path, cfg, &d) < 0)
		diag_print(&d, stderr);
	ck_assert_uint_eq(d.errors, 0);
	diag_free(&d);
}

/* The ISC manual's minimal configuration (section 2.1.3). */
START_TEST(manual_minimal)
{
	struct aftr_config cfg;
	struct diag d;
	char a[PREFIX6_STRLEN];

	ck_assert_int_eq(import(MIN_CONF, &cfg, &d), 0);
	ck_assert(cfg.fixed.has_endpoint && cfg.fixed.has_icmp_source);
	ck_assert_str_eq(addr6_format(&cfg.fixed.endpoint, a), "2001::1");
	ck_assert_uint_eq(cfg.fixed.icmp_source, 0xc0000001);
	ck_assert_uint_eq(cfg.lists.n_acl6, 1);
	ck_assert_str_eq(prefix6_format(&cfg.lists.acl6[0].p, a), "2001::/48");
	ck_assert_uint_eq(cfg.fixed.n_pools, 1);
	ck_assert_uint_eq(cfg.fixed.pools[0].addr, 0xc612c801);
	ck_assert(!cfg.fixed.pools[0].has_range[CFG_TCP]);
	ck_assert_uint_eq(cfg.fixed.pools[0].pos.line, 4);
	cfg_free(&cfg);
	diag_free(&d);
}
END_TEST

/* config/isc/aftr.conf uses every command: check each one's effect. */
START_TEST(every_command)
{
	struct aftr_config c;

	import_file("config/isc/aftr.conf", &c);
	ck_assert(c.fixed.tun.auto_create);                          /* autotunnel on */
	ck_assert_uint_eq(c.fixed.port_block[CFG_TCP], 16);          /* bucket tcp size 16 */
	ck_assert_uint_eq(c.fixed.port_block[CFG_ICMP], 4);          /* bucket icmp size 4 */
	ck_assert_double_eq(c.fixed.decay[0], 0.98);                 /* decay 1 0.98 */
	ck_assert_double_eq(c.fixed.decay[2], 0.9988);               /* decay 15 0.9988 */
	ck_assert(!c.fixed.frag_equal);                              /* eqfrag off after equal on */
	ck_assert_uint_eq(c.fixed.frag_lifetime, 60);                /* default fragment lifetime */
	ck_assert_uint_eq(c.fixed.frag_maxcount[0], 2048);           /* default fragment ipv6 */
	ck_assert_uint_eq(c.fixed.frag_maxcount[2], 512);            /* default fragment out */
	ck_assert_uint_eq(c.fixed.hold_lifetime, 240);               /* default hold lifetime */
	ck_assert_uint_eq(c.fixed.lifetime[LT_TCP], 7440);           /* default nat lifetime tcp */
	ck_assert_uint_eq(c.fixed.lifetime[LT_CLOSED], 240);         /* ... closed */
	ck_assert_int_eq(c.fixed.pcpd, PCPD_DISABLE);                /* default pcpd */
	ck_assert_uint_eq(c.fixed.pcp_defaults[CFG_TCP].max, 0);     /* default pcp tcp 0 */
	ck_assert_uint_eq(c.fixed.pool_defaults[CFG_TCP].min, 1024); /* default pool tcp */
	ck_assert_uint_eq(c.lists.n_private4, 4);                    /* +100.64/10, -192.0.0.0/29 */
	ck_assert_uint_eq(c.lists.private4[3].p.addr, 0x64400000);
	ck_assert(c.fixed.tun.mss);                       /* defmss on */
	ck_assert_int_eq(c.fixed.tun.admpro, ADMPRO_OUT); /* defadmpro out */
	ck_assert_uint_eq(c.fixed.tun.frag6_maxcount, 32);
	ck_assert_uint_eq(c.fixed.tun.nat_maxcount[CFG_UDP], 1000);
	ck_assert_uint_eq(c.fixed.tun.nat_rate[CFG_ICMP], 10);
	ck_assert_uint_eq(c.fixed.quantum, 32);
	ck_assert_uint_eq(c.lists.n_acl6, 2); /* the third was deleted */
	ck_assert_uint_eq(c.fixed.n_pools, 2);
	ck_assert(c.fixed.pools[1].has_range[CFG_ICMP]); /* pool ... echo */
	ck_assert_uint_eq(c.fixed.pools[1].range[CFG_ICMP].min, 5000);
	ck_assert_uint_eq(c.fixed.n_pcp_pools, 1);
	ck_assert_uint_eq(c.fixed.pcp_pools[0].range[CFG_UDP].max, 999);
	ck_assert_uint_eq(c.lists.n_tunnels, 3); /* tunnel x2, try tunnel */
	ck_assert_uint_eq(c.lists.tunnels[0].mtu, 1460);
	ck_assert_int_eq(c.lists.tunnels[0].mss, 0);
	ck_assert_int_eq(c.lists.tunnels[0].toobig, TOOBIG_STRICT);
	ck_assert_int_eq(c.lists.tunnels[0].admpro, ADMPRO_ALL);
	ck_assert_int_eq(c.lists.tunnels[1].mss, CFG_INHERIT);
	ck_assert_uint_eq(c.lists.n_nats, 3);  /* nat x2 + try map - delete */
	ck_assert(c.lists.nats[0].has_filter); /* filter replace */
	ck_assert_uint_eq(c.lists.nats[0].filter_dst.len, 25);
	ck_assert_uint_eq(c.lists.nats[0].filter_port, 443);
	ck_assert_uint_eq(c.lists.nats[2].ext_port, 2222);
	ck_assert_uint_eq(c.lists.n_prrs, 3);
	ck_assert_int_eq(c.lists.prrs[2].proto, CFG_ICMP);
	ck_assert_uint_eq(c.lists.n_nonats, 1);
	ck_assert_uint_eq(c.lists.nonats[0].prefix.len, 28);
	ck_assert_uint_eq(c.fixed.debug, 1); /* debug set 1 */
	cfg_free(&c);
}
END_TEST

START_TEST(case_comments_crlf)
{
	struct aftr_config cfg;
	struct diag d;
	const char *text = "# comment\r\n"
	                   "\r\n"
	                   "DEFAULT Tunnel MTU 1400\r\n"
	                   "  pool 198.51.100.9\r\n"
	                   "\t# indented comment\r\n"
	                   "Address ENDPOINT 2001::1\r\n"
	                   "address icmp 192.0.0.1\r\n"
	                   "ACL6 2001::/48\r\n"
	                   "Pool 198.18.200.1 TCP 5000-6000\r\n";

	ck_assert_int_eq(import(text, &cfg, &d), 0);
	ck_assert_uint_eq(cfg.fixed.tun.mtu, 1400);
	ck_assert_uint_eq(cfg.fixed.n_pools, 1); /* the indented pool line is a comment */
	ck_assert(cfg.fixed.pools[0].has_range[CFG_TCP]);
	ck_assert_uint_eq(d.warnings, 1);
	ck_assert_uint_eq(d.v[0].line, 4);
	cfg_free(&cfg);
	diag_free(&d);
}
END_TEST

START_TEST(errors_name_their_line)
{
	char buf[256];

	ck_assert_str_eq(
	        only_error(MIN_CONF "default tunnel mtu 1400\n", buf, sizeof(buf)),
	        "aftr.conf:5: default tunnel mtu: a section zero (defaults) command cannot "
	        "follow section one (required parameters) commands");
	ck_assert_str_eq(
	        only_error(MIN_CONF "tunnel 2001::2\naddress icmp 1.2.3.4\n", buf, sizeof(buf)),
	        "aftr.conf:6: address icmp: a section one (required parameters) command "
	        "cannot follow section two (reloadable entries) commands");
	ck_assert_str_eq(only_error(MIN_CONF "reload\n", buf, sizeof(buf)),
	                 "aftr.conf:5: reload: an interactive command, not allowed in a "
	                 "configuration file");
	ck_assert_str_eq(only_error(MIN_CONF "frobnicate 1\n", buf, sizeof(buf)),
	                 "aftr.conf:5: frobnicate: unknown command, expected one of autotunnel|"
	                 "bucket|decay|default|defadmpro|defmss|defmtu|deftoobig|delete|eqfrag|"
	                 "quantum|acl6|address|pool|pcp|tunnel|nat|filter|prr|nonat|admpro|mss|mtu|"
	                 "toobig|debug|try");
	ck_assert_str_eq(only_error("default tunnel nat tcp rate 256\n" MIN_CONF, buf, sizeof(buf)),
	                 "aftr.conf:1: default tunnel nat: 256 is out of range 0..255");
	ck_assert_str_eq(only_error("bucket udp size 0\n" MIN_CONF, buf, sizeof(buf)),
	                 "aftr.conf:1: bucket: 0 is out of range 1..255");
	ck_assert_str_eq(only_error("decay 5 1.5\n" MIN_CONF, buf, sizeof(buf)),
	                 "aftr.conf:1: decay: 1.5: expected a number from 0.0 to 1.0");
	ck_assert_str_eq(only_error("default nat lifetime udp 36001\n" MIN_CONF, buf, sizeof(buf)),
	                 "aftr.conf:1: default nat lifetime: 36001 is out of range 1..36000");
	ck_assert_str_eq(only_error("default tunnel toobig maybe\n" MIN_CONF, buf, sizeof(buf)),
	                 "aftr.conf:1: default tunnel toobig: maybe: expected on|off|strict");
	ck_assert_str_eq(
	        only_error(MIN_CONF "nat 2001::2 tcp 10.0.0.1 80 198.18.200.1\n", buf, sizeof(buf)),
	        "aftr.conf:5: nat: missing arguments; usage: nat IPV6_REMOTE tcp|udp "
	        "IPV4_SRC PORT_SRC IPV4_NEW PORT_NEW");
}
END_TEST

START_TEST(long_line_is_an_error)
{
	char text[600], buf[256];

	snprintf(text, sizeof(text), "%s# %0300d\n", MIN_CONF, 0);
	ck_assert_str_eq(
	        only_error(text, buf, sizeof(buf)),
	        "aftr.conf:5: line longer than 255 characters (aftr-1.1 would run the rest "
	        "as another command)");
}
END_TEST

START_TEST(delete_rules)
{
	char buf[256];
	struct aftr_config cfg;
	struct diag d;

	ck_assert_str_eq(
	        only_error("delete private 10.0.0.0\ndelete private 172.16.0.0\n"
	                   "delete private 192.168.0.0\ndelete private 192.0.0.0\n" MIN_CONF,
	                   buf, sizeof(buf)),
	        "aftr.conf:4: delete private: cannot remove the last private prefix");
	ck_assert_str_eq(only_error(MIN_CONF "delete acl6 2001::\n", buf, sizeof(buf)),
	                 "aftr.conf:5: delete acl6: cannot remove the last acl6 entry");
	ck_assert_str_eq(only_error(MIN_CONF "delete tunnel 2001::9\n", buf, sizeof(buf)),
	                 "aftr.conf:5: delete tunnel: 2001::9: no such tunnel");
	/* "delete tunnel" takes the B4's mappings with it. */
	ck_assert_int_eq(import(MIN_CONF "nat 2001::2 tcp 10.0.0.1 80 198.18.200.1 80\n"
	                                 "mss 2001::2 on\nprr 2001::2 udp 198.18.200.1 53\n"
	                                 "nat 2001::3 tcp 10.0.0.1 80 198.18.200.1 81\n"
	                                 "delete tunnel 2001::2\n",
	                        &cfg, &d),
	                 0);
	ck_assert_uint_eq(cfg.lists.n_tunnels, 0);
	ck_assert_uint_eq(cfg.lists.n_prrs, 0);
	ck_assert_uint_eq(cfg.lists.n_nats, 1);
	ck_assert_uint_eq(cfg.lists.nats[0].ext_port, 81);
	cfg_free(&cfg);
	diag_free(&d);
}
END_TEST

START_TEST(try_commands)
{
	char buf[256];

	ck_assert_str_eq(only_error(MIN_CONF "try tunnel 2001::2 198.18.200.1\n"
	                                     "try tunnel 2001::2 198.18.200.2\n",
	                            buf, sizeof(buf)),
	                 "aftr.conf:6: try tunnel: 2001::2: the tunnel exists with another pool");
	ck_assert_str_eq(only_error(MIN_CONF "try map 2001::2 tcp 10.0.0.1 22 198.18.200.1 22\n",
	                            buf, sizeof(buf)),
	                 "aftr.conf:5: try map: 2001::2: no such tunnel");
	ck_assert_str_eq(only_error(MIN_CONF "try tunnel 2001::2\n"
	                                     "try map 2001::2 tcp 8.8.8.8 22 198.18.200.1 22\n",
	                            buf, sizeof(buf)),
	                 "aftr.conf:6: try map: 8.8.8.8 is not a private address");
}
END_TEST

/* Validation runs on the import, with the importing line's number. */
START_TEST(validation_after_import)
{
	char buf[256];

	ck_assert_str_eq(only_error(MIN_CONF "nat 2001::2 tcp 10.0.0.1 80 198.18.200.1 8080\n", buf,
	                            sizeof(buf)),
	                 "aftr.conf:5: static_nat[0]: port 8080 is inside the dynamic tcp range "
	                 "2048-65535 of pool 198.18.200.1");
}
END_TEST

START_TEST(seed_sdaftr)
{
	struct aftr_config cfg;
	char path[512];
	struct diag d;

	import_file("config/isc/sdaftr.conf", &cfg);
	ck_assert_int_eq(cfg.fixed.pcpd, PCPD_STATELESS);
	ck_assert_uint_eq(cfg.fixed.tun.nat_maxcount[CFG_TCP], 2000);
	ck_assert_uint_eq(cfg.fixed.tun.nat_maxcount[CFG_ICMP], 2000);
	ck_assert_uint_eq(cfg.lists.n_prrs, 9);
	ck_assert_uint_eq(cfg.lists.prrs[8].port, 1032);
	ck_assert_uint_eq(cfg.fixed.pools[0].range[CFG_ICMP].max, 59999);
	cfg_free(&cfg);
	/* As printed (addresses lost), it fails on exactly the lines without them. */
	snprintf(path, sizeof(path), "%s/tests/config/seeds/sdaftr-as-printed.conf", TEST_SRCDIR);
	diag_init(&d, path);
	ck_assert_int_eq(isc_import_file(path, &cfg, &d), -1);
	ck_assert_uint_eq(d.errors, 14);
	ck_assert_uint_eq(d.v[0].line, 10); /* default private */
	ck_assert_uint_eq(d.v[1].line, 16); /* address icmp */
	ck_assert_uint_eq(d.v[13].line, 30);
	cfg_free(&cfg);
	diag_free(&d);
}
END_TEST

/* YAML (sparse and full) -> load gives the same model; cfg is freed. */
static void round_trip(struct aftr_config *cfg, const char *rel)
{
	struct aftr_config back;
	struct diag d;

	for (int sparse = 0; sparse <= 1; sparse++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		ck_assert_int_eq(cfg_write_yaml(cfg, sparse, NULL, f), 0);
		fclose(f);
		diag_init(&d, rel);
		ck_assert_int_eq(cfg_load_yaml_buf(text, len, &back, &d), 0);
		ck_assert_msg(cfg_equal(cfg, &back), "%s (%s) does not round-trip", rel,
		              sparse ? "sparse" : "full");
		cfg_free(&back);
		diag_free(&d);
		free(text);
	}
	cfg_free(cfg);
}

/* import -> YAML -> load gives the same model. */
static void round_trip_file(const char *rel)
{
	struct aftr_config cfg;

	import_file(rel, &cfg);
	round_trip(&cfg, rel);
}

/* ISC applies per-tunnel settings to every tunnel, and its prr and nonat
 * lines make tunnels: settings on B4s known only by them import (a
 * tunnels entry holding them; a no-NAT B4's is not NATed), validate and
 * round-trip. */
START_TEST(settings_on_stateless_b4s)
{
	struct aftr_config cfg;
	struct diag d;
	const struct cfg_tunnel *t;
	struct addr6 a;

	ck_assert_int_eq(import(MIN_CONF
	                        "prr 2001::20 tcp 198.18.200.1 1234\n"
	                        "nonat 2001::21 203.0.113.0/28\n"
	                        "mtu 2001::20 1400\nadmpro 2001::20 out\n"
	                        "mss 2001::21 on\ntoobig 2001::21 strict\nmtu 2001::21 1300\n",
	                        &cfg, &d),
	                 0);
	ck_assert_uint_eq(d.errors, 0);
	diag_free(&d);
	ck_assert_uint_eq(cfg.lists.n_tunnels, 2);
	ck_assert_int_eq(addr6_parse("2001::21", &a, NULL, 0), 0);
	t = cfg_find_tunnel(&cfg, &a);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->mtu, 1300);
	ck_assert_int_eq(t->mss, 1);
	ck_assert_int_eq(t->toobig, TOOBIG_STRICT);
	ck_assert(!t->has_ipv4);
	ck_assert_int_eq(addr6_parse("2001::20", &a, NULL, 0), 0);
	t = cfg_find_tunnel(&cfg, &a);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->mtu, 1400);
	ck_assert_int_eq(t->admpro, ADMPRO_OUT);
	diag_init(&d, "aftr.conf");
	ck_assert_uint_eq(cfg_validate(&cfg, &d), 0);
	diag_free(&d);
	round_trip(&cfg, "settings on prr and nonat B4s");
}
END_TEST

START_TEST(round_trips)
{
	round_trip_file("config/isc/minimal.conf");
	round_trip_file("config/isc/aftr.conf");
	round_trip_file("config/isc/sdaftr.conf");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("isc_import");
	TCase *tc = tcase_create("isc");

	tcase_add_test(tc, manual_minimal);
	tcase_add_test(tc, every_command);
	tcase_add_test(tc, case_comments_crlf);
	tcase_add_test(tc, errors_name_their_line);
	tcase_add_test(tc, long_line_is_an_error);
	tcase_add_test(tc, delete_rules);
	tcase_add_test(tc, try_commands);
	tcase_add_test(tc, settings_on_stateless_b4s);
	tcase_add_test(tc, validation_after_import);
	tcase_add_test(tc, seed_sdaftr);
	tcase_add_test(tc, round_trips);
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
