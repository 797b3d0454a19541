/* Stateful NAPT tables of one worker: subscribers (one per B4, RFC 6333
 * section 7), their port blocks, and sessions; created on the first packet
 * from a B4's private address and port, found again by either key.
 *
 * Mapping is endpoint-independent (RFC 4787 REQ-1, RFC 5382 REQ-1): a
 * session is (B4, inner source, source port or echo id, protocol) ->
 * (pool address, port), whoever the remote is; filtering is endpoint-
 * independent too (RFC 6888 REQ-7's default). All of a subscriber's sessions
 * use one pool address (paired pooling, RFC 6888 REQ-2). */
#ifndef AFTR_NAT_H
#define AFTR_NAT_H

#include <stdint.h>

#include "dp.h"
#include "hash.h"
#include "pkt.h"

enum sess_state {
	SESS_NEW,     /* no packet back yet: "retrans" lifetime */
	SESS_EST,     /* traffic both ways: the protocol's lifetime */
	SESS_CLOSING, /* TCP FIN or RST seen: "closed" lifetime */
};

/* Remote endpoints a session sent to, for address(-and-port)-dependent
 * filtering (RFC 4787 REQ-8): the last few, oldest replaced first. */
#define SESS_REMOTES 4
_Static_assert(1 + CFG_ENDPOINTS_MAX <= 16, "dp_session.ep holds an endpoint index in 4 bits");

/* One cache line: the inside key first (b4, src, sport, and proto below,
 * what the inside index compares), then the outside one (ext, eport,
 * proto in a row: one word). */
struct dp_session {
	struct addr6 b4;
	uint32_t src;           /* inner source, network order */
	uint16_t sport;         /* inner source port or echo id, network order */
	uint8_t state;          /* enum sess_state */
	uint8_t rnext : 2;      /* next remote slot to replace (SESS_REMOTES) */
	uint8_t ep : 4;         /* the endpoint its B4 sends to: answers leave from it */
	uint32_t ext;           /* pool address, network order */
	uint16_t eport;         /* public port or echo id, network order */
	uint8_t proto;          /* IPPROTO_TCP, _UDP, _ICMP */
	uint8_t in_use : 1;     /* else on the free list */
	uint8_t is_static : 1;  /* from a static mapping (ISC "nat"): no port block */
	uint8_t is_pcp : 1;     /* a PCP mapping (pcp_map.c): lives to nat_state.pcp_end */
	uint8_t pcp_map : 1;    /* PCP MAP: inbound from anyone, or ... */
	uint8_t pcp_filter : 1; /* ... only from remote[] (port 0: any) */
	union {
		uint32_t sub;       /* in use: subscriber index; NAT_NO_SUB if static */
		uint32_t next_free; /* free: the next free session */
	};
	uint32_t expire;               /* second of expiry (w->now's clock) */
	uint32_t remote[SESS_REMOTES]; /* network order; 0: unused */
	uint16_t rport[SESS_REMOTES];  /* network order */
};

struct dp_subscriber {
	struct addr6 b4;
	uint32_t pool;             /* index in dp.conf.pools */
	uint32_t head[CFG_NPROTO]; /* port-block chains */
	uint32_t nblocks[CFG_NPROTO];
	uint32_t nsess[CFG_NPROTO];
	uint32_t tokens[CFG_NPROTO]; /* session creations left this second */
	uint64_t tokens_at;
	uint32_t next_free;
	uint32_t limit_at; /* w->now + 1 of its last limit event (one a second) */
	uint32_t determ;   /* its number in nat.deterministic's prefix */
	uint16_t npcp;     /* its sessions that are PCP mappings */
	uint8_t in_use;
};

/* A port waiting out its hold time before reuse. */
struct dp_held {
	uint32_t pool, sub;
	uint16_t port; /* host order */
	uint8_t proto; /* enum cfg_proto */
	uint64_t release_at;
};

#define NAT_NO_SUB  UINT32_MAX
#define NAT_NO_POOL UINT32_MAX /* choose_pool: every pool address drains */

/* Heap bytes one worker's tables took at start, for the start-up log. */
struct nat_mem {
	size_t sessions;    /* the session slots and both session indexes */
	size_t subscribers; /* the subscriber slots and their hash table */
	size_t held;        /* the hold queue: one entry per port the worker owns */
};

/* Reserves the worker's tables, sized by nat.sessions_per_worker and
 * nat.subscribers_per_worker; mem (may be NULL) gets what they took. */
int nat_init(struct dp_worker *w, struct nat_mem *mem);
void nat_fini(struct dp_worker *w);

/* Result of a translation attempt: NAT_OK (translated), or the reason to
 * drop the packet (enum aftr_drop), as the stages' helpers return them. */
#define NAT_OK      (-1)
#define NAT_DROP(d) (DROP_##d)

/* B4 -> Internet: finds or creates the session of the inner packet ip
 * (whose L4 header follows at l4) and rewrites its source address and
 * port/id with checksums. l4len bytes of L4 data are present. */
int nat_out(struct dp_worker *w, const struct addr6 *b4, uint8_t ep, struct l3_ip4_hdr *ip,
            void *l4, uint32_t l4len);

/* Internet -> B4: finds the session of a packet to a pool address and
 * rewrites its destination; returns it (for the B4 address) or NULL with
 * *drop set. */
struct dp_session *nat_in(struct dp_worker *w, struct l3_ip4_hdr *ip, void *l4, uint32_t l4len,
                          int *drop);

/* ICMPv4 error from the Internet (RFC 5508 REQ-3): the key of the quoted
 * packet (network order), to find the owning worker; -1 if the quote is
 * too short or of a kind we do not translate. */
int nat_icmp_error_key(uint8_t *icmp, uint32_t len, uint32_t *ext, uint16_t *eport, uint8_t *proto);
/* Translates such an error back towards the B4 (rewrites ip and the quote). */
struct dp_session *nat_icmp_error_in(struct dp_worker *w, struct l3_ip4_hdr *ip, uint8_t *icmp,
                                     uint32_t len, int *drop);

/* An ICMPv4 error from a B4 (ip, with its ICMP message at icmp, len
 * bytes) about a packet the AFTR translated towards it (RFC 5508 REQ-3):
 * the quoted destination and the outer source become the session's public
 * ones. NAT_OK, or NAT_DROP(NO_SESSION) / NAT_DROP(ICMP_IN). No session is
 * created or refreshed. */
int nat_icmp_error_out(struct dp_worker *w, const struct addr6 *b4, struct l3_ip4_hdr *ip,
                       uint8_t *icmp, uint32_t len);

/* The look-ahead over a burst (worker/ahead.c): nat_out_ahead (the inside key, of
 * a packet from b4 with inner source src, source port or echo id sport, all
 * network order) or nat_in_ahead (the outside key) hashes the key and
 * starts bringing its index slot into the cache; nat_ahead_get, in a second
 * pass, reads the slot and starts bringing the session it names. When
 * the packet's turn comes, its lookup takes the session found ahead only if
 * it is still in use with the packet's own key (a key is held by one
 * session at most; sessions come and go while the burst is processed),
 * else looks up again, finding the slot in the cache. */
void nat_out_ahead(const struct dp_worker *w, const struct addr6 *b4, uint32_t src, uint16_t sport,
                   uint8_t proto, struct dp_nat_ahead *a);
void nat_in_ahead(const struct dp_worker *w, uint32_t ext, uint16_t eport, uint8_t proto,
                  struct dp_nat_ahead *a);
void nat_ahead_get(const struct dp_worker *w, struct dp_nat_ahead *a);

/* The session of an inside or an outside key (network order), or NULL. */
struct dp_session *nat_find_out(struct dp_worker *w, const struct addr6 *b4, uint32_t src,
                                uint16_t sport, uint8_t proto);
struct dp_session *nat_find_in(struct dp_worker *w, uint32_t ext, uint16_t eport, uint8_t proto);

/* PCP (RFC 6887) mappings, pcp_map.c: a CTL_CMD_PCP applied by the B4's
 * owner, its result in ev (a CTL_EVT_PCP to send). */
struct ctl_msg;
void nat_pcp(struct dp_worker *w, const struct ctl_msg *cmd, struct ctl_msg *ev);
/* The sweep found PCP session idx past its (traffic's) expiry or its
 * mapping's end: true if the session stays (the mapping's lifetime keeps
 * it; or the mapping ended, its record sent, and traffic keeps the
 * session), false if it ends. */
bool nat_pcp_keep(struct dp_worker *w, uint32_t idx);
/* Session idx, a PCP mapping, ends for another reason (cleared). */
void nat_pcp_gone(struct dp_worker *w, uint32_t idx, uint8_t op);
/* The first and the last of the ends a session's mappings have (0: none). */
static inline uint32_t nat_pcp_next_end(const struct pcp_ends *e)
{
	return !e->map ? e->peer : !e->peer ? e->map : RTE_MIN(e->map, e->peer);
}
static inline uint32_t nat_pcp_last_end(const struct pcp_ends *e)
{
	return RTE_MAX(e->map, e->peer);
}

/* Expires sessions and releases held ports, a few per call. */
void nat_sweep(struct dp_worker *w, unsigned int budget);
/* Ends session idx now, as its expiry would: its event record, its port
 * waiting out the hold time (the sweep, and a NOC's clear: commands.c). */
void nat_sess_end(struct dp_worker *w, uint32_t idx);

/* The seconds since the last packet of any of b4's dynamic sessions on
 * this worker (its owner): found through the ports of its blocks, at most
 * NAT_ACTIVE_BUDGET of them. -ENOENT: it has no NAT state here;
 * -ENODATA: none of its sessions is live (its ports wait out their hold). */
#define NAT_ACTIVE_BUDGET 16384
int nat_b4_last_active(const struct dp_worker *w, const struct addr6 *b4, uint32_t *ago_s);

/* Index of the pool a pool address is, or -1: nat_pool_index looks in
 * the index's at when the pools span at most NAT_POOL_AT_MAX addresses,
 * else asks this: a scan of a few pools, a lookup in its by_addr among
 * more. */
int nat_pool_find(const struct dp_pool_index *x, uint32_t addr_host);
#define NAT_POOL_NONE   UINT16_MAX
#define NAT_POOL_AT_MAX 4096 /* addresses the pools may span for the index's at */

static inline const struct dp_pool_index *nat_pidx(void)
{
	return __atomic_load_n(&dp.conf.pidx, __ATOMIC_ACQUIRE);
}

/* Whether an address (host order) is inside the span of the pool
 * addresses: most packets' are not. */
static inline bool nat_pool_span(uint32_t addr_host)
{
	const struct dp_pool_index *x = nat_pidx();

	return addr_host - x->lo <= x->hi - x->lo;
}

static inline int nat_pool_index(uint32_t addr_host)
{
	/* Pools are most often one prefix or a few near each other: a table
	 * over their span, else the scan or the hash. */
	const struct dp_pool_index *x = nat_pidx();

	if (addr_host - x->lo > x->hi - x->lo)
		return -1;
	if (x->at == NULL)
		return nat_pool_find(x, addr_host);
	return x->at[addr_host - x->lo] == NAT_POOL_NONE ? -1 : x->at[addr_host - x->lo];
}
/* Fills slot i of dp.conf.pools with pool (of cfg) and each worker's
 * port blocks of it; main lcore, before the slot is published. 0, or
 * -errno with err (".PROTO: why"). */
int nat_pool_slot(const struct aftr_config *cfg, const struct cfg_pool *pool, uint32_t i, char *err,
                  size_t errlen);
/* An index of the first n pools of dp.conf.pools, built (NULL: no
 * memory), and freed. */
struct dp_pool_index *nat_pool_index_build(uint32_t n);
void nat_pool_index_free(struct dp_pool_index *x);
/* At start, before the workers run: the first index published. 0 or
 * -ENOMEM. */
int nat_pools_index(void);

/* The worker that owns a public (address, port, proto): the owner of its
 * port block, or of the B4 of the static mapping that uses it; -1 if none.
 * addr is a pool address (network order), pool its index. */
int nat_port_owner(const struct dp_worker *w, uint32_t pool, uint32_t addr, uint8_t ipproto,
                   uint16_t port_host);

/* Whether looking a B4's NAPT sessions up ahead pays (ahead.c, the
 * transport side's pass): not while this worker holds up to NAT_AHEAD_MIN
 * sessions (128 KB of them, and their index slots, in a core's L2),
 * where the lookup ahead (hashing a 24-byte key, two passes over the
 * burst: about 60 instructions a packet) saved no cycles in aftr-bench
 * (2K sessions: 99-102 cycles a packet up either way; 8K: 99-101 with it,
 * 108-113 without). The WAN side's (an 8-byte key) pays even there. */
#define NAT_AHEAD_MIN 2048
static inline bool nat_ahead_pays(const struct dp_worker *w)
{
	return dp.conf.n_pools != 0 && w->nat.sess_by_out.n > NAT_AHEAD_MIN;
}

/* Whether a session of this worker may hold a port of pool, for the
 * look-ahead: with one worker, any port without prr entries or with static
 * mappings, else a port block's (not a prr entry's, or nobody's); with
 * more, a port block of this worker's (or any outside the blocks, with
 * static mappings): another's goes to its owner untouched, so looking it
 * up here would be wasted. */
static inline bool nat_port_held(const struct dp_worker *w, int16_t pool, uint8_t ipproto,
                                 uint16_t port_host)
{
	const struct tables *t = w->tab;
	uint16_t o;

	if (dp.nworkers == 1 && (t->prr.n == 0 || t->nat_ext.n))
		return true;
	o = pb_port_owner(&dp.conf.pools[pool].range[cfg_proto_of_ip(ipproto)], port_host);
	return o == w->id || (o == UINT16_MAX && t->nat_ext.n);
}

/* Whether a B4's packet from src (host order) goes to NAPT: a private
 * source, when there is a pool (a lw4o6-only AFTR has none), from a B4
 * NAT is for (one known only by a stateless binding is not NATed, RFC
 * 7596 section 5.2). */
static inline bool nat_for(const struct dp_worker *w, bool nat_ok, uint32_t src)
{
	return nat_ok && dp.conf.n_pools && tables_is_private(w->tab, src);
}

/* The worker that owns a B4 (RFC 6333 section 7: state per softwire):
 * the one whose RX queue the transport NIC's RSS puts its softwire's
 * packets on (dp.h struct dp_rss): the Toeplitz hash of its address (16
 * table lookups, inline: every NAPT packet with two workers or more
 * asks), then the indirection table. */
static inline uint32_t nat_b4_hash(const struct addr6 *b4)
{
	return rss_hash16(&dp.conf.rss.src, b4->b) ^ dp.conf.rss.dst;
}

static inline unsigned int nat_worker_of(uint32_t hash)
{
	return dp.conf.rss.reta[hash & dp.conf.rss.reta_mask];
}

unsigned int nat_b4_owner(const struct addr6 *b4);
unsigned int nat_b4_owner_determ(const struct addr6 *b4, uint32_t hash);
/* The owner of a B4 whose hash is known (more than one worker). */
static inline unsigned int nat_b4_owner_of(const struct addr6 *b4, uint32_t hash)
{
	return unlikely(dp.conf.determ.on) ? nat_b4_owner_determ(b4, hash) : nat_worker_of(hash);
}

#endif
