/* Addresses no entry can use, refused wherever the entry comes from (the
 * file, the API, aftr.conf), so that YAML, the API and `config check`
 * agree (part of cfg_validate):
 * - a B4 (tunnels, softwires, static_nat, prr, nonat) is a unicast
 *   address: not ::, ::1, multicast or IPv4-mapped (RFC 4291 section 2.5),
 *   which no softwire packet comes from;
 * - what the AFTR owns or forwards for (pools, lw4o6 addresses, prr
 *   entries, nonat prefixes) holds no martian (addr4_is_martian): packets
 *   to or from those are dropped;
 * - private prefixes say which sources of a B4 are NATed: never all of
 *   them (0.0.0.0/0), and none of the addresses that stateless bindings
 *   forward or the pools NAT into (a B4's packet from one would be NATed,
 *   not forwarded as its binding says); a static mapping's inside address
 *   is private, else its packets are never NATed. */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "config_int.h"

bool cfg_addr6_unicast(const struct addr6 *a)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	static const uint8_t loop[16] = {[15] = 1};

	return !addr6_is_zero(a) && memcmp(a->b, loop, 16) != 0 && a->b[0] != 0xff &&
	       memcmp(a->b, mapped, 12) != 0;
}

/* Whether a prefix holds a martian: its first or last address is one
 * (they come in /8s and a /4), or it holds 169.254/16. */
static bool prefix_has_martian(const struct prefix4 *p)
{
	uint32_t last = p->addr | ~prefix4_mask(p->len);

	return addr4_is_martian(p->addr) || addr4_is_martian(last) ||
	       prefix4_contains(p, 0xa9fe0000u);
}

static bool prefixes_overlap(const struct prefix4 *a, const struct prefix4 *b)
{
	return prefix4_contains(a, b->addr) || prefix4_contains(b, a->addr);
}

#define B4_CHECK(cfg, d, list, name)                                                               \
	for (size_t i = 0; i < (cfg)->lists.n_##list; i++)                                         \
		if (!cfg_addr6_unicast(&(cfg)->lists.list[i].b4))                                  \
			cfg_err_at(d, &(cfg)->lists.list[i].pos, name, i, "%s",                    \
			           "b4: not a unicast address a B4 can have (not ::, ::1, "        \
			           "multicast or IPv4-mapped)");

static void check_b4s(const struct aftr_config *cfg, struct diag *d)
{
	B4_CHECK(cfg, d, tunnels, "tunnels")
	B4_CHECK(cfg, d, softwires, "softwires")
	B4_CHECK(cfg, d, nats, "static_nat")
	B4_CHECK(cfg, d, prrs, "prr")
	B4_CHECK(cfg, d, nonats, "nonat")
}

/* A martian, or an address the private prefixes hold, where none may be. */
static void check_v4(const struct aftr_config *cfg, struct diag *d, const struct cfg_pos *pos,
                     const char *list, size_t i, uint32_t addr)
{
	const struct cfg_prefix4 *pv = cfg_private_of(cfg, addr);
	char a[ADDR4_STRLEN], p[PREFIX4_STRLEN];

	if (addr4_is_martian(addr))
		cfg_err_at(d, pos, list, i, "%s: an address no router forwards (RFC 1812 5.3.7)",
		           addr4_format(addr, a));
	else if (pv)
		cfg_err_at(d, pos, list, i,
		           "%s is inside private prefix %s: a B4's packets from it would be NATed",
		           addr4_format(addr, a), prefix4_format(&pv->p, p));
}

static void check_nonat_prefixes(const struct aftr_config *cfg, struct diag *d)
{
	char a[PREFIX4_STRLEN], b[PREFIX4_STRLEN];

	for (size_t i = 0; i < cfg->lists.n_nonats; i++) {
		const struct cfg_nonat *n = &cfg->lists.nonats[i];

		if (prefix_has_martian(&n->prefix)) {
			cfg_err_at(d, &n->pos, "nonat", i,
			           "%s holds addresses no router forwards (RFC 1812 5.3.7)",
			           prefix4_format(&n->prefix, a));
			continue;
		}
		for (size_t k = 0; k < cfg->lists.n_private4; k++)
			if (prefixes_overlap(&n->prefix, &cfg->lists.private4[k].p)) {
				cfg_err_at(d, &n->pos, "nonat", i,
				           "%s overlaps private prefix %s: a B4's packets from it "
				           "would be NATed",
				           prefix4_format(&n->prefix, a),
				           prefix4_format(&cfg->lists.private4[k].p, b));
				break;
			}
	}
}

static void check_private(const struct aftr_config *cfg, struct diag *d)
{
	char a[ADDR4_STRLEN];

	for (size_t i = 0; i < cfg->lists.n_private4; i++)
		if (cfg->lists.private4[i].p.len == 0)
			cfg_err_at(d, &cfg->lists.private4[i].pos, "private", i,
			           "0.0.0.0/0 would NAT every source, public ones too");
	for (size_t i = 0; i < cfg->lists.n_nats; i++) {
		const struct cfg_nat *m = &cfg->lists.nats[i];

		if (cfg_private_of(cfg, m->addr) == NULL)
			cfg_err_at(d, &m->pos, "static_nat", i,
			           "address %s is not inside private: a B4's packets from it are "
			           "never NATed",
			           addr4_format(m->addr, a));
	}
}

void cfg_check_addrs(const struct aftr_config *cfg, struct diag *d)
{
	check_b4s(cfg, d);
	check_private(cfg, d);
	for (size_t i = 0; i < cfg->fixed.n_pools; i++)
		check_v4(cfg, d, &cfg->fixed.pools[i].pos, "pools", i, cfg->fixed.pools[i].addr);
	for (size_t i = 0; i < cfg->lists.n_softwires; i++)
		check_v4(cfg, d, &cfg->lists.softwires[i].pos, "softwires", i,
		         cfg->lists.softwires[i].ipv4);
	for (size_t i = 0; i < cfg->lists.n_prrs; i++)
		check_v4(cfg, d, &cfg->lists.prrs[i].pos, "prr", i, cfg->lists.prrs[i].addr);
	check_nonat_prefixes(cfg, d);
}
