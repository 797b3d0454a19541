/* ISC aftr.conf sections one and two, "delete", "try", and the command
 * table (ISC AFTR manual 3.3 and 3.5). */
#include <stdlib.h>
#include <string.h>

#include "isc_priv.h"
#include "util.h"

#define PUSH_OR_FAIL(s, e, arr, n, cap)                                                            \
	do {                                                                                       \
		(e) = VEC_PUSH(arr, n, cap);                                                       \
		if ((e) == NULL) {                                                                 \
			isc_err(s, "out of memory");                                               \
			return -1;                                                                 \
		}                                                                                  \
		(e)->pos = isc_pos(s);                                                             \
	} while (0)

static int acl6(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_prefix6 *e;
	struct prefix6 p;

	if (isc_nargs(s, at, 1, 1, "IPV6_PREFIX/LENGTH") < 0 || isc_prefix6(s, s->tok[at], &p) < 0)
		return -1;
	for (size_t i = 0; i < cfg->lists.n_acl6; i++) {
		if (cfg->lists.acl6[i].p.len == p.len &&
		    addr6_equal(&cfg->lists.acl6[i].p.addr, &p.addr)) {
			diag_warn(s->d, s->line, 0, s->cmd, "%s is already listed: ignored",
			          s->tok[at]);
			return 0;
		}
	}
	PUSH_OR_FAIL(s, e, cfg->lists.acl6, cfg->lists.n_acl6, cfg->lists.cap_acl6);
	e->p = p;
	return 0;
}

static int address_endpoint(struct isc *s, int at)
{
	if (isc_nargs(s, at, 1, 1, "IPV6_ADDRESS") < 0)
		return -1;
	if (s->cfg->fixed.has_endpoint) {
		isc_err(s, "the endpoint address is already set");
		return -1;
	}
	if (isc_addr6(s, s->tok[at], &s->cfg->fixed.endpoint) < 0)
		return -1;
	s->cfg->fixed.has_endpoint = true;
	return 0;
}

static int address_icmp(struct isc *s, int at)
{
	if (isc_nargs(s, at, 1, 1, "IPV4_ADDRESS") < 0)
		return -1;
	if (s->cfg->fixed.has_icmp_source) {
		isc_err(s, "the icmp address is already set");
		return -1;
	}
	if (isc_addr4(s, s->tok[at], &s->cfg->fixed.icmp_source) < 0)
		return -1;
	s->cfg->fixed.has_icmp_source = true;
	return 0;
}

/* "pool ADDR [tcp|udp|echo MIN-MAX]": one line per protocol range; a
 * second bare line for one address is a mistake (ISC would make a second
 * pool with the same address). */
static int pool(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_pool *p;
	enum cfg_proto proto;
	struct port_range r;
	uint32_t a;

	if (isc_nargs(s, at, 1, 3, "IPV4_ADDRESS [tcp|udp|echo MIN-MAX]") < 0 ||
	    isc_addr4(s, s->tok[at], &a) < 0 ||
	    isc_nargs(s, at, s->ntok - at == 2 ? 3 : 1, 3, "IPV4_ADDRESS [tcp|udp|echo MIN-MAX]") <
	            0)
		return -1;
	p = cfg_find_pool(cfg, a);
	if (s->ntok - at == 1) {
		if (p) {
			isc_err(s, "%s is already a pool", s->tok[at]);
			return -1;
		}
	} else if (isc_proto(s, s->tok[at + 1], true, &proto) < 0 ||
	           isc_range(s, s->tok[at + 2], proto == CFG_ICMP ? 0 : 1, &r) < 0) {
		return -1;
	}
	if (p == NULL) {
		PUSH_OR_FAIL(s, p, cfg->fixed.pools, cfg->fixed.n_pools, cfg->fixed.cap_pools);
		p->addr = a;
	}
	if (s->ntok - at == 3) {
		p->range[proto] = r;
		p->has_range[proto] = true;
	}
	return 0;
}

static int pcp(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_pcp_pool *p = NULL;
	enum cfg_proto proto;
	struct port_range r;
	uint32_t a;

	if (isc_nargs(s, at, 3, 3, "IPV4_ADDRESS tcp|udp MIN-MAX") < 0 ||
	    isc_addr4(s, s->tok[at], &a) < 0 || isc_proto(s, s->tok[at + 1], false, &proto) < 0 ||
	    isc_range(s, s->tok[at + 2], 1, &r) < 0)
		return -1;
	for (size_t i = 0; i < cfg->fixed.n_pcp_pools; i++)
		if (cfg->fixed.pcp_pools[i].addr == a)
			p = &cfg->fixed.pcp_pools[i];
	if (p == NULL) {
		PUSH_OR_FAIL(s, p, cfg->fixed.pcp_pools, cfg->fixed.n_pcp_pools,
		             cfg->fixed.cap_pcp_pools);
		p->addr = a;
	}
	p->range[proto] = r;
	p->has_range[proto] = true;
	return 0;
}

static struct cfg_tunnel *new_tunnel(struct isc *s, const struct addr6 *b4)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_tunnel *t =
	        VEC_PUSH(cfg->lists.tunnels, cfg->lists.n_tunnels, cfg->lists.cap_tunnels);

	if (t == NULL) {
		isc_err(s, "out of memory");
		return NULL;
	}
	t->b4 = *b4;
	t->mss = t->toobig = t->admpro = CFG_INHERIT;
	t->pos = isc_pos(s);
	return t;
}

/* "tunnel" and "try tunnel": a second definition is an error for the
 * former, and for the latter only when it names another pool. */
static int tunnel_common(struct isc *s, int at, bool try)
{
	struct cfg_tunnel *t;
	struct addr6 b4;
	uint32_t a = 0;
	bool has4 = s->ntok - at == 2;

	if (isc_nargs(s, at, 1, 2, "IPV6_REMOTE [IPV4_SOURCE]") < 0 ||
	    isc_addr6(s, s->tok[at], &b4) < 0 || (has4 && isc_addr4(s, s->tok[at + 1], &a) < 0))
		return -1;
	t = cfg_find_tunnel(s->cfg, &b4);
	if (t && (!try || (has4 && (!t->has_ipv4 || t->ipv4 != a)))) {
		isc_err(s, "%s: %s", s->tok[at],
		        try ? "the tunnel exists with another pool" : "tunnel already defined");
		return -1;
	}
	if (t == NULL && (t = new_tunnel(s, &b4)) == NULL)
		return -1;
	t->has_ipv4 |= has4;
	if (has4)
		t->ipv4 = a;
	return 0;
}

static int tunnel(struct isc *s, int at)
{
	return tunnel_common(s, at, false);
}

static int try_tunnel(struct isc *s, int at)
{
	return tunnel_common(s, at, true);
}

/* The inside half of a mapping: "IPV6_REMOTE tcp|udp IPV4 PORT". */
struct inside {
	struct addr6 b4;
	enum cfg_proto proto;
	uint32_t addr;
	uint16_t port;
};

static int parse_inside(struct isc *s, int at, bool icmp_ok, struct inside *in)
{
	uint32_t port;

	if (isc_addr6(s, s->tok[at], &in->b4) < 0 ||
	    isc_proto(s, s->tok[at + 1], icmp_ok, &in->proto) < 0 ||
	    isc_addr4(s, s->tok[at + 2], &in->addr) < 0 ||
	    isc_uint(s, s->tok[at + 3], in->proto == CFG_ICMP ? 0 : 1, 65535, &port) < 0)
		return -1;
	in->port = (uint16_t)port;
	return 0;
}

static struct cfg_nat *find_nat(struct aftr_config *cfg, const struct inside *in)
{
	for (size_t i = 0; i < cfg->lists.n_nats; i++) {
		struct cfg_nat *m = &cfg->lists.nats[i];

		if (addr6_equal(&m->b4, &in->b4) && m->proto == in->proto && m->addr == in->addr &&
		    m->port == in->port)
			return m;
	}
	return NULL;
}

#define NAT_USAGE "IPV6_REMOTE tcp|udp IPV4_SRC PORT_SRC IPV4_NEW PORT_NEW"

/* "nat" and "try map": a static (or explicit dynamic) mapping. */
static int add_nat(struct isc *s, int at, struct cfg_nat **out)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_nat *m;
	struct inside in;
	uint32_t a, port;

	if (isc_nargs(s, at, 6, 6, NAT_USAGE) < 0 || parse_inside(s, at, false, &in) < 0 ||
	    isc_addr4(s, s->tok[at + 4], &a) < 0 ||
	    isc_uint(s, s->tok[at + 5], 1, 65535, &port) < 0)
		return -1;
	if (find_nat(cfg, &in)) {
		isc_err(s, "this inside address and port are already mapped");
		return -1;
	}
	PUSH_OR_FAIL(s, m, cfg->lists.nats, cfg->lists.n_nats, cfg->lists.cap_nats);
	m->b4 = in.b4;
	m->proto = (uint8_t)in.proto;
	m->addr = in.addr;
	m->port = in.port;
	m->ext_addr = a;
	m->ext_port = (uint16_t)port;
	*out = m;
	return 0;
}

static int nat(struct isc *s, int at)
{
	struct cfg_nat *m;

	return add_nat(s, at, &m);
}

/* "try map": the tunnel must exist, the inside source must be private
 * and the outside address the tunnel's own (ISC manual 3.3 and 4.2). */
static int try_map(struct isc *s, int at)
{
	const struct cfg_tunnel *t;
	struct cfg_nat *m;

	if (add_nat(s, at, &m) < 0)
		return -1;
	t = cfg_find_tunnel(s->cfg, &m->b4);
	if (t == NULL)
		isc_err(s, "%s: no such tunnel", s->tok[at]);
	else if (!cfg_is_private(s->cfg, m->addr))
		isc_err(s, "%s is not a private address", s->tok[at + 2]);
	else if (t->has_ipv4 && t->ipv4 != m->ext_addr)
		isc_err(s, "%s is not the tunnel's pool address", s->tok[at + 4]);
	else
		return 0;
	s->cfg->lists.n_nats--;
	return -1;
}

#define FILTER_USAGE "[replace] IPV6_REMOTE tcp|udp IPV4_SRC PORT_SRC IPV4_DST/LENGTH PORT_DST"

static int filter(struct isc *s, int at)
{
	bool replace = at < s->ntok && strcasecmp(s->tok[at], "replace") == 0;
	struct cfg_nat *m;
	struct inside in;
	struct prefix4 dst;
	uint32_t port;
	char err[160];

	at += replace;
	if (isc_nargs(s, at, 6, 6, FILTER_USAGE) < 0 || parse_inside(s, at, false, &in) < 0)
		return -1;
	if (prefix4_parse(s->tok[at + 4], PFX_BARE, &dst, err, sizeof(err)) < 0) {
		isc_err(s, "%s", err);
		return -1;
	}
	if (isc_uint(s, s->tok[at + 5], 0, 65535, &port) < 0)
		return -1;
	m = find_nat(s->cfg, &in);
	if (m == NULL || (m->has_filter && !replace)) {
		isc_err(s, m ? "the mapping already has a filter (use \"filter replace\")"
		             : "no static mapping with this inside address and port");
		return -1;
	}
	m->has_filter = true;
	m->filter_dst = dst;
	m->filter_port = (uint16_t)port;
	return 0;
}

static int prr(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_prr *p;
	struct inside in;

	if (isc_nargs(s, at, 4, 4, "IPV6_REMOTE tcp|udp|icmp IPV4 PORT") < 0 ||
	    parse_inside(s, at, true, &in) < 0)
		return -1;
	PUSH_OR_FAIL(s, p, cfg->lists.prrs, cfg->lists.n_prrs, cfg->lists.cap_prrs);
	p->b4 = in.b4;
	p->proto = (uint8_t)in.proto;
	p->addr = in.addr;
	p->port = in.port;
	return 0;
}

static int nonat(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_nonat *n;
	struct addr6 b4;
	struct prefix4 p;

	if (isc_nargs(s, at, 2, 2, "IPV6_REMOTE IPV4_PREFIX/LENGTH") < 0 ||
	    isc_addr6(s, s->tok[at], &b4) < 0 || isc_prefix4(s, s->tok[at + 1], &p) < 0)
		return -1;
	PUSH_OR_FAIL(s, n, cfg->lists.nonats, cfg->lists.n_nonats, cfg->lists.cap_nonats);
	n->b4 = b4;
	n->prefix = p;
	return 0;
}

/* Whether any list knows b4 (in ISC, its nat, prr and nonat lines created
 * its tunnel). */
static bool b4_known(const struct aftr_config *cfg, const struct addr6 *b4)
{
	for (size_t i = 0; i < cfg->lists.n_nats; i++)
		if (addr6_equal(&cfg->lists.nats[i].b4, b4))
			return true;
	for (size_t i = 0; i < cfg->lists.n_prrs; i++)
		if (addr6_equal(&cfg->lists.prrs[i].b4, b4))
			return true;
	for (size_t i = 0; i < cfg->lists.n_nonats; i++)
		if (addr6_equal(&cfg->lists.nonats[i].b4, b4))
			return true;
	return false;
}

/* Per-tunnel settings need the tunnel; ISC's nat, prr and nonat lines
 * create it, so one is made here (for a nonat B4 it holds the settings
 * only: it is not NATed). */
static struct cfg_tunnel *tunnel_for(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_tunnel *t;
	struct addr6 b4;

	if (isc_addr6(s, s->tok[at], &b4) < 0)
		return NULL;
	t = cfg_find_tunnel(cfg, &b4);
	if (t)
		return t;
	if (b4_known(cfg, &b4))
		return new_tunnel(s, &b4);
	isc_err(s,
	        "%s: no such tunnel (define it with \"tunnel\", \"nat\", \"prr\" or "
	        "\"nonat\" first)",
	        s->tok[at]);
	return NULL;
}

enum tun_field { TF_MSS, TF_TOOBIG, TF_ADMPRO };

/* "mss|toobig|admpro IPV6_REMOTE VALUE" (manual 3.3, section two). */
static int tunnel_setting(struct isc *s, int at, enum tun_field f)
{
	static const char *const onoff[] = {"off", "on", NULL};
	static const char *const usage[] = {"IPV6_REMOTE on|off", "IPV6_REMOTE on|off|strict",
	                                    "IPV6_REMOTE off|in|out|all"};
	const char *const *names[] = {onoff, cfg_toobig_names, cfg_admpro_names};
	struct cfg_tunnel *t;
	int v;

	if (isc_nargs(s, at, 2, 2, usage[f]) < 0 || (t = tunnel_for(s, at)) == NULL ||
	    isc_enum(s, s->tok[at + 1], names[f], &v) < 0)
		return -1;
	if (f == TF_MSS)
		t->mss = (int8_t)v;
	else if (f == TF_TOOBIG)
		t->toobig = (int8_t)v;
	else
		t->admpro = (int8_t)v;
	return 0;
}

static int mss(struct isc *s, int at)
{
	return tunnel_setting(s, at, TF_MSS);
}

static int toobig(struct isc *s, int at)
{
	return tunnel_setting(s, at, TF_TOOBIG);
}

static int admpro(struct isc *s, int at)
{
	return tunnel_setting(s, at, TF_ADMPRO);
}

static int mtu(struct isc *s, int at)
{
	struct cfg_tunnel *t;
	uint32_t v;

	/* ISC clamps silently to 1280..65535; an operator would rather know. */
	if (isc_nargs(s, at, 2, 2, "IPV6_REMOTE MTU") < 0 || (t = tunnel_for(s, at)) == NULL ||
	    isc_uint(s, s->tok[at + 1], CFG_MTU_MIN, 65535, &v) < 0)
		return -1;
	t->mtu = (uint16_t)v;
	return 0;
}

static int debug_set(struct isc *s, int at)
{
	uint32_t v = 1; /* "If the level is omitted, it is set to 1." */

	if (isc_nargs(s, at, 0, 1, "[LEVEL]") < 0 ||
	    (s->ntok > at && isc_uint(s, s->tok[at], 0, CFG_DEBUG_MAX, &v) < 0))
		return -1;
	s->cfg->fixed.debug = (uint8_t)v;
	return 0;
}

static int try_dynamic(struct isc *s, int at)
{
	(void)at;
	isc_err(s, "not supported in a configuration file: an implicit dynamic mapping is "
	           "run-time state (the AFTR creates it from traffic)");
	return -1;
}

static int delete_acl6(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct prefix6 p;
	char err[160];

	if (isc_nargs(s, at, 1, 1, "IPV6_ADDRESS") < 0)
		return -1;
	if (prefix6_parse(s->tok[at], PFX_BARE, &p, err, sizeof(err)) < 0) {
		isc_err(s, "%s", err);
		return -1;
	}
	for (size_t i = 0; i < cfg->lists.n_acl6; i++) {
		if (!addr6_equal(&cfg->lists.acl6[i].p.addr, &p.addr))
			continue;
		if (cfg->lists.n_acl6 == 1) {
			isc_err(s, "cannot remove the last acl6 entry");
			return -1;
		}
		vec_remove(cfg->lists.acl6, &cfg->lists.n_acl6, sizeof(*cfg->lists.acl6), i);
		return 0;
	}
	isc_err(s, "%s: no such acl6 entry", s->tok[at]);
	return -1;
}

static int delete_mapping(struct isc *s, int at, bool filter_only)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_nat *m;
	struct inside in;

	if (isc_nargs(s, at, 4, 4, "IPV6_REMOTE tcp|udp IPV4 PORT") < 0 ||
	    parse_inside(s, at, false, &in) < 0)
		return -1;
	m = find_nat(cfg, &in);
	if (m == NULL || (filter_only && !m->has_filter)) {
		isc_err(s, m ? "the mapping has no filter" : "no such mapping");
		return -1;
	}
	if (filter_only)
		m->has_filter = false;
	else
		vec_remove(cfg->lists.nats, &cfg->lists.n_nats, sizeof(*cfg->lists.nats),
		           (size_t)(m - cfg->lists.nats));
	return 0;
}

static int delete_nat(struct isc *s, int at)
{
	return delete_mapping(s, at, false);
}

static int delete_filter(struct isc *s, int at)
{
	return delete_mapping(s, at, true);
}

static int delete_nonat(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct addr6 b4;

	if (isc_nargs(s, at, 1, 1, "IPV6_REMOTE") < 0 || isc_addr6(s, s->tok[at], &b4) < 0)
		return -1;
	for (size_t i = 0; i < cfg->lists.n_nonats; i++) {
		if (addr6_equal(&cfg->lists.nonats[i].b4, &b4)) {
			vec_remove(cfg->lists.nonats, &cfg->lists.n_nonats,
			           sizeof(*cfg->lists.nonats), i);
			return 0;
		}
	}
	isc_err(s, "%s: no such no-NAT tunnel", s->tok[at]);
	return -1;
}

static int delete_prr(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct inside in;

	if (isc_nargs(s, at, 4, 4, "IPV6_REMOTE tcp|udp|icmp IPV4 PORT") < 0 ||
	    parse_inside(s, at, true, &in) < 0)
		return -1;
	for (size_t i = 0; i < cfg->lists.n_prrs; i++) {
		const struct cfg_prr *p = &cfg->lists.prrs[i];

		if (addr6_equal(&p->b4, &in.b4) && p->proto == in.proto && p->addr == in.addr &&
		    p->port == in.port) {
			vec_remove(cfg->lists.prrs, &cfg->lists.n_prrs, sizeof(*cfg->lists.prrs),
			           i);
			return 0;
		}
	}
	isc_err(s, "no such prr entry");
	return -1;
}

/* "delete tunnel": the tunnel and every mapping of its B4. */
static int delete_tunnel(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct addr6 b4;
	size_t removed = 0;

	if (isc_nargs(s, at, 1, 1, "IPV6_REMOTE") < 0 || isc_addr6(s, s->tok[at], &b4) < 0)
		return -1;
	for (size_t i = cfg->lists.n_tunnels; i-- > 0;)
		if (addr6_equal(&cfg->lists.tunnels[i].b4, &b4) && ++removed)
			vec_remove(cfg->lists.tunnels, &cfg->lists.n_tunnels,
			           sizeof(*cfg->lists.tunnels), i);
	for (size_t i = cfg->lists.n_nats; i-- > 0;)
		if (addr6_equal(&cfg->lists.nats[i].b4, &b4) && ++removed)
			vec_remove(cfg->lists.nats, &cfg->lists.n_nats, sizeof(*cfg->lists.nats),
			           i);
	for (size_t i = cfg->lists.n_prrs; i-- > 0;)
		if (addr6_equal(&cfg->lists.prrs[i].b4, &b4) && ++removed)
			vec_remove(cfg->lists.prrs, &cfg->lists.n_prrs, sizeof(*cfg->lists.prrs),
			           i);
	if (removed == 0) {
		isc_err(s, "%s: no such tunnel", s->tok[at]);
		return -1;
	}
	return 0;
}

/* Section ranges per manual 3.5: zero {0,0}, one {1,1}, "one or two"
 * {1,2}, two {2,2}. */
#define Z       0, 0
#define ONE     1, 1
#define ONE_TWO 1, 2
#define TWO     2, 2
#define CMD(name, fn, sect)                                                                        \
	{                                                                                          \
		name, NULL, fn, sect, false                                                        \
	}
#define SUB(name, table)                                                                           \
	{                                                                                          \
		name, table, NULL, 0, 0, false                                                     \
	}
#define INTERACTIVE(name)                                                                          \
	{                                                                                          \
		name, NULL, NULL, 0, 0, true                                                       \
	}
#define END                                                                                        \
	{                                                                                          \
		NULL, NULL, NULL, 0, 0, false                                                      \
	}

static const struct isc_cmd address_cmds[] = {
        CMD("endpoint", address_endpoint, ONE),
        CMD("icmp", address_icmp, ONE),
        END,
};

static const struct isc_cmd delete_cmds[] = {
        CMD("acl6", delete_acl6, ONE_TWO),     CMD("filter", delete_filter, TWO),
        CMD("nat", delete_nat, TWO),           CMD("nonat", delete_nonat, TWO),
        CMD("private", isc_delete_private, Z), CMD("prr", delete_prr, TWO),
        CMD("tunnel", delete_tunnel, TWO),     END,
};

static const struct isc_cmd try_cmds[] = {
        CMD("tunnel", try_tunnel, TWO),
        CMD("map", try_map, TWO),
        CMD("dynamic", try_dynamic, TWO),
        END,
};

/* "debug set" is the one debug command with a meaning in a file. */
static const struct isc_cmd debug_cmds[] = {
        CMD("set", debug_set, TWO), INTERACTIVE("check"),
        INTERACTIVE("disable"),     INTERACTIVE("dropped"),
        INTERACTIVE("enable"),      INTERACTIVE("fragment"),
        INTERACTIVE("hash"),        INTERACTIVE("nat"),
        INTERACTIVE("nonat"),       INTERACTIVE("pool"),
        INTERACTIVE("session"),     INTERACTIVE("stat"),
        INTERACTIVE("tunnel"),      END,
};

const struct isc_cmd isc_commands[] = {
        CMD("autotunnel", isc_autotunnel, Z),
        CMD("bucket", isc_bucket, Z),
        CMD("decay", isc_decay, Z),
        SUB("default", isc_default_cmds),
        CMD("defadmpro", isc_defadmpro, Z),
        CMD("defmss", isc_defmss, Z),
        CMD("defmtu", isc_defmtu, Z),
        CMD("deftoobig", isc_deftoobig, Z),
        SUB("delete", delete_cmds),
        CMD("eqfrag", isc_eqfrag, Z),
        CMD("quantum", isc_quantum, Z),
        CMD("acl6", acl6, ONE_TWO),
        SUB("address", address_cmds),
        CMD("pool", pool, ONE),
        CMD("pcp", pcp, ONE),
        CMD("tunnel", tunnel, TWO),
        CMD("nat", nat, TWO),
        CMD("filter", filter, TWO),
        CMD("prr", prr, TWO),
        CMD("nonat", nonat, TWO),
        CMD("admpro", admpro, TWO),
        CMD("mss", mss, TWO),
        CMD("mtu", mtu, TWO),
        CMD("toobig", toobig, TWO),
        SUB("debug", debug_cmds),
        SUB("try", try_cmds),
        INTERACTIVE("abort"),
        INTERACTIVE("echo"),
        INTERACTIVE("fork"),
        INTERACTIVE("help"),
        INTERACTIVE("kill"),
        INTERACTIVE("list"),
        INTERACTIVE("load"),
        INTERACTIVE("noop"),
        INTERACTIVE("quit"),
        INTERACTIVE("reboot"),
        INTERACTIVE("reload"),
        INTERACTIVE("session"),
        INTERACTIVE("show"),
        END,
};
