/* The run-time resource kinds of state.h: how each is decoded, encoded,
 * named in URLs and told apart (its identity). */
#include "cfg_kinds.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_json.h"

static const char *const prefix_keys[] = {"prefix", NULL};

static int dec_acl6(struct jdec *j, const json_t *node, void *out)
{
	struct cfg_prefix6 *e = out;

	if (!jdec_object(j, node, prefix_keys))
		return -1;
	return jdec_required(j, node, "prefix", jdec_prefix6(j, node, "prefix", 0, &e->p)) < 0 ? -1
	                                                                                       : 0;
}

static int dec_private(struct jdec *j, const json_t *node, void *out)
{
	struct cfg_prefix4 *e = out;

	if (!jdec_object(j, node, prefix_keys))
		return -1;
	return jdec_required(j, node, "prefix", jdec_prefix4(j, node, "prefix", 0, &e->p)) < 0 ? -1
	                                                                                       : 0;
}

static json_t *enc_acl6(const void *v)
{
	char b[PREFIX6_STRLEN];

	return json_pack("{s:s}", "prefix", prefix6_format(&((const struct cfg_prefix6 *)v)->p, b));
}

static json_t *enc_private(const void *v)
{
	char b[PREFIX4_STRLEN];

	return json_pack("{s:s}", "prefix", prefix4_format(&((const struct cfg_prefix4 *)v)->p, b));
}

#define WRAP(name, type)                                                                           \
	static int dec_##name(struct jdec *j, const json_t *node, void *out)                       \
	{                                                                                          \
		return cfg_##name##_from_json(j, node, (type *)out);                               \
	}                                                                                          \
	static json_t *enc_##name(const void *v)                                                   \
	{                                                                                          \
		return cfg_##name##_to_json((const type *)v);                                      \
	}
WRAP(tunnel, struct cfg_tunnel)
WRAP(nat, struct cfg_nat)
WRAP(prr, struct cfg_prr)
WRAP(nonat, struct cfg_nonat)
WRAP(softwire, struct cfg_softwire)

/* Identities. URL segments: a B4 address; proto/address/port; address/len. */
static int id_b4(const char *const *seg, void *probe)
{
	/* b4 is the first member of struct cfg_tunnel */
	return addr6_parse(seg[0], (struct addr6 *)probe, NULL, 0);
}

static bool eq_tunnel(const void *a, const void *b)
{
	return addr6_equal(&((const struct cfg_tunnel *)a)->b4,
	                   &((const struct cfg_tunnel *)b)->b4);
}

/* A softwire is named by its address and PSID (a B4 may hold several;
 * validation keeps the pair unique). */
static bool eq_softwire(const void *a, const void *b)
{
	const struct cfg_softwire *x = a, *y = b;

	return x->ipv4 == y->ipv4 && x->psid.psid == y->psid.psid;
}

static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > 65535 || s[0] == '-' || s[0] == '+')
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int parse_proto(const char *s, bool icmp_ok)
{
	int p = cfg_name_lookup(cfg_proto_names, s);

	return p == CFG_ICMP && !icmp_ok ? -1 : p;
}

static int id_softwire(const char *const *seg, void *probe)
{
	struct cfg_softwire *sw = probe;

	return addr4_parse(seg[0], &sw->ipv4, NULL, 0) < 0 || parse_port(seg[1], &sw->psid.psid) < 0
	               ? -1
	               : 0;
}

static int id_nat(const char *const *seg, void *probe)
{
	struct cfg_nat *n = probe;
	int p = parse_proto(seg[0], false);

	if (p < 0 || addr4_parse(seg[1], &n->ext_addr, NULL, 0) < 0 ||
	    parse_port(seg[2], &n->ext_port) < 0)
		return -1;
	n->proto = (uint8_t)p;
	return 0;
}

static bool eq_nat(const void *a, const void *b)
{
	const struct cfg_nat *x = a, *y = b;

	return x->proto == y->proto && x->ext_addr == y->ext_addr && x->ext_port == y->ext_port;
}

static int id_prr(const char *const *seg, void *probe)
{
	struct cfg_prr *r = probe;
	int p = parse_proto(seg[0], true);

	if (p < 0 || addr4_parse(seg[1], &r->addr, NULL, 0) < 0 || parse_port(seg[2], &r->port) < 0)
		return -1;
	r->proto = (uint8_t)p;
	return 0;
}

static bool eq_prr(const void *a, const void *b)
{
	const struct cfg_prr *x = a, *y = b;

	return x->proto == y->proto && x->addr == y->addr && x->port == y->port;
}

/* "ADDR/LEN" from two segments. */
static void join(const char *const *seg, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", seg[0], seg[1]);
}

static int id_nonat(const char *const *seg, void *probe)
{
	char b[128];

	join(seg, b, sizeof(b));
	return prefix4_parse(b, 0, &((struct cfg_nonat *)probe)->prefix, NULL, 0);
}

static bool eq_nonat(const void *a, const void *b)
{
	const struct cfg_nonat *x = a, *y = b;

	return x->prefix.addr == y->prefix.addr && x->prefix.len == y->prefix.len;
}

static int id_acl6(const char *const *seg, void *probe)
{
	char b[128];

	join(seg, b, sizeof(b));
	return prefix6_parse(b, 0, &((struct cfg_prefix6 *)probe)->p, NULL, 0);
}

static bool eq_acl6(const void *a, const void *b)
{
	const struct cfg_prefix6 *x = a, *y = b;

	return x->p.len == y->p.len && addr6_equal(&x->p.addr, &y->p.addr);
}

static int id_private(const char *const *seg, void *probe)
{
	char b[128];

	join(seg, b, sizeof(b));
	return prefix4_parse(b, 0, &((struct cfg_prefix4 *)probe)->p, NULL, 0);
}

static bool eq_private(const void *a, const void *b)
{
	const struct cfg_prefix4 *x = a, *y = b;

	return x->p.addr == y->p.addr && x->p.len == y->p.len;
}

static void path_tunnel(const void *e, char *buf, size_t len)
{
	char a[ADDR6_STRLEN];

	snprintf(buf, len, "%s", addr6_format(&((const struct cfg_tunnel *)e)->b4, a));
}

static void path_softwire(const void *e, char *buf, size_t len)
{
	const struct cfg_softwire *sw = e;
	char a[ADDR4_STRLEN];

	snprintf(buf, len, "%s/%u", addr4_format(sw->ipv4, a), sw->psid.psid);
}

static void path_nat(const void *e, char *buf, size_t len)
{
	const struct cfg_nat *n = e;
	char a[ADDR4_STRLEN];

	snprintf(buf, len, "%s/%s/%u", cfg_proto_names[n->proto], addr4_format(n->ext_addr, a),
	         n->ext_port);
}

static void path_prr(const void *e, char *buf, size_t len)
{
	const struct cfg_prr *r = e;
	char a[ADDR4_STRLEN];

	snprintf(buf, len, "%s/%s/%u", cfg_proto_names[r->proto], addr4_format(r->addr, a),
	         r->port);
}

static void path_nonat(const void *e, char *buf, size_t len)
{
	char a[PREFIX4_STRLEN];

	snprintf(buf, len, "%s", prefix4_format(&((const struct cfg_nonat *)e)->prefix, a));
}

static void path_acl6(const void *e, char *buf, size_t len)
{
	char a[PREFIX6_STRLEN];

	snprintf(buf, len, "%s", prefix6_format(&((const struct cfg_prefix6 *)e)->p, a));
}

static void path_private(const void *e, char *buf, size_t len)
{
	char a[PREFIX4_STRLEN];

	snprintf(buf, len, "%s", prefix4_format(&((const struct cfg_prefix4 *)e)->p, a));
}

/* Identity keys: the fields eq() compares, in zeroed KIND_KEY_LEN bytes. */
static void key_tunnel(const void *e, uint8_t *out)
{
	memset(out, 0, KIND_KEY_LEN);
	memcpy(out, ((const struct cfg_tunnel *)e)->b4.b, 16);
}

static void key_softwire(const void *e, uint8_t *out)
{
	const struct cfg_softwire *sw = e;

	memset(out, 0, KIND_KEY_LEN);
	memcpy(out, &sw->ipv4, 4);
	memcpy(out + 4, &sw->psid.psid, 2);
}

static void key_nat(const void *e, uint8_t *out)
{
	const struct cfg_nat *n = e;

	memset(out, 0, KIND_KEY_LEN);
	out[0] = n->proto;
	memcpy(out + 1, &n->ext_addr, 4);
	memcpy(out + 5, &n->ext_port, 2);
}

static void key_prr(const void *e, uint8_t *out)
{
	const struct cfg_prr *r = e;

	memset(out, 0, KIND_KEY_LEN);
	out[0] = r->proto;
	memcpy(out + 1, &r->addr, 4);
	memcpy(out + 5, &r->port, 2);
}

static void key_nonat(const void *e, uint8_t *out)
{
	const struct cfg_nonat *n = e;

	memset(out, 0, KIND_KEY_LEN);
	memcpy(out, &n->prefix.addr, 4);
	out[4] = n->prefix.len;
}

static void key_acl6(const void *e, uint8_t *out)
{
	const struct cfg_prefix6 *p = e;

	memset(out, 0, KIND_KEY_LEN);
	memcpy(out, p->p.addr.b, 16);
	out[16] = p->p.len;
}

static void key_private(const void *e, uint8_t *out)
{
	const struct cfg_prefix4 *p = e;

	memset(out, 0, KIND_KEY_LEN);
	memcpy(out, &p->p.addr, 4);
	out[4] = p->p.len;
}

/* Where a list, its length and its capacity are in struct aftr_config:
 * every kind is one of its reloadable lists. */
#define IN_LISTS(f)   (offsetof(struct aftr_config, lists) + offsetof(struct cfg_lists, f))
#define LIST(f, n, c) IN_LISTS(f), IN_LISTS(n), IN_LISTS(c)

_Static_assert(K_NAT == 1 && K_COUNT == 7,
               "CFG_CLUSTER_KINDS_DEFAULT leaves out bit 1, static NAT");

const struct kind kinds[K_COUNT] = {
        [K_TUNNEL] = {CFG_KIND_URL_TUNNEL, "tunnels", sizeof(struct cfg_tunnel),
                      LIST(tunnels, n_tunnels, cap_tunnels), dec_tunnel, enc_tunnel, 1, id_b4,
                      eq_tunnel, "B4", path_tunnel, key_tunnel},
        [K_NAT] = {CFG_KIND_URL_NAT, "static_nat", sizeof(struct cfg_nat),
                   LIST(nats, n_nats, cap_nats), dec_nat, enc_nat, 3, id_nat, eq_nat,
                   "tcp|udp/ADDRESS/PORT (public)", path_nat, key_nat},
        [K_PRR] = {CFG_KIND_URL_PRR, "prr", sizeof(struct cfg_prr), LIST(prrs, n_prrs, cap_prrs),
                   dec_prr, enc_prr, 3, id_prr, eq_prr, "tcp|udp|icmp/ADDRESS/PORT", path_prr,
                   key_prr},
        [K_NONAT] = {CFG_KIND_URL_NONAT, "nonat", sizeof(struct cfg_nonat),
                     LIST(nonats, n_nonats, cap_nonats), dec_nonat, enc_nonat, 2, id_nonat,
                     eq_nonat, "ADDRESS/LEN", path_nonat, key_nonat},
        [K_SOFTWIRE] = {CFG_KIND_URL_SOFTWIRE, "softwires", sizeof(struct cfg_softwire),
                        LIST(softwires, n_softwires, cap_softwires), dec_softwire, enc_softwire, 2,
                        id_softwire, eq_softwire, "ADDRESS/PSID", path_softwire, key_softwire},
        [K_ACL6] = {CFG_KIND_URL_ACL6, "acl6", sizeof(struct cfg_prefix6),
                    LIST(acl6, n_acl6, cap_acl6), dec_acl6, enc_acl6, 2, id_acl6, eq_acl6,
                    "ADDRESS/LEN", path_acl6, key_acl6},
        [K_PRIVATE] = {CFG_KIND_URL_PRIVATE, "private", sizeof(struct cfg_prefix4),
                       LIST(private4, n_private4, cap_private4), dec_private, enc_private, 2,
                       id_private, eq_private, "ADDRESS/LEN", path_private, key_private},
};

int kind_by_url(const char *url)
{
	return cfg_kind_by_url(url);
}

struct kind_list kind_list(const struct kind *k, const struct aftr_config *cfg)
{
	const char *base = (const char *)cfg;

	return (struct kind_list){(void **)(base + k->off_v), (size_t *)(base + k->off_n),
	                          (size_t *)(base + k->off_cap)};
}

void *kind_at(const struct kind *k, const struct aftr_config *cfg, size_t i)
{
	return (char *)*kind_list(k, cfg).v + i * k->elem;
}

long kind_find(const struct kind *k, const struct aftr_config *cfg, const void *probe, size_t from)
{
	size_t n = *kind_list(k, cfg).n;

	for (size_t i = from; i < n; i++)
		if (k->eq(kind_at(k, cfg, i), probe))
			return (long)i;
	return -1;
}
