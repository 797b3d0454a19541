/* ISC aftr.conf section zero: "default ..." and its aliases, bucket, decay,
 * quantum (ISC AFTR manual 3.3, "GLOBAL CONFIGURATION COMMANDS"). Ranges
 * are the manual's; where the manual says 63535 for a port it means 65535
 * (its own defaults are 65535, and aftr.c checks 65535). */
#include <stdlib.h>
#include <string.h>

#include "isc_priv.h"
#include "util.h"

#define ONOFF_USAGE "on|off"

static int set_onoff(struct isc *s, int at, bool *out)
{
	if (isc_nargs(s, at, 1, 1, ONOFF_USAGE) < 0)
		return -1;
	return isc_onoff(s, s->tok[at], out);
}

static int set_u16(struct isc *s, int at, const char *usage, uint32_t min, uint32_t max,
                   uint16_t *out)
{
	uint32_t v;

	if (isc_nargs(s, at, 1, 1, usage) < 0 || isc_uint(s, s->tok[at], min, max, &v) < 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int set_u8(struct isc *s, int at, const char *usage, uint32_t min, uint32_t max,
                  uint8_t *out)
{
	uint16_t v;

	if (set_u16(s, at, usage, min, max, &v) < 0)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

/* Skips an optional keyword ("maxcount", "lifetime", "size") as aftr.c does. */
static int opt_word(struct isc *s, int at, const char *word)
{
	return at < s->ntok && strcasecmp(s->tok[at], word) == 0 ? at + 1 : at;
}

static int acl6_icmp(struct isc *s, int at)
{
	return set_onoff(s, at, &s->cfg->fixed.acl6_icmp);
}

static int frag_equal(struct isc *s, int at)
{
	return set_onoff(s, at, &s->cfg->fixed.frag_equal);
}

static int frag_lifetime(struct isc *s, int at)
{
	return set_u16(s, at, "LIFETIME (1..1200)", 1, CFG_FRAG_LIFETIME_MAX,
	               &s->cfg->fixed.frag_lifetime);
}

static int frag_count(struct isc *s, int at, int which)
{
	return set_u16(s, opt_word(s, at, "maxcount"), "maxcount N (0..16535)", 0,
	               CFG_FRAG_MAXCOUNT_MAX, &s->cfg->fixed.frag_maxcount[which]);
}

static int frag_ipv6(struct isc *s, int at)
{
	return frag_count(s, at, 0);
}

static int frag_in(struct isc *s, int at)
{
	return frag_count(s, at, 1);
}

static int frag_out(struct isc *s, int at)
{
	return frag_count(s, at, 2);
}

static int hold(struct isc *s, int at)
{
	return set_u16(s, opt_word(s, at, "lifetime"), "lifetime N (0..600)", 0,
	               CFG_HOLD_LIFETIME_MAX, &s->cfg->fixed.hold_lifetime);
}

static int nat_lifetime(struct isc *s, int at)
{
	int kind;
	uint32_t v;

	if (isc_nargs(s, at, 2, 2, "tcp|closed|udp|icmp|retrans LIFETIME") < 0 ||
	    isc_enum(s, s->tok[at], cfg_lifetime_names, &kind) < 0 ||
	    isc_uint(s, s->tok[at + 1], 1, CFG_LIFETIME_MAX, &v) < 0)
		return -1;
	s->cfg->fixed.lifetime[kind] = v;
	return 0;
}

static int pcpd(struct isc *s, int at)
{
	int v;

	if (isc_nargs(s, at, 1, 1, "disable|enable|stateless|encapsulate") < 0 ||
	    isc_enum(s, s->tok[at], cfg_pcpd_names, &v) < 0)
		return -1;
	s->cfg->fixed.pcpd = v;
	return 0;
}

/* "default pcp tcp|udp min-max": 0 keeps explicit PCP mappings off. */
static int pcp_range(struct isc *s, int at)
{
	enum cfg_proto p;
	struct port_range r = {0, 0};

	if (isc_nargs(s, at, 2, 2, "tcp|udp MIN-MAX") < 0 ||
	    isc_proto(s, s->tok[at], false, &p) < 0)
		return -1;
	if (strcmp(s->tok[at + 1], "0") != 0 && isc_range(s, s->tok[at + 1], 1, &r) < 0)
		return -1;
	s->cfg->fixed.pcp_defaults[p] = r;
	return 0;
}

static int pool_range(struct isc *s, int at)
{
	enum cfg_proto p;
	struct port_range r;

	if (isc_nargs(s, at, 2, 2, "tcp|udp|echo MIN-MAX") < 0 ||
	    isc_proto(s, s->tok[at], true, &p) < 0 ||
	    isc_range(s, s->tok[at + 1], p == CFG_ICMP ? 0 : 1, &r) < 0)
		return -1;
	s->cfg->fixed.pool_defaults[p] = r;
	return 0;
}

/* "default private" adds to the built-in list (aftr.c never clears it;
 * "delete private" removes entries). An exact duplicate is ignored. */
static int private_add(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	struct cfg_prefix4 *e;
	struct prefix4 p;

	if (isc_nargs(s, at, 1, 1, "IPV4_PREFIX/LENGTH") < 0 || isc_prefix4(s, s->tok[at], &p) < 0)
		return -1;
	for (size_t i = 0; i < cfg->lists.n_private4; i++) {
		if (cfg->lists.private4[i].p.addr == p.addr &&
		    cfg->lists.private4[i].p.len == p.len) {
			diag_warn(s->d, s->line, 0, s->cmd, "%s is already listed: ignored",
			          s->tok[at]);
			return 0;
		}
	}
	e = VEC_PUSH(cfg->lists.private4, cfg->lists.n_private4, cfg->lists.cap_private4);
	if (e == NULL) {
		isc_err(s, "out of memory");
		return -1;
	}
	e->p = p;
	e->pos = isc_pos(s);
	return 0;
}

static const struct isc_cmd fragment_cmds[] = {
        {"equal", NULL, frag_equal, 0, 0, false}, {"lifetime", NULL, frag_lifetime, 0, 0, false},
        {"ipv6", NULL, frag_ipv6, 0, 0, false},   {"in", NULL, frag_in, 0, 0, false},
        {"out", NULL, frag_out, 0, 0, false},     {NULL, NULL, NULL, 0, 0, false},
};

static const struct isc_cmd acl6_cmds[] = {
        {"icmp", NULL, acl6_icmp, 0, 0, false},
        {NULL, NULL, NULL, 0, 0, false},
};

static const struct isc_cmd nat_cmds[] = {
        {"lifetime", NULL, nat_lifetime, 0, 0, false},
        {NULL, NULL, NULL, 0, 0, false},
};

static int tun_admpro(struct isc *s, int at)
{
	int v;

	if (isc_nargs(s, at, 1, 1, "off|in|out|all") < 0 ||
	    isc_enum(s, s->tok[at], cfg_admpro_names, &v) < 0)
		return -1;
	s->cfg->fixed.tun.admpro = (uint8_t)v;
	return 0;
}

static int tun_auto(struct isc *s, int at)
{
	return set_onoff(s, at, &s->cfg->fixed.tun.auto_create);
}

static int tun_mss(struct isc *s, int at)
{
	return set_onoff(s, at, &s->cfg->fixed.tun.mss);
}

static int tun_mtu(struct isc *s, int at)
{
	return set_u16(s, at, "MTU (1280..65535)", CFG_MTU_MIN, 65535, &s->cfg->fixed.tun.mtu);
}

static int tun_toobig(struct isc *s, int at)
{
	int v;

	if (isc_nargs(s, at, 1, 1, "on|off|strict") < 0 ||
	    isc_enum(s, s->tok[at], cfg_toobig_names, &v) < 0)
		return -1;
	s->cfg->fixed.tun.toobig = (uint8_t)v;
	return 0;
}

static int tun_fragment(struct isc *s, int at)
{
	static const char *const fams[] = {"ipv6", "ipv4", NULL};
	int fam;

	if (isc_nargs(s, at, 2, 3, "ipv6|ipv4 maxcount N (0..255)") < 0 ||
	    isc_enum(s, s->tok[at], fams, &fam) < 0)
		return -1;
	return set_u8(s, opt_word(s, at + 1, "maxcount"), "ipv6|ipv4 maxcount N (0..255)", 0, 255,
	              fam == 0 ? &s->cfg->fixed.tun.frag6_maxcount
	                       : &s->cfg->fixed.tun.frag4_maxcount);
}

static int tun_nat(struct isc *s, int at)
{
	static const char *const what[] = {"maxcount", "rate", NULL};
	enum cfg_proto p;
	int w;
	uint32_t v;

	if (isc_nargs(s, at, 3, 3, "tcp|udp|icmp maxcount|rate N") < 0 ||
	    isc_proto(s, s->tok[at], true, &p) < 0 || isc_enum(s, s->tok[at + 1], what, &w) < 0 ||
	    isc_uint(s, s->tok[at + 2], 0, w == 0 ? 65535 : 255, &v) < 0)
		return -1;
	if (w == 0)
		s->cfg->fixed.tun.nat_maxcount[p] = (uint16_t)v;
	else
		s->cfg->fixed.tun.nat_rate[p] = (uint8_t)v;
	return 0;
}

static const struct isc_cmd tunnel_cmds[] = {
        {"admpro", NULL, tun_admpro, 0, 0, false}, {"auto", NULL, tun_auto, 0, 0, false},
        {"mss", NULL, tun_mss, 0, 0, false},       {"mtu", NULL, tun_mtu, 0, 0, false},
        {"toobig", NULL, tun_toobig, 0, 0, false}, {"fragment", NULL, tun_fragment, 0, 0, false},
        {"nat", NULL, tun_nat, 0, 0, false},       {NULL, NULL, NULL, 0, 0, false},
};

const struct isc_cmd isc_default_cmds[] = {
        {"acl6", acl6_cmds, NULL, 0, 0, false},     {"fragment", fragment_cmds, NULL, 0, 0, false},
        {"hold", NULL, hold, 0, 0, false},          {"nat", nat_cmds, NULL, 0, 0, false},
        {"pcpd", NULL, pcpd, 0, 0, false},          {"pcp", NULL, pcp_range, 0, 0, false},
        {"pool", NULL, pool_range, 0, 0, false},    {"private", NULL, private_add, 0, 0, false},
        {"tunnel", tunnel_cmds, NULL, 0, 0, false}, {NULL, NULL, NULL, 0, 0, false},
};

/* Aliases (manual 3.3): autotunnel, defadmpro, defmss, defmtu, deftoobig, eqfrag. */
int isc_autotunnel(struct isc *s, int at)
{
	return tun_auto(s, at);
}

int isc_defadmpro(struct isc *s, int at)
{
	return tun_admpro(s, at);
}

int isc_defmss(struct isc *s, int at)
{
	return tun_mss(s, at);
}

int isc_defmtu(struct isc *s, int at)
{
	return tun_mtu(s, at);
}

int isc_deftoobig(struct isc *s, int at)
{
	return tun_toobig(s, at);
}

int isc_eqfrag(struct isc *s, int at)
{
	return frag_equal(s, at);
}

/* "bucket tcp|udp|icmp size N": ports per block, 1..255 as in ISC. */
int isc_bucket(struct isc *s, int at)
{
	enum cfg_proto p;
	uint32_t v;
	int n;

	if (isc_nargs(s, at, 2, 3, "tcp|udp|icmp size N (1..255)") < 0 ||
	    isc_proto(s, s->tok[at], true, &p) < 0)
		return -1;
	n = opt_word(s, at + 1, "size");
	if (isc_nargs(s, n, 1, 1, "tcp|udp|icmp size N (1..255)") < 0 ||
	    isc_uint(s, s->tok[n], 1, 255, &v) < 0)
		return -1;
	s->cfg->fixed.port_block[p] = (uint16_t)v;
	return 0;
}

int isc_decay(struct isc *s, int at)
{
	static const char *const which[] = {"1", "5", "15", NULL};
	double v;
	char *end;
	int w;

	if (isc_nargs(s, at, 2, 2, "1|5|15 DECAY (0.0..1.0)") < 0 ||
	    isc_enum(s, s->tok[at], which, &w) < 0)
		return -1;
	v = strtod(s->tok[at + 1], &end);
	if (*end != '\0' || end == s->tok[at + 1] || !(v >= 0.0 && v <= 1.0)) {
		isc_err(s, "%s: expected a number from 0.0 to 1.0", s->tok[at + 1]);
		return -1;
	}
	s->cfg->fixed.decay[w] = v;
	return 0;
}

int isc_quantum(struct isc *s, int at)
{
	return set_u8(s, at, "N (2..255)", CFG_QUANTUM_MIN, 255, &s->cfg->fixed.quantum);
}

/* "delete private ADDR": removes the entry with that address (aftr.c
 * ignores the length); the list may not become empty. */
int isc_delete_private(struct isc *s, int at)
{
	struct aftr_config *cfg = s->cfg;
	uint32_t a;

	if (isc_nargs(s, at, 1, 1, "IPV4_ADDRESS") < 0)
		return -1;
	/* Accept "10.0.0.0/8" too: the length is not needed to find it. */
	char *slash = strchr(s->tok[at], '/');

	if (slash)
		*slash = '\0';
	if (isc_addr4(s, s->tok[at], &a) < 0)
		return -1;
	for (size_t i = 0; i < cfg->lists.n_private4; i++) {
		if (cfg->lists.private4[i].p.addr != a)
			continue;
		if (cfg->lists.n_private4 == 1) {
			isc_err(s, "cannot remove the last private prefix");
			return -1;
		}
		vec_remove(cfg->lists.private4, &cfg->lists.n_private4,
		           sizeof(*cfg->lists.private4), i);
		return 0;
	}
	isc_err(s, "%s: no such private prefix", s->tok[at]);
	return -1;
}
