/* Stateful NAPT tables of one worker; see nat.h. Runs on its worker only:
 * no locks. Creation (subscriber, block, session) is the slow path of the
 * same loop; memory is all reserved by nat_init. */
#include "nat.h"

#include <netinet/in.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <stdio.h>
#include <string.h>

#include "cksum.h"
#include "crc.h"
#include "hash.h"
#include "commands.h"

struct key_out {
	uint8_t b4[16];
	uint32_t src;
	uint16_t sport;
	uint8_t proto;
	uint8_t pad;
};

struct key_in {
	uint32_t ext;
	uint16_t eport;
	uint8_t proto;
	uint8_t pad;
};

_Static_assert(sizeof(struct dp_session) == 64, "a session is one cache line");

/* The session indexes' hashes: the key's 64-bit words, each multiplied by
 * an odd constant (a bijection) and combined, then MurmurHash3's 64-bit
 * finalizer, after which every key bit moves every hash bit (the index's
 * slot is the low bits). About a dozen instructions. */
#define HASH_K1 0x9e3779b97f4a7c15ULL
#define HASH_K2 0xbf58476d1ce4e5b9ULL
#define HASH_K3 0x94d049bb133111ebULL

static inline uint32_t hash_out(const struct key_out *ko)
{
	return (uint32_t)hash_fmix64(hash_word(ko->b4) * HASH_K1 ^ hash_word(ko->b4 + 8) * HASH_K2 ^
	                             hash_word(&ko->src) * HASH_K3);
}

static inline uint32_t hash_in(const struct key_in *ki)
{
	return (uint32_t)hash_fmix64(hash_word(ki) ^ HASH_K1);
}

static inline bool is_out(const struct dp_session *se, const struct key_out *ko)
{
	return ((hash_word(se->b4.b) ^ hash_word(ko->b4)) |
	        (hash_word(se->b4.b + 8) ^ hash_word(ko->b4 + 8))) == 0 &&
	       se->src == ko->src && se->sport == ko->sport && se->proto == ko->proto;
}

static inline bool is_in(const struct dp_session *se, const struct key_in *ki)
{
	return se->ext == ki->ext && se->eport == ki->eport && se->proto == ki->proto;
}

/* The session of an inside or outside key, or SIDX_NONE. */
static uint32_t lookup_out(const struct dp_worker *w, const struct key_out *ko)
{
	uint32_t h = hash_out(ko), v;

	for (uint32_t pos = h; (v = sidx_next(&w->sess_by_out, h, &pos)) != SIDX_NONE;)
		if (is_out(&w->sess[v], ko))
			return v;
	return SIDX_NONE;
}

static uint32_t lookup_in(const struct dp_worker *w, const struct key_in *ki)
{
	uint32_t h = hash_in(ki), v;

	for (uint32_t pos = h; (v = sidx_next(&w->sess_by_in, h, &pos)) != SIDX_NONE;)
		if (is_in(&w->sess[v], ki))
			return v;
	return SIDX_NONE;
}

void nat_out_ahead(const struct dp_worker *w, const struct addr6 *b4, uint32_t src, uint16_t sport,
                   uint8_t proto, struct dp_nat_ahead *a)
{
	struct key_out ko = {.src = src, .sport = sport, .proto = proto};

	memcpy(ko.b4, b4->b, 16);
	a->hash = hash_out(&ko);
	a->kind = DP_NAT_AHEAD_OUT;
	sidx_prefetch(&w->sess_by_out, a->hash);
}

void nat_in_ahead(const struct dp_worker *w, uint32_t ext, uint16_t eport, uint8_t proto,
                  struct dp_nat_ahead *a)
{
	struct key_in ki = {ext, eport, proto, 0};

	a->hash = hash_in(&ki);
	a->kind = DP_NAT_AHEAD_IN;
	sidx_prefetch(&w->sess_by_in, a->hash);
}

void nat_ahead_get(const struct dp_worker *w, struct dp_nat_ahead *a)
{
	a->val =
	        sidx_first(a->kind == DP_NAT_AHEAD_OUT ? &w->sess_by_out : &w->sess_by_in, a->hash);
	if (a->val != SIDX_NONE)
		rte_prefetch0(&w->sess[a->val]);
}

/* The session of the packet being processed: the one the look-ahead found
 * if it is still in use with this key (a key is held by one session at
 * most, so it is the key's), else a lookup. */
static uint32_t find_out_ahead(const struct dp_worker *w, const struct key_out *ko)
{
	uint32_t v = dp_nat_ahead_val(w, DP_NAT_AHEAD_OUT);

	return v != SIDX_NONE && w->sess[v].in_use && is_out(&w->sess[v], ko) ? v
	                                                                      : lookup_out(w, ko);
}

static struct dp_session *find_in_ahead(struct dp_worker *w, uint32_t ext, uint16_t eport,
                                        uint8_t proto)
{
	struct key_in ki = {ext, eport, proto, 0};
	uint32_t v = dp_nat_ahead_val(w, DP_NAT_AHEAD_IN);

	if (v == SIDX_NONE || !w->sess[v].in_use || !is_in(&w->sess[v], &ki))
		v = lookup_in(w, &ki);
	return v == SIDX_NONE ? NULL : &w->sess[v];
}

struct dp_session *nat_find_out(struct dp_worker *w, const struct addr6 *b4, uint32_t src,
                                uint16_t sport, uint8_t proto)
{
	struct key_out ko = {.src = src, .sport = sport, .proto = proto};
	uint32_t v;

	memcpy(ko.b4, b4->b, 16);
	v = lookup_out(w, &ko);
	return v == SIDX_NONE ? NULL : &w->sess[v];
}

struct dp_session *nat_find_in(struct dp_worker *w, uint32_t ext, uint16_t eport, uint8_t proto)
{
	struct key_in ki = {ext, eport, proto, 0};
	uint32_t v = lookup_in(w, &ki);

	return v == SIDX_NONE ? NULL : &w->sess[v];
}

/* Logged per block, not per session (RFC 6888 REQ-12's spirit, ISC's
 * bucket trace): the control process turns these events into log lines. */
static void block_event(struct dp_worker *w, bool alloc, const struct dp_subscriber *s,
                        enum cfg_proto p, uint32_t block)
{
	const struct pb_space *pb = &w->pb[s->pool][p];

	ctl_block_event(w, alloc, &s->b4, dp.conf.pools[s->pool].addr, cfg_proto_ip(p),
	                pb_block_first_port(pb, block), pb->bsize);
}

/* Releases a port; when that empties its block, the block leaves the
 * subscriber (counted and logged). */
static void port_release(struct dp_worker *w, struct dp_subscriber *s, enum cfg_proto p,
                         uint16_t port)
{
	struct pb_space *pb = &w->pb[s->pool][p];

	if (pb_port_release(pb, port, &s->head[p]) != 1)
		return;
	s->nblocks[p]--;
	DP_COUNT(w, BLOCK_FREE);
	block_event(w, false, s, p, ((uint32_t)port - pb->min) / pb->bsize);
}

static struct rte_hash *make_hash(const char *what, unsigned int id, uint32_t entries,
                                  uint32_t key_len)
{
	char name[RTE_HASH_NAMESIZE];
	/* The extendable buckets make the table hold its full size: without
	 * them a cuckoo table refuses keys at ~99% full. */
	struct rte_hash_parameters p = {
	        .name = name,
	        .entries = entries,
	        .key_len = key_len,
	        .hash_func = dp_crc,
	        .socket_id = (int)rte_socket_id(),
	        .extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	snprintf(name, sizeof(name), "%s%u", what, id);
	return rte_hash_create(&p);
}

/* Ports this worker can hand out: a held port is one of them, so a hold
 * queue this long never overflows (RFC 6888 REQ-8 is never skipped). */
static uint32_t worker_ports(const struct dp_worker *w)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
		for (int p = 0; p < CFG_NPROTO; p++) {
			const struct pb_space *pb = &w->pb[i][p];

			n += (uint64_t)(pb->nblocks / pb->nworkers + 1) * pb->bsize;
		}
	return (uint32_t)RTE_MIN(n + 1, UINT32_MAX);
}

/* Bytes taken on the DPDK heaps of all sockets (memzones included). */
static size_t heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t n = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			n += st.heap_allocsz_bytes;
	return n;
}

/* A session index, from any socket's heap like the session array (the
 * tables are made on the main lcore, not the worker's); false without
 * memory. */
static bool sidx_make(struct sidx *x, uint32_t n)
{
	size_t size = sidx_mem_size(n);
	void *mem = size ? rte_malloc("sidx", size, 0) : NULL;

	if (mem == NULL) {
		x->slots = NULL;
		return false;
	}
	sidx_init(x, n, mem);
	return true;
}

int nat_init(struct dp_worker *w, struct nat_mem *mem)
{
	bool idx_ok;
	size_t at[4];

	w->subs_max = dp.conf.cfg->subscribers_per_worker;
	w->sess_max = dp.conf.cfg->sessions_per_worker;
	w->held_cap = worker_ports(w);
	at[0] = heap_used();
	idx_ok = sidx_make(&w->sess_by_out, w->sess_max);
	idx_ok = sidx_make(&w->sess_by_in, w->sess_max) && idx_ok;
	w->sess = rte_zmalloc("sess", sizeof(*w->sess) * w->sess_max, 0); /* line-aligned */
	at[1] = heap_used();
	w->subs_by_b4 = make_hash("subs", w->id, w->subs_max, 16);
	w->subs = rte_zmalloc("subs", sizeof(*w->subs) * w->subs_max, 0);
	at[2] = heap_used();
	w->held = rte_zmalloc("held", sizeof(*w->held) * w->held_cap, 0);
	at[3] = heap_used();
	if (mem)
		*mem = (struct nat_mem){at[1] - at[0], at[2] - at[1], at[3] - at[2]};
	if (!w->subs_by_b4 || !idx_ok || !w->subs || !w->sess || !w->held)
		return -ENOMEM;
	for (uint32_t i = 0; i < w->subs_max; i++)
		w->subs[i].next_free = i + 1;
	for (uint32_t i = 0; i < w->sess_max; i++)
		w->sess[i].next_free = i + 1;
	w->subs_free_head = 0;
	w->sess_free_head = 0;
	return 0;
}

void nat_fini(struct dp_worker *w)
{
	rte_hash_free(w->subs_by_b4);
	rte_free(w->sess_by_out.slots);
	rte_free(w->sess_by_in.slots);
	w->sess_by_out.slots = w->sess_by_in.slots = NULL;
	rte_free(w->subs);
	rte_free(w->sess);
	rte_free(w->held);
}

/* Paired pooling (RFC 6888 REQ-2): a configured tunnel's address, else a
 * pool chosen by the B4's hash, so it stays the same across restarts. */
static uint32_t choose_pool(const struct dp_worker *w, const struct addr6 *b4)
{
	const struct cfg_tunnel *t = tables_tunnel(w->tab, b4);
	int i = t && t->has_ipv4 ? nat_pool_index(t->ipv4) : -1;

	return i >= 0 ? (uint32_t)i : rte_jhash(b4->b, 16, 0x9001) % dp.conf.n_pools;
}

static struct dp_subscriber *sub_get(struct dp_worker *w, const struct addr6 *b4, uint32_t *idx)
{
	struct dp_subscriber *s;
	void *data;

	if (rte_hash_lookup_data(w->subs_by_b4, b4->b, &data) >= 0) {
		*idx = (uint32_t)(uintptr_t)data;
		return &w->subs[*idx];
	}
	if (w->subs_free_head >= w->subs_max)
		return NULL;
	*idx = w->subs_free_head;
	s = &w->subs[*idx];
	w->subs_free_head = s->next_free;
	memset(s, 0, sizeof(*s));
	s->b4 = *b4;
	s->pool = choose_pool(w, b4);
	s->tokens_at = UINT64_MAX; /* refilled on first use */
	for (int p = 0; p < CFG_NPROTO; p++)
		s->head[p] = PB_NONE;
	s->in_use = 1;
	if (rte_hash_add_key_data(w->subs_by_b4, b4->b, (void *)(uintptr_t)*idx) < 0) {
		s->in_use = 0;
		s->next_free = w->subs_free_head;
		w->subs_free_head = *idx;
		return NULL;
	}
	DP_COUNT(w, TUNNEL_NEW);
	ctl_tunnel_event(w, true, b4, dp.conf.pools[s->pool].addr);
	return s;
}

/* A subscriber with no session and no block left goes away. */
static void sub_maybe_free(struct dp_worker *w, uint32_t idx)
{
	struct dp_subscriber *s = &w->subs[idx];

	for (int p = 0; p < CFG_NPROTO; p++)
		if (s->nsess[p] || s->nblocks[p])
			return;
	rte_hash_del_key(w->subs_by_b4, s->b4.b);
	ctl_tunnel_event(w, false, &s->b4, dp.conf.pools[s->pool].addr);
	s->in_use = 0;
	s->next_free = w->subs_free_head;
	w->subs_free_head = idx;
}

static uint32_t max_blocks(enum cfg_proto p, const struct pb_space *pb)
{
	const struct aftr_config *cfg = dp.conf.cfg;
	uint32_t need = (dp_tun_defaults()->nat_maxcount[p] + pb->bsize - 1u) / pb->bsize;

	return cfg->max_blocks[p] ? cfg->max_blocks[p] : (need ? need : 1);
}

/* RFC 6888 REQ-4/REQ-5: per-subscriber session count and creation rate
 * (ISC "default tunnel nat P maxcount|rate"; 0 allows none). */
static int sub_admit(struct dp_worker *w, struct dp_subscriber *s, enum cfg_proto p)
{
	const struct cfg_tunnel_defaults *t = dp_tun_defaults();

	if (s->nsess[p] >= t->nat_maxcount[p])
		return NAT_DROP(NAT_COUNT);
	if (s->tokens_at != w->now) {
		for (int i = 0; i < CFG_NPROTO; i++)
			s->tokens[i] = t->nat_rate[i];
		s->tokens_at = w->now;
	}
	if (s->tokens[p] == 0)
		return NAT_DROP(NAT_RATE);
	s->tokens[p]--;
	return NAT_OK;
}

/* A public port for the subscriber: from its blocks, else a new block. */
static int sub_port(struct dp_worker *w, struct dp_subscriber *s, uint32_t sidx, enum cfg_proto p,
                    uint16_t *port)
{
	struct pb_space *pb = &w->pb[s->pool][p];
	uint32_t b;

	if (pb_port_alloc(pb, s->head[p], port) == 0)
		return NAT_OK;
	if (s->nblocks[p] >= max_blocks(p, pb) ||
	    (b = pb_block_take(pb, sidx, &s->head[p])) == PB_NONE)
		return NAT_DROP(PORTS_EXHAUSTED);
	s->nblocks[p]++;
	DP_COUNT(w, BLOCK_ALLOC);
	block_event(w, true, s, p, b);
	return pb_port_alloc(pb, s->head[p], port) == 0 ? NAT_OK : NAT_DROP(PORTS_EXHAUSTED);
}

/* Where the port (or echo id) and the checksum are in an L4 header. */
struct l4_fields {
	uint16_t *sport, *dport; /* for ICMP echo both point at the id */
	uint16_t *cksum;
	bool cksum_pseudo; /* covers the IPv4 pseudo-header (TCP, UDP) */
	bool udp_zero;     /* UDP without checksum (0): leave it so */
};

#define TCP_CKSUM_OFF  16
#define UDP_CKSUM_OFF  6
#define ICMP_CKSUM_OFF 2
#define ICMP_ID_OFF    4

/* Fills f for TCP, UDP or ICMP echo (request or reply); -1 if l4 is too
 * short or not a translatable message. */
static int l4_locate(uint8_t proto, uint8_t *l4, uint32_t l4len, struct l4_fields *f)
{
	switch (proto) {
	case IPPROTO_TCP:
		if (l4len < 20)
			return -1;
		*f = (struct l4_fields){(uint16_t *)l4, (uint16_t *)(l4 + 2),
		                        (uint16_t *)(l4 + TCP_CKSUM_OFF), true, false};
		return 0;
	case IPPROTO_UDP:
		if (l4len < 8)
			return -1;
		*f = (struct l4_fields){(uint16_t *)l4, (uint16_t *)(l4 + 2),
		                        (uint16_t *)(l4 + UDP_CKSUM_OFF), true,
		                        *(uint16_t *)(l4 + UDP_CKSUM_OFF) == 0};
		return 0;
	case IPPROTO_ICMP:
		if (l4len < 8 ||
		    (l4[0] != AFTR_ICMP4_ECHO_REQUEST && l4[0] != AFTR_ICMP4_ECHO_REPLY))
			return -1;
		*f = (struct l4_fields){(uint16_t *)(l4 + ICMP_ID_OFF),
		                        (uint16_t *)(l4 + ICMP_ID_OFF),
		                        (uint16_t *)(l4 + ICMP_CKSUM_OFF), false, false};
		return 0;
	default:
		return -1;
	}
}

/* Rewrites the source (or destination) address and a port, patching the
 * IPv4 header and L4 checksums incrementally (RFC 1624). */
static void rewrite(struct l3_ip4_hdr *ip, bool dst, uint32_t new_addr, uint16_t *port,
                    uint16_t new_port, const struct l4_fields *f)
{
	uint32_t old = dst ? ip->dst : ip->src, nold = ~old;
	/* The address's change, summed once for both checksums (RFC 1624
	 * equation 3; one's complement addition is associative, so this is
	 * what two updates in a row give). */
	uint32_t da = (nold & 0xffff) + (nold >> 16) + (new_addr & 0xffff) + (new_addr >> 16);
	uint16_t c;

	ip->cksum = (uint16_t)~cksum_fold((uint16_t)~ip->cksum + da);
	if (!f->udp_zero) {
		c = (uint16_t)~cksum_fold((uint16_t) ~*f->cksum + (f->cksum_pseudo ? da : 0) +
		                          (uint16_t) ~*port + new_port);
		/* UDP sends a computed 0 as all ones (RFC 768). */
		*f->cksum = (c == 0 && ip->proto == IPPROTO_UDP) ? 0xffff : c;
	}
	if (dst)
		ip->dst = new_addr;
	else
		ip->src = new_addr;
	*port = new_port;
}

static uint64_t lifetime(const struct dp_session *se)
{
	const uint32_t *lt = dp.conf.cfg->lifetime;

	if (se->state == SESS_NEW)
		return lt[LT_RETRANS];
	if (se->state == SESS_CLOSING)
		return lt[LT_CLOSED];
	return se->proto == IPPROTO_TCP   ? lt[LT_TCP]
	       : se->proto == IPPROTO_UDP ? lt[LT_UDP]
	                                  : lt[LT_ICMP];
}

/* TCP state tracking, coarse on purpose: FIN or RST either way closes
 * (RFC 5382 REQ-5 timers are "established" and "transitory"). */
static void track(struct dp_session *se, const uint8_t *l4, bool inbound, uint64_t now)
{
	uint8_t flags = se->proto == IPPROTO_TCP ? l4[13] : 0;

	if (flags & (AFTR_TCP_FIN | AFTR_TCP_RST))
		se->state = SESS_CLOSING;
	else if (!inbound && (flags & AFTR_TCP_SYN) && se->state == SESS_CLOSING)
		se->state = SESS_NEW; /* a new connection from the same port */
	else if (inbound && se->state == SESS_NEW)
		se->state = SESS_EST;
	se->expire = (uint32_t)RTE_MIN(now + lifetime(se), (uint64_t)UINT32_MAX);
}

/* Takes a free session slot for ko -> (ext, eport), both network order,
 * and indexes it both ways; 0 or -1 when the tables are full. */
static void sess_end(struct dp_worker *w, uint32_t idx);

/* Ends the sessions holding a key, if one does. */
static void evict(struct dp_worker *w, const struct key_out *ko, const struct key_in *ki)
{
	uint32_t v;

	if ((v = lookup_out(w, ko)) != SIDX_NONE)
		sess_end(w, v);
	if ((v = lookup_in(w, ki)) != SIDX_NONE)
		sess_end(w, v);
}

static int sess_insert(struct dp_worker *w, const struct key_out *ko, uint32_t ext, uint16_t eport,
                       uint32_t sidx, uint32_t *out)
{
	struct dp_session *se;
	struct key_in ki = {ext, eport, ko->proto, 0};
	uint32_t idx;

	/* A static session takes its keys from whoever holds them: a dynamic
	 * session of the inside endpoint the mapping now covers, a session of
	 * a mapping that changed. (A dynamic port is never taken: the
	 * allocator hands out free ones, outside every mapping.) */
	if (sidx == NAT_NO_SUB)
		evict(w, ko, &ki);
	idx = w->sess_free_head;
	if (idx >= w->sess_max)
		return -1;
	se = &w->sess[idx];
	/* The indexes have room for every session (sidx_init(sess_max)). */
	if (sidx_add(&w->sess_by_out, hash_out(ko), idx) < 0)
		return -1;
	if (sidx_add(&w->sess_by_in, hash_in(&ki), idx) < 0) {
		sidx_del(&w->sess_by_out, hash_out(ko), idx);
		return -1;
	}
	w->sess_free_head = se->next_free;
	*se = (struct dp_session){.src = ko->src,
	                          .sport = ko->sport,
	                          .proto = ko->proto,
	                          .ext = ext,
	                          .eport = eport,
	                          .state = SESS_NEW,
	                          .in_use = 1,
	                          .is_static = sidx == NAT_NO_SUB,
	                          .sub = sidx};
	memcpy(se->b4.b, ko->b4, 16);
	DP_COUNT(w, SESSION_NEW);
	ctl_session_event(w, true, se);
	*out = idx;
	return 0;
}

/* A dynamic session: a port from the subscriber's blocks. */
static int sess_create(struct dp_worker *w, const struct key_out *ko, uint32_t *out)
{
	enum cfg_proto p = cfg_proto_of_ip(ko->proto);
	struct dp_subscriber *s;
	uint32_t sidx;
	uint16_t port;
	int rc;

	if (w->sess_free_head >= w->sess_max)
		return NAT_DROP(TABLE_FULL);
	s = sub_get(w, (const struct addr6 *)ko->b4, &sidx);
	if (s == NULL)
		return NAT_DROP(TABLE_FULL);
	if ((rc = sub_admit(w, s, p)) != NAT_OK ||
	    (rc = sub_port(w, s, sidx, p, &port)) != NAT_OK) {
		sub_maybe_free(w, sidx);
		return rc;
	}
	if (sess_insert(w, ko, htonl(dp.conf.pools[s->pool].addr), htons(port), sidx, out) < 0) {
		port_release(w, s, p, port);
		sub_maybe_free(w, sidx);
		return NAT_DROP(TABLE_FULL);
	}
	s->nsess[p]++;
	return NAT_OK;
}

/* The static mapping (ISC "nat") of an inside endpoint, or NULL. */
static const struct cfg_nat *static_of(const struct dp_worker *w, const uint8_t *b4, uint8_t proto,
                                       uint32_t src, uint16_t sport)
{
	if (proto == IPPROTO_ICMP)
		return NULL;
	return tables_nat_inside(w->tab, (const struct addr6 *)b4, cfg_proto_of_ip(proto),
	                         ntohl(src), ntohs(sport));
}

/* A static session's mapping, if the live tables still have it as it was
 * (a deleted or changed mapping ends its sessions). */
static const struct cfg_nat *static_check(const struct dp_worker *w, const struct dp_session *se)
{
	const struct cfg_nat *sn = static_of(w, se->b4.b, se->proto, se->src, se->sport);

	return sn && sn->ext_addr == ntohl(se->ext) && sn->ext_port == ntohs(se->eport) ? sn : NULL;
}

/* Remembers the remote endpoint an outbound packet goes to. */
static void remote_note(struct dp_session *se, uint32_t addr, uint16_t port)
{
	for (int i = 0; i < SESS_REMOTES; i++)
		if (se->remote[i] == addr && se->rport[i] == port)
			return;
	se->remote[se->rnext] = addr;
	se->rport[se->rnext] = port;
	se->rnext = (uint8_t)((se->rnext + 1) % SESS_REMOTES);
}

/* RFC 4787 REQ-8: endpoint-independent filtering lets anyone in; the others
 * only the addresses (and ports) the session sent to. */
static bool remote_allowed(const struct dp_session *se, uint32_t addr, uint16_t port)
{
	enum cfg_filtering f = dp.conf.cfg->filtering;

	if (f == FILTER_EIF)
		return true;
	for (int i = 0; i < SESS_REMOTES; i++)
		if (se->remote[i] == addr && (f == FILTER_ADF || se->rport[i] == port))
			return true;
	return false;
}

/* The session of an outbound packet to (remote, rport), network order:
 * found, or made from a static mapping (whose filter must let the remote
 * in), or a dynamic one. A static session whose mapping went away ends. */
static int sess_out(struct dp_worker *w, const struct key_out *ko, uint32_t remote, uint16_t rport,
                    uint32_t *idx)
{
	const struct cfg_nat *sn;

	if ((*idx = find_out_ahead(w, ko)) != SIDX_NONE) {
		if (!w->sess[*idx].is_static)
			return NAT_OK;
		if ((sn = static_check(w, &w->sess[*idx])) != NULL)
			return tables_nat_allows(sn, ntohl(remote), ntohs(rport))
			               ? NAT_OK
			               : NAT_DROP(FILTERED);
		sess_end(w, *idx);
	}
	sn = static_of(w, ko->b4, ko->proto, ko->src, ko->sport);
	if (sn == NULL)
		return sess_create(w, ko, idx);
	if (!tables_nat_allows(sn, ntohl(remote), ntohs(rport)))
		return NAT_DROP(FILTERED);
	if (sess_insert(w, ko, htonl(sn->ext_addr), htons(sn->ext_port), NAT_NO_SUB, idx) < 0)
		return NAT_DROP(TABLE_FULL);
	DP_COUNT(w, STATIC_NEW);
	return NAT_OK;
}

int nat_out(struct dp_worker *w, const struct addr6 *b4, struct l3_ip4_hdr *ip, void *l4,
            uint32_t l4len)
{
	struct l4_fields f;
	struct key_out ko;
	struct dp_session *se;
	uint32_t idx;
	int rc;

	if (ip->proto != IPPROTO_TCP && ip->proto != IPPROTO_UDP && ip->proto != IPPROTO_ICMP)
		return NAT_DROP(PROTO_IN);
	if (l4_locate(ip->proto, l4, l4len, &f) < 0)
		return ip->proto == IPPROTO_ICMP ? NAT_DROP(ICMP_IN) : NAT_DROP(BAD_IP4_IN);
	if (ip->proto == IPPROTO_ICMP && ((uint8_t *)l4)[0] != AFTR_ICMP4_ECHO_REQUEST)
		return NAT_DROP(ICMP_IN);
	ko = (struct key_out){.src = ip->src, .sport = *f.sport, .proto = ip->proto};
	memcpy(ko.b4, b4->b, 16);
	rc = sess_out(w, &ko, ip->dst, ip->proto == IPPROTO_ICMP ? 0 : *f.dport, &idx);
	if (rc != NAT_OK)
		return rc;
	se = &w->sess[idx];
	track(se, l4, false, w->now);
	if (dp.conf.cfg->filtering != FILTER_EIF)
		remote_note(se, ip->dst, ip->proto == IPPROTO_ICMP ? 0 : *f.dport);
	rewrite(ip, false, se->ext, f.sport, se->eport, &f);
	DP_COUNT(w, NAT_OUT);
	return NAT_OK;
}

/* An inbound packet from (remote, rport) to a static mapping's public
 * endpoint (ext, eport), all network order, with no session yet: a session
 * if the mapping is this worker's and its filter lets the remote in. */
static struct dp_session *static_in(struct dp_worker *w, uint8_t proto, uint32_t ext,
                                    uint16_t eport, uint32_t remote, uint16_t rport, int *drop)
{
	const struct cfg_nat *sn = NULL;
	struct key_out ko;
	uint32_t idx;

	if (proto != IPPROTO_ICMP)
		sn = tables_nat_public(w->tab, cfg_proto_of_ip(proto), ntohl(ext), ntohs(eport));
	/* Another owner: the tables changed since the packet was handed over. */
	if (sn == NULL || nat_b4_owner(&sn->b4) != w->id) {
		*drop = DROP_NO_SESSION;
		return NULL;
	}
	if (!tables_nat_allows(sn, ntohl(remote), ntohs(rport))) {
		*drop = DROP_FILTERED;
		return NULL;
	}
	ko = (struct key_out){.src = htonl(sn->addr), .sport = htons(sn->port), .proto = proto};
	memcpy(ko.b4, sn->b4.b, 16);
	if (sess_insert(w, &ko, ext, eport, NAT_NO_SUB, &idx) < 0) {
		*drop = DROP_TABLE_FULL;
		return NULL;
	}
	DP_COUNT(w, STATIC_NEW);
	return &w->sess[idx];
}

/* Whether the remote may send to the session: a static mapping's filter,
 * else the filtering mode. A static session whose mapping went away ends. */
static bool sess_in_allowed(struct dp_worker *w, struct dp_session **se, uint32_t remote,
                            uint16_t rport, int *drop)
{
	const struct cfg_nat *sn;

	*drop = DROP_FILTERED;
	if (!(*se)->is_static)
		return remote_allowed(*se, remote, rport);
	if ((sn = static_check(w, *se)) != NULL)
		return tables_nat_allows(sn, ntohl(remote), ntohs(rport));
	sess_end(w, (uint32_t)(*se - w->sess));
	*se = NULL;
	return true;
}

struct dp_session *nat_in(struct dp_worker *w, struct l3_ip4_hdr *ip, void *l4, uint32_t l4len,
                          int *drop)
{
	struct dp_session *se;
	struct l4_fields f;
	uint16_t rport;

	if (l4_locate(ip->proto, l4, l4len, &f) < 0 ||
	    (ip->proto == IPPROTO_ICMP && ((uint8_t *)l4)[0] != AFTR_ICMP4_ECHO_REPLY)) {
		*drop = ip->proto == IPPROTO_ICMP ? DROP_ICMP_OUT : DROP_BAD_IP4_OUT;
		return NULL;
	}
	rport = ip->proto == IPPROTO_ICMP ? 0 : *f.sport;
	se = find_in_ahead(w, ip->dst, *f.dport, ip->proto);
	if (se && !sess_in_allowed(w, &se, ip->src, rport, drop))
		return NULL;
	if (se == NULL &&
	    (se = static_in(w, ip->proto, ip->dst, *f.dport, ip->src, rport, drop)) == NULL)
		return NULL;
	track(se, l4, true, w->now);
	rewrite(ip, true, se->src, f.dport, se->sport, &f);
	DP_COUNT(w, NAT_IN);
	return se;
}

/* Embedded (quoted) transport fields of an ICMP error: the port or id we
 * look up by, and the checksum inside the quote if the quote has it. The
 * quote is of a packet we sent out (its source port, an echo request) or,
 * with in, of one we sent to a B4 (its destination port, an echo reply). */
static int quote_fields(uint8_t proto, uint8_t *el4, uint32_t len, bool in, uint16_t **port,
                        uint16_t **cksum)
{
	*cksum = NULL;
	if (len < 8)
		return -1;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		*port = (uint16_t *)(el4 + (in ? 2 : 0));
		if (proto == IPPROTO_UDP && *(uint16_t *)(el4 + UDP_CKSUM_OFF))
			*cksum = (uint16_t *)(el4 + UDP_CKSUM_OFF);
		else if (proto == IPPROTO_TCP && len >= TCP_CKSUM_OFF + 2)
			*cksum = (uint16_t *)(el4 + TCP_CKSUM_OFF);
		return 0;
	}
	if (proto == IPPROTO_ICMP &&
	    el4[0] == (in ? AFTR_ICMP4_ECHO_REPLY : AFTR_ICMP4_ECHO_REQUEST)) {
		*port = (uint16_t *)(el4 + ICMP_ID_OFF);
		*cksum = (uint16_t *)(el4 + ICMP_CKSUM_OFF);
		return 0;
	}
	return -1;
}

int nat_icmp_error_key(uint8_t *icmp, uint32_t len, uint32_t *ext, uint16_t *eport, uint8_t *proto)
{
	struct l3_ip4_hdr *emb = (struct l3_ip4_hdr *)(icmp + 8);
	uint16_t *port, *ck;
	uint32_t ehl;

	if (len < 8 + 20 || (emb->version_ihl >> 4) != 4)
		return -1;
	ehl = (emb->version_ihl & 0xfu) * 4u;
	if (ehl < 20 || len < 8 + ehl + 8 ||
	    quote_fields(emb->proto, icmp + 8 + ehl, len - 8 - ehl, false, &port, &ck) < 0)
		return -1;
	*ext = emb->src;
	*eport = *port;
	*proto = emb->proto;
	return 0;
}

/* Rewrites one end of an ICMP error's quoted packet (its source, or with
 * dst its destination, and *port to new_addr, new_port, all network
 * order), fixing the quoted IPv4 and L4 checksums and the ICMP checksum
 * over them (RFC 5508 REQ-3). */
static void quote_rewrite(uint8_t *icmp, struct l3_ip4_hdr *emb, bool dst, uint16_t *port,
                          uint16_t *qck, uint32_t new_addr, uint16_t new_port)
{
	uint16_t *icmp_ck = (uint16_t *)(icmp + ICMP_CKSUM_OFF), old;
	uint32_t old_addr = dst ? emb->dst : emb->src;

	if (qck) {
		old = *qck;
		if (emb->proto != IPPROTO_ICMP)
			*qck = cksum_update32(*qck, old_addr, new_addr);
		*qck = cksum_update16(*qck, *port, new_port);
		if (*qck == 0 && emb->proto == IPPROTO_UDP)
			*qck = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
		*icmp_ck = cksum_update16(*icmp_ck, old, *qck);
	}
	old = emb->cksum;
	emb->cksum = cksum_update32(emb->cksum, old_addr, new_addr);
	*icmp_ck = cksum_update16(*icmp_ck, old, emb->cksum);
	*icmp_ck = cksum_update32(*icmp_ck, old_addr, new_addr);
	*icmp_ck = cksum_update16(*icmp_ck, *port, new_port);
	if (dst)
		emb->dst = new_addr;
	else
		emb->src = new_addr;
	*port = new_port;
}

/* ICMPv4 errors about a translated flow (RFC 5508 REQ-3): the quoted
 * packet's source back to the inside, and the outer destination. */
struct dp_session *nat_icmp_error_in(struct dp_worker *w, struct l3_ip4_hdr *ip, uint8_t *icmp,
                                     uint32_t len, int *drop)
{
	struct l3_ip4_hdr *emb = (struct l3_ip4_hdr *)(icmp + 8);
	uint16_t *port = NULL, *qck = NULL;
	struct dp_session *se;
	uint32_t ext, ehl;
	uint16_t eport;
	uint8_t proto;

	if (nat_icmp_error_key(icmp, len, &ext, &eport, &proto) < 0) {
		*drop = DROP_ICMP_OUT;
		return NULL;
	}
	se = nat_find_in(w, ext, eport, proto);
	if (se == NULL) {
		*drop = DROP_NO_SESSION;
		return NULL;
	}
	ehl = (emb->version_ihl & 0xfu) * 4u;
	if (quote_fields(proto, icmp + 8 + ehl, len - 8 - ehl, false, &port, &qck) < 0) {
		*drop = DROP_ICMP_OUT; /* cannot happen: nat_icmp_error_key passed */
		return NULL;
	}
	quote_rewrite(icmp, emb, false, port, qck, se->src, se->sport);
	ip->cksum = cksum_update32(ip->cksum, ip->dst, se->src);
	ip->dst = se->src;
	DP_COUNT(w, ICMP_ERR_IN);
	return se;
}

int nat_icmp_error_out(struct dp_worker *w, const struct addr6 *b4, struct l3_ip4_hdr *ip,
                       uint8_t *icmp, uint32_t len)
{
	struct l3_ip4_hdr *emb = (struct l3_ip4_hdr *)(icmp + 8);
	uint16_t *port = NULL, *qck = NULL;
	struct dp_session *se;
	uint32_t ehl;

	if (len < 8 + 20 || (emb->version_ihl >> 4) != 4 || (ehl = pkt_ip4_hdr_len(emb)) < 20 ||
	    len < 8 + ehl + 8 ||
	    quote_fields(emb->proto, icmp + 8 + ehl, len - 8 - ehl, true, &port, &qck) < 0)
		return NAT_DROP(ICMP_IN);
	if ((se = nat_find_out(w, b4, emb->dst, *port, emb->proto)) == NULL)
		return NAT_DROP(NO_SESSION);
	quote_rewrite(icmp, emb, true, port, qck, se->ext, se->eport);
	ip->cksum = cksum_update32(ip->cksum, ip->src, se->ext);
	ip->src = se->ext;
	DP_COUNT(w, ICMP_ERR_OUT);
	return NAT_OK;
}

static void held_release(struct dp_worker *w, const struct dp_held *h)
{
	port_release(w, &w->subs[h->sub], h->proto, h->port);
	sub_maybe_free(w, h->sub);
}

/* Ends a session: its port waits out the hold time (RFC 6888 REQ-8). */
static void sess_end(struct dp_worker *w, uint32_t idx)
{
	struct dp_session *se = &w->sess[idx];
	struct key_out ko = {.src = se->src, .sport = se->sport, .proto = se->proto};
	struct key_in ki = {se->ext, se->eport, se->proto, 0};
	enum cfg_proto p = cfg_proto_of_ip(se->proto);
	uint32_t next = (w->held_tail + 1) % w->held_cap;
	uint32_t sidx = se->sub; /* next_free takes its place */
	struct dp_subscriber *s;

	memcpy(ko.b4, se->b4.b, 16);
	/* The entries of idx itself (never another session's). */
	sidx_del(&w->sess_by_out, hash_out(&ko), idx);
	sidx_del(&w->sess_by_in, hash_in(&ki), idx);
	DP_COUNT(w, SESSION_EXPIRED);
	ctl_session_event(w, false, se);
	se->in_use = 0;
	se->next_free = w->sess_free_head;
	w->sess_free_head = idx;
	if (se->is_static)
		return; /* its port belongs to the mapping, not to a block */
	s = &w->subs[sidx];
	s->nsess[p]--;

	struct dp_held h = {s->pool, sidx, ntohs(se->eport), (uint8_t)p,
	                    w->now + dp.conf.cfg->hold_lifetime};

	/* The queue holds every port of the worker (worker_ports), so it is
	 * never full; a hold time of 0 gives the port back now. */
	if (dp.conf.cfg->hold_lifetime == 0 || next == w->held_head) {
		held_release(w, &h);
		return;
	}
	w->held[w->held_tail] = h;
	w->held_tail = next;
}

void nat_sweep(struct dp_worker *w, unsigned int budget)
{
	for (unsigned int i = 0; i < budget; i++) {
		uint32_t idx = w->sweep_cursor;

		w->sweep_cursor = (idx + 1) % w->sess_max;
		if (w->sess[idx].in_use &&
		    (w->sess[idx].expire <= w->now ||
		     (w->sess[idx].is_static && static_check(w, &w->sess[idx]) == NULL)))
			sess_end(w, idx);
	}
	while (w->held_head != w->held_tail && w->held[w->held_head].release_at <= w->now) {
		held_release(w, &w->held[w->held_head]);
		w->held_head = (w->held_head + 1) % w->held_cap;
	}
}
