/* The live tables: what may change while the AFTR runs (ISC section two:
 * tunnels, static NAT with its filters, prr, nonat, lw4o6 softwires; and
 * the acl6 and private prefixes), indexed for the packet path.
 *
 * A set is built whole from a configuration; the dataplane publishes a new
 * set as a new generation and frees the old one once every worker has
 * moved on (dataplane/mainlcore/gen.c). Entries are then added, removed
 * and replaced in place, one at a time, while the workers read
 * (tables_edit.h). Lookups are O(1) hashes (B4s, lw4o6 softwires, static
 * NAT, prr and nonat, which come in millions) that readers take no lock
 * for. The workers read entries only from the set's own slot arrays
 * (sw, tun, nat, prrs, nonats), never from cfg's lists, which follow the
 * control process's (a deletion moves the last entry into its place). */
#ifndef AFTR_TABLES_H
#define AFTR_TABLES_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "counters.h"
#include "lhash.h"
#include "portset.h"

/* What the tables know of a B4: its stateless bindings - its lw4o6
 * softwires (RFC 7596), its no-NAT prefix (ISC nonat), whether it has prr
 * entries - and its configured tunnel (ISC tunnel). */
struct tables_b4 {
	uint32_t softwire; /* its first softwire, index in sw (the others: sw_next),
	                    * or LHASH_NONE */
	uint32_t nonat;    /* index in nonats, or LHASH_NONE */
	uint32_t has_prr;  /* how many prr entries it has */
	uint32_t tunnel;   /* index in tun, or LHASH_NONE */
	struct addr6 b4;
};

/* The value of a B4 in by_b4, the one index of B4s: the index of its
 * entry inline when it has only softwires (the common lw4o6 case: its
 * first, the others by sw_next) or only a tunnel (the common NAPT case),
 * so no second read; else an index in b4s. */
#define TABLES_B4_SOFTWIRE 0x80000000u
#define TABLES_B4_TUNNEL   0x40000000u
#define TABLES_B4_INDEX    0x3fffffffu

/* The port-set shapes (offset, PSID length) used on one lw4o6 address:
 * nearly always one. */
struct tables_shape {
	uint8_t offset, psid_len;
};
struct tables_addr {
	uint32_t ipv4;
	uint32_t first, n; /* in shapes */
};

/* Up to this many prefix lengths, a nonat prefix is found by one hash
 * lookup a length (nearly always one: every customer's prefix is, say, a
 * /29); past it, by a binary search. */
#define TABLES_NONAT_LENS 4

/* The value of a lw4o6 address in sw_addr: its only shape, inline (no
 * second lookup), or an index in addrs. */
#define TABLES_SHAPE_INLINE 0x80000000u

struct tables_net {
	uint32_t net, mask;
};

/* An IPv6 prefix as two host-order 64-bit words of network and mask: a
 * test of an address is four operations. */
struct tables_net6 {
	uint64_t net[2], mask[2];
};

/* A filter rule (filters.IFACE.DIR) as the packet path tests it:
 * host-order networks and masks (dataplane/filter/filter.h). */
struct tables_filter_rule {
	uint32_t src, src_mask, dst, dst_mask;
	struct tables_net6 b4; /* all zero: any B4 */
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	int16_t proto; /* IP protocol, or -1: any */
	bool ports;    /* matches TCP/UDP ports: a packet without them does not match */
	bool accept;
};
struct tables_filter {
	struct tables_filter_rule *rules;
	uint16_t n;
};

struct tables {
	uint64_t gen;            /* the generation, as the control process numbered it */
	uint32_t serial;         /* unique among the sets this process built (a B4's binding) */
	struct aftr_config cfg;  /* owned: the entries indexed below */
	struct cfg_tunnel *tun;  /* cfg's tunnels (slots) */
	bool tunnel_mtus;        /* some tunnel has its own MTU (else no per-packet search) */
	bool tunnel_limits;      /* some tunnel has its own NAT limits (else no search) */
	struct cfg_nat *nat;     /* cfg's static mappings (slots) */
	struct lhash nat_in;     /* (B4, inside address, port, protocol) -> nat */
	struct lhash nat_ext;    /* (public address, port, protocol) -> nat */
	struct cfg_softwire *sw; /* cfg's softwires, copied to huge pages (slots) */
	uint32_t *sw_next;       /* by softwire: the next of its B4's, or LHASH_NONE */
	/* Room for entries changed in place (tables_edit.h): of each slot
	 * array, the slots used (after the built ones, the added ones; a
	 * deleted one's slot is not used again) and held; B4 records the
	 * same; and how many more softwires the indexes were made for. */
	uint32_t sw_n, sw_cap, b4s_n, b4s_cap, spare;
	uint32_t tun_n, tun_cap, nat_n, nat_cap, prr_n, prr_cap, nonat_n, nonat_cap;
	struct cfg_prr *prrs; /* cfg's prr entries (slots) */
	struct lhash by_b4;   /* B4 -> index in b4s */
	struct tables_b4 *b4s;
	struct lhash sw_addr;  /* lw4o6 address -> index in addrs */
	uint32_t sw_lo, sw_hi; /* the lowest and highest lw4o6 address (host order) */
	/* The span of every lw4o6 and nonat address (host order; lo > hi:
	 * none), which a hairpin test of every packet out tests first. */
	uint32_t sl_lo, sl_hi;
	struct tables_addr *addrs;
	struct tables_shape *shapes;
	bool one_shape;           /* every lw4o6 address has the one shape shapes[0] */
	struct lhash sw_port;     /* (address, shape, PSID) -> softwire */
	struct lhash prr;         /* (protocol, address, port) -> prr */
	uint32_t prr_lo, prr_hi;  /* the prr addresses' span (host order; lo > hi: none) */
	struct cfg_nonat *nonats; /* cfg's nonat prefixes (slots) */
	/* The built ones by first address (they do not overlap), for the
	 * binary search; n_nonat: how many there are now. */
	const struct cfg_nonat **nonat;
	size_t n_nonat;
	uint32_t nonat_lo, nonat_hi; /* the first and last address they span (host order) */
	/* Their prefix lengths when there are at most TABLES_NONAT_LENS
	 * (else 0: a binary search over nonat, and no change in place), and
	 * the prefixes by (network, length) -> index in nonats. */
	uint8_t nonat_lens[TABLES_NONAT_LENS];
	uint8_t n_nonat_lens;
	struct lhash nonat_net;
	struct tables_net *priv; /* cfg.private4 as (network, mask), host order */
	size_t n_priv;
	uint8_t *priv16;          /* by the top 16 bits of an address: TABLES_PRIV_* */
	struct tables_net6 *acl6; /* cfg.acl6, the same way */
	size_t n_acl6;
	struct tables_filter filters[CFG_NSIDES][CFG_NDIRS]; /* cfg.lists.filters, compiled */
	/* Numbers the filters: the dataplane keeps it across generations
	 * whose filters are the same (their counters go on), 0 from here. */
	uint32_t filters_serial;
};

/* The room a set of n softwires keeps for softwires added in place (a
 * bulk of this many goes in without a rebuild): an eighth more, which a
 * rebuild of a set that small costs little to go beyond; none without
 * softwires (the first needs a rebuild: its port-set shape). */
#define TABLES_SPARE(n) ((n) ? 64 + (n) / 8 : 0)
/* The same for n tunnels, static mappings, prr or nonat entries in a
 * set of total entries: the first ones go in place too, and a set keeps
 * room in proportion to what rebuilding it costs (total: a million
 * softwires take 0.4 s), so rebuilds cost O(1) a change in the long run
 * (bench/README.md: 100 changes of each kind in a row at 1M softwires). */
#define TABLES_ROOM(n, total) (1024 + (n) / 8 + (total) / 64)

/* Whether two sets have the same filters. */
bool tables_filters_equal(const struct tables *a, const struct tables *b);

/* Takes cfg (moved in: *cfg is left empty, safe to cfg_free) and indexes
 * it; 0, -ENOMEM, or -E2BIG past 2^30 B4 entries (cfg is then freed). cfg must be valid
 * (cfg_validate): of duplicate keys, one is found. */
int tables_build(struct tables *t, struct aftr_config *cfg, uint64_t gen);
void tables_free(struct tables *t);

/* The tunnel configured for a B4, or NULL. */
const struct cfg_tunnel *tables_tunnel(const struct tables *t, const struct addr6 *b4);

/* What priv16 says of the addresses of a /16: none private, all, or
 * some (a longer private prefix: ask priv). */
#define TABLES_PRIV_NONE 0
#define TABLES_PRIV_ALL  1
#define TABLES_PRIV_SOME 2

/* Whether an IPv4 address (host order) is private (cfg.private4: NATed
 * when a B4 sends from it): one read for the usual /8 to /16 prefixes and
 * any public address, so a stateless B4's packet does not walk the list. */
static inline bool tables_is_private(const struct tables *t, uint32_t addr)
{
	uint8_t v = t->priv16[addr >> 16];

	if (v != TABLES_PRIV_SOME)
		return v == TABLES_PRIV_ALL;
	for (size_t i = 0; i < t->n_priv; i++)
		if ((addr & t->priv[i].mask) == t->priv[i].net)
			return true;
	return false;
}

/* An IPv6 address as two host-order words, for tables_net6_has. */
static inline void tables_addr6_words(const struct addr6 *a, uint64_t w[2])
{
	memcpy(w, a->b, 16);
	w[0] = be64toh(w[0]);
	w[1] = be64toh(w[1]);
}

/* Whether prefix n holds the address of words w. */
static inline bool tables_net6_has(const struct tables_net6 *n, const uint64_t w[2])
{
	return (((w[0] & n->mask[0]) ^ n->net[0]) | ((w[1] & n->mask[1]) ^ n->net[1])) == 0;
}

/* Whether an IPv6 address is inside one of the acl6 prefixes. */
static inline bool tables_in_acl6(const struct tables *t, const struct addr6 *a)
{
	uint64_t w[2];

	tables_addr6_words(a, w);
	for (size_t i = 0; i < t->n_acl6; i++)
		if (tables_net6_has(&t->acl6[i], w))
			return true;
	return false;
}

/* Whether a B4 may use the softwire: a configured tunnel, inside acl6
 * with automatic tunnels on (ISC: the ACL is checked when no tunnel is
 * found), or a stateless binding; when not, *drop says why (DROP_ACL6,
 * DROP_NO_TUNNEL). *nat (if not NULL): whether it may be NATed, which a B4
 * known only by a stateless binding may not (RFC 7596 section 5.2). */
bool tables_b4_allowed(const struct tables *t, const struct addr6 *b4, int *drop, bool *nat);

/* The static mapping of an inside endpoint, or NULL. Host order. */
const struct cfg_nat *tables_nat_inside(const struct tables *t, const struct addr6 *b4,
                                        enum cfg_proto proto, uint32_t addr, uint16_t port);
/* The static mapping of a public endpoint, or NULL. Host order. */
const struct cfg_nat *tables_nat_public(const struct tables *t, enum cfg_proto proto, uint32_t addr,
                                        uint16_t port);

/* A B4's stateless bindings into *out; false if it has none. */
bool tables_b4(const struct tables *t, const struct addr6 *b4, struct tables_b4 *out);
/* A B4's binding in this set: its value in by_b4 (LHASH_NONE: neither a
 * stateless binding nor a tunnel), which a packet's context keeps (with t->serial) from admission
 * to the stateless checks, so the index is read once per packet. */
static inline __attribute__((always_inline)) uint32_t tables_b4_bind(const struct tables *t,
                                                                     const struct addr6 *b4)
{
	return lhash_get_n(&t->by_b4, b4->b, 16);
}
/* tables_b4 from a binding: false when it holds no stateless binding
 * (LHASH_NONE, or a tunnel only); out->b4 is not filled. */
static inline bool tables_b4_of(const struct tables *t, uint32_t bind, struct tables_b4 *out)
{
	if (bind == LHASH_NONE || bind & TABLES_B4_TUNNEL)
		return false;
	if (bind & TABLES_B4_SOFTWIRE) {
		out->softwire = bind & TABLES_B4_INDEX;
		out->nonat = LHASH_NONE;
		out->has_prr = 0;
		out->tunnel = LHASH_NONE;
		return true;
	}
	out->softwire = t->b4s[bind].softwire;
	out->nonat = t->b4s[bind].nonat;
	out->has_prr = t->b4s[bind].has_prr;
	out->tunnel = t->b4s[bind].tunnel;
	return out->softwire != LHASH_NONE || out->nonat != LHASH_NONE || out->has_prr;
}
/* The configured tunnel of a binding (tables_b4_bind), or NULL. */
static inline const struct cfg_tunnel *tables_bind_tunnel(const struct tables *t, uint32_t bind)
{
	uint32_t i;

	if (bind == LHASH_NONE || bind & TABLES_B4_SOFTWIRE)
		return NULL;
	i = bind & TABLES_B4_TUNNEL ? bind & TABLES_B4_INDEX : t->b4s[bind].tunnel;
	return i == LHASH_NONE ? NULL : &t->tun[i];
}
/* tables_b4_allowed with the B4's binding already read (tables_b4_bind);
 * inline: every B4 packet with a private source asks. */
static inline __attribute__((always_inline)) bool tables_b4_allowed_bind(const struct tables *t,
                                                                         const struct addr6 *b4,
                                                                         uint32_t bind, int *drop,
                                                                         bool *nat)
{
	bool in_acl6 = false, ok;

	/* NAT is for a configured tunnel, or a B4 inside acl6 with automatic
	 * tunnels on (ISC: the ACL is checked when no tunnel is found). A
	 * no-NAT B4's tunnel entry holds its settings only. */
	ok = tables_bind_tunnel(t, bind) != NULL &&
	     (bind & (TABLES_B4_TUNNEL | TABLES_B4_SOFTWIRE) || t->b4s[bind].nonat == LHASH_NONE);
	if (!ok)
		in_acl6 = tables_in_acl6(t, b4);
	ok = ok || (in_acl6 && t->cfg.fixed.tun.auto_create);
	if (nat)
		*nat = ok;
	/* A stateless binding makes the B4 known too. */
	if (ok || bind != LHASH_NONE)
		return true;
	*drop = in_acl6 ? DROP_NO_TUNNEL : DROP_ACL6;
	return false;
}
/* The lw4o6 softwire whose port set on addr holds port (a TCP/UDP port or
 * an ICMP echo identifier), or NULL. Host order. */
const struct cfg_softwire *tables_softwire(const struct tables *t, uint32_t addr, uint16_t port);
/* A lookup split in two for a burst (the dataplane's look-ahead), so that
 * the cache misses of its packets overlap: tables_b4_ahead (the index of
 * tables_b4) or tables_softwire_ahead (of tables_softwire, when the
 * address has one port-set shape: false otherwise; with one shape for
 * every lw4o6 address, any address in their range, which may then find
 * nothing) computes the key and
 * starts bringing its index slot into the cache; tables_ahead_get, in a
 * second pass over the burst, reads the slot and starts bringing the
 * binding it names. Nothing changes: a look-ahead is only a hint. */
struct tables_ahead {
	uint8_t key[16]; /* the index key */
	uint32_t hash;
	uint32_t val;  /* after tables_ahead_get: the index's value, or LHASH_NONE */
	uint8_t which; /* TABLES_AHEAD_B4 or _SW */
	uint16_t port; /* _SW: the (address, port) looked up, host order */
	uint32_t addr;
};
#define TABLES_AHEAD_B4 1
#define TABLES_AHEAD_SW 2
/* Whether looking an index up ahead pays: not while the index and the
 * bindings it names stay in a core's nearest caches (up to
 * TABLES_AHEAD_MIN keys: about 40 KB of index and 50 KB of softwires),
 * where the lookup at the packet's own turn hardly misses and the
 * look-ahead only adds work (bench/README: at 1K softwires 11% fewer
 * instructions and no more cycles without it; at 4K it still paid). */
#define TABLES_AHEAD_MIN 1024
static inline bool tables_ahead_pays(const struct lhash *h)
{
	return h->n > TABLES_AHEAD_MIN;
}
bool tables_b4_ahead(const struct tables *t, const struct addr6 *b4, struct tables_ahead *a);
bool tables_softwire_ahead(const struct tables *t, uint32_t addr, uint16_t port,
                           struct tables_ahead *a);
void tables_ahead_get(const struct tables *t, struct tables_ahead *a);
/* tables_b4_bind and tables_softwire taking the answer of a look-ahead a
 * (read by tables_ahead_get; NULL: none) when it is for the same key: the
 * same answers, without reading the index again. */
static inline __attribute__((always_inline)) uint32_t
tables_b4_bind_with(const struct tables *t, const struct addr6 *b4, const struct tables_ahead *a)
{
	if (a && a->which == TABLES_AHEAD_B4 && memcmp(a->key, b4->b, 16) == 0)
		return a->val;
	return tables_b4_bind(t, b4);
}
/* The key of sw_port: a softwire by its address, port-set shape and PSID,
 * as one word built in registers (8 bytes in the index). */
static inline uint64_t tables_sw_key(uint32_t addr, uint8_t offset, uint8_t psid_len, uint16_t psid)
{
	return (uint64_t)addr | (uint64_t)offset << 32 | (uint64_t)psid_len << 40 |
	       (uint64_t)psid << 48;
}

/* The softwire of (addr, port) with one port-set shape. */
static inline __attribute__((always_inline)) const struct cfg_softwire *
tables_by_shape(const struct tables *t, uint32_t addr, uint16_t port, uint8_t offset,
                uint8_t psid_len)
{
	uint64_t k;
	uint32_t s;

	if (psid_port_excluded(offset, port))
		return NULL;
	k = tables_sw_key(addr, offset, psid_len, psid_of_port(offset, psid_len, port));
	s = lhash_get_n(&t->sw_port, &k, sizeof(k));
	return s == LHASH_NONE ? NULL : &t->sw[s];
}

/* The value sw_addr holds for addr (TABLES_SHAPE_INLINE with the shape,
 * an index in addrs, or LHASH_NONE), without reading it when every
 * address has the same shape: a port set looked up by an address that is
 * not lw4o6 finds no softwire all the same. */
static inline __attribute__((always_inline)) uint32_t tables_addr_shapes(const struct tables *t,
                                                                         uint32_t addr)
{
	if (t->one_shape)
		return addr - t->sw_lo <= t->sw_hi - t->sw_lo
		               ? TABLES_SHAPE_INLINE | (uint32_t)t->shapes[0].offset << 8 |
		                         t->shapes[0].psid_len
		               : LHASH_NONE;
	return lhash_get_n(&t->sw_addr, &addr, 4);
}

/* tables_softwire, inline: the lookup of every packet to a lw4o6 address. */
static inline __attribute__((always_inline)) const struct cfg_softwire *
tables_softwire_of(const struct tables *t, uint32_t addr, uint16_t port)
{
	const struct cfg_softwire *sw = NULL;
	uint32_t a = tables_addr_shapes(t, addr);

	if (a == LHASH_NONE)
		return NULL;
	if (a & TABLES_SHAPE_INLINE)
		return tables_by_shape(t, addr, port, (uint8_t)(a >> 8), (uint8_t)a);
	for (uint32_t i = 0; i < t->addrs[a].n && sw == NULL; i++) {
		const struct tables_shape *sh = &t->shapes[t->addrs[a].first + i];

		sw = tables_by_shape(t, addr, port, sh->offset, sh->psid_len);
	}
	return sw;
}

/* tables_softwire with a look-ahead's answer (see tables_b4_bind_with). */
static inline __attribute__((always_inline)) const struct cfg_softwire *
tables_softwire_with(const struct tables *t, uint32_t addr, uint16_t port,
                     const struct tables_ahead *a)
{
	if (a && a->which == TABLES_AHEAD_SW && a->addr == addr && a->port == port)
		return a->val == LHASH_NONE ? NULL : &t->sw[a->val];
	return tables_softwire_of(t, addr, port);
}
/* Whether addr is a lw4o6 address (of some softwire). Asked of every
 * packet out to the Internet (hairpins): most are outside the range the
 * lw4o6 addresses span, which is tested inline. */
static inline bool tables_softwire_addr(const struct tables *t, uint32_t addr)
{
	return addr - t->sw_lo <= t->sw_hi - t->sw_lo &&
	       lhash_get_n(&t->sw_addr, &addr, 4) != LHASH_NONE;
}
/* The key of prr, as one word built in registers (8 bytes in the index). */
static inline uint64_t tables_prr_key(uint32_t addr, uint16_t port, uint8_t proto)
{
	return (uint64_t)addr | (uint64_t)port << 32 | (uint64_t)proto << 48;
}

/* The prr entry of (proto, addr, port), or NULL. Host order. Inline: a
 * prr B4's every packet asks it, both ways. */
static inline __attribute__((always_inline)) const struct cfg_prr *
tables_prr(const struct tables *t, enum cfg_proto proto, uint32_t addr, uint16_t port)
{
	uint64_t k = tables_prr_key(addr, port, (uint8_t)proto);
	uint32_t i = lhash_get_n(&t->prr, &k, sizeof(k));

	return i == LHASH_NONE ? NULL : &t->prrs[i];
}

/* The key of nat_in: a B4's inside endpoint. */
struct tables_nat_key {
	uint8_t b4[16];
	uint32_t addr;
	uint16_t port;
	uint8_t proto, zero;
};

/* The nat_in key of a static mapping. */
static inline struct tables_nat_key tables_nat_in_key(const struct cfg_nat *n)
{
	struct tables_nat_key k = {.addr = n->addr, .port = n->port, .proto = n->proto};

	memcpy(k.b4, n->b4.b, 16);
	return k;
}

/* The key of nat_ext, as one word. */
static inline uint64_t tables_nat_ext_key(uint32_t addr, uint16_t port, uint8_t proto)
{
	return (uint64_t)addr | (uint64_t)port << 32 | (uint64_t)proto << 48;
}

/* The key of nonat_net. */
struct tables_nonat_key {
	uint32_t net;
	uint32_t len;
};

/* tables_nonat's binary search, for more than TABLES_NONAT_LENS lengths. */
const struct cfg_nonat *tables_nonat_search(const struct tables *t, uint32_t addr);

/* The no-NAT prefix holding addr (host order), or NULL: a test of the span
 * they cover (every packet to the Internet asks, for hairpins), then one
 * hash lookup a prefix length. They do not overlap: the first hit is the
 * one. */
static inline __attribute__((always_inline)) const struct cfg_nonat *
tables_nonat(const struct tables *t, uint32_t addr)
{
	if (t->n_nonat == 0 || addr - t->nonat_lo > t->nonat_hi - t->nonat_lo)
		return NULL;
	if (t->n_nonat_lens == 0)
		return tables_nonat_search(t, addr);
	for (uint32_t i = 0; i < t->n_nonat_lens; i++) {
		uint32_t len = t->nonat_lens[i];
		struct tables_nonat_key k = {addr & prefix4_mask((uint8_t)len), len};
		uint32_t v = lhash_get_n(&t->nonat_net, &k, sizeof(k));

		if (v != LHASH_NONE)
			return &t->nonats[v];
	}
	return NULL;
}

/* ISC "filter": whether a static mapping lets a remote peer (host order)
 * talk to it, either way. */
bool tables_nat_allows(const struct cfg_nat *n, uint32_t remote, uint16_t rport);

#endif
