/* JSON -> model (see config_json.h). Ranges are those of the ISC manual,
 * section 3.3; config/reference.yaml lists them with each key. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_json.h"
#include "util.h"

/* Folds getter results: any -1 makes the whole object fail. */
#define OK(rc) (bad |= (rc) < 0)
/* An object decoder's result: -1 if anything was reported while decoding
 * it (unknown keys included), else 0. */
#define RESULT(j, errors_before) (bad || (j)->d->errors > (errors_before) ? -1 : 0)

static const char *const pool_keys[] = {"address", "tcp", "udp", "echo", NULL};
static const char *const pcp_pool_keys[] = {"address", "tcp", "udp", NULL};
static const char *const tunnel_keys[] = {"b4",     "ipv4",         "mtu",      "mss",  "toobig",
                                          "admpro", "nat_maxcount", "nat_rate", "duid", NULL};
static const char *const limit_keys[] = {"tcp", "udp", "icmp", NULL};
static const char *const nat_keys[] = {
        "b4", "protocol", "address", "port", "external_address", "external_port", "filter", NULL};
static const char *const filter_keys[] = {"destination", "port", NULL};
static const char *const prr_keys[] = {"b4", "protocol", "address", "port", NULL};
static const char *const nonat_keys[] = {"b4", "prefix", NULL};
static const char *const softwire_keys[] = {"b4",     "ipv4",     "psid", "psid_len",
                                            "offset", "endpoint", NULL};
static const char *const nat_protos[] = {"tcp", "udp", NULL};

int cfg_pool_from_json(struct jdec *j, const json_t *node, struct cfg_pool *out)
{
	size_t e0 = j->d->errors;
	static const char *const keys[CFG_NPROTO] = {"tcp", "udp", "echo"};
	bool bad = false;

	if (!jdec_object(j, node, pool_keys))
		return -1;
	out->pos = jdec_pos(j, node);
	OK(jdec_required(j, node, "address", jdec_addr4(j, node, "address", &out->addr)));
	for (int i = 0; i < CFG_NPROTO; i++) {
		int rc = jdec_range(j, node, keys[i], i == CFG_ICMP ? 0 : 1, &out->range[i]);

		OK(rc);
		out->has_range[i] = rc == 1;
	}
	return RESULT(j, e0);
}

int cfg_pcp_pool_from_json(struct jdec *j, const json_t *node, struct cfg_pcp_pool *out)
{
	size_t e0 = j->d->errors;
	bool bad = false;

	if (!jdec_object(j, node, pcp_pool_keys))
		return -1;
	out->pos = jdec_pos(j, node);
	OK(jdec_required(j, node, "address", jdec_addr4(j, node, "address", &out->addr)));
	for (int i = 0; i < 2; i++) {
		int rc = jdec_range(j, node, cfg_proto_names[i], 1, &out->range[i]);

		OK(rc);
		out->has_range[i] = rc == 1;
	}
	return RESULT(j, e0);
}

/* A tunnel's own limits of one kind (bit shift of nat_set): the protocols
 * given, each in [0, max]. */
static bool tunnel_limits(struct jdec *j, const json_t *node, const char *key, uint16_t max,
                          uint16_t out[CFG_NPROTO], struct cfg_tunnel *t, int shift)
{
	const json_t *m = json_object_get(node, key);
	size_t mark = jdec_push_key(j, key);
	bool bad = false;
	int rc;

	if (m && !jdec_object(j, m, limit_keys))
		bad = true;
	for (int p = 0; m && !bad && p < CFG_NPROTO; p++)
		if (OK(rc = jdec_u16(j, m, limit_keys[p], 0, max, &out[p])), rc == 1)
			t->nat_set |= (uint8_t)(1u << (shift + p));
	jdec_pop(j, mark);
	return bad;
}

/* A DUID as hexadecimal bytes, colons between them or not ("00:03:00:01:..."): its
 * length, or -1. */
static int duid_parse(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s) {
		char pair[3] = {s[0], s[0] ? s[1] : '\0', '\0'}, *end;
		unsigned long v = strtoul(pair, &end, 16);

		if (n == max || !isxdigit((unsigned char)pair[0]) ||
		    !isxdigit((unsigned char)pair[1]) || *end)
			return -1;
		out[n++] = (uint8_t)v;
		s += 2;
		if (*s == ':' && s[1])
			s++;
	}
	/* A type (2 bytes) and something after it (RFC 8415 section 11.1). */
	return n >= 3 ? (int)n : -1;
}

static int tunnel_duid(struct jdec *j, const json_t *node, struct cfg_tunnel *out)
{
	char *s = NULL;
	int rc = jdec_string(j, node, "duid", &s), n;

	if (rc == 1 && (n = duid_parse(s, out->duid, sizeof(out->duid))) < 0) {
		size_t mark = jdec_push_key(j, "duid");

		jdec_error(j, json_object_get(node, "duid"),
		           "a DUID in hexadecimal (\"00:03:00:01:...\"), 3 to %d bytes: %s",
		           CFG_DUID_MAX, s);
		jdec_pop(j, mark);
		rc = -1;
	} else if (rc == 1) {
		out->duid_len = (uint8_t)n;
	}
	free(s);
	return rc;
}

int cfg_tunnel_from_json(struct jdec *j, const json_t *node, struct cfg_tunnel *out)
{
	uint16_t rate[CFG_NPROTO] = {0};
	size_t e0 = j->d->errors;
	bool bad = false, mss;
	int rc, v;

	if (!jdec_object(j, node, tunnel_keys))
		return -1;
	out->pos = jdec_pos(j, node);
	out->mss = out->toobig = out->admpro = CFG_INHERIT;
	OK(jdec_required(j, node, "b4", jdec_addr6(j, node, "b4", &out->b4)));
	OK(rc = jdec_addr4(j, node, "ipv4", &out->ipv4));
	out->has_ipv4 = rc == 1;
	OK(jdec_u16(j, node, "mtu", CFG_MTU_MIN, 65535, &out->mtu));
	if (OK(rc = jdec_bool(j, node, "mss", &mss)), rc == 1)
		out->mss = mss;
	if (OK(rc = jdec_enum(j, node, "toobig", cfg_toobig_names, &v)), rc == 1)
		out->toobig = (int8_t)v;
	if (OK(rc = jdec_enum(j, node, "admpro", cfg_admpro_names, &v)), rc == 1)
		out->admpro = (int8_t)v;
	bad |= tunnel_limits(j, node, "nat_maxcount", 65535, out->nat_maxcount, out, 0);
	bad |= tunnel_limits(j, node, "nat_rate", 255, rate, out, CFG_NPROTO);
	OK(tunnel_duid(j, node, out));
	for (int p = 0; p < CFG_NPROTO; p++)
		out->nat_rate[p] = (uint8_t)rate[p];
	return RESULT(j, e0);
}

static int filter_from_json(struct jdec *j, const json_t *node, struct cfg_nat *out)
{
	size_t e0 = j->d->errors;
	size_t mark = jdec_push_key(j, "filter");
	bool bad = false;

	if (!jdec_object(j, node, filter_keys)) {
		jdec_pop(j, mark);
		return -1;
	}
	OK(jdec_required(j, node, "destination",
	                 jdec_prefix4(j, node, "destination", PFX_BARE, &out->filter_dst)));
	OK(jdec_u16(j, node, "port", 0, 65535, &out->filter_port));
	out->has_filter = true;
	jdec_pop(j, mark);
	return RESULT(j, e0);
}

int cfg_nat_from_json(struct jdec *j, const json_t *node, struct cfg_nat *out)
{
	size_t e0 = j->d->errors;
	const json_t *filter;
	bool bad = false;
	int proto = CFG_TCP;

	if (!jdec_object(j, node, nat_keys))
		return -1;
	out->pos = jdec_pos(j, node);
	OK(jdec_required(j, node, "b4", jdec_addr6(j, node, "b4", &out->b4)));
	OK(jdec_required(j, node, "protocol", jdec_enum(j, node, "protocol", nat_protos, &proto)));
	out->proto = (uint8_t)proto;
	OK(jdec_required(j, node, "address", jdec_addr4(j, node, "address", &out->addr)));
	OK(jdec_required(j, node, "port", jdec_u16(j, node, "port", 1, 65535, &out->port)));
	OK(jdec_required(j, node, "external_address",
	                 jdec_addr4(j, node, "external_address", &out->ext_addr)));
	OK(jdec_required(j, node, "external_port",
	                 jdec_u16(j, node, "external_port", 1, 65535, &out->ext_port)));
	filter = json_object_get(node, "filter");
	if (filter)
		OK(filter_from_json(j, filter, out));
	return RESULT(j, e0);
}

int cfg_prr_from_json(struct jdec *j, const json_t *node, struct cfg_prr *out)
{
	size_t e0 = j->d->errors;
	bool bad = false;
	int proto = CFG_TCP;

	if (!jdec_object(j, node, prr_keys))
		return -1;
	out->pos = jdec_pos(j, node);
	OK(jdec_required(j, node, "b4", jdec_addr6(j, node, "b4", &out->b4)));
	OK(jdec_required(j, node, "protocol",
	                 jdec_enum(j, node, "protocol", cfg_proto_names, &proto)));
	out->proto = (uint8_t)proto;
	OK(jdec_required(j, node, "address", jdec_addr4(j, node, "address", &out->addr)));
	/* An ICMP entry's "port" is an echo identifier, 0 included. */
	OK(jdec_required(j, node, "port",
	                 jdec_u16(j, node, "port", proto == CFG_ICMP ? 0 : 1, 65535, &out->port)));
	return RESULT(j, e0);
}

int cfg_nonat_from_json(struct jdec *j, const json_t *node, struct cfg_nonat *out)
{
	size_t e0 = j->d->errors;
	bool bad = false;

	if (!jdec_object(j, node, nonat_keys))
		return -1;
	out->pos = jdec_pos(j, node);
	OK(jdec_required(j, node, "b4", jdec_addr6(j, node, "b4", &out->b4)));
	OK(jdec_required(j, node, "prefix", jdec_prefix4(j, node, "prefix", 0, &out->prefix)));
	return RESULT(j, e0);
}

int cfg_softwire_from_json(struct jdec *j, const json_t *node, struct cfg_softwire *out)
{
	size_t e0 = j->d->errors;
	bool bad = false;
	char err[160];

	if (!jdec_object(j, node, softwire_keys))
		return -1;
	out->pos = jdec_pos(j, node);
	OK(jdec_required(j, node, "b4", jdec_addr6(j, node, "b4", &out->b4)));
	OK(jdec_required(j, node, "ipv4", jdec_addr4(j, node, "ipv4", &out->ipv4)));
	OK(jdec_required(j, node, "psid_len",
	                 jdec_u8(j, node, "psid_len", 0, 16, &out->psid.psid_len)));
	OK(jdec_required(j, node, "psid", jdec_u16(j, node, "psid", 0, 65535, &out->psid.psid)));
	/* Required: MAP's default (a = 6, RFC 7597 section 5.1) and lw4o6
	 * practice (often a = 0) differ, so a silent default would mislead. */
	OK(jdec_required(j, node, "offset", jdec_u8(j, node, "offset", 0, 15, &out->psid.offset)));
	OK(jdec_addr6(j, node, "endpoint", &out->endpoint));
	if (!bad && psid_params_validate(&out->psid, err, sizeof(err)) < 0) {
		jdec_error(j, node, "%s", err);
		bad = true;
	}
	return RESULT(j, e0);
}

/* Decodes a list key into a growable array, one element decoder each. */
#define DEC_LIST(j, root, key, arr, n, cap, call)                                                  \
	do {                                                                                       \
		const json_t *l_ = json_object_get(root, key);                                     \
		size_t m_ = jdec_push_key(j, key), i_;                                             \
		json_t *it;                                                                        \
                                                                                                   \
		if (l_ && jdec_array(j, l_)) {                                                     \
			(n) = 0;                                                                   \
			json_array_foreach(l_, i_, it) {                                           \
				size_t mi_ = jdec_push_index(j, i_);                               \
				__typeof__(arr) e_ = VEC_PUSH(arr, n, cap);                        \
                                                                                                   \
				if (e_ == NULL)                                                    \
					jdec_error(j, it, "out of memory");                        \
				else if ((call) < 0)                                               \
					bad = true;                                                \
				jdec_pop(j, mi_);                                                  \
			}                                                                          \
		} else if (l_) {                                                                   \
			bad = true;                                                                \
		}                                                                                  \
		jdec_pop(j, m_);                                                                   \
	} while (0)

static int prefix6_item(struct jdec *j, const json_t *it, struct cfg_prefix6 *e)
{
	e->pos = jdec_pos(j, it);
	return jdec_prefix6_value(j, it, 0, &e->p) < 0 ? -1 : 0;
}

static int prefix4_item(struct jdec *j, const json_t *it, struct cfg_prefix4 *e)
{
	e->pos = jdec_pos(j, it);
	return jdec_prefix4_value(j, it, 0, &e->p) < 0 ? -1 : 0;
}

/* Enters root.key as a mapping with the given keys; NULL when absent or
 * not a mapping (reported). *mark restores the path. */
static const json_t *enter_map(struct jdec *j, const json_t *root, const char *key,
                               const char *const *keys, size_t *mark, bool *bad)
{
	const json_t *v = json_object_get(root, key);

	*mark = jdec_push_key(j, key);
	if (v && !jdec_object(j, v, keys)) {
		*bad = true;
		v = NULL;
	}
	if (v == NULL)
		jdec_pop(j, *mark);
	return v;
}

static const char *const proto3_keys[] = {"tcp", "udp", "icmp", NULL};

static bool dec_triple16(struct jdec *j, const json_t *root, const char *key, uint16_t min,
                         uint16_t max, uint16_t out[CFG_NPROTO])
{
	bool bad = false;
	size_t mark;
	const json_t *m = enter_map(j, root, key, proto3_keys, &mark, &bad);

	for (int i = 0; m && i < CFG_NPROTO; i++)
		OK(jdec_u16(j, m, proto3_keys[i], min, max, &out[i]));
	if (m)
		jdec_pop(j, mark);
	return bad;
}

static const char *const pool_default_keys[] = {"tcp", "udp", "echo", NULL};
static const char *const pcp_keys[] = {"daemon",       "tcp",          "udp",
                                       "pools",        "min_lifetime", "max_lifetime",
                                       "max_mappings", "max_rate",     NULL};

/* ISC "default pcp": a range, or off (ISC writes 0). */
static int dec_pcp_range(struct jdec *j, const json_t *m, const char *key, struct port_range *out)
{
	const json_t *v = json_object_get(m, key);
	const char *s = json_string_value(v);

	if ((s && strcmp(s, "off") == 0) || (json_is_integer(v) && json_integer_value(v) == 0) ||
	    json_is_false(v)) {
		*out = (struct port_range){0, 0};
		return 1;
	}
	return jdec_range(j, m, key, 1, out);
}

/* endpoints: a short list of IPv6 addresses. */
static bool dec_endpoints(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	const json_t *l = json_object_get(root, "endpoints"), *it;
	size_t mark = jdec_push_key(j, "endpoints"), i;
	bool bad = false;

	if (l && jdec_array(j, l)) {
		if (json_array_size(l) > CFG_ENDPOINTS_MAX) {
			jdec_error(j, l, "at most %d addresses", CFG_ENDPOINTS_MAX);
			bad = true;
		}
		cfg->fixed.n_endpoints = 0;
		json_array_foreach(l, i, it) {
			size_t mi = jdec_push_index(j, i);
			const char *s = json_string_value(it);

			if (i < CFG_ENDPOINTS_MAX &&
			    (s == NULL ||
			     addr6_parse(s, &cfg->fixed.endpoints[cfg->fixed.n_endpoints], NULL,
			                 0) < 0)) {
				jdec_error(j, it, "%s: not an IPv6 address",
				           s ? s : "(not a string)");
				bad = true;
			} else if (i < CFG_ENDPOINTS_MAX) {
				cfg->fixed.n_endpoints++;
			}
			jdec_pop(j, mi);
		}
	} else if (l) {
		bad = true;
	}
	jdec_pop(j, mark);
	return bad;
}

static bool dec_section_one(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad = false;
	size_t mark;
	const json_t *m;
	int v, rc;

	OK(rc = jdec_addr6(j, root, "endpoint", &cfg->fixed.endpoint));
	cfg->fixed.has_endpoint = rc == 1;
	bad |= dec_endpoints(cfg, root, j);
	OK(rc = jdec_addr4(j, root, "icmp_source", &cfg->fixed.icmp_source));
	cfg->fixed.has_icmp_source = rc == 1;
	DEC_LIST(j, root, "acl6", cfg->lists.acl6, cfg->lists.n_acl6, cfg->lists.cap_acl6,
	         prefix6_item(j, it, e_));
	OK(jdec_bool(j, root, "acl6_icmp", &cfg->fixed.acl6_icmp));
	DEC_LIST(j, root, "private", cfg->lists.private4, cfg->lists.n_private4,
	         cfg->lists.cap_private4, prefix4_item(j, it, e_));
	DEC_LIST(j, root, "pools", cfg->fixed.pools, cfg->fixed.n_pools, cfg->fixed.cap_pools,
	         cfg_pool_from_json(j, it, e_));
	if ((m = enter_map(j, root, "pool_defaults", pool_default_keys, &mark, &bad))) {
		for (int i = 0; i < CFG_NPROTO; i++)
			OK(jdec_range(j, m, pool_default_keys[i], i == CFG_ICMP ? 0 : 1,
			              &cfg->fixed.pool_defaults[i]));
		jdec_pop(j, mark);
	}
	if ((m = enter_map(j, root, "pcp", pcp_keys, &mark, &bad))) {
		if (OK(rc = jdec_enum(j, m, "daemon", cfg_pcpd_names, &v)), rc == 1)
			cfg->fixed.pcpd = v;
		OK(dec_pcp_range(j, m, "tcp", &cfg->fixed.pcp_defaults[CFG_TCP]));
		OK(dec_pcp_range(j, m, "udp", &cfg->fixed.pcp_defaults[CFG_UDP]));
		DEC_LIST(j, m, "pools", cfg->fixed.pcp_pools, cfg->fixed.n_pcp_pools,
		         cfg->fixed.cap_pcp_pools, cfg_pcp_pool_from_json(j, it, e_));
		OK(jdec_u32(j, m, "min_lifetime", 1, CFG_PCP_LIFETIME_MAX,
		            &cfg->fixed.pcp_min_lifetime));
		OK(jdec_u32(j, m, "max_lifetime", 1, CFG_PCP_LIFETIME_MAX,
		            &cfg->fixed.pcp_max_lifetime));
		OK(jdec_u16(j, m, "max_mappings", 0, 65535, &cfg->fixed.pcp_max_mappings));
		OK(jdec_u32(j, m, "max_rate", 1, 1000000, &cfg->fixed.pcp_max_rate));
		jdec_pop(j, mark);
	}
	return bad;
}

static const char *const tundef_keys[] = {"auto",
                                          "mtu",
                                          "mss",
                                          "toobig",
                                          "admpro",
                                          "fragment_ipv6_maxcount",
                                          "fragment_ipv4_maxcount",
                                          "nat_maxcount",
                                          "nat_rate",
                                          NULL};

static bool dec_tunnel_defaults(struct cfg_tunnel_defaults *t, const json_t *root, struct jdec *j)
{
	bool bad = false;
	size_t mark;
	const json_t *m = enter_map(j, root, "tunnel_defaults", tundef_keys, &mark, &bad);
	uint16_t rate[CFG_NPROTO];
	int v, rc;

	if (m == NULL)
		return bad;
	OK(jdec_bool(j, m, "auto", &t->auto_create));
	OK(jdec_u16(j, m, "mtu", CFG_MTU_MIN, 65535, &t->mtu));
	OK(jdec_bool(j, m, "mss", &t->mss));
	if (OK(rc = jdec_enum(j, m, "toobig", cfg_toobig_names, &v)), rc == 1)
		t->toobig = (uint8_t)v;
	if (OK(rc = jdec_enum(j, m, "admpro", cfg_admpro_names, &v)), rc == 1)
		t->admpro = (uint8_t)v;
	OK(jdec_u8(j, m, "fragment_ipv6_maxcount", 0, 255, &t->frag6_maxcount));
	OK(jdec_u8(j, m, "fragment_ipv4_maxcount", 0, 255, &t->frag4_maxcount));
	bad |= dec_triple16(j, m, "nat_maxcount", 0, 65535, t->nat_maxcount);
	for (int i = 0; i < CFG_NPROTO; i++)
		rate[i] = t->nat_rate[i];
	bad |= dec_triple16(j, m, "nat_rate", 0, 255, rate);
	for (int i = 0; i < CFG_NPROTO; i++)
		t->nat_rate[i] = (uint8_t)rate[i];
	jdec_pop(j, mark);
	return bad;
}

static const char *const frag_keys[] = {"equal",       "lifetime",     "ipv6_maxcount",
                                        "in_maxcount", "out_maxcount", NULL};
static const char *const nat_sect_keys[] = {"lifetime",
                                            "hold_lifetime",
                                            "port_block",
                                            "max_blocks",
                                            "filtering",
                                            "sessions_per_worker",
                                            "subscribers_per_worker",
                                            "max_pools",
                                            "deterministic",
                                            "any_endpoint",
                                            NULL};
static const char *const determ_keys[] = {"prefix", "subscriber_length", NULL};

/* nat.deterministic: {prefix, subscriber_length} (checked in determ.c). */
static bool dec_determ(struct aftr_config *cfg, const json_t *nat, struct jdec *j)
{
	bool bad = false;
	size_t mark;
	const json_t *m = enter_map(j, nat, "deterministic", determ_keys, &mark, &bad);
	int rc;

	if (m == NULL)
		return bad;
	OK(rc = jdec_required(j, m, "prefix",
	                      jdec_prefix6(j, m, "prefix", 0, &cfg->fixed.determ_prefix)));
	cfg->fixed.has_determ = rc == 1;
	OK(jdec_required(j, m, "subscriber_length",
	                 jdec_u8(j, m, "subscriber_length", 1, 128, &cfg->fixed.determ_len)));
	jdec_pop(j, mark);
	return bad;
}
static const char *const decay_keys[] = {"1min", "5min", "15min", NULL};

static bool dec_section_zero(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad = dec_tunnel_defaults(&cfg->fixed.tun, root, j);
	size_t mark;
	const json_t *m;

	if ((m = enter_map(j, root, "fragment", frag_keys, &mark, &bad))) {
		OK(jdec_bool(j, m, "equal", &cfg->fixed.frag_equal));
		OK(jdec_u16(j, m, "lifetime", 1, CFG_FRAG_LIFETIME_MAX, &cfg->fixed.frag_lifetime));
		for (int i = 0; i < 3; i++)
			OK(jdec_u16(j, m, frag_keys[2 + i], 0, CFG_FRAG_MAXCOUNT_MAX,
			            &cfg->fixed.frag_maxcount[i]));
		jdec_pop(j, mark);
	}
	if ((m = enter_map(j, root, "nat", nat_sect_keys, &mark, &bad))) {
		size_t lmark;
		const json_t *lt = enter_map(j, m, "lifetime", cfg_lifetime_names, &lmark, &bad);

		for (int i = 0; lt && i < LT_N; i++) {
			uint64_t x;
			int rc;

			if (OK(rc = jdec_uint(j, lt, cfg_lifetime_names[i], 1, CFG_LIFETIME_MAX,
			                      &x)),
			    rc == 1)
				cfg->fixed.lifetime[i] = (uint32_t)x;
		}
		if (lt)
			jdec_pop(j, lmark);
		OK(jdec_u16(j, m, "hold_lifetime", 0, CFG_HOLD_LIFETIME_MAX,
		            &cfg->fixed.hold_lifetime));
		bad |= dec_triple16(j, m, "port_block", 1, CFG_PORT_BLOCK_MAX,
		                    cfg->fixed.port_block);
		bad |= dec_triple16(j, m, "max_blocks", 0, 65535, cfg->fixed.max_blocks);
		{
			int v, rc;

			if (OK(rc = jdec_enum(j, m, "filtering", cfg_filtering_names, &v)), rc == 1)
				cfg->fixed.filtering = v;
		}
		OK(jdec_u32(j, m, "sessions_per_worker", CFG_SESSIONS_PER_WORKER_MIN,
		            CFG_SESSIONS_PER_WORKER_MAX, &cfg->fixed.sessions_per_worker));
		OK(jdec_u32(j, m, "subscribers_per_worker", CFG_SUBSCRIBERS_PER_WORKER_MIN,
		            CFG_SUBSCRIBERS_PER_WORKER_MAX, &cfg->fixed.subscribers_per_worker));
		OK(jdec_u32(j, m, "max_pools", 1, CFG_MAX_POOLS_MAX, &cfg->fixed.max_pools));
		OK(jdec_bool(j, m, "any_endpoint", &cfg->fixed.nat_any_endpoint));
		bad |= dec_determ(cfg, m, j);
		jdec_pop(j, mark);
	}
	if ((m = enter_map(j, root, "decay", decay_keys, &mark, &bad))) {
		for (int i = 0; i < 3; i++)
			OK(jdec_real(j, m, decay_keys[i], 0.0, 1.0, &cfg->fixed.decay[i]));
		jdec_pop(j, mark);
	}
	OK(jdec_u8(j, root, "quantum", CFG_QUANTUM_MIN, 255, &cfg->fixed.quantum));
	return bad;
}

static bool dec_section_two(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad = false;

	DEC_LIST(j, root, "tunnels", cfg->lists.tunnels, cfg->lists.n_tunnels,
	         cfg->lists.cap_tunnels, cfg_tunnel_from_json(j, it, e_));
	DEC_LIST(j, root, "static_nat", cfg->lists.nats, cfg->lists.n_nats, cfg->lists.cap_nats,
	         cfg_nat_from_json(j, it, e_));
	DEC_LIST(j, root, "prr", cfg->lists.prrs, cfg->lists.n_prrs, cfg->lists.cap_prrs,
	         cfg_prr_from_json(j, it, e_));
	DEC_LIST(j, root, "nonat", cfg->lists.nonats, cfg->lists.n_nonats, cfg->lists.cap_nonats,
	         cfg_nonat_from_json(j, it, e_));
	DEC_LIST(j, root, "softwires", cfg->lists.softwires, cfg->lists.n_softwires,
	         cfg->lists.cap_softwires, cfg_softwire_from_json(j, it, e_));
	OK(jdec_bool(j, root, "softwire_hairpinning", &cfg->fixed.softwire_hairpinning));
	return bad;
}

static const char *const icmp_keys[] = {"transport", "wan", NULL}; /* and filters' */
static const char *const filter_rule_keys[] = {"action",           "b4",       "source",
                                               "destination",      "protocol", "source_port",
                                               "destination_port", NULL};

static int dec_filter_rule(struct jdec *j, const json_t *node, struct cfg_filter_rule *out)
{
	size_t e0 = j->d->errors;
	bool bad = false;
	int v, rc;

	if (!jdec_object(j, node, filter_rule_keys))
		return -1;
	*out = (struct cfg_filter_rule){.proto = -1, .pos = jdec_pos(j, node)};
	if (OK(rc = jdec_required(j, node, "action",
	                          jdec_enum(j, node, "action", cfg_filter_action_names, &v))),
	    rc == 1)
		out->action = (uint8_t)v;
	OK(rc = jdec_prefix6(j, node, "b4", PFX_BARE, &out->b4));
	out->has_b4 = rc == 1;
	OK(rc = jdec_prefix4(j, node, "source", PFX_BARE, &out->src));
	out->has_src = rc == 1;
	OK(rc = jdec_prefix4(j, node, "destination", PFX_BARE, &out->dst));
	out->has_dst = rc == 1;
	if (OK(rc = jdec_enum(j, node, "protocol", cfg_proto_names, &v)), rc == 1)
		out->proto = (int8_t)v;
	OK(rc = jdec_range(j, node, "source_port", 0, &out->sport));
	out->has_sport = rc == 1;
	OK(rc = jdec_range(j, node, "destination_port", 0, &out->dport));
	out->has_dport = rc == 1;
	return RESULT(j, e0);
}

/* filters: per interface, per direction, a list of rules. */
static bool dec_filters(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad = false;
	size_t mark, ms;
	const json_t *m = enter_map(j, root, "filters", icmp_keys, &mark, &bad), *s;

	if (m == NULL)
		return bad;
	for (int i = 0; i < CFG_NSIDES; i++) {
		if ((s = enter_map(j, m, cfg_side_names[i], cfg_dir_names, &ms, &bad)) == NULL)
			continue;
		for (int k = 0; k < CFG_NDIRS; k++) {
			struct cfg_filter_list *l = &cfg->lists.filters[i][k];

			DEC_LIST(j, s, cfg_dir_names[k], l->v, l->n, l->cap,
			         dec_filter_rule(j, it, e_));
		}
		jdec_pop(j, ms);
	}
	jdec_pop(j, mark);
	return bad;
}

static const char *const icmp_side_keys[] = {"errors", "too_big", "incoming", "rate", NULL};

/* icmp: the policy of each interface. */
static bool dec_icmp(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad = false;
	size_t mark, ms;
	const json_t *m = enter_map(j, root, "icmp", icmp_keys, &mark, &bad), *s;
	int v, rc;

	if (m == NULL)
		return bad;
	for (int i = 0; i < CFG_NSIDES; i++) {
		struct cfg_icmp_policy *p = &cfg->fixed.icmp[i];

		if ((s = enter_map(j, m, cfg_side_names[i], icmp_side_keys, &ms, &bad)) == NULL)
			continue;
		OK(jdec_bool(j, s, "errors", &p->errors));
		OK(jdec_bool(j, s, "too_big", &p->too_big));
		if (OK(rc = jdec_enum(j, s, "incoming", cfg_incoming_names, &v)), rc == 1)
			p->incoming = v;
		OK(jdec_u32(j, s, "rate", 1, CFG_ICMP_RATE_MAX, &p->rate));
		jdec_pop(j, ms);
	}
	jdec_pop(j, mark);
	return bad;
}

static const char *const iface_keys[] = {"device", "address", "gateway", "gateway_mac",
                                         "mtu",    "vlan",    "mac",     NULL};

/* "aa:bb:cc:dd:ee:ff": six pairs of hex digits, nothing else (sscanf's %2x
 * would take a sign or a space for a digit). */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t b[6];

	if (s == NULL || strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		char pair[3] = {p[0], p[1], '\0'};

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < 5 && p[2] != ':'))
			return false;
		b[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	memcpy(mac, b, 6);
	return true;
}

static int dec_mac(struct jdec *j, const json_t *m, const char *key, uint8_t mac[6])
{
	const json_t *v = json_object_get(m, key);
	const char *s = json_string_value(v);
	size_t mark;

	if (v == NULL)
		return 0;
	if (parse_mac(s, mac))
		return 1;
	mark = jdec_push_key(j, key);
	jdec_error(j, v, "%s: not a MAC address (aa:bb:cc:dd:ee:ff)", s ? s : "(not a string)");
	jdec_pop(j, mark);
	return -1;
}
static const char *const ifaces_keys[] = {"transport", "wan", NULL};

static bool dec_iface(struct cfg_iface *i, bool v6, const json_t *root, const char *key,
                      struct jdec *j)
{
	bool bad = false;
	size_t mark;
	const json_t *m = enter_map(j, root, key, iface_keys, &mark, &bad);
	int rc;

	if (m == NULL)
		return bad;
	OK(jdec_string(j, m, "device", &i->device));
	if (v6) {
		OK(rc = jdec_prefix6(j, m, "address", PFX_HOST, &i->addr6));
		i->has_address = rc == 1;
		OK(rc = jdec_addr6(j, m, "gateway", &i->gw6));
	} else {
		OK(rc = jdec_prefix4(j, m, "address", PFX_HOST, &i->addr4));
		i->has_address = rc == 1;
		OK(rc = jdec_addr4(j, m, "gateway", &i->gw4));
	}
	i->has_gateway = rc == 1;
	OK(rc = dec_mac(j, m, "gateway_mac", i->gateway_mac));
	i->has_gateway_mac = rc == 1;
	OK(jdec_u16(j, m, "mtu", 576, 9600, &i->mtu));
	OK(jdec_u16(j, m, "vlan", 1, 4094, &i->vlan));
	OK(rc = dec_mac(j, m, "mac", i->mac));
	i->has_mac = rc == 1;
	jdec_pop(j, mark);
	return bad;
}

static const char *const api_keys[] = {"listen",
                                       "port",
                                       "token_file",
                                       "tls_cert",
                                       "tls_key",
                                       "max_body_mb",
                                       "max_connections",
                                       "max_per_client",
                                       "header_timeout",
                                       "idle_timeout",
                                       NULL};
static const char *const log_keys[] = {"level",     "destination", "facility",
                                       "debug",     "nat_events",  "enterprise",
                                       "exporters", "event_log",   NULL};
static const char *const event_log_keys[] = {"enabled",        "dir",          "file_mb",
                                             "retention_days", "max_total_mb", NULL};
static const char *const exporter_keys[] = {
        "type", "transport", "address", "port", "path", "template_refresh", "observation_domain",
        NULL};

/* A string key into a fixed buffer: as jdec_string, too long an error. */
static int dec_fixed_str(struct jdec *j, const json_t *m, const char *key, char *out, size_t len)
{
	char *s = NULL;
	int rc = jdec_string(j, m, key, &s);

	if (rc == 1 && strlen(s) >= len) {
		size_t mk = jdec_push_key(j, key);

		jdec_error(j, json_object_get(m, key), "longer than %zu characters", len - 1);
		jdec_pop(j, mk);
		rc = -1;
	} else if (rc == 1) {
		memcpy(out, s, strlen(s) + 1);
	}
	free(s);
	return rc;
}

/* One of logging.exporters (checked whole by config_check.c). */
static bool dec_exporter(struct jdec *j, const json_t *m, struct cfg_exporter *e)
{
	bool bad = false;
	int v, rc;

	if (!jdec_object(j, m, exporter_keys))
		return true;
	if (OK(rc = jdec_required(j, m, "type",
	                          jdec_enum(j, m, "type", cfg_export_type_names, &v))),
	    rc == 1)
		e->type = v;
	if (OK(rc = jdec_enum(j, m, "transport", cfg_export_transport_names, &v)), rc == 1)
		e->transport = v;
	OK(dec_fixed_str(j, m, "address", e->address, sizeof(e->address)));
	OK(dec_fixed_str(j, m, "path", e->path, sizeof(e->path)));
	e->port = e->type == EXPORT_IPFIX ? CFG_IPFIX_PORT : CFG_SYSLOG_PORT;
	OK(jdec_u16(j, m, "port", 1, 65535, &e->port));
	e->template_refresh = CFG_TEMPLATE_REFRESH;
	OK(jdec_u16(j, m, "template_refresh", 1, 3600, &e->template_refresh));
	e->domain = 1;
	OK(jdec_u32(j, m, "observation_domain", 0, UINT32_MAX, &e->domain));
	if (e->transport == EXPORT_LOCAL && e->path[0] == '\0')
		snprintf(e->path, sizeof(e->path), "%s", "/dev/log");
	return bad;
}

static bool dec_event_log(struct cfg_event_log *e, const json_t *log, struct jdec *j)
{
	bool bad = false;
	size_t mark;
	const json_t *m = enter_map(j, log, "event_log", event_log_keys, &mark, &bad);

	if (m == NULL)
		return bad;
	OK(jdec_bool(j, m, "enabled", &e->enabled));
	OK(dec_fixed_str(j, m, "dir", e->dir, sizeof(e->dir)));
	OK(jdec_u32(j, m, "file_mb", 1, 4096, &e->file_mb));
	OK(jdec_u32(j, m, "retention_days", 0, 36500, &e->retention_days));
	OK(jdec_u32(j, m, "max_total_mb", 0, UINT32_MAX, &e->max_total_mb));
	jdec_pop(j, mark);
	return bad;
}

static bool dec_exporters(struct aftr_config *cfg, const json_t *log, struct jdec *j)
{
	const json_t *l = json_object_get(log, "exporters"), *it;
	size_t mark = jdec_push_key(j, "exporters"), i;
	bool bad = false;

	if (l && jdec_array(j, l)) {
		cfg->fixed.n_exporters = 0;
		json_array_foreach(l, i, it) {
			size_t mi = jdec_push_index(j, i);

			if (i == CFG_EXPORTERS_MAX) {
				jdec_error(j, it, "at most %d exporters", CFG_EXPORTERS_MAX);
				bad = true;
			} else if (i < CFG_EXPORTERS_MAX) {
				memset(&cfg->fixed.exporters[i], 0,
				       sizeof(cfg->fixed.exporters[i]));
				bad |= dec_exporter(j, it, &cfg->fixed.exporters[i]);
				cfg->fixed.n_exporters = (uint8_t)(i + 1);
			}
			jdec_pop(j, mi);
		}
	} else if (l) {
		bad = true;
	}
	jdec_pop(j, mark);
	return bad;
}
static const char *const dataplane_keys[] = {"idle", "idle_sleep_max_us", "fast_path", NULL};

static bool dec_api(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad = false;
	size_t mark;
	const json_t *m = enter_map(j, root, "api", api_keys, &mark, &bad);
	uint32_t a4;
	struct addr6 a6;

	if (m == NULL)
		return bad;
	if (OK(jdec_string(j, m, "listen", &cfg->fixed.api_listen)),
	    cfg->fixed.api_listen && addr4_parse(cfg->fixed.api_listen, &a4, NULL, 0) < 0 &&
	            addr6_parse(cfg->fixed.api_listen, &a6, NULL, 0) < 0) {
		size_t lm = jdec_push_key(j, "listen");

		jdec_error(j, json_object_get(m, "listen"), "%s: not an IPv4 or IPv6 address",
		           cfg->fixed.api_listen);
		jdec_pop(j, lm);
		bad = true;
	}
	OK(jdec_u16(j, m, "port", 1, 65535, &cfg->fixed.api_port));
	OK(jdec_string(j, m, "token_file", &cfg->fixed.api_token_file));
	OK(jdec_string(j, m, "tls_cert", &cfg->fixed.api_tls_cert));
	OK(jdec_string(j, m, "tls_key", &cfg->fixed.api_tls_key));
	OK(jdec_u32(j, m, "max_body_mb", 1, 4096, &cfg->fixed.api_max_body_mb));
	OK(jdec_u32(j, m, "max_connections", 16, 65536, &cfg->fixed.api_max_connections));
	OK(jdec_u32(j, m, "max_per_client", 1, 65536, &cfg->fixed.api_max_per_client));
	OK(jdec_u16(j, m, "header_timeout", 1, 3600, &cfg->fixed.api_header_timeout));
	OK(jdec_u16(j, m, "idle_timeout", 1, 3600, &cfg->fixed.api_idle_timeout));
	if (cfg->fixed.api_max_per_client > cfg->fixed.api_max_connections) {
		jdec_error(j, m, "max_per_client (%u) is over max_connections (%u)",
		           cfg->fixed.api_max_per_client, cfg->fixed.api_max_connections);
		bad = true;
	}
	if (!cfg->fixed.api_tls_cert != !cfg->fixed.api_tls_key) {
		jdec_error(j, m, "tls_cert and tls_key go together");
		bad = true;
	}
	jdec_pop(j, mark);
	return bad;
}

static const char *const bgp_keys[] = {"bird_socket", "protocol", "check_interval_ms", "down_after",
                                       NULL};

/* bgp: the BGP speaker beside the AFTR (control/bgp/). The protocol is a
 * BIRD protocol name or a pattern of them (birdc's "disable PATTERN"). */
static bool dec_bgp(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad = false;
	size_t mark;
	const json_t *m = enter_map(j, root, "bgp", bgp_keys, &mark, &bad);
	const char *p;

	if (m == NULL)
		return bad;
	OK(jdec_string(j, m, "bird_socket", &cfg->fixed.bgp_bird_socket));
	OK(jdec_string(j, m, "protocol", &cfg->fixed.bgp_protocol));
	OK(jdec_u32(j, m, "check_interval_ms", 50, 60000, &cfg->fixed.bgp_check_ms));
	OK(jdec_u8(j, m, "down_after", 1, 100, &cfg->fixed.bgp_down_after));
	p = cfg->fixed.bgp_protocol;
	if (p && (*p == '\0' ||
	          strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_*?") !=
	                  strlen(p) ||
	          strlen(p) > 64)) {
		size_t lm = jdec_push_key(j, "protocol");

		jdec_error(j, json_object_get(m, "protocol"),
		           "%s: not a BIRD protocol name or pattern (letters, digits, _, * and ?)",
		           p);
		jdec_pop(j, lm);
		bad = true;
	}
	jdec_pop(j, mark);
	return bad;
}

static const char *const cluster_keys[] = {"follow", "token_file", "kinds", "retry_interval_ms",
                                           NULL};

/* cluster.kinds: the run-time list kinds by their API names. */
static bool dec_cluster_kinds(struct aftr_config *cfg, const json_t *m, struct jdec *j)
{
	const json_t *a = json_object_get(m, "kinds"), *v;
	size_t i, mark = jdec_push_key(j, "kinds");
	bool bad = false;
	int k;

	if (a == NULL) {
		jdec_pop(j, mark);
		return false;
	}
	cfg->fixed.cluster_kinds = 0;
	if (!json_is_array(a)) {
		jdec_error(j, a,
		           "a list of kinds (softwires, prr, nonat, tunnels, acl6, private, "
		           "static-nat)");
		bad = true;
	}
	json_array_foreach(a, i, v) {
		size_t im = jdec_push_index(j, i);

		if (!json_is_string(v) || (k = cfg_kind_by_url(json_string_value(v))) < 0) {
			jdec_error(j, v,
			           "%s: not a kind (softwires, prr, nonat, tunnels, acl6, "
			           "private, static-nat)",
			           json_is_string(v) ? json_string_value(v) : "?");
			bad = true;
		} else {
			cfg->fixed.cluster_kinds |= 1u << k;
		}
		jdec_pop(j, im);
	}
	jdec_pop(j, mark);
	return bad;
}

/* cluster: this box follows a leader's run-time lists (control/cluster/). */
static bool dec_cluster(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad = false;
	size_t mark;
	const json_t *m = enter_map(j, root, "cluster", cluster_keys, &mark, &bad);
	const char *u;

	if (m == NULL)
		return bad;
	OK(jdec_string(j, m, "follow", &cfg->fixed.cluster_follow));
	OK(jdec_string(j, m, "token_file", &cfg->fixed.cluster_token_file));
	OK(jdec_u32(j, m, "retry_interval_ms", 100, 60000, &cfg->fixed.cluster_retry_ms));
	bad |= dec_cluster_kinds(cfg, m, j);
	u = cfg->fixed.cluster_follow;
	if (u && ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) ||
	          strlen(u) > 200 || strpbrk(u, " \t\r\n?#") != NULL)) {
		size_t lm = jdec_push_key(j, "follow");

		jdec_error(j, json_object_get(m, "follow"),
		           "%s: not the leader's API URL (http://HOST:PORT or https://HOST:PORT)",
		           u);
		jdec_pop(j, lm);
		bad = true;
	}
	jdec_pop(j, mark);
	return bad;
}

static bool dec_appliance(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad = false;
	size_t mark;
	const json_t *m;
	int v, rc;

	if ((m = enter_map(j, root, "interfaces", ifaces_keys, &mark, &bad))) {
		bad |= dec_iface(&cfg->fixed.transport, true, m, "transport", j);
		bad |= dec_iface(&cfg->fixed.wan, false, m, "wan", j);
		jdec_pop(j, mark);
	}
	bad |= dec_api(cfg, root, j);
	bad |= dec_bgp(cfg, root, j);
	bad |= dec_cluster(cfg, root, j);
	if ((m = enter_map(j, root, "logging", log_keys, &mark, &bad))) {
		if (OK(rc = jdec_enum(j, m, "level", cfg_log_level_names, &v)), rc == 1)
			cfg->fixed.log_level = v;
		if (OK(rc = jdec_enum(j, m, "destination", cfg_log_dest_names, &v)), rc == 1)
			cfg->fixed.log_dest = v;
		OK(jdec_string(j, m, "facility", &cfg->fixed.log_facility));
		OK(jdec_u8(j, m, "debug", 0, CFG_DEBUG_MAX, &cfg->fixed.debug));
		if (OK(rc = jdec_enum(j, m, "nat_events", cfg_nat_events_names, &v)), rc == 1)
			cfg->fixed.nat_events = v;
		OK(jdec_u32(j, m, "enterprise", 1, UINT32_MAX, &cfg->fixed.log_enterprise));
		bad |= dec_exporters(cfg, m, j);
		bad |= dec_event_log(&cfg->fixed.event_log, m, j);
		jdec_pop(j, mark);
	}
	if ((m = enter_map(j, root, "dataplane", dataplane_keys, &mark, &bad))) {
		if (OK(rc = jdec_enum(j, m, "idle", cfg_idle_names, &v)), rc == 1)
			cfg->fixed.idle = v;
		OK(jdec_u16(j, m, "idle_sleep_max_us", CFG_IDLE_SLEEP_MAX_US_MIN,
		            CFG_IDLE_SLEEP_MAX_US_MAX, &cfg->fixed.idle_sleep_max_us));
		OK(jdec_bool(j, m, "fast_path", &cfg->fixed.fast_path));
		jdec_pop(j, mark);
	}
	return bad;
}

static const char *const top_keys[] = {
        "endpoint",   "endpoints", "icmp_source",   "acl6",      "acl6_icmp",
        "private",    "pools",     "pool_defaults", "pcp",       "tunnel_defaults",
        "fragment",   "nat",       "decay",         "quantum",   "tunnels",
        "static_nat", "prr",       "nonat",         "softwires", "softwire_hairpinning",
        "icmp",       "filters",   "interfaces",    "api",       "logging",
        "dataplane",  "bgp",       "cluster",       NULL};

int cfg_from_json(struct aftr_config *cfg, const json_t *root, struct jdec *j)
{
	bool bad;

	if (json_is_null(root))
		return 0; /* an empty file: all defaults (validation then asks for more) */
	if (!jdec_object(j, root, top_keys))
		return -1;
	bad = dec_section_one(cfg, root, j);
	bad |= dec_section_zero(cfg, root, j);
	bad |= dec_section_two(cfg, root, j);
	bad |= dec_icmp(cfg, root, j);
	bad |= dec_filters(cfg, root, j);
	bad |= dec_appliance(cfg, root, j);
	return bad || j->d->errors ? -1 : 0;
}
