/* Unit tests of lib/config/config_check.c: cfg_validate's cross-entry rules, each with the exact
 * number of errors, the key path of each and a distinctive part of its message, and a
 * check that validation stays fast with 100,000 lw4o6 softwires. */

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "config_json.h"
#include "diag.h"
#include "jdec.h"
#include "util.h"

/* Building 100,000 entries must not call into Check for each one (every
 * ck_assert records its location through the fork pipe). */
#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

#define POOL  "198.51.100.1"
#define POOL2 "198.51.100.2"
#define B4A   "2001:db8:100::1"
#define B4B   "2001:db8:100::2"
#define B4C   "2001:db8:100::3"

static uint32_t a4(const char *s)
{
	uint32_t a;

	EXPECT(addr4_parse(s, &a, NULL, 0) == 0, "bad test address %s", s);
	return a;
}

static struct addr6 a6(const char *s)
{
	struct addr6 a;

	EXPECT(addr6_parse(s, &a, NULL, 0) == 0, "bad test address %s", s);
	return a;
}

static struct cfg_pool *add_pool(struct aftr_config *cfg, const char *addr)
{
	struct cfg_pool *p = VEC_PUSH(cfg->fixed.pools, cfg->fixed.n_pools, cfg->fixed.cap_pools);

	ck_assert_ptr_nonnull(p);
	p->addr = a4(addr);
	return p;
}

static void add_acl6(struct aftr_config *cfg, const char *prefix)
{
	struct cfg_prefix6 *e = VEC_PUSH(cfg->lists.acl6, cfg->lists.n_acl6, cfg->lists.cap_acl6);

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(prefix6_parse(prefix, 0, &e->p, NULL, 0), 0);
}

static void add_private(struct aftr_config *cfg, const char *prefix)
{
	struct cfg_prefix4 *e =
	        VEC_PUSH(cfg->lists.private4, cfg->lists.n_private4, cfg->lists.cap_private4);

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(prefix4_parse(prefix, 0, &e->p, NULL, 0), 0);
}

static struct cfg_tunnel *add_tunnel(struct aftr_config *cfg, const char *b4, const char *ipv4)
{
	struct cfg_tunnel *t =
	        VEC_PUSH(cfg->lists.tunnels, cfg->lists.n_tunnels, cfg->lists.cap_tunnels);

	ck_assert_ptr_nonnull(t);
	t->b4 = a6(b4);
	t->has_ipv4 = ipv4 != NULL;
	if (ipv4)
		t->ipv4 = a4(ipv4);
	t->mss = t->toobig = t->admpro = CFG_INHERIT;
	return t;
}

static struct cfg_nat *add_nat(struct aftr_config *cfg, const char *b4, enum cfg_proto proto,
                               const char *addr, uint16_t port, const char *ext, uint16_t ext_port)
{
	struct cfg_nat *m = VEC_PUSH(cfg->lists.nats, cfg->lists.n_nats, cfg->lists.cap_nats);

	ck_assert_ptr_nonnull(m);
	m->b4 = a6(b4);
	m->proto = (uint8_t)proto;
	m->addr = a4(addr);
	m->port = port;
	m->ext_addr = a4(ext);
	m->ext_port = ext_port;
	return m;
}

static struct cfg_prr *add_prr(struct aftr_config *cfg, const char *b4, enum cfg_proto proto,
                               const char *addr, uint16_t port)
{
	struct cfg_prr *p = VEC_PUSH(cfg->lists.prrs, cfg->lists.n_prrs, cfg->lists.cap_prrs);

	ck_assert_ptr_nonnull(p);
	p->b4 = a6(b4);
	p->proto = (uint8_t)proto;
	p->addr = a4(addr);
	p->port = port;
	return p;
}

static struct cfg_nonat *add_nonat(struct aftr_config *cfg, const char *b4, const char *prefix)
{
	struct cfg_nonat *n =
	        VEC_PUSH(cfg->lists.nonats, cfg->lists.n_nonats, cfg->lists.cap_nonats);

	ck_assert_ptr_nonnull(n);
	n->b4 = a6(b4);
	ck_assert_int_eq(prefix4_parse(prefix, 0, &n->prefix, NULL, 0), 0);
	return n;
}

static struct cfg_softwire *add_softwire(struct aftr_config *cfg, const char *b4, const char *ipv4,
                                         uint8_t offset, uint8_t psid_len, uint16_t psid)
{
	struct cfg_softwire *s =
	        VEC_PUSH(cfg->lists.softwires, cfg->lists.n_softwires, cfg->lists.cap_softwires);

	ck_assert_ptr_nonnull(s);
	s->b4 = a6(b4);
	s->ipv4 = a4(ipv4);
	s->psid = (struct psid_params){offset, psid_len, psid};
	ck_assert_int_eq(psid_params_validate(&s->psid, NULL, 0), 0);
	return s;
}

/* The smallest configuration that validates: section one filled in. */
static void base_cfg(struct aftr_config *cfg)
{
	ck_assert_int_eq(cfg_init(cfg), 0);
	cfg->fixed.has_endpoint = true;
	cfg->fixed.endpoint = a6("2001:db8::a");
	cfg->fixed.has_icmp_source = true;
	cfg->fixed.icmp_source = a4("192.0.0.2");
	add_acl6(cfg, "2001:db8:100::/40");
	add_pool(cfg, POOL);
}

/* Runs cfg_validate into a fresh d; its result must be the errors it added. */
static size_t validate(const struct aftr_config *cfg, struct diag *d)
{
	size_t n;

	diag_init(d, NULL);
	n = cfg_validate(cfg, d);
	ck_assert_uint_eq(n, d->errors);
	ck_assert_uint_eq(d->n, d->errors + d->warnings);
	return n;
}

/* Entry i is at level lvl, at exactly path, and its message contains frag. */
static void expect_at(const struct diag *d, size_t i, enum diag_level lvl, const char *path,
                      const char *frag)
{
	ck_assert_msg(i < d->n, "no diag entry %zu (only %zu)", i, d->n);
	ck_assert_msg(d->v[i].level == lvl, "entry %zu (%s: %s): wrong level", i, d->v[i].path,
	              d->v[i].msg);
	ck_assert_str_eq(d->v[i].path, path);
	ck_assert_msg(strstr(d->v[i].msg, frag) != NULL, "entry %zu at %s: \"%s\" lacks \"%s\"", i,
	              path, d->v[i].msg, frag);
}

static void expect_err(const struct diag *d, size_t i, const char *path, const char *frag)
{
	expect_at(d, i, DIAG_ERROR, path, frag);
}

/* Validation of cfg gives no error and no warning. */
static void expect_clean(const struct aftr_config *cfg)
{
	struct diag d;

	ck_assert_uint_eq(validate(cfg, &d), 0);
	ck_assert_msg(d.n == 0, "unexpected: %s: %s", d.n ? d.v[0].path : "",
	              d.n ? d.v[0].msg : "");
	diag_free(&d);
}

/* Validation of cfg gives exactly one entry: an error at path containing frag. */
static void expect_one(const struct aftr_config *cfg, const char *path, const char *frag)
{
	struct diag d;

	ck_assert_uint_eq(validate(cfg, &d), 1);
	ck_assert_uint_eq(d.n, 1);
	expect_err(&d, 0, path, frag);
	diag_free(&d);
}

/* Decodes a whole configuration (JSON with ' for ") onto the defaults. */
static void load_cfg(const char *text, struct aftr_config *cfg)
{
	char *s = strdup(text);
	json_error_t e;
	json_t *root;
	struct diag d;
	struct jdec j;

	ck_assert_ptr_nonnull(s);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	root = json_loads(s, 0, &e);
	ck_assert_msg(root != NULL, "bad test JSON (%s): %s", e.text, s);
	free(s);
	ck_assert_int_eq(cfg_init(cfg), 0);
	diag_init(&d, NULL);
	jdec_init(&j, &d);
	ck_assert_int_eq(cfg_from_json(cfg, root, &j), 0);
	ck_assert_uint_eq(d.n, 0);
	diag_free(&d);
	json_decref(root);
}

/* Section one of a JSON configuration that validates, with and without its pool. */
#define JSON_SEC1 "'endpoint':'2001:db8::a','icmp_source':'192.0.0.2','acl6':['2001:db8:100::/40']"
#define JSON_BASE JSON_SEC1 ",'pools':[{'address':'" POOL "'}]"

/* ---- What a running AFTR needs ------------------------------------------------------------ */

START_TEST(test_base_valid)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	expect_clean(&cfg);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_required_all_missing)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_int_eq(cfg_init(&cfg), 0);
	ck_assert_uint_eq(validate(&cfg, &d), 4);
	ck_assert_uint_eq(d.n, 4);
	expect_err(&d, 0, "endpoint", "\"address endpoint\"");
	expect_err(&d, 1, "icmp_source", "\"address icmp\"");
	expect_err(&d, 2, "pools", "at least one pool is required");
	expect_err(&d, 3, "acl6", "when tunnel_defaults.auto is on");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_required_each)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	cfg.fixed.has_endpoint = false;
	expect_one(&cfg, "endpoint", "required");
	cfg_free(&cfg);

	base_cfg(&cfg);
	cfg.fixed.has_icmp_source = false;
	expect_one(&cfg, "icmp_source", "required");
	cfg_free(&cfg);

	base_cfg(&cfg);
	cfg.fixed.n_pools = 0;
	expect_one(&cfg, "pools", "at least one pool is required");
	cfg_free(&cfg);

	base_cfg(&cfg);
	cfg.lists.n_acl6 = 0;
	expect_one(&cfg, "acl6", "at least one entry is required");
	cfg_free(&cfg);
}
END_TEST

/* Without auto tunnels, only configured B4s get in: acl6 may be empty. */
START_TEST(test_acl6_not_required_without_auto)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	cfg.lists.n_acl6 = 0;
	cfg.fixed.tun.auto_create = false;
	expect_clean(&cfg);
	cfg_free(&cfg);

	load_cfg("{'endpoint':'2001:db8::a','icmp_source':'192.0.0.2',"
	         "'pools':[{'address':'" POOL "'}],'tunnel_defaults':{'auto':'off'}}",
	         &cfg);
	expect_clean(&cfg);
	cfg_free(&cfg);
}
END_TEST

/* One device for both interfaces (one-port mode) needs them told apart:
 * different VLAN ids, or both untagged (by EtherType); own MACs unicast. */
START_TEST(test_one_port_and_macs)
{
	struct aftr_config cfg;
	struct diag d;

	load_cfg("{" JSON_BASE ",'interfaces':{'transport':{'device':'net_tap0','vlan':100},"
	         "'wan':{'device':'net_tap0','vlan':200}}}",
	         &cfg);
	ck_assert(cfg_one_port(&cfg.fixed.transport, &cfg.fixed.wan));
	expect_clean(&cfg);
	cfg_free(&cfg);
	load_cfg("{" JSON_BASE ",'interfaces':{'transport':{'device':'net_tap0'},"
	         "'wan':{'device':'net_tap0'}}}",
	         &cfg);
	expect_clean(&cfg);
	cfg_free(&cfg);
	load_cfg("{" JSON_BASE ",'interfaces':{'transport':{'device':'net_tap0','vlan':7},"
	         "'wan':{'device':'net_tap0','vlan':7,'mac':'03:00:00:00:00:01'}}}",
	         &cfg);
	ck_assert_uint_eq(validate(&cfg, &d), 2);
	expect_err(&d, 0, "interfaces.wan.mac", "a multicast address");
	expect_err(&d, 1, "interfaces.wan.vlan", "7 is the transport's too");
	diag_free(&d);
	cfg_free(&cfg);
	/* Two devices may use the same VLAN id. */
	load_cfg("{" JSON_BASE ",'interfaces':{'transport':{'device':'net_tap0','vlan':7},"
	         "'wan':{'device':'net_tap1','vlan':7}}}",
	         &cfg);
	ck_assert(!cfg_one_port(&cfg.fixed.transport, &cfg.fixed.wan));
	expect_clean(&cfg);
	cfg_free(&cfg);
}
END_TEST

/* An lw4o6-only AFTR has softwires and no NAT pool. */
START_TEST(test_pools_not_required_with_softwires)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	cfg.fixed.n_pools = 0;
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 1);
	expect_clean(&cfg);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_private_empty)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	cfg.lists.n_private4 = 0;
	expect_one(&cfg, "private", "must not be empty");
	cfg_free(&cfg);

	load_cfg("{" JSON_BASE ",'private':[]}", &cfg);
	expect_one(&cfg, "private", "must not be empty");
	cfg_free(&cfg);
}
END_TEST

/* ---- Prefix lists and pools --------------------------------------------------------------- */

START_TEST(test_duplicate_acl6)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	/* Nested is fine (a longer prefix inside a shorter one); equal is not. */
	add_acl6(&cfg, "2001:db8:100::/48");
	add_acl6(&cfg, "2001:db8:200::/40");
	expect_clean(&cfg);
	add_acl6(&cfg, "2001:db8:100::/40");
	expect_one(&cfg, "acl6[3]", "2001:db8:100::/40 is listed twice");
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_duplicate_private)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	ck_assert_uint_eq(cfg.lists.n_private4, 4); /* RFC 1918 and 192.0.0.0/29 */
	add_private(&cfg, "10.1.0.0/16");
	add_private(&cfg, "100.64.0.0/10");
	expect_clean(&cfg);
	add_private(&cfg, "172.16.0.0/12");
	expect_one(&cfg, "private[6]", "172.16.0.0/12 is listed twice");
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_duplicate_pool)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	add_pool(&cfg, POOL2);
	expect_clean(&cfg);
	add_pool(&cfg, POOL);
	expect_one(&cfg, "pools[2]", POOL ": pool address listed twice");
	cfg_free(&cfg);
}
END_TEST

/* An address listed three times: each repeat is reported once, as report_dups()
 * does for tunnels, mappings and softwires (tunnels[3] is "(tunnels[2])" only). */
START_TEST(test_pool_listed_thrice)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	add_pool(&cfg, POOL);
	add_pool(&cfg, POOL);
	validate(&cfg, &d);
	ck_assert_msg(d.n == 2, "%zu errors for 2 repeats (pools[2] reported %s)", d.n,
	              d.n > 2 && strcmp(d.v[1].path, d.v[2].path) == 0 ? "twice" : "?");
	expect_err(&d, 0, "pools[1]", "listed twice");
	expect_err(&d, 1, "pools[2]", "listed twice");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_pool_inside_nonat)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	add_nonat(&cfg, B4B, "198.51.100.128/25");
	expect_clean(&cfg);
	add_nonat(&cfg, B4C, "198.51.100.0/30");
	expect_one(&cfg, "pools[0]", POOL " is inside no-NAT prefix 198.51.100.0/30");
	cfg_free(&cfg);
}
END_TEST

/* ---- PCP ---------------------------------------------------------------------------------- */

START_TEST(test_pcp_range_vs_dynamic)
{
	struct aftr_config cfg;
	struct cfg_pcp_pool *pp;
	struct diag d;

	base_cfg(&cfg);
	pp = VEC_PUSH(cfg.fixed.pcp_pools, cfg.fixed.n_pcp_pools, cfg.fixed.cap_pcp_pools);
	ck_assert_ptr_nonnull(pp);
	pp->addr = a4(POOL);
	/* The dynamic tcp range starts at 2048: 1024-2047 stays below it. */
	pp->has_range[CFG_TCP] = true;
	pp->range[CFG_TCP] = (struct port_range){1024, 2047};
	expect_clean(&cfg);
	pp->range[CFG_TCP] = (struct port_range){1024, 2048};
	expect_one(&cfg, "pcp.pools[0].tcp",
	           "overlaps the dynamic tcp range 2048-65535 of pool " POOL);

	/* Without its own range, a pcp pool takes pcp.tcp / pcp.udp. */
	pp->has_range[CFG_TCP] = false;
	cfg.fixed.pcp_defaults[CFG_TCP] = (struct port_range){1024, 2047};
	cfg.fixed.pcp_defaults[CFG_UDP] = (struct port_range){500, 511};
	expect_clean(&cfg);
	cfg.fixed.pcp_defaults[CFG_UDP] = (struct port_range){500, 512};
	expect_one(&cfg, "pcp.pools[0].udp", "overlaps the dynamic udp range 512-65535");

	/* Both protocols at once, and the pool's own dynamic range is what counts. */
	cfg.fixed.pcp_defaults[CFG_TCP] = (struct port_range){1024, 4095};
	cfg.fixed.pools[0].has_range[CFG_UDP] = true;
	cfg.fixed.pools[0].range[CFG_UDP] = (struct port_range){4096, 65535};
	expect_one(&cfg, "pcp.pools[0].tcp", "dynamic tcp range 2048-65535");
	cfg.fixed.pools[0].range[CFG_UDP] = (struct port_range){100, 500};
	ck_assert_uint_eq(validate(&cfg, &d), 2);
	expect_err(&d, 0, "pcp.pools[0].tcp", "dynamic tcp range 2048-65535");
	expect_err(&d, 1, "pcp.pools[0].udp", "dynamic udp range 100-500");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_pcp_from_json)
{
	struct aftr_config cfg;

	load_cfg("{" JSON_SEC1 ",'pcp':{'tcp':'1024-2047','udp':'off','pools':["
	         "{'address':'" POOL "'},{'address':'" POOL2 "','udp':'1024-2047'}]},"
	         "'pools':[{'address':'" POOL "'},{'address':'" POOL2 "','udp':'2048-65535'}]}",
	         &cfg);
	expect_clean(&cfg);
	cfg_free(&cfg);

	load_cfg("{" JSON_BASE ",'pcp':{'pools':[{'address':'" POOL "','tcp':'1024-2047'},"
	         "{'address':'" POOL "','tcp':'1024-2047','udp':'1024-2047'}]}}",
	         &cfg);
	{
		struct diag d;

		ck_assert_uint_eq(validate(&cfg, &d), 2);
		expect_err(&d, 0, "pcp.pools[1]", POOL ": listed twice");
		expect_err(&d, 1, "pcp.pools[1].udp", "dynamic udp range 512-65535 of pool " POOL);
		diag_free(&d);
	}
	cfg_free(&cfg);
}
END_TEST

/* ---- Tunnels ------------------------------------------------------------------------------ */

START_TEST(test_tunnel_ipv4_not_pool)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	add_tunnel(&cfg, B4A, POOL);
	add_tunnel(&cfg, B4B, NULL);
	expect_clean(&cfg);
	add_tunnel(&cfg, B4C, "198.51.100.9");
	expect_one(&cfg, "tunnels[2]", B4C ": ipv4 198.51.100.9 is not a pool address");
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_duplicate_tunnel)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	add_tunnel(&cfg, B4A, NULL);
	add_tunnel(&cfg, B4B, NULL);
	add_tunnel(&cfg, B4A, POOL);
	expect_one(&cfg, "tunnels[2]", "this B4 already has a tunnel (tunnels[0])");
	add_tunnel(&cfg, B4A, NULL);
	ck_assert_uint_eq(validate(&cfg, &d), 2);
	expect_err(&d, 0, "tunnels[2]", "already has a tunnel (tunnels[0])");
	expect_err(&d, 1, "tunnels[3]", "already has a tunnel (tunnels[2])");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

/* ---- Static NAT and PRR ------------------------------------------------------------------- */

/* ISC: the external port of a static mapping must be outside the dynamic range. */
START_TEST(test_nat_port_vs_dynamic_range)
{
	struct aftr_config cfg;
	struct cfg_nat *m;

	base_cfg(&cfg);
	m = add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 80, POOL, 80);
	expect_clean(&cfg);
	m->ext_port = 2047; /* the default dynamic tcp range is 2048-65535 */
	expect_clean(&cfg);
	m->ext_port = 2048;
	expect_one(&cfg, "static_nat[0]",
	           "port 2048 is inside the dynamic tcp range 2048-65535 of pool " POOL);
	m->ext_port = 65535;
	expect_one(&cfg, "static_nat[0]", "port 65535 is inside the dynamic tcp range");

	/* The pool's own range counts, per protocol. */
	cfg.fixed.pools[0].has_range[CFG_TCP] = true;
	cfg.fixed.pools[0].range[CFG_TCP] = (struct port_range){5000, 60000};
	m->ext_port = 4999;
	expect_clean(&cfg);
	m->ext_port = 60001;
	expect_clean(&cfg);
	m->ext_port = 5000;
	expect_one(&cfg, "static_nat[0]", "port 5000 is inside the dynamic tcp range 5000-60000");

	m->proto = CFG_UDP;
	m->ext_port = 511; /* udp: 512-65535 */
	expect_clean(&cfg);
	m->ext_port = 512;
	expect_one(&cfg, "static_nat[0]", "port 512 is inside the dynamic udp range 512-65535");
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_nat_ext_not_pool)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 80, POOL, 80);
	/* Not a pool: reported once, and no range is looked at. */
	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 81, "198.51.100.9", 5000);
	expect_one(&cfg, "static_nat[1]", "198.51.100.9 is not a pool address");
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_nat_from_json_isc_rule)
{
	struct aftr_config cfg;

	load_cfg("{" JSON_BASE ",'static_nat':["
	         "{'b4':'" B4A "','protocol':'tcp','address':'10.0.0.1','port':22,"
	         "'external_address':'" POOL "','external_port':1022},"
	         "{'b4':'" B4A "','protocol':'tcp','address':'10.0.0.1','port':80,"
	         "'external_address':'" POOL "','external_port':8080}]}",
	         &cfg);
	expect_one(&cfg, "static_nat[1]",
	           "port 8080 is inside the dynamic tcp range 2048-65535 of pool " POOL);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_prr_public_port)
{
	struct aftr_config cfg;
	struct cfg_prr *p;

	base_cfg(&cfg);
	p = add_prr(&cfg, B4A, CFG_TCP, POOL, 1234);
	expect_clean(&cfg);
	p->port = 3000;
	expect_one(&cfg, "prr[0]", "port 3000 is inside the dynamic tcp range 2048-65535");
	/* ICMP: the echo id against the pool's echo range (0-65535 by default). */
	p->proto = CFG_ICMP;
	p->port = 0;
	expect_one(&cfg, "prr[0]",
	           "echo id 0 is inside the dynamic icmp range 0-65535 of pool " POOL);
	cfg.fixed.pools[0].has_range[CFG_ICMP] = true;
	cfg.fixed.pools[0].range[CFG_ICMP] = (struct port_range){1024, 65535};
	expect_clean(&cfg);
	p->addr = a4("198.51.100.9");
	expect_one(&cfg, "prr[0]", "198.51.100.9 is not a pool address");
	cfg_free(&cfg);
}
END_TEST

/* No two entries may own one public (protocol, address, port). */
START_TEST(test_external_duplicates)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	add_pool(&cfg, POOL2);
	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 80, POOL, 80);
	add_nat(&cfg, B4B, CFG_UDP, "10.0.0.1", 80, POOL, 80);  /* other protocol */
	add_nat(&cfg, B4B, CFG_TCP, "10.0.0.1", 80, POOL2, 80); /* other address */
	add_nat(&cfg, B4B, CFG_TCP, "10.0.0.2", 80, POOL, 81);  /* other port */
	expect_clean(&cfg);
	add_nat(&cfg, B4C, CFG_TCP, "10.0.0.9", 8080, POOL, 80);
	expect_one(&cfg, "static_nat[4]",
	           "this public address and port are already mapped (static_nat[0])");
	cfg.lists.n_nats--;

	/* A static mapping and a PRR entry: the PRR is reported. */
	add_prr(&cfg, B4C, CFG_TCP, POOL2, 80);
	expect_one(&cfg, "prr[0]",
	           "this public address and port are already mapped (static_nat[2])");
	/* ICMP echo ids are another space than TCP ports. */
	cfg.lists.prrs[0].proto = CFG_ICMP;
	cfg.fixed.pools[1].has_range[CFG_ICMP] = true;
	cfg.fixed.pools[1].range[CFG_ICMP] = (struct port_range){1024, 65535};
	expect_clean(&cfg);
	/* Two PRR entries. */
	add_prr(&cfg, B4A, CFG_ICMP, POOL2, 80);
	expect_one(&cfg, "prr[1]", "already mapped (prr[0])");

	/* Every clash is reported, each against its predecessor. */
	add_nat(&cfg, B4C, CFG_TCP, "10.0.0.9", 8080, POOL, 80);
	ck_assert_uint_eq(validate(&cfg, &d), 2);
	expect_err(&d, 0, "static_nat[4]", "already mapped (static_nat[0])");
	expect_err(&d, 1, "prr[1]", "already mapped (prr[0])");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_inside_duplicates)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 80, POOL, 80);
	add_nat(&cfg, B4A, CFG_UDP, "10.0.0.1", 80, POOL, 80); /* other protocol */
	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 81, POOL, 81); /* other port */
	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.2", 80, POOL, 82); /* other address */
	add_nat(&cfg, B4B, CFG_TCP, "10.0.0.1", 80, POOL, 83); /* other B4 */
	expect_clean(&cfg);
	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 80, POOL, 84);
	expect_one(&cfg, "static_nat[5]",
	           "this inside address and port are already mapped (static_nat[0])");
	cfg_free(&cfg);
}
END_TEST

/* RFC 6888 REQ-2 (paired pooling): a warning only, ISC accepts the mix. */
START_TEST(test_req2_warning)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	add_pool(&cfg, POOL2);
	add_tunnel(&cfg, B4A, POOL);
	add_tunnel(&cfg, B4B, NULL);
	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 80, POOL, 80);
	add_nat(&cfg, B4B, CFG_TCP, "10.0.0.1", 80, POOL2, 80); /* tunnel not bound */
	add_nat(&cfg, B4C, CFG_TCP, "10.0.0.1", 80, POOL2, 81); /* no tunnel */
	expect_clean(&cfg);
	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 443, POOL2, 443);
	ck_assert_uint_eq(validate(&cfg, &d), 0);
	ck_assert_uint_eq(d.errors, 0);
	ck_assert_uint_eq(d.warnings, 1);
	ck_assert_uint_eq(d.n, 1);
	expect_at(&d, 0, DIAG_WARNING, "static_nat[3]",
	          "tunnel " B4A " is bound to " POOL ", this mapping uses another address");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

/* ---- No-NAT ------------------------------------------------------------------------------- */

/* A no-NAT B4 owns its prefix: no static mapping, PRR or tunnel besides. */
START_TEST(test_nonat_b4_has_other_entries)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	add_nonat(&cfg, B4B, "203.0.113.0/28");
	add_nonat(&cfg, B4A, "203.0.113.16/28");
	add_nat(&cfg, B4C, CFG_TCP, "10.0.0.1", 80, POOL, 80);
	add_prr(&cfg, B4C, CFG_TCP, POOL, 81);
	add_tunnel(&cfg, B4C, NULL);
	expect_clean(&cfg);

	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 80, POOL, 90);
	expect_one(&cfg, "static_nat[1]", "this B4 is a no-NAT tunnel (nonat[1])");
	cfg.lists.n_nats--;
	add_prr(&cfg, B4A, CFG_UDP, POOL, 91);
	expect_one(&cfg, "prr[1]", "this B4 is a no-NAT tunnel (nonat[1])");
	cfg.lists.n_prrs--;
	/* Its tunnel settings (ISC: every tunnel's), but no NAT address. */
	add_tunnel(&cfg, B4A, NULL);
	cfg.lists.tunnels[1].mtu = 1400;
	expect_clean(&cfg);
	add_tunnel(&cfg, B4B, POOL);
	expect_one(&cfg, "tunnels[2]",
	           "ipv4: this B4 is a no-NAT tunnel (nonat[0]), it is not NATed");

	add_nat(&cfg, B4A, CFG_TCP, "10.0.0.1", 80, POOL, 90);
	add_prr(&cfg, B4B, CFG_UDP, POOL, 91);
	/* In B4 order, then static_nat, prr, tunnels within one B4. */
	ck_assert_uint_eq(validate(&cfg, &d), 3);
	expect_err(&d, 0, "static_nat[1]", "no-NAT tunnel (nonat[1])");
	expect_err(&d, 1, "prr[1]", "no-NAT tunnel (nonat[0])");
	expect_err(&d, 2, "tunnels[2]", "no-NAT tunnel (nonat[0])");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_nonat_overlap)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	add_nonat(&cfg, B4A, "203.0.113.0/25");
	add_nonat(&cfg, B4B, "203.0.113.128/25");
	expect_clean(&cfg);
	add_nonat(&cfg, B4C, "203.0.113.64/26");
	expect_one(&cfg, "nonat[2]", "203.0.113.64/26 overlaps nonat prefix 203.0.113.0/25");
	cfg.lists.n_nonats--;
	add_nonat(&cfg, B4C, "203.0.112.0/23");
	ck_assert_uint_eq(validate(&cfg, &d), 2);
	expect_err(&d, 0, "nonat[2]", "203.0.112.0/23 overlaps nonat prefix 203.0.113.0/25");
	expect_err(&d, 1, "nonat[2]", "203.0.112.0/23 overlaps nonat prefix 203.0.113.128/25");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_nonat_duplicate_b4)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	add_nonat(&cfg, B4A, "203.0.113.0/28");
	add_nonat(&cfg, B4A, "203.0.113.16/28");
	expect_one(&cfg, "nonat[1]", "this B4 already has a no-NAT prefix (nonat[0])");
	cfg_free(&cfg);
}
END_TEST

/* ---- Addresses no entry can use (check_addrs.c) ------------------------------------------ */

/* A B4 is a unicast address, whichever list names it. */
START_TEST(test_b4_not_unicast)
{
	static const char *const bad[] = {"::", "::1", "ff02::1", "::ffff:1.2.3.4"};
	struct aftr_config cfg;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base_cfg(&cfg);
		add_tunnel(&cfg, bad[i], NULL);
		expect_one(&cfg, "tunnels[0]", "not a unicast address a B4 can have");
		cfg_free(&cfg);
	}
	base_cfg(&cfg);
	add_softwire(&cfg, "ff02::1", "192.0.2.1", 6, 6, 1);
	expect_one(&cfg, "softwires[0]", "not a unicast address");
	cfg_free(&cfg);
	base_cfg(&cfg);
	add_nat(&cfg, "::", CFG_TCP, "10.0.0.1", 80, POOL, 80);
	expect_one(&cfg, "static_nat[0]", "not a unicast address");
	cfg_free(&cfg);
	base_cfg(&cfg);
	add_prr(&cfg, "::1", CFG_TCP, POOL, 81);
	expect_one(&cfg, "prr[0]", "not a unicast address");
	cfg_free(&cfg);
	base_cfg(&cfg);
	add_nonat(&cfg, "::ffff:10.0.0.1", "203.0.113.0/28");
	expect_one(&cfg, "nonat[0]", "not a unicast address");
	cfg_free(&cfg);
}
END_TEST

/* What the AFTR owns or forwards for holds no martian. */
START_TEST(test_martian_addresses)
{
	static const char *const bad[] = {"0.1.2.3",   "127.0.0.1", "169.254.0.1",
	                                  "224.0.0.1", "240.0.0.1", "255.255.255.255"};
	struct aftr_config cfg;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base_cfg(&cfg);
		add_pool(&cfg, bad[i]);
		expect_one(&cfg, "pools[1]", "an address no router forwards");
		cfg_free(&cfg);
		base_cfg(&cfg);
		add_softwire(&cfg, B4A, bad[i], 6, 6, 1);
		expect_one(&cfg, "softwires[0]", "an address no router forwards");
		cfg_free(&cfg);
	}
	base_cfg(&cfg);
	add_nonat(&cfg, B4A, "160.0.0.0/4"); /* holds 169.254/16 */
	expect_one(&cfg, "nonat[0]", "160.0.0.0/4 holds addresses no router forwards");
	cfg.lists.nonats[0].prefix = (struct prefix4){a4("96.0.0.0"), 3}; /* to 127/8 */
	expect_one(&cfg, "nonat[0]", "holds addresses no router forwards");
	cfg_free(&cfg);
}
END_TEST

/* Private prefixes: never all addresses, none a binding or a pool has. */
START_TEST(test_private_overlaps)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	add_private(&cfg, "0.0.0.0/0");
	ck_assert_uint_eq(validate(&cfg, &d), 2);
	expect_err(&d, 0, "private[4]", "0.0.0.0/0 would NAT every source");
	expect_err(&d, 1, "pools[0]", POOL " is inside private prefix 0.0.0.0/0");
	diag_free(&d);
	cfg.lists.n_private4--;
	add_private(&cfg, "198.51.100.0/24");
	expect_one(&cfg, "pools[0]", POOL " is inside private prefix 198.51.100.0/24");
	cfg.lists.n_private4--;
	add_nonat(&cfg, B4A, "10.1.0.0/29");
	expect_one(&cfg, "nonat[0]", "10.1.0.0/29 overlaps private prefix 10.0.0.0/8");
	cfg.lists.n_nonats--;
	add_nonat(&cfg, B4A, "172.0.0.0/8"); /* holds 172.16/12 */
	expect_one(&cfg, "nonat[0]", "overlaps private prefix 172.16.0.0/12");
	cfg.lists.n_nonats--;
	add_softwire(&cfg, B4A, "192.168.7.1", 6, 6, 1);
	expect_one(&cfg, "softwires[0]", "192.168.7.1 is inside private prefix 192.168.0.0/16");
	cfg.lists.n_softwires--;
	add_nat(&cfg, B4A, CFG_TCP, "203.0.113.9", 80, POOL, 80);
	expect_one(&cfg, "static_nat[0]", "address 203.0.113.9 is not inside private");
	cfg_free(&cfg);
}
END_TEST

/* An API open beyond this host without a token: a warning, not an error. */
START_TEST(test_open_api_warning)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	diag_init(&d, NULL);
	ck_assert_uint_eq(cfg_warnings(&cfg, &d), 0); /* 127.0.0.1 by default */
	free(cfg.fixed.api_listen);
	cfg.fixed.api_listen = strdup("::1");
	ck_assert_uint_eq(cfg_warnings(&cfg, &d), 0);
	free(cfg.fixed.api_listen);
	cfg.fixed.api_listen = strdup("0.0.0.0");
	ck_assert_uint_eq(cfg_warnings(&cfg, &d), 1);
	expect_at(&d, 0, DIAG_WARNING, "api.listen", "0.0.0.0 without api.token_file");
	cfg.fixed.api_token_file = strdup("/etc/aftr/token");
	ck_assert_uint_eq(cfg_warnings(&cfg, &d), 0);
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

/* ---- lw4o6 softwires ---------------------------------------------------------------------- */

START_TEST(test_softwire_address_is_pool)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 1);
	expect_clean(&cfg);
	add_softwire(&cfg, B4B, POOL, 6, 6, 1);
	expect_one(&cfg, "softwires[1]", POOL " is a NAT pool address");
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_softwire_inside_nonat)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	add_nonat(&cfg, B4A, "203.0.113.0/29");
	add_softwire(&cfg, B4B, "203.0.113.8", 0, 0, 0);
	expect_clean(&cfg);
	add_softwire(&cfg, B4C, "203.0.113.7", 0, 0, 0);
	expect_one(&cfg, "softwires[1]", "203.0.113.7 is inside no-NAT prefix 203.0.113.0/29");
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_softwire_duplicate_b4)
{
	struct aftr_config cfg;

	/* Several softwires per B4 (another address or PSID). */
	base_cfg(&cfg);
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 1);
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 2);
	add_softwire(&cfg, B4A, "192.0.2.2", 6, 6, 1);
	expect_clean(&cfg);
	cfg_free(&cfg);

	/* Not beside a no-NAT prefix, which is the whole binding. */
	base_cfg(&cfg);
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 1);
	add_nonat(&cfg, B4A, "203.0.113.0/28");
	expect_one(&cfg, "softwires[0]", "this B4 is a no-NAT tunnel (nonat[0])");
	cfg_free(&cfg);
}
END_TEST

/* Filter rules: b4 on the transport side only, ports with TCP or UDP, at
 * most 64 a list. */
START_TEST(test_filters)
{
	struct aftr_config cfg;
	struct cfg_filter_list *l;

	base_cfg(&cfg);
	l = &cfg.lists.filters[CFG_SIDE_WAN][CFG_DIR_IN];
	l->v = calloc(CFG_FILTER_RULES_MAX + 1, sizeof(*l->v));
	ck_assert_ptr_nonnull(l->v);
	l->cap = CFG_FILTER_RULES_MAX + 1;
	l->n = 1;
	l->v[0] = (struct cfg_filter_rule){
	        .action = FILTER_ACT_DROP, .proto = CFG_TCP, .has_dport = true, .dport = {22, 22}};
	expect_clean(&cfg);
	l->v[0].proto = CFG_ICMP;
	expect_one(&cfg, "filters.wan.in[0]",
	           "source_port and destination_port need protocol tcp or udp");
	l->v[0].proto = -1;
	expect_one(&cfg, "filters.wan.in[0]", "need protocol tcp or udp");
	l->v[0] = (struct cfg_filter_rule){.action = FILTER_ACT_DROP, .proto = -1, .has_b4 = true};
	expect_one(&cfg, "filters.wan.in[0]", "b4: only the transport side's rules match a B4");
	l->v[0].has_b4 = false;
	for (size_t i = 1; i <= CFG_FILTER_RULES_MAX; i++)
		l->v[i] = l->v[0];
	l->n = CFG_FILTER_RULES_MAX + 1;
	expect_one(&cfg, "filters.wan.in", "65 rules: at most 64");
	cfg_free(&cfg);
}
END_TEST

/* A softwire's BR address, and the endpoints themselves. */
START_TEST(test_softwire_endpoint)
{
	struct aftr_config cfg;

	base_cfg(&cfg);
	ck_assert_int_eq(addr6_parse("2001:db8::2", &cfg.fixed.endpoints[0], NULL, 0), 0);
	cfg.fixed.n_endpoints = 1;
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 1);
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 2);
	cfg.lists.softwires[1].endpoint = cfg.fixed.endpoints[0];
	cfg.lists.softwires[0].endpoint = cfg.fixed.endpoint;
	expect_clean(&cfg);
	ck_assert_int_eq(addr6_parse("2001:db8::3", &cfg.lists.softwires[1].endpoint, NULL, 0), 0);
	expect_one(&cfg, "softwires[1]",
	           "endpoint 2001:db8::3 is neither endpoint nor one of endpoints");
	cfg.lists.softwires[1].endpoint = cfg.fixed.endpoints[0];
	cfg.fixed.endpoints[1] = cfg.fixed.endpoints[0];
	cfg.fixed.n_endpoints = 2;
	expect_one(&cfg, "endpoints[1]", "2001:db8::2 is listed already");
	cfg.fixed.endpoints[1] = cfg.fixed.endpoint;
	expect_one(&cfg, "endpoints[1]", "is listed already");
	ck_assert_int_eq(addr6_parse("ff02::1", &cfg.fixed.endpoints[1], NULL, 0), 0);
	expect_one(&cfg, "endpoints[1]", "ff02::1: not a unicast address");
	ck_assert_int_eq(addr6_parse("::ffff:192.0.2.9", &cfg.fixed.endpoints[1], NULL, 0), 0);
	expect_one(&cfg, "endpoints[1]", "not a unicast address");
	cfg.fixed.n_endpoints = 1;
	memset(&cfg.lists.softwires[0].endpoint, 0, sizeof(cfg.lists.softwires[0].endpoint));
	memset(&cfg.fixed.endpoint, 0, sizeof(cfg.fixed.endpoint));
	expect_one(&cfg, "endpoint", ":: not a unicast address");
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_softwire_same_psid)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 5);
	add_softwire(&cfg, B4B, "192.0.2.2", 6, 6, 5); /* other address */
	add_softwire(&cfg, B4C, "192.0.2.1", 6, 6, 6); /* other PSID */
	expect_clean(&cfg);
	add_softwire(&cfg, "2001:db8:100::4", "192.0.2.1", 6, 6, 5);
	expect_one(&cfg, "softwires[3]",
	           "port set (psid 5/6, offset 6) on 192.0.2.1 overlaps softwires[0]");
	/* A third claim is reported too. */
	add_softwire(&cfg, "2001:db8:100::5", "192.0.2.1", 6, 6, 5);
	ck_assert_uint_eq(validate(&cfg, &d), 2);
	expect_err(&d, 0, "softwires[3]", "overlaps softwires[0]");
	expect_err(&d, 1, "softwires[4]", "overlaps softwires[3]");
	diag_free(&d);
	cfg_free(&cfg);

	/* psid_len 0: one softwire owns the whole address. */
	base_cfg(&cfg);
	add_softwire(&cfg, B4A, "192.0.2.1", 0, 0, 0);
	add_softwire(&cfg, B4B, "192.0.2.1", 0, 0, 0);
	expect_one(&cfg, "softwires[1]",
	           "port set (psid 0/0, offset 0) on 192.0.2.1 overlaps "
	           "softwires[0]");
	cfg_free(&cfg);
}
END_TEST

/* Different PSID lengths or offsets on one address: overlap of the port sets. */
START_TEST(test_softwire_mixed_psid_len)
{
	struct aftr_config cfg;

	/* 0/1 is ports 0-32767, 1/2 is 16384-32767. */
	base_cfg(&cfg);
	add_softwire(&cfg, B4A, "192.0.2.1", 0, 1, 0);
	add_softwire(&cfg, B4B, "192.0.2.1", 0, 2, 1);
	expect_one(&cfg, "softwires[1]",
	           "port set (psid 1/2, offset 0) on 192.0.2.1 overlaps softwires[0]");
	cfg_free(&cfg);

	/* The same pair listed the other way round. */
	base_cfg(&cfg);
	add_softwire(&cfg, B4B, "192.0.2.1", 0, 2, 1);
	add_softwire(&cfg, B4A, "192.0.2.1", 0, 1, 0);
	expect_one(&cfg, "softwires[0]", "overlaps softwires[1]");
	cfg_free(&cfg);

	/* 2/2 is 32768-49151 and 3/2 49152-65535: with 0/1 they tile the space. */
	base_cfg(&cfg);
	add_softwire(&cfg, B4A, "192.0.2.1", 0, 1, 0);
	add_softwire(&cfg, B4B, "192.0.2.1", 0, 2, 2);
	expect_clean(&cfg);
	add_softwire(&cfg, B4C, "192.0.2.1", 0, 2, 3);
	expect_clean(&cfg);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_softwire_mixed_offset)
{
	struct aftr_config cfg;

	/* offset 0, 6/0: ports 0-1023, the block that offset 6 leaves out. */
	base_cfg(&cfg);
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 1);
	add_softwire(&cfg, B4B, "192.0.2.1", 0, 6, 0);
	expect_clean(&cfg);
	/* offset 0, 6/2: ports 2048-3071, which holds 2064-2079 of offset 6
	 * psid 1. Sets are marked in (offset, psid_len, psid) order, so the
	 * offset 6 entry is the one found to clash. */
	add_softwire(&cfg, B4C, "192.0.2.1", 0, 6, 2);
	expect_one(&cfg, "softwires[0]",
	           "port set (psid 1/6, offset 6) on 192.0.2.1 overlaps softwires[2]");
	cfg_free(&cfg);
	/* A softwire is named by its address and PSID: psid 0 of offset 0
	 * (ports 0-1023) and of offset 6 do not overlap, but share a name. */
	base_cfg(&cfg);
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 0);
	add_softwire(&cfg, B4B, "192.0.2.1", 0, 6, 0);
	expect_one(&cfg, "softwires[0]",
	           "psid 0 on 192.0.2.1 is softwires[1]'s already (a softwire is named by its "
	           "address and PSID)");
	cfg_free(&cfg);
}
END_TEST

/* ---- Several rules at once, and the diag contract ----------------------------------------- */

START_TEST(test_errors_add_up)
{
	struct aftr_config cfg;
	struct diag d;
	size_t n;

	base_cfg(&cfg);
	cfg.fixed.has_icmp_source = false;
	add_pool(&cfg, POOL);
	add_tunnel(&cfg, B4A, "198.51.100.9");
	add_nat(&cfg, B4B, CFG_UDP, "10.0.0.1", 53, POOL, 5353);
	add_softwire(&cfg, B4C, POOL, 0, 0, 0);
	ck_assert_uint_eq(validate(&cfg, &d), 5);
	ck_assert_uint_eq(d.n, 5);
	expect_err(&d, 0, "icmp_source", "required");
	expect_err(&d, 1, "pools[1]", "listed twice");
	expect_err(&d, 2, "tunnels[0]", "is not a pool address");
	expect_err(&d, 3, "static_nat[0]", "port 5353 is inside the dynamic udp range");
	expect_err(&d, 4, "softwires[0]", "is a NAT pool address");

	/* cfg_validate counts what it adds, not what d held before. */
	n = cfg_validate(&cfg, &d);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(d.errors, 10);
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

/* Positions of entries read from a file go with their errors. */
START_TEST(test_error_positions)
{
	struct aftr_config cfg;
	struct diag d;

	base_cfg(&cfg);
	add_pool(&cfg, POOL)->pos = (struct cfg_pos){17, 5};
	add_softwire(&cfg, B4A, "192.0.2.1", 6, 6, 5);
	add_softwire(&cfg, B4B, "192.0.2.1", 6, 6, 5)->pos = (struct cfg_pos){42, 9};
	ck_assert_uint_eq(validate(&cfg, &d), 2);
	expect_err(&d, 0, "pools[1]", "listed twice");
	ck_assert_uint_eq(d.v[0].line, 17);
	ck_assert_uint_eq(d.v[0].col, 5);
	expect_err(&d, 1, "softwires[1]", "overlaps softwires[0]");
	ck_assert_uint_eq(d.v[1].line, 42);
	ck_assert_uint_eq(d.v[1].col, 9);
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

/* ---- Scale -------------------------------------------------------------------------------- */

#define SCALE_N     100000
#define SCALE_ADDRS 1563 /* ceil(100000 / 64) */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100,000 softwires, 64 PSIDs (offset 6, psid_len 6) on each of 1,563 addresses. */
static void scale_cfg(struct aftr_config *cfg)
{
	uint32_t base = a4("198.18.0.0");

	base_cfg(cfg);
	for (uint32_t i = 0; i < SCALE_N; i++) {
		struct cfg_softwire *s = VEC_PUSH(cfg->lists.softwires, cfg->lists.n_softwires,
		                                  cfg->lists.cap_softwires);

		EXPECT(s != NULL, "out of memory at %u", i);
		s->b4 = a6("2001:db8:200::");
		s->b4.b[12] = (uint8_t)(i >> 24);
		s->b4.b[13] = (uint8_t)(i >> 16);
		s->b4.b[14] = (uint8_t)(i >> 8);
		s->b4.b[15] = (uint8_t)i;
		s->ipv4 = base + i / 64;
		s->psid = (struct psid_params){6, 6, (uint16_t)(i % 64)};
	}
	ck_assert_uint_eq(cfg->lists.softwires[SCALE_N - 1].ipv4 - base + 1, SCALE_ADDRS);
}

START_TEST(test_scale_softwires)
{
	struct aftr_config cfg;
	struct diag d;
	double t;
	size_t n;

	scale_cfg(&cfg);
	t = now();
	n = validate(&cfg, &d);
	t = now() - t;
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_msg(t < 2.0, "validating %d softwires took %.2f s", SCALE_N, t);
	diag_free(&d);

	/* One PSID claimed twice, far apart in the list. */
	cfg.lists.softwires[70000].ipv4 = cfg.lists.softwires[17].ipv4;
	cfg.lists.softwires[70000].psid = cfg.lists.softwires[17].psid;
	ck_assert_uint_eq(validate(&cfg, &d), 1);
	ck_assert_uint_eq(d.n, 1);
	expect_err(&d, 0, "softwires[70000]",
	           "port set (psid 17/6, offset 6) on 198.18.0.0 overlaps softwires[17]");
	diag_free(&d);
	cfg_free(&cfg);

	/* One B4 with two softwires. */
	scale_cfg(&cfg);
	cfg.lists.softwires[99999].b4 = cfg.lists.softwires[3].b4;
	ck_assert_uint_eq(validate(&cfg, &d), 0);
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

static Suite *config_check_suite(void)
{
	Suite *s = suite_create("config_check");
	TCase *req = tcase_create("required");
	TCase *pools = tcase_create("pools");
	TCase *maps = tcase_create("mappings");
	TCase *sw = tcase_create("softwires");
	TCase *scale = tcase_create("scale");

	tcase_add_test(req, test_base_valid);
	tcase_add_test(req, test_one_port_and_macs);
	tcase_add_test(req, test_required_all_missing);
	tcase_add_test(req, test_required_each);
	tcase_add_test(req, test_acl6_not_required_without_auto);
	tcase_add_test(req, test_pools_not_required_with_softwires);
	tcase_add_test(req, test_private_empty);
	tcase_add_test(req, test_errors_add_up);
	tcase_add_test(req, test_error_positions);
	suite_add_tcase(s, req);

	tcase_add_test(pools, test_duplicate_acl6);
	tcase_add_test(pools, test_duplicate_private);
	tcase_add_test(pools, test_duplicate_pool);
	tcase_add_test(pools, test_pool_listed_thrice);
	tcase_add_test(pools, test_pool_inside_nonat);
	tcase_add_test(pools, test_pcp_range_vs_dynamic);
	tcase_add_test(pools, test_pcp_from_json);
	suite_add_tcase(s, pools);

	tcase_add_test(maps, test_tunnel_ipv4_not_pool);
	tcase_add_test(maps, test_duplicate_tunnel);
	tcase_add_test(maps, test_nat_port_vs_dynamic_range);
	tcase_add_test(maps, test_nat_ext_not_pool);
	tcase_add_test(maps, test_nat_from_json_isc_rule);
	tcase_add_test(maps, test_prr_public_port);
	tcase_add_test(maps, test_external_duplicates);
	tcase_add_test(maps, test_inside_duplicates);
	tcase_add_test(maps, test_req2_warning);
	tcase_add_test(maps, test_nonat_b4_has_other_entries);
	tcase_add_test(maps, test_nonat_overlap);
	tcase_add_test(maps, test_nonat_duplicate_b4);
	suite_add_tcase(s, maps);

	tcase_add_test(sw, test_b4_not_unicast);
	tcase_add_test(sw, test_martian_addresses);
	tcase_add_test(sw, test_private_overlaps);
	tcase_add_test(sw, test_open_api_warning);
	tcase_add_test(sw, test_softwire_address_is_pool);
	tcase_add_test(sw, test_softwire_inside_nonat);
	tcase_add_test(sw, test_softwire_duplicate_b4);
	tcase_add_test(sw, test_softwire_endpoint);
	tcase_add_test(sw, test_filters);
	tcase_add_test(sw, test_softwire_same_psid);
	tcase_add_test(sw, test_softwire_mixed_psid_len);
	tcase_add_test(sw, test_softwire_mixed_offset);
	suite_add_tcase(s, sw);

	/* The 2 s budget is asserted inside; sanitizer builds need room for the setup. */
	tcase_set_timeout(scale, 60);
	tcase_add_test(scale, test_scale_softwires);
	suite_add_tcase(s, scale);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_check_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
