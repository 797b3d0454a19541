/* Subscribers (one per B4, RFC 6333 section 7) of one worker: paired
 * pooling (RFC 6888 REQ-2), port blocks handed out and taken back (logged
 * per block), session limits and creation rates (RFC 6888 REQ-4/5). */
#include <errno.h>
#include <netinet/in.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <string.h>

#include "commands.h"
#include "nat_int.h"

/* Logged per block, not per session (RFC 6888 REQ-12's spirit, ISC's
 * bucket trace): the control process turns these events into log lines. */
static void block_event(struct dp_worker *w, bool alloc, const struct dp_subscriber *s,
                        enum cfg_proto p, uint32_t block)
{
	const struct pb_space *pb = &w->nat.pb[s->pool][p];

	ctl_block_event(w, alloc, &s->b4, dp.conf.pools[s->pool].addr, cfg_proto_ip(p),
	                pb_block_first_port(pb, block), pb->bsize);
}

/* Releases a port; when that empties its block, the block leaves the
 * subscriber (counted and logged). */
void nat_port_release(struct dp_worker *w, struct dp_subscriber *s, enum cfg_proto p, uint16_t port)
{
	struct pb_space *pb = &w->nat.pb[s->pool][p];

	if (pb_port_release(pb, port, &s->head[p]) != 1)
		return;
	s->nblocks[p]--;
	DP_COUNT(w, BLOCK_FREE);
	block_event(w, false, s, p, ((uint32_t)port - pb->min) / pb->bsize);
}

/* The pool of hash h among those not draining (a reload removed them:
 * no new subscriber), as h % n_pools when none drains; NAT_NO_POOL when
 * every one drains. */
static uint32_t pool_by_hash(uint32_t h)
{
	uint32_t n = __atomic_load_n(&dp.conf.n_pools, __ATOMIC_ACQUIRE);
	uint32_t a = __atomic_load_n(&dp.conf.n_active, __ATOMIC_RELAXED), k;

	if (a == 0)
		return NAT_NO_POOL;
	if (a == n)
		return h % n;
	k = h % a;
	for (uint32_t i = 0; i < n; i++)
		if (!__atomic_load_n(&dp.conf.pools[i].draining, __ATOMIC_RELAXED) && k-- == 0)
			return i;
	return n ? h % n : NAT_NO_POOL; /* one drained meanwhile: any is right for once */
}

/* Paired pooling (RFC 6888 REQ-2): a configured tunnel's address, else a
 * pool chosen by the B4's hash, so it stays the same across restarts
 * while the pools do. */
static uint32_t choose_pool(const struct dp_worker *w, const struct addr6 *b4)
{
	const struct cfg_tunnel *t;
	int64_t d = determ_index(&dp.conf.determ, b4); /* -1: off, or outside */
	int i;

	if (d >= 0)
		return determ_pool(&dp.conf.determ, (uint64_t)d);
	t = tables_tunnel(w->tab, b4);
	i = t && t->has_ipv4 ? nat_pool_index(t->ipv4) : -1;
	return i >= 0 ? (uint32_t)i : pool_by_hash(rte_jhash(b4->b, 16, 0x9001));
}

struct dp_subscriber *nat_sub_get(struct dp_worker *w, const struct addr6 *b4, uint32_t *idx)
{
	struct nat_state *ns = &w->nat;
	struct dp_subscriber *s;
	void *data;

	if (rte_hash_lookup_data(ns->subs_by_b4, b4->b, &data) >= 0) {
		*idx = (uint32_t)(uintptr_t)data;
		return &ns->subs[*idx];
	}
	if (ns->subs_free_head >= ns->subs_max)
		return NULL;
	*idx = ns->subs_free_head;
	s = &ns->subs[*idx];
	ns->subs_free_head = s->next_free;
	memset(s, 0, sizeof(*s));
	s->b4 = *b4;
	s->pool = choose_pool(w, b4);
	if (s->pool == NAT_NO_POOL) { /* every pool address drains: none to give */
		s->next_free = ns->subs_free_head;
		ns->subs_free_head = *idx;
		return NULL;
	}
	s->determ = (uint32_t)determ_index(&dp.conf.determ, b4); /* when on: checked */
	s->tokens_at = UINT64_MAX;                               /* refilled on first use */
	for (int p = 0; p < CFG_NPROTO; p++)
		s->head[p] = PB_NONE;
	s->in_use = 1;
	if (rte_hash_add_key_data(ns->subs_by_b4, b4->b, (void *)(uintptr_t)*idx) < 0) {
		s->in_use = 0;
		s->next_free = ns->subs_free_head;
		ns->subs_free_head = *idx;
		return NULL;
	}
	DP_COUNT(w, TUNNEL_NEW);
	ctl_tunnel_event(w, true, b4, dp.conf.pools[s->pool].addr);
	return s;
}

/* A subscriber with no session and no block left goes away. */
void nat_sub_maybe_free(struct dp_worker *w, uint32_t idx)
{
	struct nat_state *ns = &w->nat;
	struct dp_subscriber *s = &ns->subs[idx];

	for (int p = 0; p < CFG_NPROTO; p++)
		if (s->nsess[p] || s->nblocks[p])
			return;
	rte_hash_del_key(ns->subs_by_b4, s->b4.b);
	ctl_tunnel_event(w, false, &s->b4, dp.conf.pools[s->pool].addr);
	s->in_use = 0;
	s->next_free = ns->subs_free_head;
	ns->subs_free_head = idx;
}

/* The B4's configured tunnel when some tunnel has limits of its own (a
 * search only then; new sessions and blocks only ask), else NULL. */
static const struct cfg_tunnel *limits_of(const struct dp_worker *w, const struct addr6 *b4)
{
	return w->tab->tunnel_limits ? tables_tunnel(w->tab, b4) : NULL;
}

/* A subscriber's block limit: nat.max_blocks, else the blocks its session
 * limit needs (its tunnel's own, or the default). */
static uint32_t max_blocks(const struct dp_worker *w, const struct dp_subscriber *s,
                           enum cfg_proto p, const struct pb_space *pb)
{
	const struct cfg_fixed *cfg = dp.conf.cfg;
	uint32_t max = cfg_tunnel_maxcount(limits_of(w, &s->b4), dp_tun_defaults(), p);
	uint32_t need = (max + pb->bsize - 1u) / pb->bsize;

	return cfg->max_blocks[p] ? cfg->max_blocks[p] : (need ? need : 1);
}

bool nat_sub_block_limit(const struct dp_worker *w, const struct dp_subscriber *s, enum cfg_proto p)
{
	return s->nblocks[p] >= max_blocks(w, s, p, &w->nat.pb[s->pool][p]);
}

/* RFC 8158 quota exceeded (kind) or ports exhausted, logged at most once
 * a second a subscriber: a B4 at its limit meets it with every packet. */
static void limit_event(struct dp_worker *w, struct dp_subscriber *s, enum ctl_type type,
                        enum cfg_proto p, enum ctl_quota kind, uint32_t limit)
{
	if (s->limit_at == w->now + 1)
		return;
	s->limit_at = (uint32_t)w->now + 1;
	ctl_limit_event(w, type, &s->b4, dp.conf.pools[s->pool].addr, cfg_proto_ip(p), kind, limit);
}

/* RFC 6888 REQ-4/REQ-5: per-subscriber session count and creation rate
 * (ISC "default tunnel nat P maxcount|rate", or the B4's tunnel's own;
 * 0 allows none). */
int nat_sub_admit(struct dp_worker *w, struct dp_subscriber *s, enum cfg_proto p)
{
	const struct cfg_tunnel_defaults *d = dp_tun_defaults();
	const struct cfg_tunnel *t = limits_of(w, &s->b4);
	uint16_t max = cfg_tunnel_maxcount(t, d, p);

	if (s->nsess[p] >= max) {
		limit_event(w, s, CTL_EVT_QUOTA, p, CTL_QUOTA_SESSIONS, max);
		return NAT_DROP(NAT_COUNT);
	}
	if (s->tokens_at != w->now) {
		for (int i = 0; i < CFG_NPROTO; i++)
			s->tokens[i] = cfg_tunnel_rate(t, d, i);
		s->tokens_at = w->now;
	}
	if (s->tokens[p] == 0) {
		limit_event(w, s, CTL_EVT_QUOTA, p, CTL_QUOTA_RATE, cfg_tunnel_rate(t, d, p));
		return NAT_DROP(NAT_RATE);
	}
	s->tokens[p]--;
	return NAT_OK;
}

/* A new block for the subscriber: any free one of its worker's, or with
 * deterministic blocks the first of its own it does not hold. */
static uint32_t take_block(struct pb_space *pb, struct dp_subscriber *s, uint32_t sidx,
                           enum cfg_proto p)
{
	const struct determ *d = &dp.conf.determ;
	uint32_t b = PB_NONE;

	if (!d->on)
		return pb_block_take(pb, sidx, &s->head[p]);
	for (uint32_t n = 0; n < d->blocks[p] && b == PB_NONE; n++)
		b = pb_block_take_at(pb, determ_block(d, s->determ, p, n), sidx, &s->head[p]);
	return b;
}

/* A public port for the subscriber: from its blocks, else a new block. */
int nat_sub_port(struct dp_worker *w, struct dp_subscriber *s, uint32_t sidx, enum cfg_proto p,
                 uint16_t *port)
{
	struct pb_space *pb = &w->nat.pb[s->pool][p];
	uint32_t b;

	if (pb_port_alloc(pb, s->head[p], port) == 0)
		return NAT_OK;
	if (s->nblocks[p] >= max_blocks(w, s, p, pb)) {
		limit_event(w, s, CTL_EVT_QUOTA, p, CTL_QUOTA_BLOCKS, max_blocks(w, s, p, pb));
		return NAT_DROP(PORTS_EXHAUSTED);
	}
	if ((b = take_block(pb, s, sidx, p)) == PB_NONE) {
		limit_event(w, s, CTL_EVT_EXHAUSTED, p, 0, 0);
		return NAT_DROP(PORTS_EXHAUSTED);
	}
	s->nblocks[p]++;
	DP_COUNT(w, BLOCK_ALLOC);
	block_event(w, true, s, p, b);
	return pb_port_alloc(pb, s->head[p], port) == 0 ? NAT_OK : NAT_DROP(PORTS_EXHAUSTED);
}

/* The ports of one block of s's: the most recent packet of its sessions
 * raised into *last (+1: 0 is none), at most *budget lookups. */
static void block_last(const struct dp_worker *w, const struct dp_subscriber *s, uint32_t sidx,
                       int p, uint32_t b, uint32_t *budget, uint64_t *last)
{
	const struct pb_space *pb = &w->nat.pb[s->pool][p];
	uint32_t ext = htonl(dp.conf.pools[s->pool].addr);
	uint16_t first = pb_block_first_port(pb, b);

	if (pb->blocks[b].used == 0)
		return;
	for (uint32_t i = 0; i < pb->bsize && *budget; i++, (*budget)--) {
		uint32_t v = lookup_in(&w->nat,
		                       key_in(ext, htons((uint16_t)(first + i)), cfg_proto_ip(p)));
		const struct dp_session *se = v == SIDX_NONE ? NULL : &w->nat.sess[v];

		/* Its last packet: its expiry less its lifetime (never below 0:
		 * a lifetime raised since). */
		if (se && se->sub == sidx && !se->is_static) {
			uint64_t lt = nat_sess_lifetime(se),
			         at = se->expire > lt ? se->expire - lt : 0;

			*last = RTE_MAX(*last, at + 1);
		}
	}
}

int nat_b4_last_active(const struct dp_worker *w, const struct addr6 *b4, uint32_t *ago_s)
{
	const struct nat_state *ns = &w->nat;
	uint32_t budget = NAT_ACTIVE_BUDGET, sidx;
	uint64_t last = 0;
	void *data;

	if (ns->subs_by_b4 == NULL || rte_hash_lookup_data(ns->subs_by_b4, b4->b, &data) < 0)
		return -ENOENT;
	sidx = (uint32_t)(uintptr_t)data;
	for (int p = 0; p < CFG_NPROTO; p++) {
		const struct pb_space *pb = &ns->pb[ns->subs[sidx].pool][p];

		for (uint32_t b = ns->subs[sidx].head[p]; b != PB_NONE && budget;
		     b = pb->blocks[b].next)
			block_last(w, &ns->subs[sidx], sidx, p, b, &budget, &last);
	}
	if (last-- == 0)
		return -ENODATA;
	*ago_s = last > w->now ? 0 : (uint32_t)(w->now - last);
	return 0;
}
