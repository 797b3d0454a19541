/* Cross-entry validation of the configuration model: what the ISC manual
 * forbids (a static mapping inside a dynamic range, a tunnel bound to an
 * address that is not a pool, ...), duplicates and overlaps that would make
 * two entries claim the same packets, and what a running AFTR needs.
 *
 * Value ranges are checked where values are read (YAML, JSON, aftr.conf);
 * this file sees a model whose every field is in range. Paths in messages
 * are the YAML/JSON key paths, so they read the same whichever format the
 * entry came from. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"
#include "determ.h"
#include "evfmt.h"
#include "util.h"

#define PATH_LEN 64

/* Sorted views of the lists that other entries refer to, so that each
 * reference is a binary search: configurations hold up to millions of
 * entries. */
struct index {
	const struct cfg_pool **pools;     /* by address */
	const struct cfg_tunnel **tunnels; /* by B4 */
	const struct cfg_nonat **nonats;   /* by first address, then length */
};

static int pool_cmp(const void *a, const void *b)
{
	uint32_t x = (*(const struct cfg_pool *const *)a)->addr;
	uint32_t y = (*(const struct cfg_pool *const *)b)->addr;

	return x < y ? -1 : x > y;
}

static int tunnel_cmp(const void *a, const void *b)
{
	return addr6_cmp(&(*(const struct cfg_tunnel *const *)a)->b4,
	                 &(*(const struct cfg_tunnel *const *)b)->b4);
}

static int nonat_cmp(const void *a, const void *b)
{
	const struct prefix4 *x = &(*(const struct cfg_nonat *const *)a)->prefix;
	const struct prefix4 *y = &(*(const struct cfg_nonat *const *)b)->prefix;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->len < y->len ? -1 : x->len > y->len;
}

#define SORTED_VIEW(dst, arr, n, cmp)                                                              \
	do {                                                                                       \
		(dst) = calloc((n) ? (n) : 1, sizeof(*(dst)));                                     \
		if ((dst) == NULL)                                                                 \
			return -1;                                                                 \
		for (size_t i_ = 0; i_ < (n); i_++)                                                \
			(dst)[i_] = &(arr)[i_];                                                    \
		qsort((dst), (n), sizeof(*(dst)), cmp);                                            \
	} while (0)

static int index_build(struct index *ix, const struct aftr_config *cfg)
{
	memset(ix, 0, sizeof(*ix));
	SORTED_VIEW(ix->pools, cfg->fixed.pools, cfg->fixed.n_pools, pool_cmp);
	SORTED_VIEW(ix->tunnels, cfg->lists.tunnels, cfg->lists.n_tunnels, tunnel_cmp);
	SORTED_VIEW(ix->nonats, cfg->lists.nonats, cfg->lists.n_nonats, nonat_cmp);
	return 0;
}

static void index_free(struct index *ix)
{
	free(ix->pools);
	free(ix->tunnels);
	free(ix->nonats);
}

static const struct cfg_pool *find_pool(const struct aftr_config *cfg, const struct index *ix,
                                        uint32_t addr)
{
	size_t lo = 0, hi = cfg->fixed.n_pools;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ix->pools[mid]->addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cfg->fixed.n_pools && ix->pools[lo]->addr == addr ? ix->pools[lo] : NULL;
}

static const struct cfg_tunnel *find_tunnel(const struct aftr_config *cfg, const struct index *ix,
                                            const struct addr6 *b4)
{
	size_t lo = 0, hi = cfg->lists.n_tunnels;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr6_cmp(&ix->tunnels[mid]->b4, b4) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cfg->lists.n_tunnels && addr6_equal(&ix->tunnels[lo]->b4, b4) ? ix->tunnels[lo]
	                                                                          : NULL;
}

/* The no-NAT prefix holding addr: with disjoint prefixes (overlaps are
 * reported by check_nonats), only the last one starting at or below addr
 * can. */
static const struct cfg_nonat *nonat_covering(const struct aftr_config *cfg, const struct index *ix,
                                              uint32_t addr)
{
	size_t lo = 0, hi = cfg->lists.n_nonats;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ix->nonats[mid]->prefix.addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && prefix4_contains(&ix->nonats[lo - 1]->prefix, addr))
		return ix->nonats[lo - 1];
	return NULL;
}

/* Own MACs must be unicast. One device carrying both interfaces tells
 * their frames apart by VLAN id (a tagged frame is the interface's with
 * that id, an untagged one the untagged interface's), or by EtherType
 * when both are untagged: only the same VLAN id twice is ambiguous. */
static void check_macs(const struct aftr_config *cfg, struct diag *d)
{
	const struct cfg_iface *tr = &cfg->fixed.transport, *wan = &cfg->fixed.wan;

	if (tr->has_mac && (tr->mac[0] & 1))
		diag_err(d, 0, 0, "interfaces.transport.mac", "a multicast address");
	if (wan->has_mac && (wan->mac[0] & 1))
		diag_err(d, 0, 0, "interfaces.wan.mac", "a multicast address");
	if (cfg_one_port(tr, wan) && tr->vlan == wan->vlan && tr->vlan != 0)
		diag_err(d, 0, 0, "interfaces.wan.vlan",
		         "%u is the transport's too, on the same device: one-port mode tells the "
		         "interfaces apart by VLAN id (or by EtherType when both are untagged)",
		         wan->vlan);
}

/* endpoint and endpoints: usable, and each listed once. */
static void check_endpoints(const struct aftr_config *cfg, struct diag *d)
{
	char path[PATH_LEN], a[ADDR6_STRLEN];

	if (cfg->fixed.has_endpoint && !cfg_addr6_unicast(&cfg->fixed.endpoint))
		diag_err(d, 0, 0, "endpoint", "%s: not a unicast address",
		         addr6_format(&cfg->fixed.endpoint, a));
	for (size_t i = 0; i < cfg->fixed.n_endpoints; i++) {
		const struct addr6 *e = &cfg->fixed.endpoints[i];

		snprintf(path, sizeof(path), "endpoints[%zu]", i);
		if (!cfg_addr6_unicast(e))
			diag_err(d, 0, 0, path, "%s: not a unicast address", addr6_format(e, a));
		else if (cfg_endpoint_index(cfg, e) != (int)i + 1)
			diag_err(d, 0, 0, path, "%s is listed already", addr6_format(e, a));
	}
}

/* Filter rules: at most CFG_FILTER_RULES_MAX a list, b4 on the transport
 * side only, ports with TCP or UDP. */
static void check_filters(const struct aftr_config *cfg, struct diag *d)
{
	char path[PATH_LEN];

	for (int i = 0; i < CFG_NSIDES; i++)
		for (int k = 0; k < CFG_NDIRS; k++) {
			const struct cfg_filter_list *l = &cfg->lists.filters[i][k];

			snprintf(path, sizeof(path), "filters.%s.%s", cfg_side_names[i],
			         cfg_dir_names[k]);
			if (l->n > CFG_FILTER_RULES_MAX)
				diag_err(d, 0, 0, path, "%zu rules: at most %d", l->n,
				         CFG_FILTER_RULES_MAX);
			for (size_t r = 0; r < l->n; r++) {
				const struct cfg_filter_rule *f = &l->v[r];

				if (f->has_b4 && i != CFG_SIDE_TRANSPORT)
					cfg_err_at(
					        d, &f->pos, path, r,
					        "b4: only the transport side's rules match a B4");
				if ((f->has_sport || f->has_dport) && f->proto != CFG_TCP &&
				    f->proto != CFG_UDP)
					cfg_err_at(d, &f->pos, path, r,
					           "source_port and destination_port need protocol "
					           "tcp "
					           "or udp");
			}
		}
}

/* logging: a known facility; each exporter complete for its transport
 * (IPFIX over UDP only: RFC 7011's SCTP and TCP are left to later). */
static void check_logging(const struct aftr_config *cfg, struct diag *d)
{
	char path[PATH_LEN];
	uint32_t a4;
	struct addr6 a6;

	if (evfmt_facility(cfg->fixed.log_facility) < 0)
		diag_err(d, 0, 0, "logging.facility",
		         "%s: not a syslog facility (kern, user, daemon, ..., local0-local7)",
		         cfg->fixed.log_facility);
	for (size_t i = 0; i < cfg->fixed.n_exporters; i++) {
		const struct cfg_exporter *e = &cfg->fixed.exporters[i];
		bool local = e->transport == EXPORT_LOCAL;

		snprintf(path, sizeof(path), "logging.exporters[%zu]", i);
		if (e->type == EXPORT_IPFIX && e->transport != EXPORT_UDP)
			diag_err(d, 0, 0, path, "IPFIX goes over udp");
		else if (local && e->address[0])
			diag_err(d, 0, 0, path, "address is for udp and tcp: local takes a path");
		else if (!local && e->path[0])
			diag_err(d, 0, 0, path, "path is for transport local");
		else if (!local && e->address[0] == '\0')
			diag_err(d, 0, 0, path, "needs an address (the collector's)");
		else if (!local && addr4_parse(e->address, &a4, NULL, 0) < 0 &&
		         addr6_parse(e->address, &a6, NULL, 0) < 0)
			diag_err(d, 0, 0, path, "%s: not an IPv4 or IPv6 address", e->address);
	}
}

/* nat.deterministic: a mapping the pools can hold (determ.h). */
static void check_determ(const struct aftr_config *cfg, struct diag *d)
{
	struct determ dm;
	char err[256];

	if (cfg->fixed.has_determ && cfg->fixed.n_pools &&
	    determ_init(&dm, cfg, err, sizeof(err)) < 0)
		diag_err(d, 0, 0, "nat.deterministic", "%s", err);
}

static void check_required(const struct aftr_config *cfg, struct diag *d)
{
	check_logging(cfg, d);
	check_determ(cfg, d);
	check_filters(cfg, d);
	check_endpoints(cfg, d);
	if (cfg->fixed.transport.has_gateway_mac && !cfg->fixed.transport.has_gateway)
		diag_err(d, 0, 0, "interfaces.transport.gateway_mac", "needs a gateway");
	if (cfg->fixed.wan.has_gateway_mac && !cfg->fixed.wan.has_gateway)
		diag_err(d, 0, 0, "interfaces.wan.gateway_mac", "needs a gateway");
	check_macs(cfg, d);
	if (!cfg->fixed.has_endpoint)
		diag_err(d, 0, 0, "endpoint", "required (ISC \"address endpoint\")");
	if (!cfg->fixed.has_icmp_source)
		diag_err(d, 0, 0, "icmp_source", "required (ISC \"address icmp\")");
	if (cfg->fixed.n_pools == 0 && cfg->lists.n_softwires == 0)
		diag_err(d, 0, 0, "pools", "at least one pool is required (ISC \"pool\")");
	if (cfg->fixed.n_pools > cfg->fixed.max_pools)
		diag_err(d, 0, 0, "nat.max_pools",
		         "%u, fewer than the %zu pools configured: raise it (it sizes the "
		         "dataplane's pool tables at start)",
		         cfg->fixed.max_pools, cfg->fixed.n_pools);
	if (cfg->lists.n_acl6 == 0 && cfg->fixed.tun.auto_create)
		diag_err(d, 0, 0, "acl6",
		         "at least one entry is required when tunnel_defaults.auto is on");
	if (cfg->lists.n_private4 == 0)
		diag_err(d, 0, 0, "private", "must not be empty");
}

/* Earlier index of an entry equal to v[i] (by eq), or SIZE_MAX. Lists
 * checked this way are configuration-sized (acl6, private, pcp pools). */
#define FIND_EARLIER(v, i, eq)                                                                     \
	({                                                                                         \
		size_t j_ = 0;                                                                     \
		while (j_ < (i) && !(eq(&(v)[j_], &(v)[i])))                                       \
			j_++;                                                                      \
		j_ < (i) ? j_ : SIZE_MAX;                                                          \
	})
#define SAME_PREFIX(x, y)                                                                          \
	((x)->p.len == (y)->p.len && !memcmp(&(x)->p.addr, &(y)->p.addr, sizeof((x)->p.addr)))
#define SAME_ADDR(x, y) ((x)->addr == (y)->addr)

static void check_prefix_lists(const struct aftr_config *cfg, struct diag *d)
{
	char a[PREFIX6_STRLEN];

	for (size_t i = 0; i < cfg->lists.n_acl6; i++) {
		size_t before = d->n;

		if (FIND_EARLIER(cfg->lists.acl6, i, SAME_PREFIX) == SIZE_MAX)
			continue;
		cfg_err_at(d, &cfg->lists.acl6[i].pos, "acl6", i, "%s is listed twice",
		           prefix6_format(&cfg->lists.acl6[i].p, a));
		diag_mark_conflict(d, before);
	}
	for (size_t i = 0; i < cfg->lists.n_private4; i++) {
		size_t before = d->n;

		if (FIND_EARLIER(cfg->lists.private4, i, SAME_PREFIX) == SIZE_MAX)
			continue;
		cfg_err_at(d, &cfg->lists.private4[i].pos, "private", i, "%s is listed twice",
		           prefix4_format(&cfg->lists.private4[i].p, a));
		diag_mark_conflict(d, before);
	}
}

static void check_pools(const struct aftr_config *cfg, const struct index *ix, struct diag *d)
{
	char a[ADDR4_STRLEN], p[PREFIX4_STRLEN];

	for (size_t i = 0; i < cfg->fixed.n_pools; i++) {
		const struct cfg_pool *pool = ix->pools[i];
		const struct cfg_nonat *nn = nonat_covering(cfg, ix, pool->addr);

		if (nn)
			cfg_err_at(d, &pool->pos, "pools", (size_t)(pool - cfg->fixed.pools),
			           "%s is inside no-NAT prefix %s", addr4_format(pool->addr, a),
			           prefix4_format(&nn->prefix, p));
	}
	/* Duplicates are neighbours in the sorted view; report the later ones. */
	for (size_t i = 1; i < cfg->fixed.n_pools; i++) {
		const struct cfg_pool *x = ix->pools[i - 1], *y = ix->pools[i];

		if (x->addr == y->addr)
			cfg_err_at(d, &(x > y ? x : y)->pos, "pools",
			           (size_t)((x > y ? x : y) - cfg->fixed.pools),
			           "%s: pool address listed twice", addr4_format(y->addr, a));
	}
}

/* PCP explicit mappings must stay out of the dynamic ranges (ISC "pcp"). */
static void check_pcp(const struct aftr_config *cfg, const struct index *ix, struct diag *d)
{
	char a[ADDR4_STRLEN], r[32], path[PATH_LEN];

	if (cfg->fixed.pcp_min_lifetime > cfg->fixed.pcp_max_lifetime)
		diag_err(d, 0, 0, "pcp.min_lifetime", "%u is above pcp.max_lifetime (%u)",
		         cfg->fixed.pcp_min_lifetime, cfg->fixed.pcp_max_lifetime);
	for (size_t i = 0; i < cfg->fixed.n_pcp_pools; i++) {
		const struct cfg_pcp_pool *pp = &cfg->fixed.pcp_pools[i];
		const struct cfg_pool *pool = find_pool(cfg, ix, pp->addr);

		if (FIND_EARLIER(cfg->fixed.pcp_pools, i, SAME_ADDR) != SIZE_MAX)
			cfg_err_at(d, &pp->pos, "pcp.pools", i, "%s: listed twice",
			           addr4_format(pp->addr, a));
		for (int pr = CFG_TCP; pool && pr <= CFG_UDP; pr++) {
			struct port_range dyn = cfg_pool_range(cfg, pool, pr);
			struct port_range pcp =
			        pp->has_range[pr] ? pp->range[pr] : cfg->fixed.pcp_defaults[pr];

			if (pcp.max == 0 || !port_range_overlap(pcp, dyn))
				continue;
			snprintf(path, sizeof(path), "pcp.pools[%zu].%s", i, cfg_proto_names[pr]);
			port_range_format(dyn, r, sizeof(r));
			diag_err(d, pp->pos.line, pp->pos.col, path,
			         "overlaps the dynamic %s range %s of pool %s", cfg_proto_names[pr],
			         r, addr4_format(pp->addr, a));
		}
	}
}

static void check_tunnels(const struct aftr_config *cfg, const struct index *ix, struct diag *d)
{
	char a[ADDR6_STRLEN], b[ADDR4_STRLEN];

	for (size_t i = 0; i < cfg->lists.n_tunnels; i++) {
		const struct cfg_tunnel *t = &cfg->lists.tunnels[i];

		if (t->has_ipv4 && find_pool(cfg, ix, t->ipv4) == NULL)
			cfg_err_at(d, &t->pos, "tunnels", i, "%s: ipv4 %s is not a pool address",
			           addr6_format(&t->b4, a), addr4_format(t->ipv4, b));
	}
}

/* Duplicate detection over up to millions of entries: sort (key, origin)
 * records and compare neighbours. */
/* The order matters: sorted runs of one B4 list a nonat first. */
enum origin { O_NONAT, O_SOFTWIRE, O_NAT, O_PRR, O_TUNNEL };
static const char *const origin_list[] = {"nonat", "softwires", "static_nat", "prr", "tunnels"};

struct keyrec {
	uint8_t key[24];
	uint32_t idx;
	uint8_t origin;
};

static int keyrec_cmp(const void *a, const void *b)
{
	const struct keyrec *x = a, *y = b;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	if (c)
		return c;
	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static const struct cfg_pos *origin_pos(const struct aftr_config *cfg, const struct keyrec *k)
{
	switch (k->origin) {
	case O_NAT:
		return &cfg->lists.nats[k->idx].pos;
	case O_PRR:
		return &cfg->lists.prrs[k->idx].pos;
	case O_NONAT:
		return &cfg->lists.nonats[k->idx].pos;
	case O_SOFTWIRE:
		return &cfg->lists.softwires[k->idx].pos;
	default:
		return &cfg->lists.tunnels[k->idx].pos;
	}
}

/* Reports each record whose key equals its predecessor's. */
static void report_dups(const struct aftr_config *cfg, struct keyrec *v, size_t n, struct diag *d,
                        const char *what)
{
	char other[PATH_LEN];

	qsort(v, n, sizeof(*v), keyrec_cmp);
	for (size_t i = 1; i < n; i++) {
		size_t before = d->n;

		if (memcmp(v[i].key, v[i - 1].key, sizeof(v[i].key)) != 0)
			continue;
		snprintf(other, sizeof(other), "%s[%u]", origin_list[v[i - 1].origin],
		         v[i - 1].idx);
		cfg_err_at(d, origin_pos(cfg, &v[i]), origin_list[v[i].origin], v[i].idx, "%s (%s)",
		           what, other);
		diag_mark_conflict(d, before);
	}
}

static void put_ext_key(struct keyrec *k, uint8_t proto, uint32_t addr, uint16_t port)
{
	memset(k->key, 0, sizeof(k->key));
	k->key[0] = proto;
	memcpy(k->key + 1, &addr, 4);
	memcpy(k->key + 5, &port, 2);
}

/* No two static or A+P entries may own the same public (proto, address, port). */
static void check_external_dups(const struct aftr_config *cfg, struct diag *d)
{
	size_t n = cfg->lists.n_nats + cfg->lists.n_prrs, k = 0;
	struct keyrec *v = calloc(n ? n : 1, sizeof(*v));

	if (v == NULL) {
		diag_err(d, 0, 0, "", "out of memory while validating");
		return;
	}
	for (size_t i = 0; i < cfg->lists.n_nats; i++, k++) {
		put_ext_key(&v[k], cfg->lists.nats[i].proto, cfg->lists.nats[i].ext_addr,
		            cfg->lists.nats[i].ext_port);
		v[k].idx = (uint32_t)i;
		v[k].origin = O_NAT;
	}
	for (size_t i = 0; i < cfg->lists.n_prrs; i++, k++) {
		put_ext_key(&v[k], cfg->lists.prrs[i].proto, cfg->lists.prrs[i].addr,
		            cfg->lists.prrs[i].port);
		v[k].idx = (uint32_t)i;
		v[k].origin = O_PRR;
	}
	report_dups(cfg, v, n, d, "this public address and port are already mapped");
	free(v);
}

static void put_b4_key(struct keyrec *k, const struct addr6 *b4, uint32_t idx, uint8_t origin)
{
	memset(k->key, 0, sizeof(k->key));
	memcpy(k->key, b4->b, 16);
	k->idx = idx;
	k->origin = origin;
}

/* Reports entries of a B4 that also has a no-NAT binding, in a sorted
 * array where a B4's nonat comes first. */
static void report_nonat_clash(const struct aftr_config *cfg, const struct keyrec *v, size_t n,
                               struct diag *d)
{
	const struct keyrec *nonat = NULL;
	char other[PATH_LEN];

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && memcmp(v[i].key, v[i - 1].key, 16) != 0)
			nonat = NULL;
		if (v[i].origin == O_NONAT) {
			nonat = nonat ? nonat : &v[i];
			continue;
		}
		if (nonat == NULL)
			continue;
		snprintf(other, sizeof(other), "nonat[%u]", nonat->idx);
		/* Its tunnel settings (ISC: mtu, mss, toobig, admpro apply to
		 * every tunnel, no-NAT ones too), but no NAT pool address. */
		if (v[i].origin == O_TUNNEL && !cfg->lists.tunnels[v[i].idx].has_ipv4)
			continue;
		if (v[i].origin == O_TUNNEL)
			cfg_err_at(d, origin_pos(cfg, &v[i]), origin_list[v[i].origin], v[i].idx,
			           "ipv4: this B4 is a no-NAT tunnel (%s), it is not NATed", other);
		else
			cfg_err_at(d, origin_pos(cfg, &v[i]), origin_list[v[i].origin], v[i].idx,
			           "this B4 is a no-NAT tunnel (%s)", other);
	}
}

/* Whether b4 is among the n B4 keys of v, sorted by key. */
static bool b4_among(const struct keyrec *v, size_t n, const struct addr6 *b4)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(v[mid].key, b4->b, 16);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The entries of B4s among the nonats' (sorted, in v[0..nn)) put after
 * them, v then sorted whole: a B4's nonat comes first. Their count. */
static size_t with_nonat_b4s(const struct aftr_config *cfg, struct keyrec *v, size_t nn)
{
	const struct cfg_lists *l = &cfg->lists;
	size_t k = nn;

	for (size_t i = 0; i < l->n_softwires; i++)
		if (b4_among(v, nn, &l->softwires[i].b4))
			put_b4_key(&v[k++], &l->softwires[i].b4, (uint32_t)i, O_SOFTWIRE);
	for (size_t i = 0; i < l->n_nats; i++)
		if (b4_among(v, nn, &l->nats[i].b4))
			put_b4_key(&v[k++], &l->nats[i].b4, (uint32_t)i, O_NAT);
	for (size_t i = 0; i < l->n_prrs; i++)
		if (b4_among(v, nn, &l->prrs[i].b4))
			put_b4_key(&v[k++], &l->prrs[i].b4, (uint32_t)i, O_PRR);
	for (size_t i = 0; i < l->n_tunnels; i++)
		if (b4_among(v, nn, &l->tunnels[i].b4))
			put_b4_key(&v[k++], &l->tunnels[i].b4, (uint32_t)i, O_TUNNEL);
	qsort(v, k, sizeof(*v), keyrec_cmp);
	return k;
}

/* A no-NAT B4 owns its whole prefix: it can have no other kind of entry
 * (ISC refuses "nonat" for an existing tunnel) but its tunnel settings,
 * and one prefix. A B4 may
 * hold several softwires (different addresses or PSIDs); a tunnel is
 * listed once. Only the entries of B4s with a nonat are sorted with
 * them: a million softwires and no nonat cost one pass. */
static void check_b4_dups(const struct aftr_config *cfg, struct diag *d)
{
	const struct cfg_lists *l = &cfg->lists;
	/* Room for every entry only if some B4 has a nonat. */
	size_t n = l->n_nonats ? l->n_nonats + l->n_softwires + l->n_nats + l->n_prrs + l->n_tunnels
	                       : l->n_tunnels;
	struct keyrec *v = calloc(n ? n : 1, sizeof(*v));
	size_t k = 0;

	if (v == NULL) {
		diag_err(d, 0, 0, "", "out of memory while validating");
		return;
	}
	for (size_t i = 0; i < l->n_tunnels; i++)
		put_b4_key(&v[k++], &l->tunnels[i].b4, (uint32_t)i, O_TUNNEL);
	report_dups(cfg, v, k, d, "this B4 already has a tunnel");
	k = 0;
	for (size_t i = 0; i < l->n_nonats; i++)
		put_b4_key(&v[k++], &l->nonats[i].b4, (uint32_t)i, O_NONAT);
	report_dups(cfg, v, k, d, "this B4 already has a no-NAT prefix");
	if (k > 0)
		report_nonat_clash(cfg, v, with_nonat_b4s(cfg, v, k), d);
	free(v);
}

static void check_nat_inside_dups(const struct aftr_config *cfg, struct diag *d)
{
	struct keyrec *v = calloc(cfg->lists.n_nats ? cfg->lists.n_nats : 1, sizeof(*v));

	if (v == NULL) {
		diag_err(d, 0, 0, "", "out of memory while validating");
		return;
	}
	for (size_t i = 0; i < cfg->lists.n_nats; i++) {
		const struct cfg_nat *m = &cfg->lists.nats[i];

		memcpy(v[i].key, m->b4.b, 16);
		v[i].key[16] = m->proto;
		memcpy(v[i].key + 17, &m->addr, 4);
		memcpy(v[i].key + 21, &m->port, 2);
		v[i].idx = (uint32_t)i;
		v[i].origin = O_NAT;
	}
	report_dups(cfg, v, cfg->lists.n_nats, d,
	            "this inside address and port are already mapped");
	free(v);
}

/* A static or A+P port must be a pool's and outside its dynamic range
 * (ISC manual, "nat" and "prr": port_new must not be inside a dynamic
 * port range). */
static void check_public_port(const struct aftr_config *cfg, const struct index *ix, struct diag *d,
                              const char *list, size_t i, const struct cfg_pos *pos,
                              enum cfg_proto proto, uint32_t addr, uint16_t port)
{
	const struct cfg_pool *pool = find_pool(cfg, ix, addr);
	char a[ADDR4_STRLEN], r[64], path[PATH_LEN];
	struct port_range dyn;

	snprintf(path, sizeof(path), "%s[%zu]", list, i);
	if (pool == NULL) {
		diag_err(d, pos->line, pos->col, path, "%s is not a pool address",
		         addr4_format(addr, a));
		return;
	}
	dyn = cfg_pool_range(cfg, pool, proto);
	if (port_range_contains(dyn, port)) {
		port_range_format(dyn, r, sizeof(r));
		diag_err(d, pos->line, pos->col, path,
		         "%s %u is inside the dynamic %s range %s of pool %s",
		         proto == CFG_ICMP ? "echo id" : "port", port, cfg_proto_names[proto], r,
		         addr4_format(addr, a));
	}
}

static void check_nats(const struct aftr_config *cfg, const struct index *ix, struct diag *d)
{
	char a[ADDR6_STRLEN], b[ADDR4_STRLEN], path[PATH_LEN];

	for (size_t i = 0; i < cfg->lists.n_nats; i++) {
		const struct cfg_nat *m = &cfg->lists.nats[i];
		const struct cfg_tunnel *t = find_tunnel(cfg, ix, &m->b4);

		check_public_port(cfg, ix, d, "static_nat", i, &m->pos, m->proto, m->ext_addr,
		                  m->ext_port);
		/* Paired pooling (RFC 6888 REQ-2) wants one address per subscriber;
		 * ISC accepts the mix, so this only warns. */
		if (t && t->has_ipv4 && t->ipv4 != m->ext_addr) {
			snprintf(path, sizeof(path), "static_nat[%zu]", i);
			diag_warn(d, m->pos.line, m->pos.col, path,
			          "tunnel %s is bound to %s, this mapping uses another address",
			          addr6_format(&m->b4, a), addr4_format(t->ipv4, b));
		}
	}
	for (size_t i = 0; i < cfg->lists.n_prrs; i++)
		check_public_port(cfg, ix, d, "prr", i, &cfg->lists.prrs[i].pos,
		                  cfg->lists.prrs[i].proto, cfg->lists.prrs[i].addr,
		                  cfg->lists.prrs[i].port);
}

static uint64_t prefix4_last(const struct prefix4 *p)
{
	return (uint64_t)p->addr + ((uint64_t)1 << (32 - p->len)) - 1;
}

/* Sorted by first address, a prefix overlaps an earlier one iff it starts
 * before the furthest end seen so far. */
static void check_nonats(const struct aftr_config *cfg, const struct index *ix, struct diag *d)
{
	char a[PREFIX4_STRLEN], b[PREFIX4_STRLEN];
	const struct cfg_nonat *far = NULL;

	for (size_t i = 0; i < cfg->lists.n_nonats; i++) {
		const struct cfg_nonat *n = ix->nonats[i];

		if (far && n->prefix.addr <= prefix4_last(&far->prefix)) {
			/* Report on whichever comes later in the list. */
			const struct cfg_nonat *x = n > far ? n : far, *y = n > far ? far : n;

			size_t before = d->n;

			cfg_err_at(d, &x->pos, "nonat", (size_t)(x - cfg->lists.nonats),
			           "%s overlaps nonat prefix %s", prefix4_format(&x->prefix, a),
			           prefix4_format(&y->prefix, b));
			diag_mark_conflict(d, before);
		}
		if (far == NULL || prefix4_last(&n->prefix) > prefix4_last(&far->prefix))
			far = n;
	}
}

/* A softwire's place in the order check_softwires walks: by address,
 * offset, PSID length, PSID (then by index: key_idx_sort is stable). */
static uint64_t softwire_key(const struct cfg_softwire *s)
{
	return (uint64_t)s->ipv4 << 32 | (uint64_t)s->psid.offset << 24 |
	       (uint64_t)s->psid.psid_len << 16 | s->psid.psid;
}

static void softwire_clash(const struct aftr_config *cfg, const struct cfg_softwire *s,
                           const struct cfg_softwire *other, struct diag *d)
{
	char path[PATH_LEN], a[ADDR4_STRLEN];

	snprintf(path, sizeof(path), "softwires[%zu]", (size_t)(s - cfg->lists.softwires));
	diag_err(d, s->pos.line, s->pos.col, path,
	         "port set (psid %u/%u, offset %u) on %s overlaps softwires[%zu]", s->psid.psid,
	         s->psid.psid_len, s->psid.offset, addr4_format(s->ipv4, a),
	         (size_t)(other - cfg->lists.softwires));
}

/* Softwires sharing an address with different PSID lengths or offsets:
 * mark each one's ports in a map of the 65536 ports, at most 65536 steps
 * per address before the first clash of each softwire. */
static void check_mixed_psids(const struct aftr_config *cfg, struct cfg_softwire **v, size_t n,
                              struct diag *d)
{
	static const size_t nbits = 65536;
	uint32_t *owner = calloc(nbits, sizeof(*owner)); /* index + 1, 0: free */

	if (owner == NULL) {
		diag_err(d, 0, 0, "softwires", "out of memory while validating");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t count = psid_port_count(&v[i]->psid);

		for (uint32_t k = 0; k < count; k++) {
			uint16_t port = psid_port_nth(&v[i]->psid, k);

			if (owner[port]) {
				softwire_clash(cfg, v[i], v[owner[port] - 1], d);
				break;
			}
			owner[port] = (uint32_t)i + 1;
		}
	}
	free(owner);
}

/* A softwire is named by its address and PSID (the API's
 * /softwires/ADDRESS/PSID): on an address with mixed PSID lengths, two
 * may not have the same PSID even where their ports do not overlap. */
static void check_psid_names(const struct aftr_config *cfg, struct cfg_softwire **v, size_t n,
                             struct diag *d)
{
	uint32_t *named = calloc(65536, sizeof(*named)); /* index + 1, 0: free */
	char a[ADDR4_STRLEN];

	if (named == NULL) {
		diag_err(d, 0, 0, "softwires", "out of memory while validating");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t *o = &named[v[i]->psid.psid];

		if (*o)
			cfg_err_at(
			        d, &v[i]->pos, "softwires", (size_t)(v[i] - cfg->lists.softwires),
			        "psid %u on %s is softwires[%zu]'s already (a softwire is named by "
			        "its address and PSID)",
			        v[i]->psid.psid, addr4_format(v[i]->ipv4, a),
			        (size_t)(v[*o - 1] - cfg->lists.softwires));
		else
			*o = (uint32_t)i + 1;
	}
	free(named);
}

/* Each softwire's BR address is the endpoint or one of endpoints. */
static void check_softwire_endpoints(const struct aftr_config *cfg, struct diag *d)
{
	char a[ADDR6_STRLEN];

	for (size_t i = 0; i < cfg->lists.n_softwires; i++) {
		const struct cfg_softwire *s = &cfg->lists.softwires[i];

		if (!addr6_is_zero(&s->endpoint) && cfg->fixed.has_endpoint &&
		    cfg_endpoint_index(cfg, &s->endpoint) < 0)
			cfg_err_at(d, &s->pos, "softwires", i,
			           "endpoint %s is neither endpoint nor one of endpoints",
			           addr6_format(&s->endpoint, a));
	}
}

/* lw4o6 bindings (RFC 7596 section 5.1): the address must not be a NAT
 * pool's or inside a no-NAT prefix, and port sets on one address must not
 * overlap, else two B4s would claim the same returning packets. */
static void check_softwires(const struct aftr_config *cfg, const struct index *ix, struct diag *d)
{
	size_t n = cfg->lists.n_softwires;
	struct cfg_softwire **v = calloc(n ? n : 1, sizeof(*v));
	struct key_idx *order = calloc(2 * (n ? n : 1), sizeof(*order));
	char a[ADDR4_STRLEN], p[PREFIX4_STRLEN];

	if (v == NULL || order == NULL) {
		free(v);
		free(order);
		diag_err(d, 0, 0, "softwires", "out of memory while validating");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cfg_softwire *s = &cfg->lists.softwires[i];
		const struct cfg_nonat *nn = nonat_covering(cfg, ix, s->ipv4);

		order[i] = (struct key_idx){softwire_key(s), (uint32_t)i};
		if (find_pool(cfg, ix, s->ipv4))
			cfg_err_at(d, &s->pos, "softwires", i, "%s is a NAT pool address",
			           addr4_format(s->ipv4, a));
		if (nn)
			cfg_err_at(d, &s->pos, "softwires", i, "%s is inside no-NAT prefix %s",
			           addr4_format(s->ipv4, a), prefix4_format(&nn->prefix, p));
	}
	check_softwire_endpoints(cfg, d);
	key_idx_sort(order, order + n, n);
	for (size_t i = 0; i < n; i++)
		v[i] = &cfg->lists.softwires[order[i].idx];
	free(order);
	for (size_t i = 0, run = 0; i < n; i = run) {
		bool mixed = false;

		for (run = i + 1; run < n && v[run]->ipv4 == v[i]->ipv4; run++)
			mixed |= v[run]->psid.offset != v[i]->psid.offset ||
			         v[run]->psid.psid_len != v[i]->psid.psid_len;
		if (mixed) {
			check_mixed_psids(cfg, v + i, run - i, d);
			check_psid_names(cfg, v + i, run - i, d);
			continue;
		}
		for (size_t j = i + 1; j < run; j++)
			if (v[j]->psid.psid == v[j - 1]->psid.psid)
				softwire_clash(cfg, v[j], v[j - 1], d);
	}
	free(v);
}

size_t cfg_validate(const struct aftr_config *cfg, struct diag *d)
{
	size_t before = d->errors;
	struct index ix;

	if (index_build(&ix, cfg) < 0) {
		index_free(&ix);
		diag_err(d, 0, 0, "", "out of memory while validating");
		return d->errors - before;
	}
	check_required(cfg, d);
	check_prefix_lists(cfg, d);
	check_pools(cfg, &ix, d);
	check_pcp(cfg, &ix, d);
	check_tunnels(cfg, &ix, d);
	check_b4_dups(cfg, d);
	check_nat_inside_dups(cfg, d);
	check_external_dups(cfg, d);
	check_nats(cfg, &ix, d);
	check_nonats(cfg, &ix, d);
	check_softwires(cfg, &ix, d);
	cfg_check_addrs(cfg, d);
	index_free(&ix);
	return d->errors - before;
}

/* The API listening beyond this host with no token: anyone who reaches
 * it can change the AFTR. Allowed (a lab, a protected management
 * network), but worth saying. */
static void warn_open_api(const struct aftr_config *cfg, struct diag *d)
{
	static const uint8_t loop[16] = {[15] = 1};
	const char *l = cfg->fixed.api_listen;
	struct addr6 a6;
	uint32_t a4;

	if (l == NULL || cfg->fixed.api_token_file)
		return;
	if (addr4_parse(l, &a4, NULL, 0) == 0 && a4 >> 24 == 127)
		return;
	if (addr6_parse(l, &a6, NULL, 0) == 0 && memcmp(a6.b, loop, 16) == 0)
		return;
	diag_warn(d, 0, 0, "api.listen",
	          "%s without api.token_file: anyone who reaches it can change the AFTR", l);
}

/* Session lifetimes below what the RFCs ask a NAT for (ISC's own defaults
 * are): allowed, since an operator may want them, but worth saying. */
size_t cfg_warnings(const struct aftr_config *cfg, struct diag *d)
{
	static const struct {
		enum cfg_lifetime lt;
		uint32_t min;
		const char *why;
	} mins[] = {
	        {LT_TCP, 7440, "established TCP: 2 h 4 min (RFC 5382 REQ-5)"},
	        {LT_CLOSED, 240, "transitory TCP: 4 min (RFC 5382 REQ-5)"},
	        {LT_RETRANS, 120, "a UDP mapping: 2 min even before a reply (RFC 4787 REQ-5)"},
	        {LT_UDP, 120, "a UDP mapping: 2 min (RFC 4787 REQ-5)"},
	        {LT_ICMP, 60, "an ICMP query: 60 s (RFC 5508 REQ-1)"},
	};
	size_t before = d->warnings;
	char path[PATH_LEN];

	for (size_t i = 0; i < sizeof(mins) / sizeof(mins[0]); i++) {
		if (cfg->fixed.lifetime[mins[i].lt] >= mins[i].min)
			continue;
		snprintf(path, sizeof(path), "nat.lifetime.%s", cfg_lifetime_names[mins[i].lt]);
		diag_warn(d, 0, 0, path, "%u s is below the minimum for %s",
		          cfg->fixed.lifetime[mins[i].lt], mins[i].why);
	}
	warn_open_api(cfg, d);
	return d->warnings - before;
}
