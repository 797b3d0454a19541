/* Unit tests of the JSON codec of the configuration model (lib/config/config_enc.c,
 * lib/config/config_dec.c, lib/config/jdec.c): round trips of every object and of whole
 * configurations, the sparse form, and the errors: their key paths and messages. */

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_json.h"
#include "diag.h"
#include "jdec.h"
#include "util.h"

/* Test texts write ' for " so that they read without escapes. */
static json_t *jparse(const char *text)
{
	char *s = strdup(text);
	json_error_t e;
	json_t *v;

	ck_assert_ptr_nonnull(s);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(s, JSON_DECODE_ANY, &e);
	ck_assert_msg(v != NULL, "bad test JSON (%s): %s", e.text, s);
	free(s);
	return v;
}

/* Compares through sorted compact dumps, so that a failure shows both texts. */
static void assert_json_eq(const json_t *got, const json_t *want)
{
	char *g, *w;

	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(want);
	g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
	w = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
	ck_assert_str_eq(g, w);
	ck_assert(json_equal(got, want));
	free(g);
	free(w);
}

static void assert_json_text(const json_t *got, const char *want)
{
	json_t *w = jparse(want);

	assert_json_eq(got, w);
	json_decref(w);
}

/* Entry i of d is an error at exactly path with exactly msg. */
static void expect_err(const struct diag *d, size_t i, const char *path, const char *msg)
{
	ck_assert_msg(i < d->n, "no diag entry %zu (only %zu)", i, d->n);
	ck_assert_int_eq(d->v[i].level, DIAG_ERROR);
	ck_assert_str_eq(d->v[i].path, path);
	ck_assert_str_eq(d->v[i].msg, msg);
	/* Plain JSON has no source positions. */
	ck_assert_uint_eq(d->v[i].line, 0);
	ck_assert_uint_eq(d->v[i].col, 0);
}

/* d holds exactly one entry: an error at path with msg. */
static void expect_one_err(const struct diag *d, const char *path, const char *msg)
{
	ck_assert_uint_eq(d->n, 1);
	ck_assert_uint_eq(d->errors, 1);
	ck_assert_uint_eq(d->warnings, 0);
	expect_err(d, 0, path, msg);
}

/* Is there an error at path whose message contains frag? */
static bool has_err(const struct diag *d, const char *path, const char *frag)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == DIAG_ERROR && strcmp(d->v[i].path, path) == 0 &&
		    strstr(d->v[i].msg, frag) != NULL)
			return true;
	return false;
}

/* One object of each kind the API decodes. */
enum kind { T_POOL, T_PCP_POOL, T_TUNNEL, T_NAT, T_PRR, T_NONAT, T_SOFTWIRE };

union obj {
	struct cfg_pool pool;
	struct cfg_pcp_pool pcp;
	struct cfg_tunnel tunnel;
	struct cfg_nat nat;
	struct cfg_prr prr;
	struct cfg_nonat nonat;
	struct cfg_softwire sw;
};

static int obj_decode(enum kind k, struct jdec *j, const json_t *node, union obj *o)
{
	memset(o, 0, sizeof(*o));
	switch (k) {
	case T_POOL:
		return cfg_pool_from_json(j, node, &o->pool);
	case T_PCP_POOL:
		return cfg_pcp_pool_from_json(j, node, &o->pcp);
	case T_TUNNEL:
		return cfg_tunnel_from_json(j, node, &o->tunnel);
	case T_NAT:
		return cfg_nat_from_json(j, node, &o->nat);
	case T_PRR:
		return cfg_prr_from_json(j, node, &o->prr);
	case T_NONAT:
		return cfg_nonat_from_json(j, node, &o->nonat);
	case T_SOFTWIRE:
		return cfg_softwire_from_json(j, node, &o->sw);
	}
	ck_abort_msg("bad kind %d", (int)k);
	return -1;
}

static json_t *obj_encode(enum kind k, const union obj *o)
{
	struct aftr_config cfg;
	json_t *v = NULL;

	switch (k) {
	case T_POOL:
		ck_assert_int_eq(cfg_init(&cfg), 0);
		v = cfg_pool_to_json(&cfg, &o->pool);
		cfg_free(&cfg);
		break;
	case T_PCP_POOL:
		v = cfg_pcp_pool_to_json(&o->pcp);
		break;
	case T_TUNNEL:
		v = cfg_tunnel_to_json(&o->tunnel);
		break;
	case T_NAT:
		v = cfg_nat_to_json(&o->nat);
		break;
	case T_PRR:
		v = cfg_prr_to_json(&o->prr);
		break;
	case T_NONAT:
		v = cfg_nonat_to_json(&o->nonat);
		break;
	case T_SOFTWIRE:
		v = cfg_softwire_to_json(&o->sw);
		break;
	}
	ck_assert_ptr_nonnull(v);
	return v;
}

/* Decodes node as one object at the root path (as the API does); the path
 * must be back to empty afterwards, whatever happened. */
static int decode_node(enum kind k, const json_t *node, union obj *o, struct diag *d)
{
	struct jdec j;
	int rc;

	diag_init(d, NULL);
	jdec_init(&j, d);
	rc = obj_decode(k, &j, node, o);
	ck_assert_str_eq(j.path, "");
	ck_assert_uint_eq(j.plen, 0);
	return rc;
}

static int decode_text(enum kind k, const char *text, union obj *o, struct diag *d)
{
	json_t *v = jparse(text);
	int rc = decode_node(k, v, o, d);

	json_decref(v);
	return rc;
}

/* Decodes a whole configuration onto cfg_init() defaults. */
static int load_cfg(const char *text, struct aftr_config *cfg, struct diag *d)
{
	json_t *v = jparse(text);
	struct jdec j;
	int rc;

	ck_assert_int_eq(cfg_init(cfg), 0);
	diag_init(d, NULL);
	jdec_init(&j, d);
	rc = cfg_from_json(cfg, v, &j);
	ck_assert_str_eq(j.path, "");
	json_decref(v);
	return rc;
}

static const char *const kind_name[] = {"pool", "pcp pool", "tunnel",  "nat",
                                        "prr",  "nonat",    "softwire"};

/* ---- One object: round trips ------------------------------------------------------------- */

/* Input and its canonical encoding (NULL: the input is canonical). */
static const struct {
	enum kind k;
	const char *in, *canon;
} roundtrips[] = {
        {T_POOL, "{'address':'192.0.2.1'}", NULL},
        {T_POOL, "{'address':'192.0.2.1','tcp':'5000-65535','udp':'1024-65535','echo':'0-65535'}",
         NULL},
        {T_POOL, "{'address':'192.0.2.1','tcp':5000,'echo':'7-7'}",
         "{'address':'192.0.2.1','tcp':'5000','echo':'7'}"},
        {T_PCP_POOL, "{'address':'192.0.2.1'}", NULL},
        {T_PCP_POOL, "{'address':'192.0.2.1','tcp':'1024-2047','udp':'1024-2047'}", NULL},
        {T_TUNNEL, "{'b4':'2001:db8::2'}", NULL},
        {T_TUNNEL,
         "{'b4':'2001:db8::1','ipv4':'192.0.2.1','mtu':1400,'mss':true,'toobig':'strict',"
         "'admpro':'in'}",
         NULL},
        {T_TUNNEL, "{'b4':'2001:DB8:0::1','mtu':1280,'mss':'off','toobig':true,'admpro':false}",
         "{'b4':'2001:db8::1','mtu':1280,'mss':false,'toobig':'on','admpro':'off'}"},
        {T_NAT,
         "{'b4':'2001:db8::1','protocol':'tcp','address':'10.0.0.1','port':80,"
         "'external_address':'192.0.2.1','external_port':8080}",
         NULL},
        {T_NAT,
         "{'b4':'2001:db8::1','protocol':'udp','address':'10.0.0.1','port':53,"
         "'external_address':'192.0.2.1','external_port':53,"
         "'filter':{'destination':'198.51.100.0/24','port':443}}",
         NULL},
        /* A bare filter address is a host; the port defaults to any (0). */
        {T_NAT,
         "{'b4':'2001:db8::1','protocol':'TCP','address':'10.0.0.1','port':22,"
         "'external_address':'192.0.2.1','external_port':2222,"
         "'filter':{'destination':'198.51.100.7'}}",
         "{'b4':'2001:db8::1','protocol':'tcp','address':'10.0.0.1','port':22,"
         "'external_address':'192.0.2.1','external_port':2222,"
         "'filter':{'destination':'198.51.100.7/32','port':0}}"},
        {T_PRR, "{'b4':'2001:db8::1','protocol':'tcp','address':'192.0.2.1','port':1234}", NULL},
        {T_PRR, "{'b4':'2001:db8::1','protocol':'udp','address':'192.0.2.1','port':65535}", NULL},
        /* An ICMP entry's port is an echo identifier: 0 is one. */
        {T_PRR, "{'b4':'2001:db8::1','protocol':'icmp','address':'192.0.2.1','port':0}", NULL},
        {T_NONAT, "{'b4':'2001:db8::1','prefix':'198.51.100.0/28'}", NULL},
        {T_NONAT, "{'b4':'2001:db8::1','prefix':'198.51.100.5/32'}", NULL},
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':5,'psid_len':6,'offset':6}",
         NULL},
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':0,'psid_len':0,'offset':0}",
         NULL},
        {T_SOFTWIRE,
         "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':65535,'psid_len':16,'offset':0}", NULL},
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':1,'psid_len':1,'offset':15}",
         NULL},
};

START_TEST(test_object_roundtrip)
{
	const char *canon = roundtrips[_i].canon ? roundtrips[_i].canon : roundtrips[_i].in;
	enum kind k = roundtrips[_i].k;
	union obj o;
	struct diag d;
	json_t *e1, *e2;

	ck_assert_msg(decode_text(k, roundtrips[_i].in, &o, &d) == 0, "%s: %s", kind_name[k],
	              d.n ? d.v[0].msg : "?");
	ck_assert_uint_eq(d.n, 0);
	e1 = obj_encode(k, &o);
	assert_json_text(e1, canon);
	ck_assert_int_eq(decode_node(k, e1, &o, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	e2 = obj_encode(k, &o);
	assert_json_eq(e2, e1);
	json_decref(e1);
	json_decref(e2);
	diag_free(&d);
}
END_TEST

static struct addr6 a6(const char *s)
{
	struct addr6 a;

	ck_assert_int_eq(addr6_parse(s, &a, NULL, 0), 0);
	return a;
}

static uint32_t a4(const char *s)
{
	uint32_t a;

	ck_assert_int_eq(addr4_parse(s, &a, NULL, 0), 0);
	return a;
}

/* Model -> JSON -> model -> JSON, starting from structures built in C. */
static void check_encode_decode(enum kind k, const union obj *o, const char *want)
{
	union obj back;
	struct diag d;
	json_t *e1 = obj_encode(k, o), *e2;

	assert_json_text(e1, want);
	ck_assert_int_eq(decode_node(k, e1, &back, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	e2 = obj_encode(k, &back);
	assert_json_eq(e2, e1);
	json_decref(e1);
	json_decref(e2);
	diag_free(&d);
}

START_TEST(test_object_encode_from_model)
{
	union obj o;

	memset(&o, 0, sizeof(o));
	o.pool.addr = a4("192.0.2.1");
	o.pool.has_range[CFG_TCP] = true;
	o.pool.range[CFG_TCP] = (struct port_range){5000, 65535};
	o.pool.range[CFG_UDP] = (struct port_range){9, 9}; /* not has_range: not written */
	check_encode_decode(T_POOL, &o, "{'address':'192.0.2.1','tcp':'5000-65535'}");

	memset(&o, 0, sizeof(o));
	o.pcp.addr = a4("192.0.2.2");
	o.pcp.has_range[1] = true;
	o.pcp.range[1] = (struct port_range){1024, 2047};
	check_encode_decode(T_PCP_POOL, &o, "{'address':'192.0.2.2','udp':'1024-2047'}");

	memset(&o, 0, sizeof(o));
	o.tunnel.b4 = a6("2001:db8::1");
	o.tunnel.mss = 0;
	o.tunnel.toobig = CFG_INHERIT;
	o.tunnel.admpro = ADMPRO_ALL;
	check_encode_decode(T_TUNNEL, &o, "{'b4':'2001:db8::1','mss':false,'admpro':'all'}");

	memset(&o, 0, sizeof(o));
	o.nat.b4 = a6("2001:db8::1");
	o.nat.proto = CFG_UDP;
	o.nat.addr = a4("10.0.0.9");
	o.nat.port = 5353;
	o.nat.ext_addr = a4("192.0.2.1");
	o.nat.ext_port = 53;
	check_encode_decode(T_NAT, &o,
	                    "{'b4':'2001:db8::1','protocol':'udp','address':'10.0.0.9','port':5353,"
	                    "'external_address':'192.0.2.1','external_port':53}");
	o.nat.has_filter = true;
	o.nat.filter_dst = (struct prefix4){a4("203.0.113.5"), 32};
	o.nat.filter_port = 53;
	check_encode_decode(T_NAT, &o,
	                    "{'b4':'2001:db8::1','protocol':'udp','address':'10.0.0.9','port':5353,"
	                    "'external_address':'192.0.2.1','external_port':53,"
	                    "'filter':{'destination':'203.0.113.5/32','port':53}}");

	memset(&o, 0, sizeof(o));
	o.prr.b4 = a6("2001:db8::1");
	o.prr.proto = CFG_ICMP;
	o.prr.addr = a4("192.0.2.1");
	o.prr.port = 0;
	check_encode_decode(
	        T_PRR, &o, "{'b4':'2001:db8::1','protocol':'icmp','address':'192.0.2.1','port':0}");

	memset(&o, 0, sizeof(o));
	o.nonat.b4 = a6("2001:db8::3");
	o.nonat.prefix = (struct prefix4){a4("198.51.100.16"), 28};
	check_encode_decode(T_NONAT, &o, "{'b4':'2001:db8::3','prefix':'198.51.100.16/28'}");

	memset(&o, 0, sizeof(o));
	o.sw.b4 = a6("2001:db8::4");
	o.sw.ipv4 = a4("192.0.2.7");
	o.sw.psid = (struct psid_params){6, 6, 63};
	check_encode_decode(T_SOFTWIRE, &o,
	                    "{'b4':'2001:db8::4','ipv4':'192.0.2.7','psid':63,'psid_len':6,"
	                    "'offset':6}");
}
END_TEST

/* ---- One object: required, optional and unknown keys ------------------------------------- */

static const struct {
	enum kind k;
	const char *full;
	const char *const required[7];
} required_keys[] = {
        {T_POOL,
         "{'address':'192.0.2.1','tcp':'5000-65535','udp':'1024-65535','echo':'0-65535'}",
         {"address", NULL}},
        {T_PCP_POOL,
         "{'address':'192.0.2.1','tcp':'1024-2047','udp':'1024-2047'}",
         {"address", NULL}},
        {T_TUNNEL,
         "{'b4':'2001:db8::1','ipv4':'192.0.2.1','mtu':1400,'mss':true,'toobig':'strict',"
         "'admpro':'in'}",
         {"b4", NULL}},
        {T_NAT,
         "{'b4':'2001:db8::1','protocol':'tcp','address':'10.0.0.1','port':80,"
         "'external_address':'192.0.2.1','external_port':8080,"
         "'filter':{'destination':'198.51.100.0/24','port':443}}",
         {"b4", "protocol", "address", "port", "external_address", "external_port", NULL}},
        /* tcp, not icmp: without a protocol, echo id 0 would also be out of range. */
        {T_PRR,
         "{'b4':'2001:db8::1','protocol':'tcp','address':'192.0.2.1','port':1234}",
         {"b4", "protocol", "address", "port", NULL}},
        {T_NONAT, "{'b4':'2001:db8::1','prefix':'198.51.100.0/28'}", {"b4", "prefix", NULL}},
        {T_SOFTWIRE,
         "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':5,'psid_len':6,'offset':6}",
         {"b4", "ipv4", "psid", "psid_len", "offset", NULL}},
};

static bool is_required(size_t i, const char *key)
{
	for (const char *const *r = required_keys[i].required; *r; r++)
		if (strcmp(*r, key) == 0)
			return true;
	return false;
}

/* Each required key missing: exactly one error, at the key, "required".
 * Each other key missing: no error at all. */
START_TEST(test_object_required_keys)
{
	json_t *full = jparse(required_keys[_i].full);
	enum kind k = required_keys[_i].k;
	const char *key;
	json_t *v;
	size_t nreq = 0, nlisted = 0;

	json_object_foreach(full, key, v) {
		json_t *cut = json_deep_copy(full);
		union obj o;
		struct diag d;
		int rc;

		ck_assert_int_eq(json_object_del(cut, key), 0);
		rc = decode_node(k, cut, &o, &d);
		if (is_required(_i, key)) {
			nreq++;
			ck_assert_msg(rc == -1, "%s without %s accepted", kind_name[k], key);
			expect_one_err(&d, key, "required");
		} else {
			ck_assert_msg(rc == 0, "%s without %s refused", kind_name[k], key);
			ck_assert_uint_eq(d.n, 0);
		}
		diag_free(&d);
		json_decref(cut);
	}
	/* Every listed required key was in the full object, and was tried. */
	for (const char *const *r = required_keys[_i].required; *r; r++)
		nlisted++;
	ck_assert_uint_eq(nreq, nlisted);
	json_decref(full);
}
END_TEST

START_TEST(test_nat_filter_keys)
{
	static const char *const base =
	        "{'b4':'2001:db8::1','protocol':'tcp','address':'10.0.0.1','port':80,"
	        "'external_address':'192.0.2.1','external_port':8080,'filter':%s}";
	char text[512];
	union obj o;
	struct diag d;

	snprintf(text, sizeof(text), base, "{'port':443}");
	ck_assert_int_eq(decode_text(T_NAT, text, &o, &d), -1);
	expect_one_err(&d, "filter.destination", "required");
	diag_free(&d);

	snprintf(text, sizeof(text), base, "{'destination':'198.51.100.0/24','proto':'tcp'}");
	decode_text(T_NAT, text, &o, &d);
	expect_one_err(&d, "filter.proto", "unknown key");
	diag_free(&d);

	snprintf(text, sizeof(text), base, "'any'");
	ck_assert_int_eq(decode_text(T_NAT, text, &o, &d), -1);
	expect_one_err(&d, "filter", "expected a mapping, found a string");
	diag_free(&d);

	snprintf(text, sizeof(text), base, "{'destination':'198.51.100.1/24'}");
	ck_assert_int_eq(decode_text(T_NAT, text, &o, &d), -1);
	expect_one_err(&d, "filter.destination",
	               "198.51.100.1/24: host bits set (did you mean 198.51.100.0/24?)");
	diag_free(&d);

	snprintf(text, sizeof(text), base, "{'destination':'198.51.100.0/24','port':65536}");
	ck_assert_int_eq(decode_text(T_NAT, text, &o, &d), -1);
	expect_one_err(&d, "filter.port", "65536 is out of range 0..65535");
	diag_free(&d);

	/* A valid filter is decoded into the model. */
	snprintf(text, sizeof(text), base, "{'destination':'198.51.100.0/24','port':443}");
	ck_assert_int_eq(decode_text(T_NAT, text, &o, &d), 0);
	ck_assert(o.nat.has_filter);
	ck_assert_uint_eq(o.nat.filter_dst.addr, a4("198.51.100.0"));
	ck_assert_uint_eq(o.nat.filter_dst.len, 24);
	ck_assert_uint_eq(o.nat.filter_port, 443);
	diag_free(&d);
}
END_TEST

/* An unknown key is reported at its own path and the rest is still read. */
START_TEST(test_object_unknown_key_reported)
{
	json_t *v = jparse(required_keys[_i].full);
	enum kind k = required_keys[_i].k;
	union obj o;
	struct diag d;

	json_object_set_new(v, "bogus", json_integer(1));
	decode_node(k, v, &o, &d);
	expect_one_err(&d, "bogus", "unknown key");
	diag_free(&d);
	json_decref(v);
}
END_TEST

/* config_json.h: "each returns 0, or -1 when it reported an error". An API
 * caller that trusts the return value must not take an object with a
 * misspelt key ("mtuu") as valid. Lists the kinds that get it wrong. */
START_TEST(test_object_unknown_key_fails)
{
	char wrong[256] = "";

	for (size_t i = 0; i < ARRAY_SIZE(required_keys); i++) {
		json_t *v = jparse(required_keys[i].full);
		enum kind k = required_keys[i].k;
		union obj o;
		struct diag d;
		int rc;

		json_object_set_new(v, "bogus", json_integer(1));
		rc = decode_node(k, v, &o, &d);
		ck_assert_uint_eq(d.errors, 1);
		if (rc != -1)
			snprintf(wrong + strlen(wrong), sizeof(wrong) - strlen(wrong), " %s",
			         kind_name[k]);
		diag_free(&d);
		json_decref(v);
	}
	ck_assert_msg(wrong[0] == '\0', "unknown key reported but the decoder returned 0 for:%s",
	              wrong);
}
END_TEST

START_TEST(test_object_not_a_mapping)
{
	static const char *const texts[] = {"[1]", "'b4'", "5", "null", "true"};
	static const char *const found[] = {"a list", "a string", "a number", "null", "a boolean"};

	for (size_t t = 0; t < ARRAY_SIZE(texts); t++) {
		for (int k = T_POOL; k <= T_SOFTWIRE; k++) {
			char msg[64];
			union obj o;
			struct diag d;

			ck_assert_int_eq(decode_text(k, texts[t], &o, &d), -1);
			snprintf(msg, sizeof(msg), "expected a mapping, found %s", found[t]);
			expect_one_err(&d, "", msg);
			diag_free(&d);
		}
	}
}
END_TEST

/* ---- One object: bad values --------------------------------------------------------------- */

static const struct {
	enum kind k;
	const char *text, *path, *msg;
} bad_values[] = {
        /* Wrong types. */
        {T_POOL, "{'address':5}", "address", "expected a string, found a number"},
        {T_POOL, "{'address':'192.0.2.1','tcp':[1]}", "tcp",
         "expected a port range such as 1024-65535, found a list"},
        {T_POOL, "{'address':'192.0.2.1','udp':true}", "udp",
         "expected a port range such as 1024-65535, found a boolean"},
        {T_PCP_POOL, "{'address':'192.0.2'}", "address", "192.0.2: not an IPv4 address"},
        {T_TUNNEL, "{'b4':'2001:db8::1','mtu':'1400'}", "mtu",
         "expected an integer, found a string"},
        {T_TUNNEL, "{'b4':'2001:db8::1','mtu':1400.5}", "mtu",
         "expected an integer, found a number"},
        {T_TUNNEL, "{'b4':'2001:db8::1','mss':1}", "mss",
         "expected true or false (or on/off), found a number"},
        {T_TUNNEL, "{'b4':'2001:db8::1','mss':'yes'}", "mss",
         "expected true or false (or on/off), found yes"},
        {T_TUNNEL, "{'b4':'2001:db8::1','toobig':3}", "toobig", "3: expected one of on|off|strict"},
        {T_TUNNEL, "{'b4':'2001:db8::1','admpro':'both'}", "admpro",
         "both: expected one of off|in|out|all"},
        {T_TUNNEL, "{'b4':'2001:db8::g'}", "b4", "2001:db8::g: not an IPv6 address"},
        {T_TUNNEL, "{'b4':'2001:db8::1','ipv4':'192.0.2.1/32'}", "ipv4",
         "192.0.2.1/32: not an IPv4 address"},
        {T_NAT,
         "{'b4':null,'protocol':'tcp','address':'10.0.0.1','port':80,"
         "'external_address':'192.0.2.1','external_port':8080}",
         "b4", "expected a string, found null"},
        {T_NAT,
         "{'b4':'2001:db8::1','protocol':'icmp','address':'10.0.0.1','port':80,"
         "'external_address':'192.0.2.1','external_port':8080}",
         "protocol", "icmp: expected one of tcp|udp"},
        {T_NAT,
         "{'b4':'2001:db8::1','protocol':'tcp','address':'10.0.0.1','port':'80',"
         "'external_address':'192.0.2.1','external_port':8080}",
         "port", "expected an integer, found a string"},
        {T_PRR, "{'b4':'2001:db8::1','protocol':'sctp','address':'192.0.2.1','port':1}", "protocol",
         "sctp: expected one of tcp|udp|icmp"},
        {T_NONAT, "{'b4':'2001:db8::1','prefix':24}", "prefix",
         "expected a string, found a number"},
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':true,'psid_len':6,'offset':6}",
         "psid", "expected an integer, found a boolean"},
        /* Out of range. */
        {T_POOL, "{'address':'192.0.2.1','tcp':'0-100'}", "tcp",
         "0-100: ports below 1 are not allowed"},
        {T_POOL, "{'address':'192.0.2.1','udp':'70000-80000'}", "udp",
         "70000-80000 is beyond 65535"},
        {T_POOL, "{'address':'192.0.2.1','echo':'2000-1000'}", "echo",
         "2000-1000: start above end"},
        {T_PCP_POOL, "{'address':'192.0.2.1','tcp':'0'}", "tcp",
         "0: ports below 1 are not allowed"},
        {T_TUNNEL, "{'b4':'2001:db8::1','mtu':1279}", "mtu", "1279 is out of range 1280..65535"},
        {T_TUNNEL, "{'b4':'2001:db8::1','mtu':65536}", "mtu", "65536 is out of range 1280..65535"},
        {T_TUNNEL, "{'b4':'2001:db8::1','mtu':-1}", "mtu", "-1 is out of range 1280..65535"},
        {T_NAT,
         "{'b4':'2001:db8::1','protocol':'tcp','address':'10.0.0.1','port':0,"
         "'external_address':'192.0.2.1','external_port':8080}",
         "port", "0 is out of range 1..65535"},
        {T_NAT,
         "{'b4':'2001:db8::1','protocol':'tcp','address':'10.0.0.1','port':80,"
         "'external_address':'192.0.2.1','external_port':65536}",
         "external_port", "65536 is out of range 1..65535"},
        {T_PRR, "{'b4':'2001:db8::1','protocol':'tcp','address':'192.0.2.1','port':0}", "port",
         "0 is out of range 1..65535"},
        {T_PRR, "{'b4':'2001:db8::1','protocol':'icmp','address':'192.0.2.1','port':65536}", "port",
         "65536 is out of range 0..65535"},
        {T_NONAT, "{'b4':'2001:db8::1','prefix':'198.51.100.1/24'}", "prefix",
         "198.51.100.1/24: host bits set (did you mean 198.51.100.0/24?)"},
        {T_NONAT, "{'b4':'2001:db8::1','prefix':'198.51.100.1'}", "prefix",
         "198.51.100.1: not a prefix (expected address/length)"},
        {T_NONAT, "{'b4':'2001:db8::1','prefix':'198.51.100.0/33'}", "prefix",
         "198.51.100.0/33: prefix length must be 0..32"},
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':0,'psid_len':17,'offset':0}",
         "psid_len", "17 is out of range 0..16"},
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':0,'psid_len':0,'offset':16}",
         "offset", "16 is out of range 0..15"},
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':-1,'psid_len':6,'offset':0}",
         "psid", "-1 is out of range 0..65535"},
        /* Cross-field: reported at the softwire itself. */
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':0,'psid_len':11,'offset':6}",
         "", "PSID offset 6 + PSID length 11 exceed 16 bits"},
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':64,'psid_len':6,'offset':6}",
         "", "PSID 64 does not fit in PSID length 6 (max 63)"},
        {T_SOFTWIRE, "{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':1,'psid_len':0,'offset':0}", "",
         "PSID 1 does not fit in PSID length 0 (max 0)"},
};

START_TEST(test_object_bad_value)
{
	union obj o;
	struct diag d;

	ck_assert_msg(decode_text(bad_values[_i].k, bad_values[_i].text, &o, &d) == -1,
	              "accepted: %s", bad_values[_i].text);
	expect_one_err(&d, bad_values[_i].path, bad_values[_i].msg);
	diag_free(&d);
}
END_TEST

/* The limits themselves are accepted. */
START_TEST(test_object_edges_accepted)
{
	static const struct {
		enum kind k;
		const char *text;
	} good[] = {
	        {T_TUNNEL, "{'b4':'2001:db8::1','mtu':1280}"},
	        {T_TUNNEL, "{'b4':'2001:db8::1','mtu':65535}"},
	        {T_POOL, "{'address':'192.0.2.1','tcp':'1-65535','echo':'0-0'}"},
	        {T_SOFTWIRE,
	         "{'b4':'::1','ipv4':'192.0.2.1','psid':1023,'psid_len':10,'offset':6}"},
	        {T_SOFTWIRE, "{'b4':'::1','ipv4':'192.0.2.1','psid':0,'psid_len':1,'offset':15}"},
	        {T_NAT, "{'b4':'2001:db8::1','protocol':'udp','address':'10.0.0.1','port':65535,"
	                "'external_address':'192.0.2.1','external_port':1}"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		union obj o;
		struct diag d;

		ck_assert_msg(decode_text(good[i].k, good[i].text, &o, &d) == 0, "%s: %s",
		              good[i].text, d.n ? d.v[0].msg : "?");
		ck_assert_uint_eq(d.n, 0);
		diag_free(&d);
	}
}
END_TEST

/* Every problem of an object is reported, not only the first. */
START_TEST(test_object_all_errors)
{
	union obj o;
	struct diag d;

	ck_assert_int_eq(decode_text(T_NAT,
	                             "{'protocol':'tcp','address':'10.0.0.1','port':0,"
	                             "'external_address':'192.0.2.256','external_port':0,'x':1}",
	                             &o, &d),
	                 -1);
	ck_assert_uint_eq(d.n, 5);
	ck_assert_uint_eq(d.errors, 5);
	ck_assert(has_err(&d, "x", "unknown key"));
	ck_assert(has_err(&d, "b4", "required"));
	ck_assert(has_err(&d, "port", "0 is out of range 1..65535"));
	ck_assert(has_err(&d, "external_address", "192.0.2.256: not an IPv4 address"));
	ck_assert(has_err(&d, "external_port", "0 is out of range 1..65535"));
	diag_free(&d);
}
END_TEST

/* Paths continue the decoder's current path (list decoders use this). */
START_TEST(test_object_nested_path)
{
	json_t *v = jparse("{'mtu':1279}");
	struct cfg_tunnel t;
	struct diag d;
	struct jdec j;
	size_t m1, m2;

	diag_init(&d, NULL);
	jdec_init(&j, &d);
	m1 = jdec_push_key(&j, "tunnels");
	m2 = jdec_push_index(&j, 3);
	ck_assert_str_eq(j.path, "tunnels[3]");
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(cfg_tunnel_from_json(&j, v, &t), -1);
	ck_assert_str_eq(j.path, "tunnels[3]");
	jdec_pop(&j, m2);
	jdec_pop(&j, m1);
	ck_assert_str_eq(j.path, "");
	ck_assert_uint_eq(d.n, 2);
	expect_err(&d, 0, "tunnels[3].b4", "required");
	expect_err(&d, 1, "tunnels[3].mtu", "1279 is out of range 1280..65535");
	diag_free(&d);
	json_decref(v);
}
END_TEST

/* ---- Whole configurations ----------------------------------------------------------------- */

/* Every knob but pcp.udp away from its default; written as cfg_to_json writes it. */
static const char full_cfg[] =
        "{'endpoint':'2001:db8::a','endpoints':['2001:db8::b','2001:db8::c'],"
        "'icmp_source':'192.0.0.2',"
        "'acl6':['2001:db8:100::/40','2001:db8:200::/40'],'acl6_icmp':false,"
        "'private':['10.0.0.0/8','100.64.0.0/10'],"
        "'pools':[{'address':'198.51.100.1','tcp':'5000-65535'},{'address':'198.51.100.2'}],"
        "'pool_defaults':{'tcp':'4096-65535','udp':'1024-65535','echo':'1-65535'},"
        "'pcp':{'daemon':'enable','tcp':'1024-2047','udp':'off',"
        "'pools':[{'address':'198.51.100.1','tcp':'2048-4095'}],"
        "'min_lifetime':300,'max_lifetime':7200,'max_mappings':8,'max_rate':50},"
        "'tunnel_defaults':{'auto':false,'mtu':1460,'mss':true,'toobig':'strict','admpro':'out',"
        "'fragment_ipv6_maxcount':8,'fragment_ipv4_maxcount':32,"
        "'nat_maxcount':{'tcp':4000,'udp':400,'icmp':10},'nat_rate':{'tcp':100,'udp':40,'icmp':1}},"
        "'fragment':{'equal':true,'lifetime':60,'ipv6_maxcount':512,'in_maxcount':256,"
        "'out_maxcount':128},"
        "'nat':{'lifetime':{'tcp':7200,'closed':60,'udp':120,'icmp':20,'retrans':5},"
        "'hold_lifetime':60,'port_block':{'tcp':64,'udp':32,'icmp':4},"
        "'filtering':'address-dependent',"
        "'max_blocks':{'tcp':16,'udp':8,'icmp':1},"
        "'sessions_per_worker':10000000,'subscribers_per_worker':1000000,'max_pools':64,"
        "'any_endpoint':true},"
        "'decay':{'1min':0.5,'5min':0.75,'15min':0.875},'quantum':10,"
        "'tunnels':[{'b4':'2001:db8:100::1','ipv4':'198.51.100.1','mtu':1400,"
        "'duid':'00:03:00:01:02:00:00:00:00:0a'}],"
        "'static_nat':[{'b4':'2001:db8:100::1','protocol':'tcp','address':'10.0.0.2','port':80,"
        "'external_address':'198.51.100.1','external_port':80,"
        "'filter':{'destination':'203.0.113.0/24','port':0}}],"
        "'prr':[{'b4':'2001:db8:100::2','protocol':'icmp','address':'198.51.100.2','port':0}],"
        "'nonat':[{'b4':'2001:db8:100::3','prefix':'203.0.113.0/28'}],"
        "'softwires':[{'b4':'2001:db8:200::1','ipv4':'192.0.2.1','psid':3,'psid_len':6,"
        "'offset':6},{'b4':'2001:db8:200::1','ipv4':'192.0.2.1','psid':4,'psid_len':6,"
        "'offset':6,'endpoint':'2001:db8::c'}],'softwire_hairpinning':false,"
        "'icmp':{'transport':{'errors':false,'too_big':false,'incoming':'drop','rate':50},"
        "'wan':{'errors':false,'too_big':false,'incoming':'drop','rate':1000000}},"
        "'filters':{'transport':{'in':[{'action':'drop','b4':'2001:db8:bad::/48'}],"
        "'out':[{'action':'accept','destination':'192.0.2.0/24','protocol':'icmp'}]},"
        "'wan':{'in':[{'action':'accept','source':'203.0.113.9/32','protocol':'tcp',"
        "'destination_port':'22'},{'action':'drop','protocol':'tcp','source_port':'1-1023',"
        "'destination_port':'22'}],'out':[{'action':'drop','destination':'10.0.0.0/8'}]}},"
        "'interfaces':{'transport':{'device':'0000:01:00.0','address':'2001:db8:ffff::2/64',"
        "'gateway':'2001:db8:ffff::1','mtu':1600,'vlan':100,'mac':'02:00:5e:00:10:01'},"
        "'wan':{'device':'0000:01:00.1','address':'198.51.100.254/24',"
        "'gateway':'198.51.100.253','mtu':9000,'vlan':4094}},"
        "'api':{'listen':'::1','port':9090,'token_file':'/etc/aftr/token','max_body_mb':16,"
        "'max_connections':2048,'max_per_client':64,'header_timeout':5,'idle_timeout':20},"
        "'logging':{'level':'debug','destination':'syslog','facility':'local3','debug':3,"
        "'nat_events':'sessions','enterprise':2636,'exporters':["
        "{'type':'syslog','transport':'tcp','address':'2001:db8::514','port':6514},"
        "{'type':'syslog','transport':'local','path':'/run/aftr-log'},"
        "{'type':'ipfix','transport':'udp','address':'192.0.2.9','port':4739,"
        "'template_refresh':30,'observation_domain':7}],"
        "'event_log':{'enabled':false,'dir':'/srv/aftr/events','file_mb':128,"
        "'retention_days':365,'max_total_mb':100000}},"
        "'dataplane':{'idle':'poll','idle_sleep_max_us':500,'fast_path':false},"
        "'bgp':{'bird_socket':'/run/bird/bird.ctl','protocol':'aftr1','check_interval_ms':200,"
        "'down_after':3},"
        "'cluster':{'follow':'https://[2001:db8::10]:8443','token_file':'/etc/aftr/l.token',"
        "'kinds':['static-nat','softwires'],'retry_interval_ms':250}}";

/* JSON text -> model, the way the API and the files see it. */
static void reload(const json_t *v, struct aftr_config *cfg)
{
	char *text = json_dumps(v, JSON_COMPACT);
	json_t *back;
	json_error_t e;
	struct diag d;
	struct jdec j;

	ck_assert_ptr_nonnull(text);
	back = json_loads(text, 0, &e);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(cfg_init(cfg), 0);
	diag_init(&d, NULL);
	jdec_init(&j, &d);
	ck_assert_int_eq(cfg_from_json(cfg, back, &j), 0);
	ck_assert_uint_eq(d.n, 0);
	diag_free(&d);
	json_decref(back);
	free(text);
}

START_TEST(test_defaults_roundtrip)
{
	struct aftr_config def, back;
	json_t *e1, *e2;

	ck_assert_int_eq(cfg_init(&def), 0);
	e1 = cfg_to_json(&def);
	ck_assert_ptr_nonnull(e1);
	/* Spot checks that the effective form carries the ISC defaults. */
	ck_assert_int_eq(
	        json_integer_value(json_object_get(json_object_get(e1, "tunnel_defaults"), "mtu")),
	        1500);
	ck_assert_str_eq(
	        json_string_value(json_object_get(json_object_get(e1, "pool_defaults"), "tcp")),
	        "2048-65535");
	ck_assert_uint_eq(json_array_size(json_object_get(e1, "private")), 4);
	ck_assert_ptr_null(json_object_get(e1, "endpoint"));
	reload(e1, &back);
	ck_assert(cfg_equal(&def, &back));
	ck_assert_uint_eq(back.lists.n_private4, 4);
	ck_assert_uint_eq(back.fixed.tun.mtu, 1500);
	e2 = cfg_to_json(&back);
	assert_json_eq(e2, e1);
	json_decref(e1);
	json_decref(e2);
	cfg_free(&def);
	cfg_free(&back);
}
END_TEST

START_TEST(test_full_roundtrip)
{
	struct aftr_config cfg, back, def;
	struct diag d;
	json_t *in = jparse(full_cfg), *e1;
	char buf[PREFIX6_STRLEN];

	ck_assert_int_eq(load_cfg(full_cfg, &cfg, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	/* Decoded into the model ... */
	ck_assert(cfg.fixed.has_endpoint);
	ck_assert(cfg.fixed.has_icmp_source);
	ck_assert_uint_eq(cfg.fixed.icmp_source, a4("192.0.0.2"));
	ck_assert_uint_eq(cfg.lists.n_acl6, 2);
	ck_assert_uint_eq(cfg.lists.n_private4, 2);
	ck_assert_uint_eq(cfg.fixed.n_pools, 2);
	ck_assert(cfg.fixed.pools[0].has_range[CFG_TCP]);
	ck_assert(!cfg.fixed.pools[0].has_range[CFG_UDP]);
	ck_assert_uint_eq(cfg.fixed.pool_defaults[CFG_ICMP].min, 1);
	ck_assert_int_eq(cfg.fixed.pcpd, PCPD_ENABLE);
	ck_assert_uint_eq(cfg.fixed.pcp_defaults[CFG_UDP].max, 0);
	ck_assert_uint_eq(cfg.fixed.n_pcp_pools, 1);
	ck_assert(!cfg.fixed.tun.auto_create);
	ck_assert_uint_eq(cfg.fixed.tun.nat_rate[CFG_ICMP], 1);
	ck_assert_uint_eq(cfg.fixed.lifetime[LT_RETRANS], 5);
	ck_assert_uint_eq(cfg.fixed.max_blocks[CFG_TCP], 16);
	ck_assert(cfg.fixed.nat_any_endpoint);
	ck_assert_uint_eq(cfg.fixed.sessions_per_worker, 10000000);
	ck_assert_uint_eq(cfg.fixed.subscribers_per_worker, 1000000);
	ck_assert_uint_eq(cfg.fixed.max_pools, 64);
	ck_assert(cfg.fixed.decay[2] == 0.875);
	ck_assert_uint_eq(cfg.lists.n_tunnels, 1);
	ck_assert_uint_eq(cfg.lists.tunnels[0].mtu, 1400);
	ck_assert_uint_eq(cfg.lists.tunnels[0].duid_len, 10);
	ck_assert_uint_eq(cfg.lists.tunnels[0].duid[9], 0x0a);
	ck_assert_int_eq(cfg.lists.tunnels[0].mss, CFG_INHERIT);
	ck_assert(cfg.lists.nats[0].has_filter);
	ck_assert_uint_eq(cfg.lists.prrs[0].proto, CFG_ICMP);
	ck_assert_uint_eq(cfg.lists.n_softwires, 2);
	ck_assert_uint_eq(cfg.lists.softwires[0].psid.psid, 3);
	ck_assert(addr6_is_zero(&cfg.lists.softwires[0].endpoint));
	ck_assert_uint_eq(cfg.fixed.n_endpoints, 2);
	ck_assert_int_eq(cfg_endpoint_index(&cfg, &cfg.lists.softwires[1].endpoint), 2);
	ck_assert(!cfg.fixed.icmp[CFG_SIDE_TRANSPORT].errors);
	ck_assert(!cfg.fixed.icmp[CFG_SIDE_TRANSPORT].incoming);
	ck_assert_uint_eq(cfg.fixed.icmp[CFG_SIDE_TRANSPORT].rate, 50);
	ck_assert(!cfg.fixed.icmp[CFG_SIDE_WAN].too_big);
	ck_assert(!cfg.fixed.icmp[CFG_SIDE_WAN].incoming);
	ck_assert_uint_eq(cfg.lists.filters[CFG_SIDE_WAN][CFG_DIR_IN].n, 2);
	ck_assert_int_eq(cfg.lists.filters[CFG_SIDE_WAN][CFG_DIR_IN].v[1].proto, CFG_TCP);
	ck_assert_uint_eq(cfg.lists.filters[CFG_SIDE_WAN][CFG_DIR_IN].v[1].sport.max, 1023);
	ck_assert(cfg.lists.filters[CFG_SIDE_TRANSPORT][CFG_DIR_IN].v[0].has_b4);
	ck_assert_int_eq(cfg.lists.filters[CFG_SIDE_TRANSPORT][CFG_DIR_OUT].v[0].action,
	                 FILTER_ACT_ACCEPT);
	ck_assert_str_eq(cfg.fixed.transport.device, "0000:01:00.0");
	ck_assert_str_eq(prefix6_format(&cfg.fixed.transport.addr6, buf), "2001:db8:ffff::2/64");
	ck_assert(cfg.fixed.wan.has_gateway);
	ck_assert_uint_eq(cfg.fixed.wan.mtu, 9000);
	ck_assert_str_eq(cfg.fixed.api_token_file, "/etc/aftr/token");
	ck_assert_uint_eq(cfg.fixed.api_max_body_mb, 16);
	ck_assert_uint_eq(cfg.fixed.api_max_connections, 2048);
	ck_assert_uint_eq(cfg.fixed.api_max_per_client, 64);
	ck_assert_uint_eq(cfg.fixed.api_header_timeout, 5);
	ck_assert_uint_eq(cfg.fixed.api_idle_timeout, 20);
	ck_assert_int_eq(cfg.fixed.log_dest, LOG_DEST_SYSLOG);
	ck_assert_int_eq(cfg.fixed.nat_events, NAT_EVENTS_SESSIONS);
	ck_assert_int_eq(cfg.fixed.idle, IDLE_POLL);
	ck_assert_uint_eq(cfg.fixed.idle_sleep_max_us, 500);
	ck_assert(!cfg.fixed.fast_path);
	/* ... and written back exactly as it was read. */
	e1 = cfg_to_json(&cfg);
	assert_json_eq(e1, in);
	reload(e1, &back);
	ck_assert(cfg_equal(&cfg, &back));
	ck_assert_int_eq(cfg_init(&def), 0);
	ck_assert(!cfg_equal(&cfg, &def));
	json_decref(e1);
	json_decref(in);
	diag_free(&d);
	cfg_free(&cfg);
	cfg_free(&back);
	cfg_free(&def);
}
END_TEST

START_TEST(test_cfg_equal)
{
	struct aftr_config a, b;
	struct cfg_pool *p;

	ck_assert_int_eq(cfg_init(&a), 0);
	ck_assert_int_eq(cfg_init(&b), 0);
	ck_assert(cfg_equal(&a, &b));
	b.fixed.tun.mtu = 1499;
	ck_assert(!cfg_equal(&a, &b));
	b.fixed.tun.mtu = 1500;
	p = VEC_PUSH(a.fixed.pools, a.fixed.n_pools, a.fixed.cap_pools);
	ck_assert_ptr_nonnull(p);
	p->addr = a4("192.0.2.1");
	p->pos = (struct cfg_pos){12, 5};
	ck_assert(!cfg_equal(&a, &b));
	p = VEC_PUSH(b.fixed.pools, b.fixed.n_pools, b.fixed.cap_pools);
	ck_assert_ptr_nonnull(p);
	p->addr = a4("192.0.2.1");
	/* Positions are not part of the value. */
	ck_assert(cfg_equal(&a, &b));
	/* A range equal to the default is still an explicit range. */
	p->has_range[CFG_TCP] = true;
	p->range[CFG_TCP] = a.fixed.pool_defaults[CFG_TCP];
	ck_assert(!cfg_equal(&a, &b));
	cfg_free(&a);
	cfg_free(&b);
}
END_TEST

START_TEST(test_sparse_defaults_empty)
{
	struct aftr_config def;
	json_t *s;

	ck_assert_int_eq(cfg_init(&def), 0);
	s = cfg_to_json_sparse(&def);
	ck_assert_ptr_nonnull(s);
	ck_assert(json_is_object(s));
	ck_assert_uint_eq(json_object_size(s), 0);
	json_decref(s);
	cfg_free(&def);
}
END_TEST

/* One changed knob: the sparse form holds its path and nothing else, and
 * decodes back onto the defaults to the same model. */
static void check_sparse(struct aftr_config *cfg, const char *want)
{
	json_t *s = cfg_to_json_sparse(cfg);
	struct aftr_config back;

	assert_json_text(s, want);
	reload(s, &back);
	ck_assert(cfg_equal(cfg, &back));
	cfg_free(&back);
	json_decref(s);
}

START_TEST(test_sparse_one_knob)
{
	struct aftr_config cfg;
	struct cfg_pool *p;

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.tun.mtu = 1400;
	check_sparse(&cfg, "{'tunnel_defaults':{'mtu':1400}}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.tun.nat_maxcount[CFG_UDP] = 300;
	check_sparse(&cfg, "{'tunnel_defaults':{'nat_maxcount':{'udp':300}}}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.lifetime[LT_ICMP] = 90;
	check_sparse(&cfg, "{'nat':{'lifetime':{'icmp':90}}}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.sessions_per_worker = 1048576;
	check_sparse(&cfg, "{'nat':{'sessions_per_worker':1048576}}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.idle = IDLE_POLL;
	check_sparse(&cfg, "{'dataplane':{'idle':'poll'}}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.decay[1] = 0.5;
	check_sparse(&cfg, "{'decay':{'5min':0.5}}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.pcpd = PCPD_STATELESS;
	check_sparse(&cfg, "{'pcp':{'daemon':'stateless'}}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.acl6_icmp = false;
	check_sparse(&cfg, "{'acl6_icmp':false}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.has_endpoint = true;
	cfg.fixed.endpoint = a6("2001:db8::a");
	check_sparse(&cfg, "{'endpoint':'2001:db8::a'}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.log_level = LOG_LVL_DEBUG;
	check_sparse(&cfg, "{'logging':{'level':'debug'}}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.wan.device = strdup("net_tap0");
	check_sparse(&cfg, "{'interfaces':{'wan':{'device':'net_tap0'}}}");
	cfg_free(&cfg);

	ck_assert_int_eq(cfg_init(&cfg), 0);
	p = VEC_PUSH(cfg.fixed.pools, cfg.fixed.n_pools, cfg.fixed.cap_pools);
	ck_assert_ptr_nonnull(p);
	p->addr = a4("192.0.2.1");
	check_sparse(&cfg, "{'pools':[{'address':'192.0.2.1'}]}");
	cfg_free(&cfg);

	/* A list is kept whole when it differs. */
	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.lists.n_private4 = 1;
	check_sparse(&cfg, "{'private':['10.0.0.0/8']}");
	cfg_free(&cfg);
}
END_TEST

/* The NAT table sizes: defaults, and both ends of each range accepted. */
START_TEST(test_nat_table_sizes)
{
	static const struct {
		const char *text;
		uint32_t sessions, subscribers;
	} ok[] = {
	        {"{}", 65536, 16384},
	        {"{'nat':{'sessions_per_worker':1024,'subscribers_per_worker':16}}", 1024, 16},
	        {"{'nat':{'sessions_per_worker':67108864,'subscribers_per_worker':16777216}}",
	         67108864, 16777216},
	};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		struct aftr_config cfg;
		struct diag d;

		ck_assert_int_eq(load_cfg(ok[i].text, &cfg, &d), 0);
		ck_assert_uint_eq(d.n, 0);
		ck_assert_uint_eq(cfg.fixed.sessions_per_worker, ok[i].sessions);
		ck_assert_uint_eq(cfg.fixed.subscribers_per_worker, ok[i].subscribers);
		cfg_free(&cfg);
		diag_free(&d);
	}
}
END_TEST

/* What an idle worker does: adaptive with a 200 us cap unless told, poll,
 * and both ends of the cap's range accepted. */
START_TEST(test_dataplane_idle)
{
	static const struct {
		const char *text;
		enum cfg_idle idle;
		uint16_t max_us;
		bool fast;
	} ok[] = {
	        {"{}", IDLE_ADAPTIVE, 200, true},
	        {"{'dataplane':{'idle':'poll'}}", IDLE_POLL, 200, true},
	        {"{'dataplane':{'idle':'adaptive','idle_sleep_max_us':50}}", IDLE_ADAPTIVE, 50,
	         true},
	        {"{'dataplane':{'idle_sleep_max_us':1000,'fast_path':false}}", IDLE_ADAPTIVE, 1000,
	         false},
	};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		struct aftr_config cfg;
		struct diag d;

		ck_assert_int_eq(load_cfg(ok[i].text, &cfg, &d), 0);
		ck_assert_uint_eq(d.n, 0);
		ck_assert_int_eq(cfg.fixed.idle, ok[i].idle);
		ck_assert_uint_eq(cfg.fixed.idle_sleep_max_us, ok[i].max_us);
		ck_assert(cfg.fixed.fast_path == ok[i].fast);
		cfg_free(&cfg);
		diag_free(&d);
	}
}
END_TEST

START_TEST(test_sparse_full_roundtrip)
{
	struct aftr_config cfg, back;
	struct diag d;
	json_t *in = jparse(full_cfg), *s;

	ck_assert_int_eq(load_cfg(full_cfg, &cfg, &d), 0);
	s = cfg_to_json_sparse(&cfg);
	/* full_cfg moves every knob but one away from its default: pcp.udp is
	 * "off" as by default, so only that key is left out. */
	ck_assert_int_eq(json_object_del(json_object_get(in, "pcp"), "udp"), 0);
	assert_json_eq(s, in);
	reload(s, &back);
	ck_assert(cfg_equal(&cfg, &back));
	json_decref(s);
	json_decref(in);
	diag_free(&d);
	cfg_free(&cfg);
	cfg_free(&back);
}
END_TEST

/* The error of the header comment of diag.h, on a whole file. */
START_TEST(test_pool_range_beyond_path)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_int_eq(load_cfg("{'pools':[{'address':'192.0.2.1'},"
	                          "{'address':'192.0.2.2','tcp':'70000-80000'}]}",
	                          &cfg, &d),
	                 -1);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].path, "pools[1].tcp");
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "is beyond 65535"));
	expect_one_err(&d, "pools[1].tcp", "70000-80000 is beyond 65535");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_bool_on_off)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_int_eq(load_cfg("{'acl6_icmp':'off','tunnel_defaults':{'auto':'OFF','mss':'on'},"
	                          "'fragment':{'equal':'On'}}",
	                          &cfg, &d),
	                 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert(!cfg.fixed.acl6_icmp);
	ck_assert(!cfg.fixed.tun.auto_create);
	ck_assert(cfg.fixed.tun.mss);
	ck_assert(cfg.fixed.frag_equal);
	diag_free(&d);
	cfg_free(&cfg);

	ck_assert_int_eq(load_cfg("{'acl6_icmp':true,'tunnel_defaults':{'mss':false}}", &cfg, &d),
	                 0);
	ck_assert(cfg.fixed.acl6_icmp);
	ck_assert(!cfg.fixed.tun.mss);
	diag_free(&d);
	cfg_free(&cfg);

	ck_assert_int_eq(load_cfg("{'fragment':{'equal':'yes'}}", &cfg, &d), -1);
	expect_one_err(&d, "fragment.equal", "expected true or false (or on/off), found yes");
	diag_free(&d);
	cfg_free(&cfg);

	ck_assert_int_eq(load_cfg("{'acl6_icmp':0}", &cfg, &d), -1);
	expect_one_err(&d, "acl6_icmp", "expected true or false (or on/off), found a number");
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

static const struct {
	const char *text, *path, *msg;
} cfg_errors[] = {
        /* Enums list their choices. */
        {"{'logging':{'level':'loud'}}", "logging.level",
         "loud: expected one of error|warning|notice|info|debug"},
        {"{'logging':{'destination':'file'}}", "logging.destination",
         "file: expected one of stderr|syslog"},
        {"{'logging':{'nat_events':'all'}}", "logging.nat_events",
         "all: expected one of off|blocks|sessions"},
        {"{'nat':{'deterministic':{'prefix':'2001:db8::/48'}}}",
         "nat.deterministic.subscriber_length", "required"},
        {"{'nat':{'deterministic':{'prefix':'2001:db8::/48','subscriber_length':56,'x':1}}}",
         "nat.deterministic.x", "unknown key"},
        {"{'logging':{'exporters':[{'type':'netflow'}]}}", "logging.exporters[0].type",
         "netflow: expected one of syslog|ipfix"},
        {"{'logging':{'exporters':[{'type':'ipfix','transport':'sctp'}]}}",
         "logging.exporters[0].transport", "sctp: expected one of udp|tcp|local"},
        {"{'logging':{'exporters':[{'type':'syslog','port':0}]}}", "logging.exporters[0].port",
         "0 is out of range 1..65535"},
        {"{'pcp':{'daemon':'maybe'}}", "pcp.daemon",
         "maybe: expected one of disable|enable|stateless|encapsulate"},
        {"{'tunnel_defaults':{'toobig':'never'}}", "tunnel_defaults.toobig",
         "never: expected one of on|off|strict"},
        {"{'tunnel_defaults':{'admpro':7}}", "tunnel_defaults.admpro",
         "7: expected one of off|in|out|all"},
        {"{'static_nat':[{'b4':'2001:db8::1','protocol':'icmp','address':'10.0.0.1','port':1,"
         "'external_address':'192.0.2.1','external_port':1}]}",
         "static_nat[0].protocol", "icmp: expected one of tcp|udp"},
        {"{'icmp':{'wan':{'incoming':'reject'}}}", "icmp.wan.incoming",
         "reject: expected one of drop|accept"},
        {"{'icmp':{'transport':{'rate':0}}}", "icmp.transport.rate",
         "0 is out of range 1..1000000"},
        {"{'icmp':{'lan':{}}}", "icmp.lan", "unknown key"},
        {"{'filters':{'wan':{'in':[{'protocol':'tcp'}]}}}", "filters.wan.in[0].action", "required"},
        {"{'filters':{'wan':{'in':[{'action':'reject'}]}}}", "filters.wan.in[0].action",
         "reject: expected one of drop|accept"},
        {"{'filters':{'wan':{'both':[]}}}", "filters.wan.both", "unknown key"},
        {"{'filters':{'wan':{'in':[{'action':'drop','port':22}]}}}", "filters.wan.in[0].port",
         "unknown key"},
        {"{'endpoints':['2001:db8::2','192.0.2.1']}", "endpoints[1]",
         "192.0.2.1: not an IPv6 address"},
        {"{'endpoints':['1::','2::','3::','4::','5::','6::','7::','8::','9::','a::','b::','c::',"
         "'d::','e::','f::','10::']}",
         "endpoints", "at most 15 addresses"},
        {"{'softwires':[{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':1,'psid_len':6,"
         "'offset':6,'endpoint':'::x'}]}",
         "softwires[0].endpoint", "::x: not an IPv6 address"},
        /* Unknown keys, at every depth. */
        {"{'bogus':1}", "bogus", "unknown key"},
        {"{'tunnel_defaults':{'mtuu':1400}}", "tunnel_defaults.mtuu", "unknown key"},
        {"{'tunnel_defaults':{'nat_rate':{'sctp':1}}}", "tunnel_defaults.nat_rate.sctp",
         "unknown key"},
        {"{'nat':{'lifetime':{'sctp':1}}}", "nat.lifetime.sctp", "unknown key"},
        {"{'pools':[{'address':'192.0.2.1'},{'address':'192.0.2.2','tpc':'1-2'}]}", "pools[1].tpc",
         "unknown key"},
        {"{'pcp':{'pools':[{'address':'192.0.2.1','echo':'1-2'}]}}", "pcp.pools[0].echo",
         "unknown key"},
        {"{'interfaces':{'wan':{'vid':5}}}", "interfaces.wan.vid", "unknown key"},
        {"{'static_nat':[{'b4':'2001:db8::1','protocol':'tcp','address':'10.0.0.1','port':1,"
         "'external_address':'192.0.2.1','external_port':1,"
         "'filter':{'destination':'0.0.0.0/0','proto':'tcp'}}]}",
         "static_nat[0].filter.proto", "unknown key"},
        /* Wrong types. */
        {"[]", "", "expected a mapping, found a list"},
        {"{'pools':{}}", "pools", "expected a list, found a mapping"},
        {"{'acl6':'2001:db8::/32'}", "acl6", "expected a list, found a string"},
        {"{'pools':[5]}", "pools[0]", "expected a mapping, found a number"},
        {"{'tunnel_defaults':5}", "tunnel_defaults", "expected a mapping, found a number"},
        {"{'quantum':'20'}", "quantum", "expected an integer, found a string"},
        {"{'decay':{'1min':'fast'}}", "decay.1min", "expected a number, found a string"},
        {"{'logging':{'facility':5}}", "logging.facility", "expected a string, found a number"},
        {"{'endpoint':'192.0.2.1'}", "endpoint", "192.0.2.1: not an IPv6 address"},
        {"{'acl6':['2001:db8::/32','2001:db8::1/64']}", "acl6[1]",
         "2001:db8::1/64: host bits set (did you mean 2001:db8::/64?)"},
        {"{'private':['10.0.0.0']}", "private[0]",
         "10.0.0.0: not a prefix (expected address/length)"},
        {"{'api':{'listen':'localhost'}}", "api.listen", "localhost: not an IPv4 or IPv6 address"},
        {"{'bgp':{'protocol':'aftr-routes'}}", "bgp.protocol",
         "aftr-routes: not a BIRD protocol name or pattern (letters, digits, _, * and ?)"},
        {"{'bgp':{'check_interval_ms':10}}", "bgp.check_interval_ms",
         "10 is out of range 50..60000"},
        {"{'pcp':{'max_rate':0}}", "pcp.max_rate", "0 is out of range 1..1000000"},
        {"{'cluster':{'follow':'192.0.2.10:8080'}}", "cluster.follow",
         "192.0.2.10:8080: not the leader's API URL (http://HOST:PORT or https://HOST:PORT)"},
        {"{'cluster':{'follow':'http://x:1','kinds':['softwires','bindings']}}", "cluster.kinds[1]",
         "bindings: not a kind (softwires, prr, nonat, tunnels, acl6, private, static-nat)"},
        {"{'cluster':{'follow':'http://x:1','kinds':'softwires'}}", "cluster.kinds",
         "a list of kinds (softwires, prr, nonat, tunnels, acl6, private, static-nat)"},
        {"{'cluster':{'retry_interval_ms':50}}", "cluster.retry_interval_ms",
         "50 is out of range 100..60000"},
        {"{'pcp':{'min_lifetime':0}}", "pcp.min_lifetime", "0 is out of range 1..604800"},
        {"{'api':{'max_connections':100,'max_per_client':200}}", "api",
         "max_per_client (200) is over max_connections (100)"},
        {"{'api':{'max_body_mb':0}}", "api.max_body_mb", "0 is out of range 1..4096"},
        /* Out of range. */
        {"{'quantum':1}", "quantum", "1 is out of range 2..255"},
        {"{'decay':{'5min':1.5}}", "decay.5min", "1.5 is out of range 0..1"},
        {"{'nat':{'lifetime':{'tcp':0}}}", "nat.lifetime.tcp", "0 is out of range 1..36000"},
        {"{'nat':{'port_block':{'udp':4097}}}", "nat.port_block.udp",
         "4097 is out of range 1..4096"},
        {"{'nat':{'sessions_per_worker':1023}}", "nat.sessions_per_worker",
         "1023 is out of range 1024..67108864"},
        {"{'nat':{'sessions_per_worker':67108865}}", "nat.sessions_per_worker",
         "67108865 is out of range 1024..67108864"},
        {"{'nat':{'subscribers_per_worker':15}}", "nat.subscribers_per_worker",
         "15 is out of range 16..16777216"},
        {"{'nat':{'subscribers_per_worker':16777217}}", "nat.subscribers_per_worker",
         "16777217 is out of range 16..16777216"},
        {"{'nat':{'max_pools':0}}", "nat.max_pools", "0 is out of range 1..32767"},
        {"{'nat':{'max_pools':32768}}", "nat.max_pools", "32768 is out of range 1..32767"},
        {"{'nat':{'sessions_per_worker':-1}}", "nat.sessions_per_worker",
         "-1 is out of range 1024..67108864"},
        {"{'nat':{'sessions_per_worker':'1M'}}", "nat.sessions_per_worker",
         "expected an integer, found a string"},
        {"{'dataplane':{'idle':'sometimes'}}", "dataplane.idle",
         "sometimes: expected one of adaptive|poll"},
        {"{'dataplane':{'idle_sleep_max_us':49}}", "dataplane.idle_sleep_max_us",
         "49 is out of range 50..1000"},
        {"{'dataplane':{'idle_sleep_max_us':1001}}", "dataplane.idle_sleep_max_us",
         "1001 is out of range 50..1000"},
        {"{'dataplane':{'idle_sleep':100}}", "dataplane.idle_sleep", "unknown key"},
        {"{'dataplane':{'fast_path':1}}", "dataplane.fast_path",
         "expected true or false (or on/off), found a number"},
        {"{'dataplane':'poll'}", "dataplane", "expected a mapping, found a string"},
        {"{'tunnel_defaults':{'nat_rate':{'tcp':256}}}", "tunnel_defaults.nat_rate.tcp",
         "256 is out of range 0..255"},
        {"{'fragment':{'lifetime':1201}}", "fragment.lifetime", "1201 is out of range 1..1200"},
        {"{'logging':{'debug':11}}", "logging.debug", "11 is out of range 0..10"},
        {"{'interfaces':{'transport':{'mtu':575}}}", "interfaces.transport.mtu",
         "575 is out of range 576..9600"},
        {"{'interfaces':{'wan':{'vlan':4095}}}", "interfaces.wan.vlan",
         "4095 is out of range 1..4094"},
        {"{'interfaces':{'transport':{'vlan':0}}}", "interfaces.transport.vlan",
         "0 is out of range 1..4094"},
        {"{'interfaces':{'wan':{'mac':'02:00:00:00:00'}}}", "interfaces.wan.mac",
         "02:00:00:00:00: not a MAC address (aa:bb:cc:dd:ee:ff)"},
        /* Six pairs of hex digits: no sign, no space in their place. */
        {"{'interfaces':{'wan':{'gateway_mac':'-1:-1:-1:-1:-1:-1'}}}", "interfaces.wan.gateway_mac",
         "-1:-1:-1:-1:-1:-1: not a MAC address (aa:bb:cc:dd:ee:ff)"},
        {"{'interfaces':{'wan':{'gateway_mac':' 2: 0: 0: 0: 0:fe'}}}", "interfaces.wan.gateway_mac",
         " 2: 0: 0: 0: 0:fe: not a MAC address (aa:bb:cc:dd:ee:ff)"},
        {"{'pool_defaults':{'udp':'0-65535'}}", "pool_defaults.udp",
         "0-65535: ports below 1 are not allowed"},
        {"{'pcp':{'tcp':'1024-65536'}}", "pcp.tcp", "1024-65536 is beyond 65535"},
        {"{'tunnels':[{'b4':'2001:db8::1'},{'b4':'2001:db8::2','mtu':1279}]}", "tunnels[1].mtu",
         "1279 is out of range 1280..65535"},
        {"{'softwires':[{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':0,'psid_len':17,"
         "'offset':0}]}",
         "softwires[0].psid_len", "17 is out of range 0..16"},
        {"{'softwires':[{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':0,'psid_len':10,"
         "'offset':7}]}",
         "softwires[0]", "PSID offset 7 + PSID length 10 exceed 16 bits"},
        {"{'softwires':[{'b4':'2001:db8::1','ipv4':'192.0.2.1','psid':4,'psid_len':2,"
         "'offset':0}]}",
         "softwires[0]", "PSID 4 does not fit in PSID length 2 (max 3)"},
        /* Required keys inside lists. */
        {"{'static_nat':[{'b4':'2001:db8::1','protocol':'tcp','address':'10.0.0.1','port':1,"
         "'external_address':'192.0.2.1'}]}",
         "static_nat[0].external_port", "required"},
        {"{'nonat':[{'b4':'2001:db8::1','prefix':'192.0.2.0/24'},{'b4':'2001:db8::2'}]}",
         "nonat[1].prefix", "required"},
};

START_TEST(test_cfg_error)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_msg(load_cfg(cfg_errors[_i].text, &cfg, &d) == -1, "accepted: %s",
	              cfg_errors[_i].text);
	expect_one_err(&d, cfg_errors[_i].path, cfg_errors[_i].msg);
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

START_TEST(test_cfg_lists_and_null)
{
	struct aftr_config cfg, def;
	struct diag d;

	/* A list that is present replaces the default one. */
	ck_assert_int_eq(load_cfg("{'private':['100.64.0.0/10']}", &cfg, &d), 0);
	ck_assert_uint_eq(cfg.lists.n_private4, 1);
	ck_assert_uint_eq(cfg.lists.private4[0].p.addr, a4("100.64.0.0"));
	ck_assert_uint_eq(cfg.lists.private4[0].p.len, 10);
	diag_free(&d);
	cfg_free(&cfg);

	ck_assert_int_eq(load_cfg("{'private':[]}", &cfg, &d), 0);
	ck_assert_uint_eq(cfg.lists.n_private4, 0);
	diag_free(&d);
	cfg_free(&cfg);

	/* An empty document is all defaults; so is an empty mapping. */
	ck_assert_int_eq(cfg_init(&def), 0);
	ck_assert_int_eq(load_cfg("null", &cfg, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert(cfg_equal(&cfg, &def));
	diag_free(&d);
	cfg_free(&cfg);
	ck_assert_int_eq(load_cfg("{}", &cfg, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert(cfg_equal(&cfg, &def));
	diag_free(&d);
	cfg_free(&cfg);
	cfg_free(&def);
}
END_TEST

START_TEST(test_cfg_pcp_off_forms)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_int_eq(load_cfg("{'pcp':{'tcp':'1024-2047','udp':'2048-4095'}}", &cfg, &d), 0);
	ck_assert_uint_eq(cfg.fixed.pcp_defaults[CFG_TCP].min, 1024);
	ck_assert_uint_eq(cfg.fixed.pcp_defaults[CFG_TCP].max, 2047);
	ck_assert_uint_eq(cfg.fixed.pcp_defaults[CFG_UDP].min, 2048);
	diag_free(&d);
	cfg_free(&cfg);

	/* ISC writes 0 for off; YAML may hand over false. */
	ck_assert_int_eq(load_cfg("{'pcp':{'tcp':0,'udp':false}}", &cfg, &d), 0);
	ck_assert_uint_eq(cfg.fixed.pcp_defaults[CFG_TCP].max, 0);
	ck_assert_uint_eq(cfg.fixed.pcp_defaults[CFG_UDP].max, 0);
	diag_free(&d);
	cfg_free(&cfg);
	ck_assert_int_eq(load_cfg("{'pcp':{'tcp':'off'}}", &cfg, &d), 0);
	ck_assert_uint_eq(cfg.fixed.pcp_defaults[CFG_TCP].max, 0);
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

/* Errors everywhere in one file are all reported, each at its path. */
START_TEST(test_cfg_all_errors)
{
	struct aftr_config cfg;
	struct diag d;

	ck_assert_int_eq(load_cfg("{'bogus':1,'quantum':1,'pools':[{'address':'192.0.2.1',"
	                          "'udp':'70000'}],'tunnels':[{'mtu':1400},"
	                          "{'b4':'2001:db8::2','duid':'00:03'}],"
	                          "'logging':{'level':'loud'}}",
	                          &cfg, &d),
	                 -1);
	ck_assert_uint_eq(d.n, 6);
	ck_assert_uint_eq(d.errors, 6);
	ck_assert(has_err(&d, "tunnels[1].duid", "3 to 32 bytes"));
	ck_assert(has_err(&d, "bogus", "unknown key"));
	ck_assert(has_err(&d, "quantum", "out of range 2..255"));
	ck_assert(has_err(&d, "pools[0].udp", "70000 is beyond 65535"));
	ck_assert(has_err(&d, "tunnels[0].b4", "required"));
	ck_assert(has_err(&d, "logging.level", "expected one of"));
	diag_free(&d);
	cfg_free(&cfg);
}
END_TEST

static Suite *config_json_suite(void)
{
	Suite *s = suite_create("config_json");
	TCase *obj = tcase_create("object");
	TCase *whole = tcase_create("whole");

	tcase_add_loop_test(obj, test_object_roundtrip, 0, (int)ARRAY_SIZE(roundtrips));
	tcase_add_test(obj, test_object_encode_from_model);
	tcase_add_loop_test(obj, test_object_required_keys, 0, (int)ARRAY_SIZE(required_keys));
	tcase_add_test(obj, test_nat_filter_keys);
	tcase_add_loop_test(obj, test_object_unknown_key_reported, 0,
	                    (int)ARRAY_SIZE(required_keys));
	tcase_add_test(obj, test_object_unknown_key_fails);
	tcase_add_test(obj, test_object_not_a_mapping);
	tcase_add_loop_test(obj, test_object_bad_value, 0, (int)ARRAY_SIZE(bad_values));
	tcase_add_test(obj, test_object_edges_accepted);
	tcase_add_test(obj, test_object_all_errors);
	tcase_add_test(obj, test_object_nested_path);
	suite_add_tcase(s, obj);

	tcase_add_test(whole, test_defaults_roundtrip);
	tcase_add_test(whole, test_full_roundtrip);
	tcase_add_test(whole, test_cfg_equal);
	tcase_add_test(whole, test_sparse_defaults_empty);
	tcase_add_test(whole, test_sparse_one_knob);
	tcase_add_test(whole, test_sparse_full_roundtrip);
	tcase_add_test(whole, test_nat_table_sizes);
	tcase_add_test(whole, test_dataplane_idle);
	tcase_add_test(whole, test_pool_range_beyond_path);
	tcase_add_test(whole, test_bool_on_off);
	tcase_add_loop_test(whole, test_cfg_error, 0, (int)ARRAY_SIZE(cfg_errors));
	tcase_add_test(whole, test_cfg_lists_and_null);
	tcase_add_test(whole, test_cfg_pcp_off_forms);
	tcase_add_test(whole, test_cfg_all_errors);
	suite_add_tcase(s, whole);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
