/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of dataplane/nat.c, the NAPT stage and its tables, for one
 * worker: packets built in plain buffers go through nat_out, nat_in,
 * nat_icmp_error_in and nat_sweep, time moves by setting w->now, and the
 * tables are looked at directly (the session indexes through nat_find_out
 * and nat_find_in, the subscribers' rte_hash) to check what the packets
 * imply.
 *
 * The tables live in rte_hash and rte_malloc memory, so main() starts DPDK's
 * EAL (no hugepages, no PCI, one lcore) before the suite, and the suite runs
 * without fork (EAL state does not survive one). Each test gets a fresh
 * configuration and fresh tables from the checked fixture.
 */
#include "nat.h"
#include "pools_live.h"

#include <check.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cksum.h"
#include "dp_test.h"
#include "config.h"
#include "ctl_msg.h"
#include "config_json.h"
#include "tables.h"
#include "util.h"
#include "pkt.h"

/*
 * ck_assert_*() records its location on every success, which adds up over
 * the hundreds of thousands of checks of the table scans: those loops use
 * EXPECT(), which only calls into Check on failure.
 */
#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

#define POOL1   0xc0000201u /* 192.0.2.1 */
#define POOL2   0xc0000202u /* 192.0.2.2 */
#define INSIDE  0xc0a80102u /* 192.168.1.2 */
#define REMOTE  0xc6336407u /* 198.51.100.7 */
#define REMOTE2 0xcb00710au /* 203.0.113.10 */
#define ROUTER  0xc6336401u /* 198.51.100.1 */

#define TCP  IPPROTO_TCP
#define UDP  IPPROTO_UDP
#define ICMP IPPROTO_ICMP

#define MSG_MAX 1024

static struct aftr_config cfg;
static struct dp_worker *w;

/* ---- The worker, set up as dataplane/main.c does for one worker ---- */

static void add_pool(uint32_t addr)
{
	struct cfg_pool *p = realloc(cfg.fixed.pools, (cfg.fixed.n_pools + 1) * sizeof(*p));

	ck_assert_ptr_nonnull(p);
	cfg.fixed.pools = p;
	memset(&p[cfg.fixed.n_pools], 0, sizeof(*p));
	p[cfg.fixed.n_pools++].addr = addr;
	cfg.fixed.cap_pools = cfg.fixed.n_pools;
}

/* The dataplane's live tables (gen.c publishes them): built again from
 * cfg after each change of its lists. */
static struct tables tab;

static void tables_refresh(void)
{
	struct aftr_config copy;

	tables_free(&tab);
	ck_assert_int_eq(cfg_copy(&copy, &cfg), 0);
	ck_assert_int_eq(tables_build(&tab, &copy, 0), 0);
}

static void add_tunnel(const struct addr6 *b4, uint32_t ipv4)
{
	struct cfg_tunnel *t = realloc(cfg.lists.tunnels, (cfg.lists.n_tunnels + 1) * sizeof(*t));

	ck_assert_ptr_nonnull(t);
	cfg.lists.tunnels = t;
	t[cfg.lists.n_tunnels++] = (struct cfg_tunnel){.b4 = *b4,
	                                               .ipv4 = ipv4,
	                                               .has_ipv4 = true,
	                                               .mss = CFG_INHERIT,
	                                               .toobig = CFG_INHERIT,
	                                               .admpro = CFG_INHERIT};
	cfg.lists.cap_tunnels = cfg.lists.n_tunnels;
	tables_refresh();
}

/* What the last start()'s nat_init reserved. */
static struct nat_mem mem;

/* main.c's build_pools for one worker, then the worker's counters and tables. */
static void start(void)
{
	memset(&dp, 0, sizeof(dp));
	w = &dp.worker[0];
	dp.nworkers = 1;
	dp.conf.cfg = &cfg.fixed;
	dp.conf.max_pools = (uint32_t)cfg.fixed.n_pools + 4; /* room for pools added */
	dp.conf.pools = rte_zmalloc("pools", sizeof(*dp.conf.pools) * dp.conf.max_pools, 0);
	ck_assert_ptr_nonnull(dp.conf.pools);
	w->nat.pb = rte_zmalloc("pb", sizeof(*w->nat.pb) * dp.conf.max_pools, 0);
	ck_assert_ptr_nonnull(w->nat.pb);
	for (size_t i = 0; i < cfg.fixed.n_pools; i++)
		ck_assert_int_eq(nat_pool_slot(&cfg, &cfg.fixed.pools[i], (uint32_t)i, NULL, 0), 0);
	dp.conf.n_pools = dp.conf.n_active = (uint32_t)cfg.fixed.n_pools;
	ck_assert_int_eq(nat_pools_index(), 0);
	w->id = 0;
	w->ctr = rte_zmalloc("ctr", sizeof(*w->ctr), RTE_CACHE_LINE_SIZE);
	ck_assert_ptr_nonnull(w->ctr);
	ck_assert_int_eq(nat_init(w, &mem), 0);
	w->tab = &tab;
}

static void stop(void)
{
	nat_fini(w);
	rte_free(w->ctr);
	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
		for (int pr = 0; pr < CFG_NPROTO; pr++)
			pb_free(&w->nat.pb[i][pr]);
	rte_free(w->nat.pb);
	rte_free(dp.conf.pools);
	nat_pool_index_free(dp.conf.pidx);
	memset(&dp, 0, sizeof(dp));
}

/* After a change of the pools or port blocks of cfg. */
static void restart(void)
{
	stop();
	start();
}

static void setup(void)
{
	ck_assert_int_eq(cfg_init(&cfg), 0);
	tables_refresh();
	add_pool(POOL1);
	start();
}

static void teardown(void)
{
	stop();
	tables_free(&tab);
	cfg_free(&cfg);
}

/* ---- Packets ---- */

struct msg {
	union {
		uint8_t b[MSG_MAX];
		uint64_t align; /* nat.c reads L4 fields as uint16_t: aligned, as in an mbuf */
	};
	uint32_t len;
};

static struct l3_ip4_hdr *ip_of(struct msg *m)
{
	return (struct l3_ip4_hdr *)m->b;
}

static uint8_t *l4_of(struct msg *m)
{
	return m->b + AFTR_IP4_HDR_LEN;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ntohs(v);
}

static void wr16(uint8_t *p, uint16_t host)
{
	uint16_t v = htons(host);

	memcpy(p, &v, 2);
}

static size_t cksum_off(uint8_t proto)
{
	return proto == TCP ? 16 : proto == UDP ? 6 : 2;
}

/* Source and destination port (for ICMP echo both are the identifier). */
static uint16_t sport_of(struct msg *m)
{
	return rd16(l4_of(m) + (ip_of(m)->proto == ICMP ? 4 : 0));
}

static uint16_t dport_of(struct msg *m)
{
	return rd16(l4_of(m) + (ip_of(m)->proto == ICMP ? 4 : 2));
}

static uint16_t l4_cksum_of(struct msg *m)
{
	return rd16(l4_of(m) + cksum_off(ip_of(m)->proto));
}

/*
 * An IPv4 packet of proto from src:sport to dst:dport (host order) with plen
 * bytes of payload (a pattern when payload is NULL) and every checksum
 * computed. For TCP flags are the TCP flags; for ICMP they are the type,
 * sport the echo identifier and dport the sequence number.
 */
static void build_data(struct msg *m, uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
                       uint16_t dport, uint8_t flags, uint16_t plen, const uint8_t *payload)
{
	struct l3_ip4_hdr *ip = ip_of(m);
	uint8_t *l4 = l4_of(m);
	uint16_t hl = proto == TCP ? AFTR_TCP_HDR_LEN : 8, l4len = (uint16_t)(hl + plen);

	ck_assert_uint_le(AFTR_IP4_HDR_LEN + l4len, MSG_MAX);
	memset(m->b, 0, sizeof(m->b));
	*ip = (struct l3_ip4_hdr){.version_ihl = 0x45,
	                          .total_len = htons(AFTR_IP4_HDR_LEN + l4len),
	                          .id = htons(0x4242),
	                          .ttl = 64,
	                          .proto = proto,
	                          .src = htonl(src),
	                          .dst = htonl(dst)};
	if (proto == TCP) {
		struct l4_tcp_hdr *t = (struct l4_tcp_hdr *)l4;

		t->src_port = htons(sport);
		t->dst_port = htons(dport);
		t->seq = htonl(0x01020304);
		t->ack = flags & AFTR_TCP_ACK ? htonl(0x0a0b0c0d) : 0;
		t->data_off = 0x50;
		t->flags = flags;
		t->window = htons(64240);
	} else if (proto == UDP) {
		struct l4_udp_hdr *u = (struct l4_udp_hdr *)l4;

		u->src_port = htons(sport);
		u->dst_port = htons(dport);
		u->len = htons(l4len);
	} else {
		struct l4_icmp4_hdr *c = (struct l4_icmp4_hdr *)l4;

		c->type = flags;
		c->echo.id = htons(sport);
		c->echo.seq = htons(dport);
	}
	for (uint16_t i = 0; i < plen; i++)
		l4[hl + i] = payload ? payload[i] : (uint8_t)(i * 31 + plen + 7);
	wr16(l4 + cksum_off(proto), ntohs(cksum_ip4_l4(ip, l4, l4len)));
	ip->cksum = cksum_ip4_hdr(ip);
	m->len = AFTR_IP4_HDR_LEN + l4len;
}

static void build(struct msg *m, uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
                  uint16_t dport, uint8_t flags, uint16_t plen)
{
	build_data(m, proto, src, sport, dst, dport, flags, plen, NULL);
}

/* A UDP packet sent without a checksum (0, RFC 768). */
static void build_udp_nock(struct msg *m, uint32_t src, uint16_t sport, uint32_t dst,
                           uint16_t dport, uint16_t plen)
{
	build(m, UDP, src, sport, dst, dport, 0, plen);
	wr16(l4_of(m) + 6, 0);
}

/*
 * The IPv4 header checksum and the L4 checksum are what a full recompute
 * gives (the incremental updates must leave a valid packet; RFC 1624's
 * equation 3 even gives the same representation). A UDP checksum of 0 means
 * none and is left alone here; callers check that it stayed 0.
 */
static void expect_cksums(struct msg *m, const char *what)
{
	struct l3_ip4_hdr *ip = ip_of(m);
	uint8_t *l4 = l4_of(m);
	uint16_t l4len = (uint16_t)(m->len - AFTR_IP4_HDR_LEN), stored = l4_cksum_of(m), want;

	EXPECT(ip->cksum == cksum_ip4_hdr(ip), "%s: IPv4 checksum %04x, recomputed %04x", what,
	       ntohs(ip->cksum), ntohs(cksum_ip4_hdr(ip)));
	if (ip->proto == UDP && stored == 0)
		return;
	wr16(l4 + cksum_off(ip->proto), 0);
	want = ntohs(cksum_ip4_l4(ip, l4, l4len));
	wr16(l4 + cksum_off(ip->proto), stored);
	EXPECT(stored == want, "%s: L4 checksum %04x, recomputed %04x", what, stored, want);
}

static struct addr6 b4_addr(uint32_t n)
{
	struct addr6 a = {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1}};

	a.b[12] = (uint8_t)(n >> 24);
	a.b[13] = (uint8_t)(n >> 16);
	a.b[14] = (uint8_t)(n >> 8);
	a.b[15] = (uint8_t)n;
	return a;
}

static int send_out(const struct addr6 *b4, struct msg *m)
{
	return nat_out(w, b4, 0, ip_of(m), l4_of(m), m->len - AFTR_IP4_HDR_LEN);
}

static struct dp_session *send_in(struct msg *m, int *drop)
{
	*drop = -1;
	return nat_in(w, ip_of(m), l4_of(m), m->len - AFTR_IP4_HDR_LEN, drop);
}

/* Sends from B4 b4 and returns the public port it got (the verdict must be OK). */
static uint16_t out_port(const struct addr6 *b4, uint8_t proto, uint32_t src, uint16_t sport,
                         uint32_t dst, uint16_t dport, uint8_t flags)
{
	struct msg m;
	int rc;

	build(&m, proto, src, sport, dst, dport, flags, 10);
	rc = send_out(b4, &m);
	ck_assert_msg(rc == NAT_OK, "nat_out proto %u %u: verdict %d", proto, sport, rc);
	expect_cksums(&m, "out_port");
	return sport_of(&m);
}

/* The verdict of a new packet (the packet is not kept). */
static int out_rc(const struct addr6 *b4, uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
                  uint16_t dport, uint8_t flags)
{
	struct msg m;

	build(&m, proto, src, sport, dst, dport, flags, 10);
	return send_out(b4, &m);
}

/* A reply from the Internet to (POOL, eport); returns the session or NULL. */
static struct dp_session *in_reply(uint8_t proto, uint32_t from, uint16_t fport, uint32_t pool,
                                   uint16_t eport, uint8_t flags, int *drop)
{
	struct msg m;
	struct dp_session *se;

	if (proto == ICMP)
		build(&m, ICMP, from, eport, pool, 7, flags, 10);
	else
		build(&m, proto, from, fport, pool, eport, flags, 10);
	se = send_in(&m, drop);
	if (se)
		expect_cksums(&m, "in_reply");
	return se;
}

static uint64_t cnt(enum aftr_counter c)
{
	return w->ctr->cnt[c];
}

/* ---- The tables, looked at directly ---- */

/* Index of the session of an inside key (host order), or -1. */
static int32_t idx_out(const struct addr6 *b4, uint32_t src, uint16_t sport, uint8_t proto)
{
	struct dp_session *se = nat_find_out(w, b4, htonl(src), htons(sport), proto);

	return se ? (int32_t)(se - w->nat.sess) : -1;
}

static int32_t idx_in(uint32_t ext, uint16_t eport, uint8_t proto)
{
	struct dp_session *se = nat_find_in(w, htonl(ext), htons(eport), proto);

	return se ? (int32_t)(se - w->nat.sess) : -1;
}

/* The session of an inside key, which the outside key must find too. */
static struct dp_session *find(const struct addr6 *b4, uint32_t src, uint16_t sport, uint8_t proto)
{
	int32_t i = idx_out(b4, src, sport, proto);
	struct dp_session *se;

	if (i < 0)
		return NULL;
	EXPECT((uint32_t)i < w->nat.sess_max, "session index %d", i);
	se = &w->nat.sess[i];
	EXPECT(se->in_use, "session %d found but not in use", i);
	EXPECT(idx_in(ntohl(se->ext), ntohs(se->eport), proto) == i,
	       "session %d not found by its outside key", i);
	return se;
}

static struct dp_subscriber *sub_of(const struct addr6 *b4)
{
	void *data;

	if (rte_hash_lookup_data(w->nat.subs_by_b4, b4->b, &data) < 0)
		return NULL;
	return &w->nat.subs[(uint32_t)(uintptr_t)data];
}

static uint32_t held_count(void)
{
	return (w->nat.held_tail + w->nat.held_cap - w->nat.held_head) % w->nat.held_cap;
}

static void sweep_at(uint64_t now)
{
	w->now = now;
	nat_sweep(w, w->nat.sess_max);
}

static uint32_t max_lifetime(void)
{
	uint32_t m = 0;

	for (int i = 0; i < LT_N; i++)
		m = cfg.fixed.lifetime[i] > m ? cfg.fixed.lifetime[i] : m;
	return m;
}

/* Time for every session to end, then for the hold of every port. */
static void drain(void)
{
	sweep_at(w->now + max_lifetime());
	sweep_at(w->now + cfg.fixed.hold_lifetime);
}

/* Every block of every pool back on the free list, no session, no subscriber,
 * and both free lists of the tables whole. */
static void expect_all_free(const char *what)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
		for (int pr = 0; pr < CFG_NPROTO; pr++) {
			const struct pb_space *pb = &w->nat.pb[i][pr];

			EXPECT(pb->nfree == pb->nblocks, "%s: pool %u %s: %u of %u blocks free",
			       what, i, cfg_proto_name(pr), pb->nfree, pb->nblocks);
			for (uint32_t b = 0; b < pb->nblocks; b++)
				EXPECT(pb->blocks[b].used == 0 && pb->blocks[b].owner == PB_NONE,
				       "%s: pool %u %s block %u: used %u owner %u", what, i,
				       cfg_proto_name(pr), b, pb->blocks[b].used,
				       pb->blocks[b].owner);
		}
	EXPECT(w->nat.sess_by_out.n == 0 && w->nat.sess_by_in.n == 0, "%s: %u/%u sessions left",
	       what, w->nat.sess_by_out.n, w->nat.sess_by_in.n);
	EXPECT(rte_hash_count(w->nat.subs_by_b4) == 0, "%s: %d subscribers left", what,
	       rte_hash_count(w->nat.subs_by_b4));
	EXPECT(held_count() == 0, "%s: %u ports still held", what, held_count());
	for (uint32_t i = w->nat.sess_free_head; i < w->nat.sess_max;
	     i = w->nat.sess[i].next_free) {
		EXPECT(!w->nat.sess[i].in_use && ++n <= w->nat.sess_max, "%s: session free list",
		       what);
	}
	EXPECT(n == w->nat.sess_max, "%s: %u of %u sessions free", what, n, w->nat.sess_max);
	n = 0;
	for (uint32_t i = w->nat.subs_free_head; i < w->nat.subs_max;
	     i = w->nat.subs[i].next_free) {
		EXPECT(!w->nat.subs[i].in_use && ++n <= w->nat.subs_max, "%s: subscriber free list",
		       what);
	}
	EXPECT(n == w->nat.subs_max, "%s: %u of %u subscribers free", what, n, w->nat.subs_max);
	EXPECT(cnt(CNT_SESSION_NEW) == cnt(CNT_SESSION_EXPIRED),
	       "%s: %" PRIu64 " sessions created, %" PRIu64 " expired", what, cnt(CNT_SESSION_NEW),
	       cnt(CNT_SESSION_EXPIRED));
	EXPECT(cnt(CNT_BLOCK_ALLOC) == cnt(CNT_BLOCK_FREE),
	       "%s: %" PRIu64 " blocks allocated, %" PRIu64 " freed", what, cnt(CNT_BLOCK_ALLOC),
	       cnt(CNT_BLOCK_FREE));
}

/* ---- Static mappings (ISC "nat") ---- */

static void add_static(const struct addr6 *b4, uint8_t proto, uint32_t addr, uint16_t port,
                       uint32_t ext, uint16_t eport, const char *filter)
{
	struct cfg_nat *n = realloc(cfg.lists.nats, (cfg.lists.n_nats + 1) * sizeof(*n));

	ck_assert_ptr_nonnull(n);
	cfg.lists.nats = n;
	n[cfg.lists.n_nats] = (struct cfg_nat){.b4 = *b4,
	                                       .proto = proto == TCP ? CFG_TCP : CFG_UDP,
	                                       .addr = addr,
	                                       .port = port,
	                                       .ext_addr = ext,
	                                       .ext_port = eport};
	if (filter) {
		n[cfg.lists.n_nats].has_filter = true;
		ck_assert_int_eq(prefix4_parse(filter, 0, &n[cfg.lists.n_nats].filter_dst, NULL, 0),
		                 0);
	}
	cfg.lists.cap_nats = ++cfg.lists.n_nats;
	tables_refresh();
}

START_TEST(test_static_inbound_first)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *se;
	int drop;

	w->now = 5;
	/* TCP port 2000 of pool 1 (below the dynamic 2048-65535) to 192.168.1.2:80. */
	add_static(&a, TCP, INSIDE, 80, POOL1, 2000, NULL);
	se = in_reply(TCP, REMOTE, 40000, POOL1, 2000, AFTR_TCP_SYN, &drop);
	ck_assert_ptr_nonnull(se);
	ck_assert(se->is_static);
	ck_assert_mem_eq(se->b4.b, a.b, 16);
	ck_assert_uint_eq(ntohl(se->src), INSIDE);
	ck_assert_uint_eq(ntohs(se->sport), 80);
	ck_assert_uint_eq(cnt(CNT_STATIC_NEW), 1);
	ck_assert_uint_eq(cnt(CNT_BLOCK_ALLOC), 0); /* no port block for it */
	/* The answer goes out from the mapped port, through the same session. */
	ck_assert_uint_eq(out_port(&a, TCP, INSIDE, 80, REMOTE, 40000, AFTR_TCP_SYN | AFTR_TCP_ACK),
	                  2000);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 1);
	/* Another port of the pool outside every block and mapping: nothing. */
	ck_assert_ptr_null(in_reply(TCP, REMOTE, 40000, POOL1, 2001, AFTR_TCP_SYN, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	ck_assert_int_eq(nat_port_owner(w, 0, htonl(POOL1), IPPROTO_TCP, 2000), 0);
	ck_assert_int_eq(nat_port_owner(w, 0, htonl(POOL1), IPPROTO_TCP, 2001), -1);
	ck_assert_int_eq(nat_port_owner(w, 0, htonl(POOL1), IPPROTO_UDP, 511), -1);
	/* Expiry gives nothing back to a block (it has none). */
	w->now += cfg.fixed.lifetime[LT_TCP] + 1;
	nat_sweep(w, w->nat.sess_max);
	ck_assert_uint_eq(w->nat.sess_by_in.n, 0);
	ck_assert_uint_eq(cnt(CNT_BLOCK_FREE), 0);
}
END_TEST

START_TEST(test_static_outbound_and_delete)
{
	struct addr6 a = b4_addr(1);
	int drop;

	w->now = 5;
	add_static(&a, UDP, INSIDE, 5060, POOL1, 500, NULL);
	/* Outbound from the mapped inside port uses the mapping, not a block. */
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5060, REMOTE, 5060, 0), 500);
	ck_assert_uint_eq(cnt(CNT_STATIC_NEW), 1);
	ck_assert_uint_eq(cnt(CNT_BLOCK_ALLOC), 0);
	/* Another inside port still gets a dynamic one. */
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5061, REMOTE, 5060, 0), 512);
	/* Deleted: the next packet from outside finds nothing, the session ends. */
	free(cfg.lists.nats);
	cfg.lists.nats = NULL;
	cfg.lists.n_nats = cfg.lists.cap_nats = 0;
	tables_refresh();
	ck_assert_ptr_null(in_reply(UDP, REMOTE2, 9, POOL1, 500, 0, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	ck_assert_ptr_null(find(&a, INSIDE, 5060, UDP));
	/* And the inside port goes dynamic from now on. */
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5060, REMOTE, 5060, 0), 513);
}
END_TEST

/* A static mapping added over a live dynamic session of the same inside
 * endpoint, and a mapping whose public port changes under a live session:
 * the new session takes the keys, the old one ends without taking them
 * along. */
START_TEST(test_static_takes_over)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *se;
	int drop;

	w->now = 5;
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5060, REMOTE, 5060, 0), 512);
	add_static(&a, UDP, INSIDE, 5060, POOL1, 500, NULL);
	se = in_reply(UDP, REMOTE, 5060, POOL1, 500, 0, &drop);
	ck_assert_ptr_nonnull(se);
	ck_assert(se->is_static);
	ck_assert_ptr_eq(find(&a, INSIDE, 5060, UDP), se);
	ck_assert_ptr_null(
	        in_reply(UDP, REMOTE, 5060, POOL1, 512, 0, &drop)); /* the old one ended */
	ck_assert_uint_eq(w->nat.sess_by_out.n, 1);
	ck_assert_uint_eq(w->nat.sess_by_in.n, 1);
	/* The public port moves to 501: an inbound packet there makes the new
	 * session; sweeps leave its keys alone. */
	cfg.lists.nats[0].ext_port = 501;
	tables_refresh();
	se = in_reply(UDP, REMOTE, 5060, POOL1, 501, 0, &drop);
	ck_assert_ptr_nonnull(se);
	nat_sweep(w, w->nat.sess_max);
	nat_sweep(w, w->nat.sess_max);
	ck_assert_ptr_eq(find(&a, INSIDE, 5060, UDP), se);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5060, REMOTE, 5060, 0), 501);
	ck_assert_uint_eq(w->nat.sess_by_out.n, 1);
	ck_assert_uint_eq(w->nat.sess_by_in.n, 1);
}
END_TEST

START_TEST(test_static_filter)
{
	struct addr6 a = b4_addr(1);
	struct msg m;
	int drop;

	w->now = 5;
	/* ISC "filter": only 198.51.100.0/24 may talk to it, either way. */
	add_static(&a, TCP, INSIDE, 22, POOL1, 2022, "198.51.100.0/24");
	ck_assert_ptr_null(in_reply(TCP, REMOTE2, 40000, POOL1, 2022, AFTR_TCP_SYN, &drop));
	ck_assert_int_eq(drop, DROP_FILTERED);
	ck_assert_ptr_nonnull(in_reply(TCP, REMOTE, 40000, POOL1, 2022, AFTR_TCP_SYN, &drop));
	build(&m, TCP, INSIDE, 22, REMOTE2, 40000, AFTR_TCP_SYN, 0);
	ck_assert_int_eq(send_out(&a, &m), NAT_DROP(FILTERED));
	/* A sweep keeps a session whose mapping is still there. */
	nat_sweep(w, w->nat.sess_max);
	ck_assert_ptr_nonnull(find(&a, INSIDE, 22, TCP));
}
END_TEST

/* ---- Sessions, both ways ---- */

START_TEST(test_udp_both_ways)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *se, *back;
	struct msg m, r;
	int drop;

	w->now = 10;
	build(&m, UDP, INSIDE, 5000, REMOTE, 53, 0, 20);
	ck_assert_int_eq(send_out(&a, &m), NAT_OK);
	/* Source translated to the pool and the first port of its UDP range. */
	ck_assert_uint_eq(ntohl(ip_of(&m)->src), POOL1);
	ck_assert_uint_eq(sport_of(&m), 512);
	ck_assert_uint_eq(ntohl(ip_of(&m)->dst), REMOTE);
	ck_assert_uint_eq(dport_of(&m), 53);
	expect_cksums(&m, "udp out");
	ck_assert_uint_eq(cnt(CNT_TUNNEL_NEW), 1);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 1);
	ck_assert_uint_eq(cnt(CNT_BLOCK_ALLOC), 1);
	ck_assert_uint_eq(cnt(CNT_NAT_OUT), 1);
	se = find(&a, INSIDE, 5000, UDP);
	ck_assert_ptr_nonnull(se);
	ck_assert_uint_eq(ntohl(se->ext), POOL1);
	ck_assert_uint_eq(ntohs(se->eport), 512);
	ck_assert_uint_eq(se->state, SESS_NEW);
	ck_assert_uint_eq(se->expire, 10 + cfg.fixed.lifetime[LT_RETRANS]);
	ck_assert_mem_eq(se->b4.b, a.b, 16);

	/* The reply finds it by the outside key and goes back to the B4. */
	build(&r, UDP, REMOTE, 53, POOL1, 512, 0, 33);
	back = send_in(&r, &drop);
	ck_assert_ptr_eq(back, se);
	ck_assert_mem_eq(back->b4.b, a.b, 16);
	ck_assert_uint_eq(ntohl(ip_of(&r)->dst), INSIDE);
	ck_assert_uint_eq(dport_of(&r), 5000);
	ck_assert_uint_eq(ntohl(ip_of(&r)->src), REMOTE);
	ck_assert_uint_eq(sport_of(&r), 53);
	expect_cksums(&r, "udp in");
	ck_assert_uint_eq(cnt(CNT_NAT_IN), 1);

	/* The next packet of the flow finds the same session. */
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 1);
	/* A second inside port gets the next port of the block. */
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5001, REMOTE, 53, 0), 513);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 2);
	ck_assert_uint_eq(cnt(CNT_BLOCK_ALLOC), 1);
	ck_assert_uint_eq(cnt(CNT_TUNNEL_NEW), 1);
	back = in_reply(UDP, REMOTE, 53, POOL1, 513, 0, &drop);
	ck_assert_ptr_eq(back, find(&a, INSIDE, 5001, UDP));
	ck_assert_uint_eq(w->nat.sess_by_out.n, 2);
	ck_assert_uint_eq(w->nat.sess_by_in.n, 2);
	ck_assert_uint_eq(rte_hash_count(w->nat.subs_by_b4), 1);
	ck_assert_uint_eq(sub_of(&a)->nsess[CFG_UDP], 2);

	/* Nothing else is open: another port, protocol or pool address. */
	ck_assert_ptr_null(in_reply(UDP, REMOTE, 53, POOL1, 514, 0, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	ck_assert_ptr_null(
	        in_reply(TCP, REMOTE, 53, POOL1, 512, AFTR_TCP_SYN | AFTR_TCP_ACK, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	ck_assert_ptr_null(in_reply(UDP, REMOTE, 53, POOL2, 512, 0, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	ck_assert_ptr_null(in_reply(ICMP, REMOTE, 0, POOL1, 512, AFTR_ICMP4_ECHO_REPLY, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	ck_assert_uint_eq(cnt(CNT_NAT_IN), 2);
}
END_TEST

/* Pool addresses to their index: a table over a narrow span, else a scan
 * of a few or a hash among many. Inside the span, not every address is a
 * pool's. */
/* nat.any_endpoint: a session answers from the endpoint its B4 last sent
 * to (node nat_in copies it into the context). */
START_TEST(test_session_endpoint)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *se;
	struct msg m;
	int drop;

	w->now = 10;
	build(&m, UDP, INSIDE, 5000, REMOTE, 53, 0, 20);
	ck_assert_int_eq(nat_out(w, &a, 3, ip_of(&m), l4_of(&m), m.len - AFTR_IP4_HDR_LEN), NAT_OK);
	se = find(&a, INSIDE, 5000, UDP);
	ck_assert_ptr_nonnull(se);
	ck_assert_uint_eq(se->ep, 3);
	ck_assert_ptr_eq(in_reply(UDP, REMOTE, 53, POOL1, 512, 0, &drop), se);
	ck_assert_uint_eq(se->ep, 3);
	/* The B4 moves to another endpoint (its box's takeover): the same
	 * session, answered from there; the highest index fits. */
	build(&m, UDP, INSIDE, 5000, REMOTE + 1, 53, 0, 20);
	ck_assert_int_eq(nat_out(w, &a, 15, ip_of(&m), l4_of(&m), m.len - AFTR_IP4_HDR_LEN),
	                 NAT_OK);
	ck_assert_uint_eq(sport_of(&m), 512);
	ck_assert_uint_eq(se->ep, 15);
	ck_assert_uint_eq(se->state, SESS_EST);
	/* Back on endpoint (index 0). */
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
	ck_assert_uint_eq(se->ep, 0);
}
END_TEST

START_TEST(test_pool_index)
{
	ck_assert_ptr_nonnull(dp.conf.pidx->at);
	ck_assert_int_eq(nat_pool_index(POOL1), 0);
	ck_assert_int_eq(nat_pool_index(POOL2), -1);
	ck_assert(nat_pool_span(POOL1) && !nat_pool_span(POOL2));
	for (uint32_t i = 1; i < 12; i++)
		add_pool(POOL1 + 0x100 * i);
	restart();
	/* Spanning 2,817 addresses: the table. */
	ck_assert_ptr_nonnull(dp.conf.pidx->at);
	ck_assert_ptr_null(dp.conf.pidx->by_addr.slots);
	for (uint32_t i = 0; i < 12; i++) {
		ck_assert_int_eq(nat_pool_index(POOL1 + 0x100 * i), (int)i);
		ck_assert_int_eq(nat_pool_index(POOL1 + 0x100 * i + 1), -1);
	}
	ck_assert(nat_pool_span(POOL2));
	ck_assert_int_eq(nat_pool_index(POOL2), -1);
	ck_assert_int_eq(nat_pool_index(POOL1 - 1), -1);
	ck_assert_int_eq(nat_pool_index(REMOTE), -1);
	ck_assert_int_eq(nat_pool_index(0), -1);
	/* One more far away: 12 pools over a wide span, the hash. */
	add_pool(REMOTE2);
	restart();
	ck_assert_ptr_null(dp.conf.pidx->at);
	ck_assert_ptr_nonnull(dp.conf.pidx->by_addr.slots);
	for (uint32_t i = 0; i < 12; i++)
		ck_assert_int_eq(nat_pool_index(POOL1 + 0x100 * i), (int)i);
	ck_assert_int_eq(nat_pool_index(REMOTE2), 12);
	ck_assert_int_eq(nat_pool_index(POOL2), -1);
	ck_assert_int_eq(nat_pool_index(REMOTE), -1);
}
END_TEST

/* Two pools far apart: the scan. */
START_TEST(test_pool_index_scan)
{
	add_pool(REMOTE2);
	restart();
	ck_assert_ptr_null(dp.conf.pidx->at);
	ck_assert_ptr_null(dp.conf.pidx->by_addr.slots);
	ck_assert_int_eq(nat_pool_index(POOL1), 0);
	ck_assert_int_eq(nat_pool_index(REMOTE2), 1);
	ck_assert(nat_pool_span(REMOTE));
	ck_assert_int_eq(nat_pool_index(REMOTE), -1);
}
END_TEST

/* The packet being processed as the worker's look-ahead would leave it
 * (dataplane/worker.c): its guess for the session of a key of this kind. */
static void ahead_guess(uint8_t kind, uint32_t val)
{
	w->ahead = (struct dp_ahead){.n = 1, .cur = 0, .nat = true};
	w->ahead.nat_at[0] = (struct dp_nat_ahead){.kind = kind, .val = val};
}

/* A look-ahead's guess is taken only while it is the session of the key:
 * another session, or one that has ended, is looked up again. */
START_TEST(test_ahead_guess_checked)
{
	struct addr6 a = b4_addr(1);
	int32_t s1, s2;
	int drop;

	w->now = 10;
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5001, REMOTE, 53, 0), 513);
	s1 = idx_out(&a, INSIDE, 5000, UDP);
	s2 = idx_out(&a, INSIDE, 5001, UDP);
	/* Right, wrong, or of the other kind: the key decides. */
	ahead_guess(DP_NAT_AHEAD_OUT, (uint32_t)s1);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
	ahead_guess(DP_NAT_AHEAD_OUT, (uint32_t)s2);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
	ahead_guess(DP_NAT_AHEAD_IN, (uint32_t)s2);
	ck_assert_ptr_eq(in_reply(UDP, REMOTE, 53, POOL1, 512, 0, &drop), &w->nat.sess[s1]);
	ahead_guess(DP_NAT_AHEAD_OUT, (uint32_t)s1);
	ck_assert_ptr_eq(in_reply(UDP, REMOTE, 53, POOL1, 513, 0, &drop), &w->nat.sess[s2]);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 2);
	/* Ended (its slot still holds the key): not taken; a new session. */
	sweep_at(10 + max_lifetime() + 1);
	ck_assert_int_eq(idx_out(&a, INSIDE, 5000, UDP), -1);
	ahead_guess(DP_NAT_AHEAD_IN, (uint32_t)s1);
	ck_assert_ptr_null(in_reply(UDP, REMOTE, 53, POOL1, 512, 0, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	ahead_guess(DP_NAT_AHEAD_OUT, (uint32_t)s1);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), NAT_OK);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 3);
	ck_assert_int_ge(idx_out(&a, INSIDE, 5000, UDP), 0);
	w->ahead.n = 0;
}
END_TEST

/* RFC 4787 REQ-1 (mapping) and the endpoint-independent filtering nat.h promises. */
START_TEST(test_endpoint_independent)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *se;
	int drop;

	w->now = 1;
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE2, 4444, 0), 512);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 54, 0), 512);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 1);
	ck_assert_uint_eq(cnt(CNT_NAT_OUT), 3);
	/* A remote the B4 never sent to gets through too. */
	se = in_reply(UDP, 0xcb007163u, 7777, POOL1, 512, 0, &drop);
	ck_assert_ptr_nonnull(se);
	ck_assert_ptr_eq(se, find(&a, INSIDE, 5000, UDP));
	/* The same inside port over TCP is another session, from the TCP range. */
	ck_assert_uint_eq(out_port(&a, TCP, INSIDE, 5000, REMOTE2, 443, AFTR_TCP_SYN), 2048);
	ck_assert_uint_eq(out_port(&a, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_SYN), 2048);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 2);
	ck_assert_ptr_ne(find(&a, INSIDE, 5000, TCP), find(&a, INSIDE, 5000, UDP));
}
END_TEST

START_TEST(test_two_b4s_same_inside)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2);
	struct dp_session *sa, *sb;
	uint16_t pa, pb;
	int drop;

	w->now = 1;
	pa = out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0);
	pb = out_port(&b, UDP, INSIDE, 5000, REMOTE, 53, 0);
	/* One pool: another port, from the second subscriber's own block. */
	ck_assert_uint_eq(pa, 512);
	ck_assert_uint_eq(pb, 520);
	ck_assert_uint_eq(cnt(CNT_TUNNEL_NEW), 2);
	ck_assert_uint_eq(cnt(CNT_BLOCK_ALLOC), 2);
	ck_assert_uint_eq(rte_hash_count(w->nat.subs_by_b4), 2);
	sa = find(&a, INSIDE, 5000, UDP);
	sb = find(&b, INSIDE, 5000, UDP);
	ck_assert_ptr_nonnull(sa);
	ck_assert_ptr_nonnull(sb);
	ck_assert_ptr_ne(sa, sb);
	ck_assert_uint_ne(sa->sub, sb->sub);
	/* Each reply goes to its own B4. */
	ck_assert_ptr_eq(in_reply(UDP, REMOTE, 53, POOL1, pb, 0, &drop), sb);
	ck_assert_ptr_eq(in_reply(UDP, REMOTE, 53, POOL1, pa, 0, &drop), sa);
	ck_assert_mem_eq(sb->b4.b, b.b, 16);
	ck_assert_mem_eq(sa->b4.b, a.b, 16);
	/* Both keep their ports on the next packets. */
	ck_assert_uint_eq(out_port(&b, UDP, INSIDE, 5000, REMOTE2, 1, 0), 520);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE2, 1, 0), 512);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 2);
}
END_TEST

/* RFC 6888 REQ-2: all of a subscriber's sessions use one pool address; a
 * configured tunnel's address wins over the hash. */
START_TEST(test_paired_pools)
{
	static const uint8_t protos[] = {TCP, UDP, ICMP};
	struct addr6 pin1 = b4_addr(1000), pin2 = b4_addr(1001);
	uint32_t used[2] = {0, 0};
	struct msg m;

	add_pool(POOL2);
	add_tunnel(&pin1, POOL1);
	add_tunnel(&pin2, POOL2);
	restart();
	ck_assert_int_eq(nat_pool_index(POOL1), 0);
	ck_assert_int_eq(nat_pool_index(POOL2), 1);
	ck_assert_int_eq(nat_pool_index(REMOTE), -1);
	ck_assert_int_eq(nat_port_owner(w, 0, htonl(POOL1), IPPROTO_UDP, 512), 0);
	/* TCP: 6348 blocks of 10 from 2048, the tail 65528-65535 unused. */
	ck_assert_int_eq(nat_port_owner(w, 1, htonl(POOL2), IPPROTO_TCP, 65527), 0);
	ck_assert_int_eq(nat_port_owner(w, 1, htonl(POOL2), IPPROTO_TCP, 65528), -1);
	ck_assert_int_eq(nat_port_owner(w, 0, htonl(POOL1), IPPROTO_UDP, 511), -1);
	ck_assert_int_eq(nat_port_owner(w, 0, htonl(POOL1), IPPROTO_TCP, 2047), -1);
	ck_assert_uint_eq(nat_b4_owner(&pin1), 0);
	w->now = 1;
	for (uint32_t n = 0; n < 34; n++) {
		struct addr6 b = n < 32 ? b4_addr(n + 1) : n == 32 ? pin1 : pin2;
		uint32_t ext = 0;

		for (size_t i = 0; i < sizeof(protos); i++) {
			for (uint16_t k = 0; k < 2; k++) {
				uint8_t f = protos[i] == TCP    ? AFTR_TCP_SYN
				            : protos[i] == ICMP ? AFTR_ICMP4_ECHO_REQUEST
				                                : 0;

				build(&m, protos[i], INSIDE + k, 4000, REMOTE, 80, f, 4);
				ck_assert_int_eq(send_out(&b, &m), NAT_OK);
				expect_cksums(&m, "paired");
				if (ext == 0)
					ext = ntohl(ip_of(&m)->src);
				ck_assert_uint_eq(ntohl(ip_of(&m)->src), ext);
			}
		}
		ck_assert(ext == POOL1 || ext == POOL2);
		if (n == 32)
			ck_assert_uint_eq(ext, POOL1);
		if (n == 33)
			ck_assert_uint_eq(ext, POOL2);
		if (n < 32)
			used[ext == POOL2]++;
		ck_assert_uint_eq(sub_of(&b)->pool, ext == POOL2);
	}
	/* The hash spreads the other 32 over both (fails with odds 2^-31). */
	ck_assert_uint_gt(used[0], 0);
	ck_assert_uint_gt(used[1], 0);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 34 * 6);
}
END_TEST

/* ---- Pools added and removed at run time (mainlcore/pools_live.c) ---- */

/* cfg's configuration with the pools addrs (n of them) instead of its own. */
static void with_pools(struct aftr_config *next, const uint32_t *addrs, size_t n)
{
	ck_assert_int_eq(cfg_copy(next, &cfg), 0);
	next->fixed.n_pools = 0;
	for (size_t i = 0; i < n; i++) {
		struct cfg_pool *p = vec_push((void **)&next->fixed.pools, &next->fixed.n_pools,
		                              &next->fixed.cap_pools, sizeof(*p));

		ck_assert_ptr_nonnull(p);
		memset(p, 0, sizeof(*p));
		p->addr = addrs[i];
	}
}

/* The pool a subscriber's first UDP session from b4 gets. */
static uint32_t pool_of_new(const struct addr6 *b4)
{
	struct msg m;

	build(&m, UDP, INSIDE, 7000, REMOTE, 53, 0, 4);
	ck_assert_int_eq(send_out(b4, &m), NAT_OK);
	return ntohl(ip_of(&m)->src);
}

START_TEST(test_pools_live)
{
	static const uint32_t only2[] = {POOL2}, both[] = {POOL1, POOL2};
	struct addr6 a = b4_addr(1);
	struct dp_pool_index *old;
	struct aftr_config next;
	char note[128], err[256];
	struct msg m;

	w->now = 1;
	ck_assert_uint_eq(pool_of_new(&a), POOL1);
	/* POOL1 removed, POOL2 added: POOL1 drains, POOL2 is indexed. */
	with_pools(&next, only2, 1);
	ck_assert_int_eq(pools_live_apply(&next, &old, note, sizeof(note), err, sizeof(err)), 0);
	ck_assert_str_eq(note, "pools: 1 added, 1 draining, 0 back from draining");
	ck_assert_ptr_nonnull(old);
	nat_pool_index_free(old);
	cfg_free(&next);
	ck_assert_uint_eq(dp.conf.n_pools, 2);
	ck_assert_uint_eq(dp.conf.n_active, 1);
	ck_assert(dp.conf.pools[0].draining);
	ck_assert_int_eq(nat_pool_index(POOL2), 1);
	ck_assert_int_eq(nat_pool_index(POOL1), 0);
	/* A's sessions and new ones stay on its pool (RFC 6888 REQ-2); its
	 * existing session still answers from the Internet. */
	build(&m, UDP, INSIDE, 7001, REMOTE, 53, 0, 4);
	ck_assert_int_eq(send_out(&a, &m), NAT_OK);
	ck_assert_uint_eq(ntohl(ip_of(&m)->src), POOL1);
	/* Every new subscriber takes the one that does not drain. */
	for (uint32_t n = 2; n < 40; n++) {
		struct addr6 b = b4_addr(n);

		ck_assert_uint_eq(pool_of_new(&b), POOL2);
	}
	/* An inbound packet to POOL2 finds its session. */
	ck_assert_int_ge(nat_pool_index(POOL2), 0);
	ck_assert_uint_eq(dp.conf.pools[1].range[CFG_UDP].min, 512);
	/* Both again: POOL1 back from draining, no new slot. */
	with_pools(&next, both, 2);
	ck_assert_int_eq(pools_live_apply(&next, &old, note, sizeof(note), err, sizeof(err)), 0);
	ck_assert_str_eq(note, "pools: 0 added, 0 draining, 1 back from draining");
	ck_assert_uint_eq(dp.conf.n_pools, 2);
	ck_assert_uint_eq(dp.conf.n_active, 2);
	/* The same again: nothing to say. */
	ck_assert_int_eq(pools_live_apply(&next, &old, note, sizeof(note), err, sizeof(err)), 0);
	ck_assert_str_eq(note, "");
	cfg_free(&next);
	/* A generation refused after its pools were applied: the flags as before. */
	with_pools(&next, only2, 1);
	ck_assert_int_eq(pools_live_apply(&next, &old, note, sizeof(note), err, sizeof(err)), 0);
	ck_assert(dp.conf.pools[0].draining);
	pools_live_undo();
	ck_assert(!dp.conf.pools[0].draining && !dp.conf.pools[1].draining);
	ck_assert_uint_eq(dp.conf.n_active, 2);
	cfg_free(&next);
	/* Every address removed: a new subscriber gets none (ports_exhausted), one
	 * that has one goes on. */
	with_pools(&next, only2, 0);
	ck_assert_int_eq(pools_live_apply(&next, &old, note, sizeof(note), err, sizeof(err)), 0);
	ck_assert_uint_eq(dp.conf.n_active, 0);
	{
		struct addr6 fresh = b4_addr(99);

		ck_assert_int_eq(out_rc(&fresh, UDP, INSIDE, 7000, REMOTE, 53, 0),
		                 NAT_DROP(PORTS_EXHAUSTED));
		out_port(&a, UDP, INSIDE, 7002, REMOTE, 53, 0);
	}
	cfg_free(&next);
}
END_TEST

/* What a running dataplane refuses: more pools than nat.max_pools, and a
 * pool whose ranges differ; nothing changes. */
START_TEST(test_pools_live_refused)
{
	struct dp_pool_index *old;
	uint32_t many[8];
	struct aftr_config next;
	char note[128], err[256];

	for (int i = 0; i < 8; i++)
		many[i] = POOL1 + (uint32_t)i;
	with_pools(&next, many, 8); /* start() left room for 4 more */
	ck_assert_int_eq(pools_live_apply(&next, &old, note, sizeof(note), err, sizeof(err)),
	                 -ENOSPC);
	ck_assert_msg(strstr(err, "nat.max_pools") != NULL, "%s", err);
	cfg_free(&next);
	ck_assert_uint_eq(dp.conf.n_pools, 1);
	ck_assert_int_eq(nat_pool_index(POOL2), -1);
	with_pools(&next, many, 1);
	next.fixed.pools[0].has_range[CFG_UDP] = true;
	next.fixed.pools[0].range[CFG_UDP] = (struct port_range){1024, 2047};
	ck_assert_int_eq(pools_live_apply(&next, &old, note, sizeof(note), err, sizeof(err)),
	                 -EINVAL);
	ck_assert_msg(strstr(err, "ranges differ") != NULL, "%s", err);
	cfg_free(&next);
	ck_assert_uint_eq(dp.conf.n_active, 1);
	ck_assert(!dp.conf.pools[0].draining);
}
END_TEST

/* ---- Checksums ---- */

START_TEST(test_checksums)
{
	static const uint8_t protos[] = {TCP, UDP, ICMP};
	static const uint16_t plens[] = {0, 1, 2, 7, 100, 555};
	struct addr6 a = b4_addr(1);
	uint16_t sport = 1000;
	char what[64];

	w->now = 1;
	for (size_t i = 0; i < sizeof(protos); i++) {
		uint8_t proto = protos[i];
		uint8_t fo = proto == TCP    ? AFTR_TCP_SYN
		             : proto == ICMP ? AFTR_ICMP4_ECHO_REQUEST
		                             : 0;
		uint8_t fi = proto == TCP    ? AFTR_TCP_SYN | AFTR_TCP_ACK
		             : proto == ICMP ? AFTR_ICMP4_ECHO_REPLY
		                             : 0;

		for (size_t j = 0; j < sizeof(plens) / sizeof(plens[0]); j++, sport += 77) {
			/* Odd and even addresses and ports, carries in the sums. */
			uint32_t src = INSIDE + (uint32_t)j * 0x01010101u;
			struct dp_session *se;
			struct msg m, r;
			uint16_t eport;
			int drop;

			w->now++; /* within the creation rate */
			snprintf(what, sizeof(what), "proto %u len %u out", proto, plens[j]);
			build(&m, proto, src, sport, REMOTE, 0xfffe, fo, plens[j]);
			ck_assert_int_eq(send_out(&a, &m), NAT_OK);
			ck_assert_uint_eq(ntohl(ip_of(&m)->src), POOL1);
			expect_cksums(&m, what);
			eport = sport_of(&m);

			snprintf(what, sizeof(what), "proto %u len %u in", proto, plens[j]);
			if (proto == ICMP)
				build(&r, proto, REMOTE, eport, POOL1, 9, fi, plens[j]);
			else
				build(&r, proto, REMOTE, 0xfffe, POOL1, eport, fi, plens[j]);
			se = send_in(&r, &drop);
			ck_assert_ptr_nonnull(se);
			ck_assert_uint_eq(ntohl(ip_of(&r)->dst), src);
			ck_assert_uint_eq(dport_of(&r), sport);
			expect_cksums(&r, what);
		}
	}
}
END_TEST

/* UDP without a checksum stays without one both ways; a translated UDP
 * checksum that computes to 0 goes out as all ones (RFC 768). */
START_TEST(test_udp_cksum_zero)
{
	struct addr6 a = b4_addr(1);
	uint8_t payload[2] = {0, 0};
	struct msg m, e;
	uint32_t sum;
	uint16_t x;
	int drop;

	w->now = 1;
	build_udp_nock(&m, INSIDE, 5000, REMOTE, 53, 31);
	ck_assert_int_eq(send_out(&a, &m), NAT_OK);
	ck_assert_uint_eq(sport_of(&m), 512);
	ck_assert_uint_eq(l4_cksum_of(&m), 0);
	expect_cksums(&m, "udp 0 out");
	build_udp_nock(&m, REMOTE, 53, POOL1, 512, 9);
	ck_assert_ptr_nonnull(send_in(&m, &drop));
	ck_assert_uint_eq(ntohl(ip_of(&m)->dst), INSIDE);
	ck_assert_uint_eq(dport_of(&m), 5000);
	ck_assert_uint_eq(l4_cksum_of(&m), 0);
	expect_cksums(&m, "udp 0 in");

	/* The packet as it will leave (POOL1:513) with a payload word that makes
	 * its sum all ones: its checksum is 0, sent as 0xffff. */
	build_data(&e, UDP, POOL1, 513, REMOTE, 53, 0, 2, payload);
	wr16(l4_of(&e) + 6, 0);
	sum = cksum_add(cksum_ip4_pseudo(ip_of(&e)->src, ip_of(&e)->dst, UDP, 10), l4_of(&e), 10);
	x = (uint16_t)~cksum_fold(sum);
	memcpy(payload, &x, 2);
	build_data(&e, UDP, POOL1, 513, REMOTE, 53, 0, 2, payload);
	ck_assert_uint_eq(l4_cksum_of(&e), 0xffff);
	build_data(&m, UDP, INSIDE, 5001, REMOTE, 53, 0, 2, payload);
	ck_assert_uint_ne(l4_cksum_of(&m), 0xffff);
	ck_assert_int_eq(send_out(&a, &m), NAT_OK);
	ck_assert_uint_eq(sport_of(&m), 513);
	ck_assert_uint_eq(l4_cksum_of(&m), 0xffff);
	expect_cksums(&m, "udp computed 0");
	ck_assert_mem_eq(m.b, e.b, e.len);
}
END_TEST

/* ---- Session states and lifetimes ---- */

static void distinct_lifetimes(void)
{
	cfg.fixed.lifetime[LT_TCP] = 1000;
	cfg.fixed.lifetime[LT_CLOSED] = 30;
	cfg.fixed.lifetime[LT_UDP] = 200;
	cfg.fixed.lifetime[LT_ICMP] = 50;
	cfg.fixed.lifetime[LT_RETRANS] = 12;
}

static void expect_state(struct dp_session *se, enum sess_state st, uint32_t lifetime)
{
	ck_assert_ptr_nonnull(se);
	ck_assert_uint_eq(se->state, st);
	ck_assert_uint_eq(se->expire, w->now + lifetime);
}

START_TEST(test_tcp_fin_rst)
{
	const uint32_t *lt = cfg.fixed.lifetime;
	struct addr6 a = b4_addr(1);
	struct dp_session *se;
	uint16_t p;
	int drop;

	distinct_lifetimes();
	/* SYN out: NEW; SYN-ACK in: EST; ACK out: still EST. */
	w->now = 100;
	p = out_port(&a, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_SYN);
	se = find(&a, INSIDE, 5000, TCP);
	expect_state(se, SESS_NEW, lt[LT_RETRANS]);
	w->now = 101;
	ck_assert_ptr_eq(in_reply(TCP, REMOTE, 80, POOL1, p, AFTR_TCP_SYN | AFTR_TCP_ACK, &drop),
	                 se);
	expect_state(se, SESS_EST, lt[LT_TCP]);
	w->now = 102;
	out_port(&a, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_ACK);
	expect_state(se, SESS_EST, lt[LT_TCP]);
	/* FIN out: CLOSING, and it stays so whatever else follows ... */
	w->now = 103;
	out_port(&a, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_FIN | AFTR_TCP_ACK);
	expect_state(se, SESS_CLOSING, lt[LT_CLOSED]);
	w->now = 104;
	ck_assert_ptr_eq(in_reply(TCP, REMOTE, 80, POOL1, p, AFTR_TCP_ACK, &drop), se);
	expect_state(se, SESS_CLOSING, lt[LT_CLOSED]);
	w->now = 105;
	out_port(&a, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_ACK);
	expect_state(se, SESS_CLOSING, lt[LT_CLOSED]);
	/* ... until a new connection from the same port opens with a SYN. */
	w->now = 106;
	out_port(&a, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_SYN);
	expect_state(se, SESS_NEW, lt[LT_RETRANS]);
	out_port(&a, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_RST);
	expect_state(se, SESS_CLOSING, lt[LT_CLOSED]);

	/* RST in on an established session. */
	w->now = 110;
	p = out_port(&a, TCP, INSIDE, 5001, REMOTE, 80, AFTR_TCP_SYN);
	se = find(&a, INSIDE, 5001, TCP);
	ck_assert_ptr_eq(in_reply(TCP, REMOTE, 80, POOL1, p, AFTR_TCP_SYN | AFTR_TCP_ACK, &drop),
	                 se);
	w->now = 112;
	ck_assert_ptr_eq(in_reply(TCP, REMOTE, 80, POOL1, p, AFTR_TCP_RST, &drop), se);
	expect_state(se, SESS_CLOSING, lt[LT_CLOSED]);

	/* RST out on a new one; FIN in on a new one closes it, not establishes it. */
	w->now = 120;
	out_port(&a, TCP, INSIDE, 5002, REMOTE, 80, AFTR_TCP_SYN);
	out_port(&a, TCP, INSIDE, 5002, REMOTE, 80, AFTR_TCP_RST);
	expect_state(find(&a, INSIDE, 5002, TCP), SESS_CLOSING, lt[LT_CLOSED]);
	p = out_port(&a, TCP, INSIDE, 5003, REMOTE, 80, AFTR_TCP_SYN);
	se = find(&a, INSIDE, 5003, TCP);
	ck_assert_ptr_eq(in_reply(TCP, REMOTE, 80, POOL1, p, AFTR_TCP_FIN | AFTR_TCP_ACK, &drop),
	                 se);
	expect_state(se, SESS_CLOSING, lt[LT_CLOSED]);

	/* A closing session goes at its closed lifetime, the others stay. */
	sweep_at(120 + lt[LT_CLOSED] - 1);
	ck_assert_uint_eq(cnt(CNT_SESSION_EXPIRED), 2);
	ck_assert_ptr_null(find(&a, INSIDE, 5000, TCP));
	ck_assert_ptr_null(find(&a, INSIDE, 5001, TCP));
	ck_assert_ptr_nonnull(find(&a, INSIDE, 5002, TCP));
	sweep_at(120 + lt[LT_CLOSED]);
	ck_assert_uint_eq(cnt(CNT_SESSION_EXPIRED), 4);
	ck_assert_uint_eq(w->nat.sess_by_out.n, 0);
}
END_TEST

/* A reply moves a session from the "retrans" lifetime to its protocol's. */
START_TEST(test_reply_establishes)
{
	const uint32_t *lt = cfg.fixed.lifetime;
	struct addr6 a = b4_addr(1);
	struct dp_session *u, *c;
	uint16_t pu, pc;
	int drop;

	distinct_lifetimes();
	w->now = 50;
	pu = out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0);
	pc = out_port(&a, ICMP, INSIDE, 0x4242, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST);
	u = find(&a, INSIDE, 5000, UDP);
	c = find(&a, INSIDE, 0x4242, ICMP);
	expect_state(u, SESS_NEW, lt[LT_RETRANS]);
	expect_state(c, SESS_NEW, lt[LT_RETRANS]);
	/* More packets out do not establish it. */
	w->now = 55;
	out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0);
	expect_state(u, SESS_NEW, lt[LT_RETRANS]);
	w->now = 60;
	ck_assert_ptr_eq(in_reply(UDP, REMOTE, 53, POOL1, pu, 0, &drop), u);
	expect_state(u, SESS_EST, lt[LT_UDP]);
	ck_assert_ptr_eq(in_reply(ICMP, REMOTE, 0, POOL1, pc, AFTR_ICMP4_ECHO_REPLY, &drop), c);
	expect_state(c, SESS_EST, lt[LT_ICMP]);
	/* From then on, both ways refresh with the protocol's lifetime. */
	w->now = 70;
	out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0);
	expect_state(u, SESS_EST, lt[LT_UDP]);
	out_port(&a, ICMP, INSIDE, 0x4242, REMOTE, 2, AFTR_ICMP4_ECHO_REQUEST);
	expect_state(c, SESS_EST, lt[LT_ICMP]);
	w->now = 80;
	ck_assert_ptr_eq(in_reply(UDP, REMOTE, 53, POOL1, pu, 0, &drop), u);
	expect_state(u, SESS_EST, lt[LT_UDP]);
	/* A session not answered goes at its retrans lifetime. */
	out_port(&a, UDP, INSIDE, 6000, REMOTE, 53, 0);
	sweep_at(80 + lt[LT_RETRANS] - 1);
	ck_assert_ptr_nonnull(find(&a, INSIDE, 6000, UDP));
	sweep_at(80 + lt[LT_RETRANS]);
	ck_assert_ptr_null(find(&a, INSIDE, 6000, UDP));
	ck_assert_ptr_eq(find(&a, INSIDE, 5000, UDP), u);
	ck_assert_uint_eq(cnt(CNT_SESSION_EXPIRED), 1);
}
END_TEST

/*
 * Expiry and the hold time (RFC 6888 REQ-8): one block of 8 UDP ports
 * (max_blocks 1) filled up, so the only port a new session could get is the
 * one of the session that ended, and it must wait out hold_lifetime.
 */
START_TEST(test_expiry_and_hold)
{
	const uint32_t *lt = cfg.fixed.lifetime;
	const uint64_t hold = cfg.fixed.hold_lifetime;
	struct addr6 a = b4_addr(1);
	struct dp_subscriber *s;
	uint64_t t_end, t_last;
	int drop;

	cfg.fixed.max_blocks[CFG_UDP] = 1;
	ck_assert_uint_eq(hold, 120);
	w->now = 0;
	for (uint16_t i = 0; i < 8; i++)
		ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000 + i, REMOTE, 53, 0), 512 + i);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5008, REMOTE, 53, 0), NAT_DROP(PORTS_EXHAUSTED));
	/* All but 5000 are refreshed later. */
	w->now = 200;
	for (uint16_t i = 1; i < 8; i++)
		out_port(&a, UDP, INSIDE, 5000 + i, REMOTE, 53, 0);
	t_end = lt[LT_RETRANS];
	sweep_at(t_end - 1);
	ck_assert_uint_eq(cnt(CNT_SESSION_EXPIRED), 0);
	ck_assert_ptr_nonnull(find(&a, INSIDE, 5000, UDP));

	sweep_at(t_end);
	ck_assert_uint_eq(cnt(CNT_SESSION_EXPIRED), 1);
	ck_assert_ptr_null(find(&a, INSIDE, 5000, UDP));
	ck_assert_int_eq(idx_in(POOL1, 512, UDP), -1);
	ck_assert_ptr_null(in_reply(UDP, REMOTE, 53, POOL1, 512, 0, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	ck_assert_uint_eq(held_count(), 1);
	ck_assert_uint_eq(cnt(CNT_BLOCK_FREE), 0);
	s = sub_of(&a);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->nsess[CFG_UDP], 7);
	ck_assert_uint_eq(s->nblocks[CFG_UDP], 1);
	/* Port 512 is held: nothing for a new flow until its release. */
	w->now = t_end + 1;
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5008, REMOTE, 53, 0), NAT_DROP(PORTS_EXHAUSTED));
	sweep_at(t_end + hold - 1);
	ck_assert_uint_eq(held_count(), 1);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5008, REMOTE, 53, 0), NAT_DROP(PORTS_EXHAUSTED));
	sweep_at(t_end + hold);
	ck_assert_uint_eq(held_count(), 0);
	ck_assert_uint_eq(cnt(CNT_BLOCK_FREE), 0);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5008, REMOTE, 53, 0), 512);
	/* The old flow, back, gets a session of its own again (no port: 0 left). */
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), NAT_DROP(PORTS_EXHAUSTED));

	/* The rest end at 200 + retrans, 5008 at t_end + hold + retrans; then, a
	 * hold time later, the block goes back and the subscriber with it. */
	t_last = t_end + hold + lt[LT_RETRANS];
	ck_assert_uint_gt(t_last, 200 + lt[LT_RETRANS]);
	sweep_at(200 + lt[LT_RETRANS]);
	ck_assert_uint_eq(cnt(CNT_SESSION_EXPIRED), 8);
	ck_assert_uint_eq(held_count(), 7);
	sweep_at(t_last);
	ck_assert_uint_eq(cnt(CNT_SESSION_EXPIRED), 9);
	ck_assert_uint_eq(w->nat.sess_by_out.n, 0);
	sweep_at(t_last + hold - 1);
	ck_assert_uint_eq(held_count(), 1);
	ck_assert_uint_eq(cnt(CNT_BLOCK_FREE), 0);
	ck_assert_ptr_eq(sub_of(&a), s);
	ck_assert_uint_eq(s->nblocks[CFG_UDP], 1);
	sweep_at(t_last + hold);
	ck_assert_uint_eq(cnt(CNT_BLOCK_FREE), 1);
	ck_assert_ptr_null(sub_of(&a));
	ck_assert_uint_eq(s->in_use, 0);
	expect_all_free("after the hold");
	/* A new packet starts over: a new subscriber, the lowest block again. */
	w->now = t_last + hold + 1;
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
	ck_assert_uint_eq(cnt(CNT_TUNNEL_NEW), 2);
	ck_assert_uint_eq(cnt(CNT_BLOCK_ALLOC), 2);
}
END_TEST

/* hold_lifetime 0: the port and the block go back as the session ends. */
START_TEST(test_hold_zero)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2);

	cfg.fixed.hold_lifetime = 0;
	w->now = 1;
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
	ck_assert_uint_eq(out_port(&a, ICMP, INSIDE, 1, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST), 0);
	ck_assert_uint_eq(out_port(&b, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_SYN), 2048);
	sweep_at(1 + cfg.fixed.lifetime[LT_RETRANS]);
	ck_assert_uint_eq(held_count(), 0);
	ck_assert_uint_eq(cnt(CNT_SESSION_EXPIRED), 3);
	ck_assert_uint_eq(cnt(CNT_BLOCK_FREE), 3);
	expect_all_free("hold 0");
	ck_assert_uint_eq(out_port(&b, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
}
END_TEST

/* ---- Per-subscriber limits (RFC 6888 REQ-4, REQ-5) ---- */

START_TEST(test_limit_count)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2), c = b4_addr(3);

	cfg.fixed.tun.nat_maxcount[CFG_UDP] = 3;
	cfg.fixed.tun.nat_maxcount[CFG_ICMP] = 0;
	w->now = 1;
	for (uint16_t i = 0; i < 3; i++)
		out_port(&a, UDP, INSIDE, 5000 + i, REMOTE, 53, 0);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5003, REMOTE, 53, 0), NAT_DROP(NAT_COUNT));
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE + 1, 5000, REMOTE, 53, 0), NAT_DROP(NAT_COUNT));
	/* Existing sessions still pass; other protocols and subscribers have their own. */
	out_port(&a, UDP, INSIDE, 5001, REMOTE2, 53, 0);
	out_port(&a, TCP, INSIDE, 5003, REMOTE, 80, AFTR_TCP_SYN);
	for (uint16_t i = 0; i < 3; i++)
		out_port(&b, UDP, INSIDE, 5000 + i, REMOTE, 53, 0);
	ck_assert_int_eq(out_rc(&b, UDP, INSIDE, 5003, REMOTE, 53, 0), NAT_DROP(NAT_COUNT));
	ck_assert_uint_eq(sub_of(&a)->nsess[CFG_UDP], 3);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 7);
	/* 0 allows none, and leaves no subscriber behind. */
	ck_assert_int_eq(out_rc(&a, ICMP, INSIDE, 1, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST),
	                 NAT_DROP(NAT_COUNT));
	ck_assert_int_eq(out_rc(&c, ICMP, INSIDE, 1, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST),
	                 NAT_DROP(NAT_COUNT));
	ck_assert_uint_eq(rte_hash_count(w->nat.subs_by_b4), 2);
	/* The count drops as a session ends, before its port's hold is over. */
	w->now = 5;
	out_port(&a, UDP, INSIDE, 5001, REMOTE, 53, 0);
	out_port(&a, UDP, INSIDE, 5002, REMOTE, 53, 0);
	sweep_at(1 + cfg.fixed.lifetime[LT_RETRANS]);
	ck_assert_uint_eq(sub_of(&a)->nsess[CFG_UDP], 2);
	ck_assert_uint_eq(held_count(), 5);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5003, REMOTE, 53, 0), 515);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5004, REMOTE, 53, 0), NAT_DROP(NAT_COUNT));
}
END_TEST

START_TEST(test_limit_rate)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2);

	cfg.fixed.tun.nat_rate[CFG_TCP] = 2;
	cfg.fixed.tun.nat_rate[CFG_UDP] = 1;
	w->now = 5;
	out_port(&a, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_SYN);
	out_port(&a, TCP, INSIDE, 5001, REMOTE, 80, AFTR_TCP_SYN);
	ck_assert_int_eq(out_rc(&a, TCP, INSIDE, 5002, REMOTE, 80, AFTR_TCP_SYN),
	                 NAT_DROP(NAT_RATE));
	ck_assert_int_eq(out_rc(&a, TCP, INSIDE, 5003, REMOTE, 80, AFTR_TCP_SYN),
	                 NAT_DROP(NAT_RATE));
	/* Known flows pass; UDP and other subscribers have their own tokens. */
	out_port(&a, TCP, INSIDE, 5001, REMOTE, 80, AFTR_TCP_ACK);
	out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5001, REMOTE, 53, 0), NAT_DROP(NAT_RATE));
	out_port(&b, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_SYN);
	out_port(&b, TCP, INSIDE, 5001, REMOTE, 80, AFTR_TCP_SYN);
	ck_assert_int_eq(out_rc(&b, TCP, INSIDE, 5002, REMOTE, 80, AFTR_TCP_SYN),
	                 NAT_DROP(NAT_RATE));
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 5);
	/* The next second refills them. */
	w->now = 6;
	out_port(&a, TCP, INSIDE, 5002, REMOTE, 80, AFTR_TCP_SYN);
	out_port(&a, UDP, INSIDE, 5001, REMOTE, 53, 0);
	out_port(&a, TCP, INSIDE, 5003, REMOTE, 80, AFTR_TCP_SYN);
	ck_assert_int_eq(out_rc(&a, TCP, INSIDE, 5004, REMOTE, 80, AFTR_TCP_SYN),
	                 NAT_DROP(NAT_RATE));
	/* Later seconds too, not only the next one. */
	w->now = 100;
	out_port(&a, TCP, INSIDE, 5004, REMOTE, 80, AFTR_TCP_SYN);
	out_port(&a, TCP, INSIDE, 5005, REMOTE, 80, AFTR_TCP_SYN);
	ck_assert_int_eq(out_rc(&a, TCP, INSIDE, 5006, REMOTE, 80, AFTR_TCP_SYN),
	                 NAT_DROP(NAT_RATE));
	ck_assert_uint_eq(sub_of(&a)->nsess[CFG_TCP], 6);
	/* A rate of 0 allows no new session at all (from the next refill on). */
	cfg.fixed.tun.nat_rate[CFG_ICMP] = 0;
	w->now = 101;
	ck_assert_int_eq(out_rc(&a, ICMP, INSIDE, 1, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST),
	                 NAT_DROP(NAT_RATE));
}
END_TEST

/* A B4's configured tunnel with limits of its own: they apply to it
 * only, per protocol, the others keep the defaults; removing them (a
 * new set of tables) takes it back to the defaults. */
START_TEST(test_limit_per_tunnel)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2);
	struct cfg_tunnel *t;

	cfg.fixed.tun.nat_maxcount[CFG_UDP] = 3;
	cfg.fixed.tun.nat_rate[CFG_TCP] = 2;
	add_tunnel(&a, POOL1);
	t = &cfg.lists.tunnels[0];
	t->nat_maxcount[CFG_UDP] = 1;
	t->nat_rate[CFG_TCP] = 4;
	t->nat_set = 1u << CFG_UDP | 1u << (CFG_NPROTO + CFG_TCP);
	tables_refresh();
	ck_assert(tab.tunnel_limits);
	w->tab = &tab;
	w->now = 1;
	out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5001, REMOTE, 53, 0), NAT_DROP(NAT_COUNT));
	for (uint16_t i = 0; i < 3; i++)
		out_port(&b, UDP, INSIDE, 5000 + i, REMOTE, 53, 0);
	ck_assert_int_eq(out_rc(&b, UDP, INSIDE, 5003, REMOTE, 53, 0), NAT_DROP(NAT_COUNT));
	for (uint16_t i = 0; i < 4; i++)
		out_port(&a, TCP, INSIDE, 6000 + i, REMOTE, 80, AFTR_TCP_SYN);
	ck_assert_int_eq(out_rc(&a, TCP, INSIDE, 6004, REMOTE, 80, AFTR_TCP_SYN),
	                 NAT_DROP(NAT_RATE));
	out_port(&b, TCP, INSIDE, 6000, REMOTE, 80, AFTR_TCP_SYN);
	out_port(&b, TCP, INSIDE, 6001, REMOTE, 80, AFTR_TCP_SYN);
	ck_assert_int_eq(out_rc(&b, TCP, INSIDE, 6002, REMOTE, 80, AFTR_TCP_SYN),
	                 NAT_DROP(NAT_RATE));
	/* Without its own limits: the defaults again. */
	cfg.lists.tunnels[0].nat_set = 0;
	tables_refresh();
	w->tab = &tab;
	out_port(&a, UDP, INSIDE, 5001, REMOTE, 53, 0);
	out_port(&a, UDP, INSIDE, 5002, REMOTE, 53, 0);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5003, REMOTE, 53, 0), NAT_DROP(NAT_COUNT));
}
END_TEST

START_TEST(test_ports_exhausted)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2);
	uint16_t port;

	/* max_blocks 1: one block of 8 UDP ports and no more. */
	cfg.fixed.max_blocks[CFG_UDP] = 1;
	w->now = 1;
	for (uint16_t i = 0; i < 8; i++)
		ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000 + i, REMOTE, 53, 0), 512 + i);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5008, REMOTE, 53, 0), NAT_DROP(PORTS_EXHAUSTED));
	ck_assert_uint_eq(sub_of(&a)->nblocks[CFG_UDP], 1);
	ck_assert_uint_eq(cnt(CNT_BLOCK_ALLOC), 1);
	/* Another subscriber has its own block. */
	ck_assert_uint_eq(out_port(&b, UDP, INSIDE, 5000, REMOTE, 53, 0), 520);

	/* A pool range of two blocks: 1024-1039 plus a tail of 3 that is never used. */
	cfg.fixed.max_blocks[CFG_UDP] = 0;
	cfg.fixed.pool_defaults[CFG_UDP] = (struct port_range){1024, 1042};
	restart();
	w->now = 1;
	for (uint16_t i = 0; i < 16; i++)
		ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000 + i, REMOTE, 53, 0), 1024 + i);
	ck_assert_uint_eq(sub_of(&a)->nblocks[CFG_UDP], 2);
	ck_assert_int_eq(out_rc(&a, UDP, INSIDE, 5016, REMOTE, 53, 0), NAT_DROP(PORTS_EXHAUSTED));
	/* A newcomer gets nothing and is not left in the table. */
	ck_assert_int_eq(out_rc(&b, UDP, INSIDE, 5000, REMOTE, 53, 0), NAT_DROP(PORTS_EXHAUSTED));
	ck_assert_ptr_null(sub_of(&b));
	ck_assert_uint_eq(rte_hash_count(w->nat.subs_by_b4), 1);
	/* It still has TCP. */
	ck_assert_uint_eq(out_port(&b, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_SYN), 2048);
	/* Once a's sessions and holds are over, b gets a block. */
	drain();
	ck_assert_ptr_null(sub_of(&a));
	ck_assert_uint_eq(cnt(CNT_BLOCK_FREE), 3);
	expect_all_free("small range");
	port = out_port(&b, UDP, INSIDE, 5000, REMOTE, 53, 0);
	ck_assert(port >= 1024 && port <= 1039);
}
END_TEST

/* ---- ICMP ---- */

START_TEST(test_icmp_echo)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2);
	struct dp_session *se;
	struct msg m;
	int drop;

	w->now = 1;
	build(&m, ICMP, INSIDE, 0x1234, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST, 56);
	ck_assert_int_eq(send_out(&a, &m), NAT_OK);
	ck_assert_uint_eq(ntohl(ip_of(&m)->src), POOL1);
	/* The echo range starts at 0. */
	ck_assert_uint_eq(sport_of(&m), 0);
	ck_assert_uint_eq(rd16(l4_of(&m) + 6), 1); /* sequence untouched */
	expect_cksums(&m, "echo request");
	ck_assert_uint_eq(out_port(&a, ICMP, INSIDE, 0x1235, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST),
	                  1);
	ck_assert_uint_eq(out_port(&b, ICMP, INSIDE, 0x1234, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST),
	                  3);
	ck_assert_uint_eq(out_port(&a, ICMP, INSIDE, 0x1234, REMOTE2, 9, AFTR_ICMP4_ECHO_REQUEST),
	                  0);

	build(&m, ICMP, REMOTE, 0, POOL1, 1, AFTR_ICMP4_ECHO_REPLY, 56);
	se = send_in(&m, &drop);
	ck_assert_ptr_eq(se, find(&a, INSIDE, 0x1234, ICMP));
	ck_assert_mem_eq(se->b4.b, a.b, 16);
	ck_assert_uint_eq(ntohl(ip_of(&m)->dst), INSIDE);
	ck_assert_uint_eq(sport_of(&m), 0x1234);
	ck_assert_uint_eq(rd16(l4_of(&m) + 6), 1);
	expect_cksums(&m, "echo reply");
	se = in_reply(ICMP, REMOTE, 0, POOL1, 3, AFTR_ICMP4_ECHO_REPLY, &drop);
	ck_assert_ptr_eq(se, find(&b, INSIDE, 0x1234, ICMP));
	ck_assert_ptr_null(in_reply(ICMP, REMOTE, 0, POOL1, 2, AFTR_ICMP4_ECHO_REPLY, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	/* An echo request from the Internet is not a reply to anything. */
	ck_assert_ptr_null(in_reply(ICMP, REMOTE, 0, POOL1, 0, AFTR_ICMP4_ECHO_REQUEST, &drop));
	ck_assert_int_eq(drop, DROP_ICMP_OUT);
	/* ICMP ids and UDP ports are separate spaces. */
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 0x1234, REMOTE, 53, 0), 512);
	ck_assert_ptr_null(in_reply(UDP, REMOTE, 53, POOL1, 0, 0, &drop));
}
END_TEST

/* What nat_out and nat_in refuse, and that a refusal leaves no state. */
START_TEST(test_rejects)
{
	struct addr6 a = b4_addr(1);
	struct msg m;
	int drop;

	w->now = 1;
	/* From a B4: echo replies, errors, other protocols, short headers. */
	ck_assert_int_eq(out_rc(&a, ICMP, INSIDE, 1, REMOTE, 1, AFTR_ICMP4_ECHO_REPLY),
	                 NAT_DROP(ICMP_IN));
	ck_assert_int_eq(out_rc(&a, ICMP, INSIDE, 1, REMOTE, 1, AFTR_ICMP4_DEST_UNREACH),
	                 NAT_DROP(ICMP_IN));
	build(&m, UDP, INSIDE, 5000, REMOTE, 53, 0, 10);
	ip_of(&m)->proto = 47;
	ck_assert_int_eq(send_out(&a, &m), NAT_DROP(PROTO_IN));
	build(&m, UDP, INSIDE, 5000, REMOTE, 53, 0, 0);
	ck_assert_int_eq(nat_out(w, &a, 0, ip_of(&m), l4_of(&m), 7), NAT_DROP(BAD_IP4_IN));
	build(&m, TCP, INSIDE, 5000, REMOTE, 53, AFTR_TCP_SYN, 0);
	ck_assert_int_eq(nat_out(w, &a, 0, ip_of(&m), l4_of(&m), 19), NAT_DROP(BAD_IP4_IN));
	build(&m, ICMP, INSIDE, 5000, REMOTE, 53, AFTR_ICMP4_ECHO_REQUEST, 0);
	ck_assert_int_eq(nat_out(w, &a, 0, ip_of(&m), l4_of(&m), 7), NAT_DROP(ICMP_IN));
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 0);
	ck_assert_uint_eq(cnt(CNT_TUNNEL_NEW), 0);
	ck_assert_uint_eq(rte_hash_count(w->nat.subs_by_b4), 0);
	/* From the Internet: short headers, even for a session that exists. */
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5000, REMOTE, 53, 0), 512);
	build(&m, UDP, REMOTE, 53, POOL1, 512, 0, 0);
	ck_assert_ptr_null(nat_in(w, ip_of(&m), l4_of(&m), 7, &drop));
	ck_assert_int_eq(drop, DROP_BAD_IP4_OUT);
	build(&m, ICMP, REMOTE, 0, POOL1, 1, AFTR_ICMP4_ECHO_REPLY, 0);
	ck_assert_ptr_null(nat_in(w, ip_of(&m), l4_of(&m), 4, &drop));
	ck_assert_int_eq(drop, DROP_ICMP_OUT);
	ck_assert_uint_eq(cnt(CNT_NAT_IN), 0);
	ck_assert_uint_eq(cnt(CNT_NAT_OUT), 1);
}
END_TEST

/*
 * An ICMP error of type/code from `from` to the (translated) packet q, quoting
 * its first qlen bytes, with its checksum.
 */
static void build_icmp_error(struct msg *e, uint32_t from, uint8_t type, uint8_t code,
                             struct msg *q, uint32_t qlen)
{
	struct l3_ip4_hdr *ip = ip_of(e);
	uint8_t *icmp = l4_of(e);

	ck_assert_uint_le(AFTR_IP4_HDR_LEN + 8 + qlen, MSG_MAX);
	memset(e->b, 0, sizeof(e->b));
	*ip = (struct l3_ip4_hdr){.version_ihl = 0x45,
	                          .total_len = htons((uint16_t)(AFTR_IP4_HDR_LEN + 8 + qlen)),
	                          .ttl = 250,
	                          .proto = ICMP,
	                          .src = htonl(from),
	                          .dst = ip_of(q)->src};
	icmp[0] = type;
	icmp[1] = code;
	memcpy(icmp + 8, q->b, qlen);
	e->len = AFTR_IP4_HDR_LEN + 8 + qlen;
	wr16(icmp + 2, ntohs(cksum_ip4_l4(ip, icmp, (uint16_t)(8 + qlen))));
	ip->cksum = cksum_ip4_hdr(ip);
}

/*
 * Sends orig (a B4's packet) out, an error about it back, and checks that the
 * error comes back rewritten: outer destination the inside host, the quote
 * byte for byte the packet the B4 sent (source address and port, IPv4 and L4
 * checksums restored), every checksum what a recompute gives.
 */
static void error_round_trip(const struct addr6 *b4, struct msg *orig, uint32_t qlen, uint8_t type,
                             uint8_t code, const char *what)
{
	struct msg out = *orig, err;
	struct dp_session *se;
	uint32_t ext = 0;
	uint16_t eport = 0;
	uint8_t proto = 0;
	int drop = -1;

	if (qlen > orig->len)
		qlen = orig->len;
	ck_assert_int_eq(send_out(b4, &out), NAT_OK);
	build_icmp_error(&err, ROUTER, type, code, &out, qlen);
	ck_assert_int_eq(
	        nat_icmp_error_key(l4_of(&err), err.len - AFTR_IP4_HDR_LEN, &ext, &eport, &proto),
	        0);
	ck_assert_uint_eq(ext, ip_of(&out)->src);
	ck_assert_uint_eq(ntohs(eport), sport_of(&out));
	ck_assert_uint_eq(proto, ip_of(orig)->proto);
	se = nat_icmp_error_in(w, ip_of(&err), l4_of(&err), err.len - AFTR_IP4_HDR_LEN, &drop);
	ck_assert_msg(se != NULL, "%s: dropped as %d", what, drop);
	ck_assert_mem_eq(se->b4.b, b4->b, 16);
	ck_assert_uint_eq(ip_of(&err)->dst, ip_of(orig)->src);
	ck_assert_uint_eq(ntohl(ip_of(&err)->src), ROUTER);
	ck_assert_msg(ip_of(&err)->cksum == cksum_ip4_hdr(ip_of(&err)), "%s: outer IPv4 checksum",
	              what);
	ck_assert_msg(memcmp(l4_of(&err) + 8, orig->b, qlen) == 0,
	              "%s: the quote is not the packet the B4 sent", what);
	ck_assert_msg(((struct l3_ip4_hdr *)(l4_of(&err) + 8))->cksum ==
	                      cksum_ip4_hdr((struct l3_ip4_hdr *)(l4_of(&err) + 8)),
	              "%s: quoted IPv4 checksum", what);
	ck_assert_uint_eq(l4_of(&err)[0], type);
	ck_assert_uint_eq(l4_of(&err)[1], code);
	expect_cksums(&err, what);
}

START_TEST(test_icmp_error_udp)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2);
	struct msg m;

	w->now = 1;
	/* Port unreachable quoting the whole datagram, so its checksum too. */
	build(&m, UDP, INSIDE, 5000, REMOTE, 53, 0, 40);
	error_round_trip(&a, &m, m.len, AFTR_ICMP4_DEST_UNREACH, AFTR_ICMP4_UNREACH_PORT,
	                 "udp port unreachable");
	ck_assert_uint_eq(cnt(CNT_ICMP_ERR_IN), 1);
	/* Another B4, same inside source: the error finds its own session. */
	build(&m, UDP, INSIDE, 5000, REMOTE, 53, 0, 41);
	error_round_trip(&b, &m, m.len, AFTR_ICMP4_DEST_UNREACH, AFTR_ICMP4_UNREACH_PORT,
	                 "second b4");
	/* A datagram sent without a checksum, quoted whole; an odd length. */
	build_udp_nock(&m, INSIDE, 5001, REMOTE, 53, 33);
	error_round_trip(&a, &m, m.len, AFTR_ICMP4_DEST_UNREACH, AFTR_ICMP4_UNREACH_PORT,
	                 "udp without checksum");
	/* Time exceeded quoting only the 8 bytes RFC 792 requires. */
	build(&m, UDP, INSIDE, 5002, REMOTE, 33434, 0, 32);
	error_round_trip(&a, &m, AFTR_IP4_HDR_LEN + 8, AFTR_ICMP4_TIME_EXCEEDED, 0,
	                 "udp time exceeded");
	/* An error does not create or establish anything. */
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 4);
	ck_assert_uint_eq(find(&a, INSIDE, 5000, UDP)->state, SESS_NEW);
	ck_assert_uint_eq(cnt(CNT_ICMP_ERR_IN), 4);
}
END_TEST

START_TEST(test_icmp_error_tcp_echo)
{
	struct addr6 a = b4_addr(1);
	struct msg m, out, err;
	uint32_t ext;
	uint16_t eport;
	uint8_t proto;
	int drop;

	w->now = 1;
	/* TCP: a quote of 28 bytes has the ports but not the TCP checksum. */
	build(&m, TCP, INSIDE, 5000, REMOTE, 80, AFTR_TCP_SYN, 0);
	error_round_trip(&a, &m, AFTR_IP4_HDR_LEN + 8, AFTR_ICMP4_DEST_UNREACH,
	                 AFTR_ICMP4_UNREACH_FRAG, "tcp 8 bytes");
	build(&m, TCP, INSIDE, 5001, REMOTE, 80, AFTR_TCP_SYN, 12);
	error_round_trip(&a, &m, m.len, AFTR_ICMP4_DEST_UNREACH, AFTR_ICMP4_UNREACH_ADMIN,
	                 "tcp whole");
	/* An echo request quoted: the id and the quoted ICMP checksum. */
	build(&m, ICMP, INSIDE, 0x4242, REMOTE, 5, AFTR_ICMP4_ECHO_REQUEST, 24);
	error_round_trip(&a, &m, m.len, AFTR_ICMP4_DEST_UNREACH, AFTR_ICMP4_UNREACH_HOST,
	                 "echo request");
	ck_assert_uint_eq(cnt(CNT_ICMP_ERR_IN), 3);

	/* About a port with no session. */
	build(&out, UDP, POOL1, 999, REMOTE, 53, 0, 8);
	build_icmp_error(&err, ROUTER, AFTR_ICMP4_DEST_UNREACH, 3, &out, out.len);
	ck_assert_ptr_null(nat_icmp_error_in(w, ip_of(&err), l4_of(&err), err.len - 20, &drop));
	ck_assert_int_eq(drop, DROP_NO_SESSION);
	/* Quotes too short, with a bad header length, or of an echo reply. */
	build(&out, UDP, POOL1, 512, REMOTE, 53, 0, 8);
	build_icmp_error(&err, ROUTER, AFTR_ICMP4_DEST_UNREACH, 3, &out, 27);
	ck_assert_int_eq(nat_icmp_error_key(l4_of(&err), 8 + 27, &ext, &eport, &proto), -1);
	ck_assert_ptr_null(nat_icmp_error_in(w, ip_of(&err), l4_of(&err), 8 + 27, &drop));
	ck_assert_int_eq(drop, DROP_ICMP_OUT);
	build_icmp_error(&err, ROUTER, AFTR_ICMP4_DEST_UNREACH, 3, &out, 28);
	l4_of(&err)[8] = 0x44;
	ck_assert_ptr_null(nat_icmp_error_in(w, ip_of(&err), l4_of(&err), 8 + 28, &drop));
	ck_assert_int_eq(drop, DROP_ICMP_OUT);
	build(&out, ICMP, POOL1, 0, REMOTE, 5, AFTR_ICMP4_ECHO_REPLY, 0);
	build_icmp_error(&err, ROUTER, AFTR_ICMP4_DEST_UNREACH, 3, &out, 28);
	ck_assert_ptr_null(nat_icmp_error_in(w, ip_of(&err), l4_of(&err), 8 + 28, &drop));
	ck_assert_int_eq(drop, DROP_ICMP_OUT);
	ck_assert_uint_eq(cnt(CNT_ICMP_ERR_IN), 3);
}
END_TEST

/* ---- Table limits ---- */

/* Ports in use or held, over every block of every pool. */
static uint32_t ports_used(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < dp.conf.n_pools; i++)
		for (int pr = 0; pr < CFG_NPROTO; pr++)
			for (uint32_t b = 0; b < w->nat.pb[i][pr].nblocks; b++)
				n += w->nat.pb[i][pr].blocks[b].used;
	return n;
}

static uint32_t sessions_in_use(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < w->nat.sess_max; i++)
		n += w->nat.sess[i].in_use;
	return n;
}

/*
 * The session table filled to nat.sessions_per_worker: a session is only
 * created when both keys are in the hash tables, so every one is found both
 * ways, and a key that finds no room is refused as TABLE_FULL with nothing
 * kept (no session slot, no port); past sess_max every new flow is refused.
 */
START_TEST(test_session_table_full)
{
	const uint32_t nb4 = 256, per = w->nat.sess_max / nb4 / 2;
	struct addr6 first = b4_addr(0), extra = b4_addr(nb4);
	uint32_t ok = 0, full = 0, lost_out = 0, lost_in = 0;
	struct msg m;

	cfg.fixed.tun.nat_maxcount[CFG_TCP] = 1000;
	cfg.fixed.tun.nat_maxcount[CFG_UDP] = 1000;
	cfg.fixed.tun.nat_rate[CFG_TCP] = 255;
	cfg.fixed.tun.nat_rate[CFG_UDP] = 255;
	w->now = 1;
	for (uint32_t i = 0; i < nb4; i++) {
		struct addr6 b = b4_addr(i);

		for (uint16_t k = 0; k < 2 * per; k++) {
			uint8_t proto = k % 2 ? UDP : TCP;
			int rc;

			build(&m, proto, INSIDE, (uint16_t)(1000 + k / 2), REMOTE, 80, AFTR_TCP_SYN,
			      0);
			rc = send_out(&b, &m);
			EXPECT(rc == NAT_OK || rc == NAT_DROP(TABLE_FULL),
			       "b4 %u flow %u: verdict %d", i, k, rc);
			ok += rc == NAT_OK;
			full += rc != NAT_OK;
		}
	}
	for (uint32_t i = 0; i < nb4; i++) {
		struct addr6 b = b4_addr(i);

		for (uint16_t k = 0; k < 2 * per; k++) {
			uint8_t proto = k % 2 ? UDP : TCP;
			int32_t io = idx_out(&b, INSIDE, (uint16_t)(1000 + k / 2), proto);

			if (io < 0)
				continue;
			lost_out += !w->nat.sess[io].in_use;
			lost_in += idx_in(ntohl(w->nat.sess[io].ext), ntohs(w->nat.sess[io].eport),
			                  proto) != io;
		}
	}
	ck_assert_msg(lost_out == 0 && lost_in == 0 && w->nat.sess_by_out.n == ok &&
	                      w->nat.sess_by_in.n == ok,
	              "%u sessions created, %u refused; %u found by the inside key, %u by the "
	              "outside key; %u inside keys lead to no session, %u to none by the "
	              "outside key",
	              ok, full, w->nat.sess_by_out.n, w->nat.sess_by_in.n, lost_out, lost_in);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), ok);
	ck_assert_uint_eq(sessions_in_use(), ok);
	ck_assert_uint_eq(ports_used(), ok);
	/* The hash tables are cuckoo tables: they take most of their entries. */
	ck_assert_uint_ge(ok, w->nat.sess_max - w->nat.sess_max / 10);
	if (ok == w->nat.sess_max) {
		ck_assert_int_eq(out_rc(&first, UDP, INSIDE, 999, REMOTE, 53, 0),
		                 NAT_DROP(TABLE_FULL));
		ck_assert_int_eq(out_rc(&extra, UDP, INSIDE, 999, REMOTE, 53, 0),
		                 NAT_DROP(TABLE_FULL));
	}
	drain();
	expect_all_free("after a full table");
}
END_TEST

/* One echo session per B4 up to nat.subscribers_per_worker subscribers. */
START_TEST(test_subscriber_table_full)
{
	struct addr6 first = b4_addr(0), extra;
	uint32_t ok = 0;
	struct msg m;
	int rc;

	w->now = 1;
	for (uint32_t i = 0; i < w->nat.subs_max; i++) {
		struct addr6 b = b4_addr(i);

		build(&m, ICMP, INSIDE, 1, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST, 0);
		rc = send_out(&b, &m);
		EXPECT(rc == NAT_OK || rc == NAT_DROP(TABLE_FULL), "b4 %u: verdict %d", i, rc);
		ok += rc == NAT_OK;
	}
	ck_assert_uint_eq(rte_hash_count(w->nat.subs_by_b4), ok);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), ok);
	ck_assert_uint_eq(ports_used(), ok);
	ck_assert_uint_ge(ok, w->nat.subs_max - w->nat.subs_max / 10);
	extra = b4_addr(w->nat.subs_max);
	if (ok == w->nat.subs_max)
		ck_assert_int_eq(
		        out_rc(&extra, ICMP, INSIDE, 1, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST),
		        NAT_DROP(TABLE_FULL));
	/* Existing subscribers still open sessions. */
	ck_assert_uint_eq(out_port(&first, ICMP, INSIDE, 2, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST), 1);
	drain();
	expect_all_free("after a full subscriber table");
}
END_TEST

/* The table sizes come from the configuration (nat.sessions_per_worker,
 * nat.subscribers_per_worker): the smallest both fill up exactly, and what
 * nat_init reports taking covers the slots. */
START_TEST(test_configured_sizes)
{
	const uint32_t nsub = CFG_SUBSCRIBERS_PER_WORKER_MIN;
	const uint32_t per = CFG_SESSIONS_PER_WORKER_MIN / nsub;
	struct addr6 first = b4_addr(0), extra = b4_addr(nsub);

	ck_assert_uint_eq(w->nat.sess_max, CFG_SESSIONS_PER_WORKER);
	ck_assert_uint_eq(w->nat.subs_max, CFG_SUBSCRIBERS_PER_WORKER);
	cfg.fixed.sessions_per_worker = CFG_SESSIONS_PER_WORKER_MIN;
	cfg.fixed.subscribers_per_worker = nsub;
	cfg.fixed.tun.nat_rate[CFG_UDP] = 255;
	restart();
	ck_assert_uint_eq(w->nat.sess_max, CFG_SESSIONS_PER_WORKER_MIN);
	ck_assert_uint_eq(w->nat.subs_max, nsub);
	ck_assert_uint_ge(mem.sessions, w->nat.sess_max * sizeof(struct dp_session));
	ck_assert_uint_ge(mem.subscribers, w->nat.subs_max * sizeof(struct dp_subscriber));
	ck_assert_uint_ge(mem.held, w->nat.held_cap * sizeof(struct dp_held));
	w->now = 1;
	for (uint32_t i = 0; i < nsub; i++) {
		struct addr6 b = b4_addr(i);

		for (uint16_t k = 0; k < per; k++)
			EXPECT(out_rc(&b, UDP, INSIDE, (uint16_t)(1000 + k), REMOTE, 53, 0) ==
			               NAT_OK,
			       "b4 %u flow %u refused", i, k);
	}
	ck_assert_uint_eq(sessions_in_use(), w->nat.sess_max);
	/* A new flow of a known subscriber finds no session slot; a new B4
	 * finds no subscriber slot. */
	ck_assert_int_eq(out_rc(&first, UDP, INSIDE, 999, REMOTE, 53, 0), NAT_DROP(TABLE_FULL));
	ck_assert_int_eq(out_rc(&extra, ICMP, INSIDE, 1, REMOTE, 1, AFTR_ICMP4_ECHO_REQUEST),
	                 NAT_DROP(TABLE_FULL));
	drain();
	expect_all_free("after full configured tables");
}
END_TEST

/* ---- The session table under churn ---- */

#define CH_B4S     256
#define CH_HOT     4  /* B4s that burst every second: they run into the limits */
#define CH_SRCS    4  /* inside addresses, the same behind every B4 */
#define CH_PORTS   64 /* inside ports (or echo ids) per address */
#define CH_FLOWS   (CH_B4S * CH_SRCS * CH_PORTS * CFG_NPROTO)
#define CH_SECONDS 900 /* steps of one second or more */
#define CH_PACKETS 100 /* random packets per step, besides the bursts */
#define CH_BURST   12
#define CH_HELD    65536

enum { PS_FREE, PS_LIVE, PS_HELD };

/* The model: what the tables should hold. */
struct sh_flow {
	uint64_t expire;
	uint32_t pos; /* in sh_live */
	uint16_t eport;
	uint8_t live, state, pool;
};

struct sh_sub {
	uint32_t live[CFG_NPROTO], held[CFG_NPROTO], tokens[CFG_NPROTO];
	uint64_t tokens_at; /* UINT64_MAX: none yet */
	int pool;           /* learnt from the first session */
};

struct sh_held {
	uint32_t b4;
	uint16_t port;
	uint8_t pool, proto;
	uint64_t release_at;
};

struct ch_stats {
	uint64_t created, refreshed, replies, strays, drops[DROP_COUNT];
	uint64_t ended[3], released;
};

static const uint8_t ch_ipproto[CFG_NPROTO] = {TCP, UDP, ICMP};
static struct sh_flow sh_flow[CH_FLOWS];
static uint32_t sh_live[CH_FLOWS], sh_nlive;
static struct sh_sub sh_sub[CH_B4S];
static uint8_t sh_port[2][CFG_NPROTO][65536];
static uint32_t sh_seen[2][CFG_NPROTO][65536];
static struct sh_held sh_held[CH_HELD];
static uint32_t sh_held_head, sh_held_tail, sh_stamp;
static struct ch_stats st;

static uint64_t rng_state;

/* xorshift64 (Marsaglia). */
static uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)((rng_next() >> 32) % n);
}

struct ch_key {
	struct addr6 b4;
	uint32_t b4i, src;
	uint16_t sport;
	enum cfg_proto p;
	uint8_t proto;
};

static struct ch_key ch_decode(uint32_t f)
{
	struct ch_key k;

	k.p = (enum cfg_proto)(f % CFG_NPROTO);
	k.proto = ch_ipproto[k.p];
	f /= CFG_NPROTO;
	k.sport = (uint16_t)(20000 + f % CH_PORTS);
	f /= CH_PORTS;
	k.src = 0xc0a80001u + f % CH_SRCS; /* 192.168.0.1-4 */
	k.b4i = f / CH_SRCS;
	k.b4 = b4_addr(0x100 + k.b4i);
	return k;
}

static uint32_t ch_flow(uint32_t b4i, uint32_t src, uint32_t port, enum cfg_proto p)
{
	return ((b4i * CH_SRCS + src) * CH_PORTS + port) * CFG_NPROTO + p;
}

/* nat.c's lifetimes, written out again. */
static uint64_t sh_lifetime(uint8_t state, enum cfg_proto p)
{
	static const enum cfg_lifetime est[CFG_NPROTO] = {LT_TCP, LT_UDP, LT_ICMP};

	return cfg.fixed.lifetime[state == SESS_NEW       ? LT_RETRANS
	                          : state == SESS_CLOSING ? LT_CLOSED
	                                                  : est[p]];
}

static bool sh_sub_empty(const struct sh_sub *s)
{
	for (int p = 0; p < CFG_NPROTO; p++)
		if (s->live[p] || s->held[p])
			return false;
	return true;
}

static uint32_t ch_capacity(enum cfg_proto p)
{
	return (uint32_t)cfg.fixed.max_blocks[p] * cfg.fixed.port_block[p];
}

/* The verdict nat_out must give for a flow with no session (RFC 6888 REQ-4,
 * REQ-5, then ports); tokens taken as nat.c takes them. */
static int sh_admit(struct sh_sub *s, enum cfg_proto p)
{
	if (s->live[p] >= cfg.fixed.tun.nat_maxcount[p])
		return NAT_DROP(NAT_COUNT);
	if (s->tokens_at != w->now) {
		for (int i = 0; i < CFG_NPROTO; i++)
			s->tokens[i] = cfg.fixed.tun.nat_rate[i];
		s->tokens_at = w->now;
	}
	if (s->tokens[p] == 0)
		return NAT_DROP(NAT_RATE);
	s->tokens[p]--;
	/* The pool never runs dry here: only the subscriber's max_blocks limit. */
	if (s->live[p] + s->held[p] >= ch_capacity(p))
		return NAT_DROP(PORTS_EXHAUSTED);
	return NAT_OK;
}

/* A subscriber left with nothing is gone, tokens and all. */
static void sh_sub_maybe_gone(struct sh_sub *s)
{
	if (sh_sub_empty(s))
		s->tokens_at = UINT64_MAX;
}

static uint8_t ch_tcp_flags(void)
{
	uint32_t r = rng_below(100);

	return r < 6    ? AFTR_TCP_FIN | AFTR_TCP_ACK
	       : r < 9  ? AFTR_TCP_RST
	       : r < 50 ? AFTR_TCP_SYN
	                : AFTR_TCP_ACK;
}

static void sh_track(struct sh_flow *fl, enum cfg_proto p, uint8_t flags, bool inbound)
{
	if (p == CFG_TCP && (flags & (AFTR_TCP_FIN | AFTR_TCP_RST)))
		fl->state = SESS_CLOSING;
	else if (p == CFG_TCP && !inbound && (flags & AFTR_TCP_SYN) && fl->state == SESS_CLOSING)
		fl->state = SESS_NEW; /* a new connection from the same port */
	else if (inbound && fl->state == SESS_NEW)
		fl->state = SESS_EST;
	fl->expire = w->now + sh_lifetime(fl->state, p);
}

/* A packet of flow f from its B4. */
static void ch_out(uint32_t f)
{
	struct ch_key k = ch_decode(f);
	struct sh_flow *fl = &sh_flow[f];
	struct sh_sub *s = &sh_sub[k.b4i];
	uint8_t flags = k.p == CFG_TCP    ? ch_tcp_flags()
	                : k.p == CFG_ICMP ? AFTR_ICMP4_ECHO_REQUEST
	                                  : 0;
	uint64_t created = cnt(CNT_SESSION_NEW);
	uint32_t ext;
	uint16_t port;
	struct msg m;
	int rc, want = NAT_OK, pool;

	build(&m, k.proto, k.src, k.sport, rng_below(2) ? REMOTE : REMOTE2,
	      (uint16_t)(1 + rng_below(3)), flags, (uint16_t)rng_below(48));
	if (k.p == CFG_UDP && rng_below(8) == 0)
		wr16(l4_of(&m) + 6, 0);
	if (!fl->live)
		want = sh_admit(s, k.p);
	rc = send_out(&k.b4, &m);
	EXPECT(rc == want, "t %" PRIu64 " b4 %u %s %u: verdict %d, model %d", w->now, k.b4i,
	       cfg_proto_name(k.p), k.sport, rc, want);
	if (rc != NAT_OK) {
		st.drops[rc]++; /* NAT_DROP(d) is the reason */
		sh_sub_maybe_gone(s);
		EXPECT(cnt(CNT_SESSION_NEW) == created, "session created on a drop");
		return;
	}
	expect_cksums(&m, "churn out");
	ext = ntohl(ip_of(&m)->src);
	port = sport_of(&m);
	EXPECT(ext == POOL1 || ext == POOL2, "t %" PRIu64 ": source %08x", w->now, ext);
	pool = ext == POOL2;
	if (fl->live) {
		EXPECT(pool == fl->pool && port == fl->eport,
		       "t %" PRIu64 " b4 %u: flow moved from %u/%u to %d/%u", w->now, k.b4i,
		       fl->pool, fl->eport, pool, port);
		EXPECT(cnt(CNT_SESSION_NEW) == created, "known flow made a new session");
		st.refreshed++;
	} else {
		EXPECT(cnt(CNT_SESSION_NEW) == created + 1, "no new session counted");
		if (s->pool < 0)
			s->pool = pool;
		EXPECT(pool == s->pool, "b4 %u: pool %d, then %d", k.b4i, s->pool, pool);
		EXPECT(sh_port[pool][k.p][port] == PS_FREE,
		       "t %" PRIu64 ": %s port %u handed out while %s", w->now, cfg_proto_name(k.p),
		       port, sh_port[pool][k.p][port] == PS_LIVE ? "in use" : "held");
		EXPECT(nat_port_owner(w, (uint32_t)pool, htonl(dp.conf.pools[pool].addr),
		                      k.p == CFG_TCP   ? IPPROTO_TCP
		                      : k.p == CFG_UDP ? IPPROTO_UDP
		                                       : IPPROTO_ICMP,
		                      port) == 0,
		       "port %u outside the blocks", port);
		sh_port[pool][k.p][port] = PS_LIVE;
		*fl = (struct sh_flow){.pos = sh_nlive,
		                       .eport = port,
		                       .live = 1,
		                       .state = SESS_NEW,
		                       .pool = (uint8_t)pool};
		sh_live[sh_nlive++] = f;
		s->live[k.p]++;
		st.created++;
	}
	sh_track(fl, k.p, flags, false);
}

/* A reply from the Internet to live flow f. */
static void ch_reply(uint32_t f)
{
	struct ch_key k = ch_decode(f);
	struct sh_flow *fl = &sh_flow[f];
	uint8_t flags = k.p == CFG_TCP    ? ch_tcp_flags()
	                : k.p == CFG_ICMP ? AFTR_ICMP4_ECHO_REPLY
	                                  : 0;
	uint32_t pool = fl->pool ? POOL2 : POOL1;
	struct dp_session *se;
	struct msg m;
	int drop;

	if (k.p == CFG_ICMP)
		build(&m, ICMP, REMOTE2, fl->eport, pool, 3, flags, (uint16_t)rng_below(48));
	else
		build(&m, k.proto, REMOTE2, 7, pool, fl->eport, flags, (uint16_t)rng_below(48));
	se = send_in(&m, &drop);
	EXPECT(se != NULL, "t %" PRIu64 ": reply to %s %u dropped (%d)", w->now,
	       cfg_proto_name(k.p), fl->eport, drop);
	EXPECT(addr6_equal(&se->b4, &k.b4) && ntohl(ip_of(&m)->dst) == k.src &&
	               dport_of(&m) == k.sport,
	       "t %" PRIu64 ": reply to %s %u went to the wrong place", w->now, cfg_proto_name(k.p),
	       fl->eport);
	expect_cksums(&m, "churn in");
	sh_track(fl, k.p, flags, true);
	st.replies++;
}

/* A packet to a public port with no session (free or held). */
static void ch_stray(void)
{
	uint32_t pool = rng_below(2);
	enum cfg_proto p = (enum cfg_proto)rng_below(CFG_NPROTO);
	struct port_range r = cfg.fixed.pool_defaults[p];
	uint16_t port = (uint16_t)(r.min + rng_below((uint32_t)r.max - r.min + 1));
	struct dp_session *se;
	int drop;

	if (sh_port[pool][p][port] == PS_LIVE)
		return;
	se = in_reply(ch_ipproto[p], REMOTE, 7, pool ? POOL2 : POOL1, port,
	              p == CFG_ICMP ? AFTR_ICMP4_ECHO_REPLY : AFTR_TCP_ACK, &drop);
	EXPECT(se == NULL && drop == DROP_NO_SESSION, "t %" PRIu64 ": %s %u to port %u (%s)",
	       w->now, se ? "accepted" : "dropped", drop, port,
	       sh_port[pool][p][port] == PS_HELD ? "held" : "free");
	st.strays++;
}

static void sh_release(const struct sh_held *h)
{
	struct sh_sub *s = &sh_sub[h->b4];

	sh_port[h->pool][h->proto][h->port] = PS_FREE;
	s->held[h->proto]--;
	sh_sub_maybe_gone(s);
	st.released++;
}

/* The sweep over the whole table, in the model. */
static void sh_sweep(void)
{
	for (uint32_t i = 0; i < sh_nlive;) {
		uint32_t f = sh_live[i];
		struct sh_flow *fl = &sh_flow[f];
		struct ch_key k;
		struct sh_held h;

		if (fl->expire > w->now) {
			i++;
			continue;
		}
		k = ch_decode(f);
		h = (struct sh_held){k.b4i, fl->eport, fl->pool, (uint8_t)k.p,
		                     w->now + cfg.fixed.hold_lifetime};
		st.ended[fl->state]++;
		fl->live = 0;
		sh_live[i] = sh_live[--sh_nlive];
		sh_flow[sh_live[i]].pos = i;
		sh_sub[k.b4i].live[k.p]--;
		sh_sub[k.b4i].held[k.p]++;
		sh_port[h.pool][k.p][h.port] = PS_HELD;
		if (cfg.fixed.hold_lifetime == 0) {
			sh_release(&h);
			continue;
		}
		sh_held[sh_held_tail] = h;
		sh_held_tail = (sh_held_tail + 1) % CH_HELD;
		ck_assert_uint_ne(sh_held_tail, sh_held_head);
	}
	while (sh_held_head != sh_held_tail && sh_held[sh_held_head].release_at <= w->now) {
		sh_release(&sh_held[sh_held_head]);
		sh_held_head = (sh_held_head + 1) % CH_HELD;
	}
}

/* The tables against the model, all of them. */
static void ch_check(void)
{
	uint32_t nsubs = 0, blocks[2][CFG_NPROTO] = {{0}};
	uint32_t held = (sh_held_tail + CH_HELD - sh_held_head) % CH_HELD;

	sh_stamp++;
	EXPECT(w->nat.sess_by_out.n == sh_nlive && w->nat.sess_by_in.n == sh_nlive,
	       "t %" PRIu64 ": %u/%u sessions, model %u", w->now, w->nat.sess_by_out.n,
	       w->nat.sess_by_in.n, sh_nlive);
	for (uint32_t i = 0; i < sh_nlive; i++) {
		uint32_t f = sh_live[i];
		const struct sh_flow *fl = &sh_flow[f];
		struct ch_key k = ch_decode(f);
		uint32_t ext = fl->pool ? POOL2 : POOL1;
		int32_t io = idx_out(&k.b4, k.src, k.sport, k.proto);
		int32_t ii = idx_in(ext, fl->eport, k.proto);
		const struct dp_session *se;

		EXPECT(io >= 0 && io == ii,
		       "t %" PRIu64 " b4 %u %s %u: index %d by inside key, %d by outside", w->now,
		       k.b4i, cfg_proto_name(k.p), k.sport, io, ii);
		se = &w->nat.sess[io];
		EXPECT(se->in_use && addr6_equal(&se->b4, &k.b4) && se->src == htonl(k.src) &&
		               se->sport == htons(k.sport) && se->proto == k.proto &&
		               se->ext == htonl(ext) && se->eport == htons(fl->eport),
		       "t %" PRIu64 ": session %d is not the model's", w->now, io);
		EXPECT(se->expire == fl->expire && se->state == fl->state,
		       "t %" PRIu64 ": session %d state %u expire %" PRIu64 ", model %u %" PRIu64,
		       w->now, io, se->state, (uint64_t)se->expire, fl->state, fl->expire);
		EXPECT(sh_seen[fl->pool][k.p][fl->eport] != sh_stamp,
		       "t %" PRIu64 ": %s port %u in two live sessions", w->now,
		       cfg_proto_name(k.p), fl->eport);
		sh_seen[fl->pool][k.p][fl->eport] = sh_stamp;
	}
	for (uint32_t b = 0; b < CH_B4S; b++) {
		const struct sh_sub *s = &sh_sub[b];
		struct addr6 a = b4_addr(0x100 + b);
		const struct dp_subscriber *sub = sub_of(&a);

		EXPECT((sub != NULL) == !sh_sub_empty(s), "t %" PRIu64 ": b4 %u %s", w->now, b,
		       sub ? "present, model empty" : "missing");
		if (sub == NULL)
			continue;
		nsubs++;
		EXPECT(sub->in_use && (int)sub->pool == s->pool, "t %" PRIu64 ": b4 %u pool %u",
		       w->now, b, sub->pool);
		for (int p = 0; p < CFG_NPROTO; p++) {
			const struct pb_space *pb = &w->nat.pb[sub->pool][p];
			uint32_t used = 0, n = 0;

			for (uint32_t x = sub->head[p]; x != PB_NONE; x = pb->blocks[x].next) {
				EXPECT(pb->blocks[x].owner == (uint32_t)(sub - w->nat.subs) &&
				               ++n <= sub->nblocks[p],
				       "t %" PRIu64 ": b4 %u block chain", w->now, b);
				used += pb->blocks[x].used;
			}
			EXPECT(sub->nsess[p] == s->live[p],
			       "t %" PRIu64 ": b4 %u %s: %u sessions, model %u", w->now, b,
			       cfg_proto_name(p), sub->nsess[p], s->live[p]);
			EXPECT(n == sub->nblocks[p] && n <= cfg.fixed.max_blocks[p] &&
			               used == s->live[p] + s->held[p] && (n == 0) == (used == 0),
			       "t %" PRIu64 ": b4 %u %s: %u blocks of %u ports, model %u+%u",
			       w->now, b, cfg_proto_name(p), n, used, s->live[p], s->held[p]);
			blocks[sub->pool][p] += n;
		}
	}
	EXPECT(rte_hash_count(w->nat.subs_by_b4) == (int32_t)nsubs,
	       "t %" PRIu64 ": %d subscribers, model %u", w->now, rte_hash_count(w->nat.subs_by_b4),
	       nsubs);
	for (int i = 0; i < 2; i++)
		for (int p = 0; p < CFG_NPROTO; p++) {
			const struct pb_space *pb = &w->nat.pb[i][p];

			EXPECT(blocks[i][p] + pb->nfree == pb->nblocks,
			       "t %" PRIu64 ": pool %d %s: %u blocks held, %u free of %u", w->now,
			       i, cfg_proto_name(p), blocks[i][p], pb->nfree, pb->nblocks);
		}
	EXPECT(held_count() == held, "t %" PRIu64 ": %u ports held, model %u", w->now, held_count(),
	       held);
}

START_TEST(test_churn)
{
	uint32_t pools[2] = {0, 0};
	uint64_t t = 0;

	add_pool(POOL2);
	restart();
	cfg.fixed.lifetime[LT_TCP] = 120;
	cfg.fixed.lifetime[LT_CLOSED] = 4;
	cfg.fixed.lifetime[LT_UDP] = 40;
	cfg.fixed.lifetime[LT_ICMP] = 6;
	cfg.fixed.lifetime[LT_RETRANS] = 20;
	cfg.fixed.hold_lifetime = 5;
	cfg.fixed.tun.nat_maxcount[CFG_TCP] = 40;
	cfg.fixed.tun.nat_maxcount[CFG_UDP] = 24;
	cfg.fixed.tun.nat_maxcount[CFG_ICMP] = 6;
	cfg.fixed.tun.nat_rate[CFG_TCP] = 10;
	cfg.fixed.tun.nat_rate[CFG_UDP] = 8;
	cfg.fixed.tun.nat_rate[CFG_ICMP] = 3;
	cfg.fixed.max_blocks[CFG_TCP] = 4;  /* 40 ports */
	cfg.fixed.max_blocks[CFG_UDP] = 3;  /* 24 ports */
	cfg.fixed.max_blocks[CFG_ICMP] = 2; /* 6 ids */
	/* Every B4 at its max_blocks fits in one pool: it never runs dry. */
	for (int p = 0; p < CFG_NPROTO; p++)
		ck_assert_uint_le(CH_B4S * cfg.fixed.max_blocks[p], w->nat.pb[0][p].nblocks);

	memset(&st, 0, sizeof(st));
	memset(sh_flow, 0, sizeof(sh_flow));
	memset(sh_port, 0, sizeof(sh_port));
	memset(sh_seen, 0, sizeof(sh_seen));
	sh_nlive = sh_held_head = sh_held_tail = sh_stamp = 0;
	for (uint32_t b = 0; b < CH_B4S; b++)
		sh_sub[b] = (struct sh_sub){.tokens_at = UINT64_MAX, .pool = -1};
	rng_state = 0x9e3779b97f4a7c15ull;

	for (uint32_t step = 0; step < CH_SECONDS; step++) {
		/* Mostly one second at a time, now and then a quiet spell. */
		t += rng_below(40) == 0 ? 2 + rng_below(30) : 1;
		w->now = t;
		for (uint32_t i = 0; i < CH_PACKETS; i++) {
			uint32_t r = rng_below(100);

			if (r < 60)
				ch_out(rng_below(CH_FLOWS));
			else if (r < 92 && sh_nlive > 0)
				ch_reply(sh_live[rng_below(sh_nlive)]);
			else
				ch_stray();
		}
		for (uint32_t h = 0; h < CH_HOT; h++) {
			enum cfg_proto p = (enum cfg_proto)rng_below(CFG_NPROTO);

			for (uint32_t i = 0; i < CH_BURST; i++)
				ch_out(ch_flow(h, rng_below(CH_SRCS), rng_below(CH_PORTS), p));
		}
		nat_sweep(w, w->nat.sess_max);
		sh_sweep();
		ch_check();
	}
	/* Long enough for everything to end, then for every hold to run out. */
	sweep_at(t + max_lifetime());
	sh_sweep();
	ch_check();
	sweep_at(w->now + cfg.fixed.hold_lifetime);
	sh_sweep();
	ch_check();
	ck_assert_uint_eq(sh_nlive, 0);
	expect_all_free("after the churn");
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), st.created);
	ck_assert_uint_eq(cnt(CNT_SESSION_EXPIRED), st.created);
	ck_assert_uint_eq(st.released, st.created);
	ck_assert_uint_eq(cnt(CNT_NAT_OUT), st.created + st.refreshed);
	ck_assert_uint_eq(cnt(CNT_NAT_IN), st.replies);
	/* Every path was taken, many times. */
	ck_assert_uint_gt(st.created, 30000);
	ck_assert_uint_gt(st.refreshed, 1000);
	ck_assert_uint_gt(st.replies, 10000);
	ck_assert_uint_gt(st.strays, 1000);
	ck_assert_uint_gt(st.ended[SESS_NEW], 1000);
	ck_assert_uint_gt(st.ended[SESS_EST], 1000);
	ck_assert_uint_gt(st.ended[SESS_CLOSING], 1000);
	ck_assert_uint_gt(st.drops[DROP_NAT_COUNT], 100);
	ck_assert_uint_gt(st.drops[DROP_NAT_RATE], 100);
	ck_assert_uint_gt(st.drops[DROP_PORTS_EXHAUSTED], 100);
	ck_assert_uint_gt(cnt(CNT_BLOCK_FREE), 1000);
	ck_assert_uint_gt(cnt(CNT_TUNNEL_NEW), CH_B4S + 100);
	/* Both pool addresses served subscribers. */
	for (uint32_t b = 0; b < CH_B4S; b++)
		if (sh_sub[b].pool >= 0)
			pools[sh_sub[b].pool]++;
	ck_assert_uint_gt(pools[0], 0);
	ck_assert_uint_gt(pools[1], 0);
}
END_TEST

/* ---- PCP mappings (nat/pcp_map.c) ---- */

static void setup_pcp(void)
{
	ck_assert_int_eq(cfg_init(&cfg), 0);
	cfg.fixed.pcpd = PCPD_ENCAPSULATE;
	cfg.fixed.pcp_max_mappings = 3;
	tables_refresh();
	add_pool(POOL1);
	start();
	ck_assert_ptr_nonnull(w->nat.pcp_end);
}

/* A CTL_CMD_PCP as the server sends it; the worker's answer in *ev. */
static void pcp_cmd(const struct addr6 *b4, uint8_t op, uint8_t proto, uint32_t src, uint16_t sport,
                    uint16_t eport, uint32_t lifetime, uint8_t flags, struct ctl_msg *ev)
{
	struct ctl_msg c = {.type = CTL_CMD_PCP, .seq = 9};

	memcpy(c.u.pcp.b4, b4->b, 16);
	c.u.pcp.src = htonl(src);
	c.u.pcp.sport = sport;
	c.u.pcp.eport = eport;
	c.u.pcp.proto = proto;
	c.u.pcp.op = op;
	c.u.pcp.flags = flags;
	c.u.pcp.lifetime = lifetime;
	ck_assert_int_eq(ctl_msg_check(&c), 0);
	nat_pcp(w, &c, ev);
	ck_assert_uint_eq(ev->type, CTL_EVT_PCP);
	ck_assert_uint_eq(ev->seq, 9);
	ck_assert_int_eq(ctl_msg_check(ev), 0);
}

static uint16_t pcp_map(const struct addr6 *b4, uint8_t proto, uint16_t sport, uint32_t lifetime)
{
	struct ctl_msg ev;

	pcp_cmd(b4, CTL_PCP_MAP, proto, INSIDE, sport, 0, lifetime, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_uint_eq(ntohl(ev.u.pcp.ext), POOL1);
	return ev.u.pcp.eport;
}

/* RFC 6887 section 11.3: a MAP is a session of the subscriber, its port from
 * its own block, inbound from anyone; renewed in place; at its lifetime's
 * end it goes with its session when no traffic keeps it. */
START_TEST(test_pcp_map_lifetime)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *se;
	struct ctl_msg ev;
	uint16_t port;
	int drop;

	w->now = 100;
	port = pcp_map(&a, TCP, 8000, 300);
	se = find(&a, INSIDE, 8000, TCP);
	ck_assert_ptr_nonnull(se);
	ck_assert(se->is_pcp && se->pcp_map && !se->pcp_filter);
	ck_assert_uint_eq(ntohs(se->eport), port);
	ck_assert_uint_eq(sub_of(&a)->npcp, 1);
	ck_assert_uint_eq(sub_of(&a)->nblocks[CFG_TCP], 1);
	ck_assert_uint_eq(w->nat.pcp_end[se - w->nat.sess].map, 400);
	/* Renewed: the same port, a later end; the second MAP is a renewal. */
	pcp_cmd(&a, CTL_PCP_MAP, TCP, INSIDE, 8000, 0, 600, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_RENEW);
	ck_assert_uint_eq(ev.u.pcp.eport, port);
	ck_assert_uint_eq(w->nat.pcp_end[se - w->nat.sess].map, 700);
	ck_assert_uint_eq(sub_of(&a)->npcp, 1);
	/* Unsolicited inbound is let in (a SYN from anyone), to the host. */
	ck_assert_ptr_eq(in_reply(TCP, REMOTE, 40000, POOL1, port, AFTR_TCP_SYN, &drop), se);
	ck_assert_ptr_eq(in_reply(TCP, REMOTE2, 40001, POOL1, port, AFTR_TCP_SYN, &drop), se);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 1);
	/* Idle past the traffic's expiry but within the mapping: kept. */
	sweep_at(650);
	ck_assert_ptr_nonnull(find(&a, INSIDE, 8000, TCP));
	/* Past the mapping's end, idle: the mapping and its session go. */
	sweep_at(701 + max_lifetime());
	ck_assert_ptr_null(find(&a, INSIDE, 8000, TCP));
	ck_assert_uint_eq(sub_of(&a) ? sub_of(&a)->npcp : 0, 0);
	drain();
	expect_all_free("after a PCP mapping ended");
}
END_TEST

/* Section 15: lifetime 0 deletes; a session no packet keeps goes with it. */
START_TEST(test_pcp_delete)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *se;
	struct ctl_msg ev;
	uint16_t port;
	int drop;

	w->now = 10;
	port = pcp_map(&a, UDP, 5000, 300);
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5000, 0, 0, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_DEL);
	ck_assert_ptr_null(find(&a, INSIDE, 5000, UDP));
	ck_assert_ptr_null(in_reply(UDP, REMOTE, 53, POOL1, port, 0, &drop));
	/* One with its own traffic lives on, no longer a mapping. */
	port = pcp_map(&a, UDP, 5001, 300);
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5001, REMOTE, 53, 0), port);
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5001, 0, 0, 0, &ev);
	se = find(&a, INSIDE, 5001, UDP);
	ck_assert_ptr_nonnull(se);
	ck_assert(!se->is_pcp && !se->pcp_map);
	ck_assert_uint_eq(sub_of(&a)->npcp, 0);
	/* Deleting what is not a mapping: success, nothing changes. */
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5002, 0, 0, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_ptr_null(find(&a, INSIDE, 5002, UDP));
}
END_TEST

/* Suggested ports (section 11.3) and PREFER_FAILURE (section 13.2). */
START_TEST(test_pcp_suggested)
{
	struct addr6 a = b4_addr(1);
	struct ctl_msg ev;
	uint16_t first;
	uint32_t used;

	cfg.fixed.pcp_max_mappings = 16;
	first = pcp_map(&a, UDP, 5000, 300);

	/* A free port of its own block is given. */
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5001, (uint16_t)(first + 5), 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_uint_eq(ev.u.pcp.eport, first + 5);
	/* One outside its blocks: another port, or with PREFER_FAILURE none. */
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5002, 7, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_uint_ne(ev.u.pcp.eport, 7);
	used = ports_used();
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5003, 7, 300, CTL_PCP_PREFER_FAILURE, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 11); /* CANNOT_PROVIDE_EXTERNAL */
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_REFUSED);
	ck_assert_uint_eq(ports_used(), used); /* nothing taken */
	ck_assert_ptr_null(find(&a, INSIDE, 5003, UDP));
	/* An existing mapping asked for another port with PREFER_FAILURE. */
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5000, (uint16_t)(first + 9), 300,
	        CTL_PCP_PREFER_FAILURE, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 11);
}
END_TEST

/* pcp.max_mappings (3 here) and non-private or deterministic refusals. */
START_TEST(test_pcp_quota)
{
	struct addr6 a = b4_addr(1);
	struct ctl_msg ev;

	for (uint16_t p = 0; p < 3; p++)
		pcp_map(&a, UDP, (uint16_t)(6000 + p), 300);
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 6003, 0, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 10); /* USER_EX_QUOTA */
	ck_assert_ptr_null(find(&a, INSIDE, 6003, UDP));
	/* An implicit session made a mapping counts too. */
	out_port(&a, UDP, INSIDE, 6004, REMOTE, 53, 0);
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 6004, 0, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 10);
	ck_assert(!find(&a, INSIDE, 6004, UDP)->is_pcp);
	/* A public internal address: NAPT is not for it. */
	pcp_cmd(&a, CTL_PCP_MAP, UDP, REMOTE, 6005, 0, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 2); /* NOT_AUTHORIZED */
}
END_TEST

/* FILTER (section 13.3): only the remotes named get in; PEER keeps the
 * NAT's filtering and neither shortens nor deletes the MAP (its own end). */
START_TEST(test_pcp_filter_peer)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *se;
	struct ctl_msg c = {.type = CTL_CMD_PCP, .seq = 9}, ev;
	uint16_t port;
	int drop;

	w->now = 50;
	memcpy(c.u.pcp.b4, a.b, 16);
	c.u.pcp.src = htonl(INSIDE);
	c.u.pcp.sport = 8080;
	c.u.pcp.proto = TCP;
	c.u.pcp.op = CTL_PCP_MAP;
	c.u.pcp.lifetime = 300;
	c.u.pcp.flags = CTL_PCP_FILTER;
	c.u.pcp.remote[0] = htonl(REMOTE);
	nat_pcp(w, &c, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	port = ev.u.pcp.eport;
	se = find(&a, INSIDE, 8080, TCP);
	ck_assert(se->pcp_filter);
	ck_assert_ptr_eq(in_reply(TCP, REMOTE, 1234, POOL1, port, AFTR_TCP_SYN, &drop), se);
	ck_assert_ptr_null(in_reply(TCP, REMOTE2, 1234, POOL1, port, AFTR_TCP_SYN, &drop));
	ck_assert_int_eq(drop, DROP_FILTERED);
	/* Outbound traffic to another remote does not widen the filter. */
	out_port(&a, TCP, INSIDE, 8080, REMOTE2, 80, AFTR_TCP_SYN);
	ck_assert_ptr_null(in_reply(TCP, REMOTE2, 1234, POOL1, port, AFTR_TCP_SYN, &drop));
	/* A PEER of the same endpoint: shorter, then deleted; the MAP stays. */
	pcp_cmd(&a, CTL_PCP_PEER, TCP, INSIDE, 8080, 0, 100, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_ADD); /* a mapping of its own */
	ck_assert_uint_eq(w->nat.pcp_end[se - w->nat.sess].map, 350);
	ck_assert_uint_eq(w->nat.pcp_end[se - w->nat.sess].peer, 150);
	ck_assert_ptr_eq(in_reply(TCP, REMOTE, 1234, POOL1, port, AFTR_TCP_SYN, &drop), se);
	pcp_cmd(&a, CTL_PCP_PEER, TCP, INSIDE, 8080, 0, 0, 0, &ev);
	ck_assert(se->is_pcp && se->pcp_map && se->pcp_filter);
	/* Renewed without a filter: anyone again. */
	pcp_cmd(&a, CTL_PCP_MAP, TCP, INSIDE, 8080, 0, 300, 0, &ev);
	ck_assert(!se->pcp_filter);
	ck_assert_ptr_eq(in_reply(TCP, REMOTE2, 1234, POOL1, port, AFTR_TCP_SYN, &drop), se);
}
END_TEST

/* A static mapping answers for itself and is not PCP's to delete. */
START_TEST(test_pcp_static)
{
	struct addr6 a = b4_addr(1);
	struct ctl_msg ev;

	add_static(&a, TCP, INSIDE, 80, POOL1, 2000, NULL);
	pcp_cmd(&a, CTL_PCP_MAP, TCP, INSIDE, 80, 0, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_uint_eq(ev.u.pcp.eport, 2000);
	ck_assert(ev.u.pcp.flags & CTL_PCP_STATIC);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), 0); /* no dynamic session made */
	pcp_cmd(&a, CTL_PCP_MAP, TCP, INSIDE, 80, 0, 0, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 2); /* NOT_AUTHORIZED */
}
END_TEST

/* Without the PCP server nothing is made. */
START_TEST(test_pcp_off)
{
	struct addr6 a = b4_addr(1);
	struct ctl_msg ev;

	ck_assert_ptr_null(w->nat.pcp_end);
	pcp_cmd(&a, CTL_PCP_MAP, TCP, INSIDE, 80, 0, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 2);
	ck_assert_ptr_null(find(&a, INSIDE, 80, TCP));
}
END_TEST

/* The worker's event ring, as the main lcore gives it one: what nat_pcp,
 * the sweep and the session code send is then read back. */
static void events_on(void)
{
	w->evt_ring = rte_ring_create_elem("test_nat_evt", CTL_MSG_SIZE, 1024, SOCKET_ID_ANY,
	                                   RING_F_SP_ENQ | RING_F_SC_DEQ);
	ck_assert_ptr_nonnull(w->evt_ring);
}

static void teardown_pcp(void)
{
	rte_ring_free(w->evt_ring);
	w->evt_ring = NULL;
	teardown();
}

/* The next CTL_EVT_PCP the worker sent (other events passed over). */
static bool next_pcp_event(struct ctl_msg *m)
{
	while (rte_ring_sc_dequeue_elem(w->evt_ring, m, CTL_MSG_SIZE) == 0)
		if (m->type == CTL_EVT_PCP) {
			ck_assert_int_eq(ctl_msg_check(m), 0);
			return true;
		}
	return false;
}

/* An event of the end of b4's mapping of (INSIDE, sport, proto) at port. */
static void expect_pcp_end(const struct addr6 *b4, uint8_t op, uint8_t proto, uint16_t sport,
                           uint16_t port)
{
	struct ctl_msg m;

	ck_assert_msg(next_pcp_event(&m), "no PCP event for port %u", port);
	ck_assert_uint_eq(m.u.pcp.op, op);
	ck_assert_mem_eq(m.u.pcp.b4, b4->b, 16);
	ck_assert_uint_eq(ntohl(m.u.pcp.src), INSIDE);
	ck_assert_uint_eq(m.u.pcp.sport, sport);
	ck_assert_uint_eq(m.u.pcp.proto, proto);
	ck_assert_uint_eq(ntohl(m.u.pcp.ext), POOL1);
	ck_assert_uint_eq(m.u.pcp.eport, port);
	ck_assert_uint_eq(m.u.pcp.lifetime, 0);
	ck_assert_uint_eq(m.worker, w->id);
	ck_assert_uint_eq(m.u.pcp.flags, CTL_PCP_ENDS_MAP); /* these tests' are MAPs */
}

/* The next PCP event is an EXPIRE of these mappings (CTL_PCP_ENDS_*). */
static void expect_pcp_ends(uint8_t ends)
{
	struct ctl_msg m;

	ck_assert(next_pcp_event(&m));
	ck_assert_uint_eq(m.u.pcp.op, CTL_PCP_EXPIRE);
	ck_assert_uint_eq(m.u.pcp.flags, ends);
}

/* A MAP with FILTERs (section 13.3): up to two remotes, port 0 any. */
static uint16_t pcp_map_filtered(const struct addr6 *b4, uint8_t proto, uint16_t sport,
                                 const uint32_t remote[2], const uint16_t rport[2])
{
	struct ctl_msg c = {.type = CTL_CMD_PCP, .seq = 9}, ev;

	memcpy(c.u.pcp.b4, b4->b, 16);
	c.u.pcp.src = htonl(INSIDE);
	c.u.pcp.sport = sport;
	c.u.pcp.proto = proto;
	c.u.pcp.op = CTL_PCP_MAP;
	c.u.pcp.lifetime = 300;
	c.u.pcp.flags = CTL_PCP_FILTER;
	for (int i = 0; i < CTL_PCP_FILTERS; i++) {
		c.u.pcp.remote[i] = htonl(remote[i]);
		c.u.pcp.rport[i] = rport[i];
	}
	ck_assert_int_eq(ctl_msg_check(&c), 0);
	nat_pcp(w, &c, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	return ev.u.pcp.eport;
}

/* The sweep at a mapping's end (section 15): an idle one goes with its
 * session, one its traffic keeps goes alone; each end is one CTL_PCP_EXPIRE
 * record (aftr-control's record drops the mapping on it), at its end and
 * not a second before; the reply to the MAP itself is the only record of
 * its making, and a deletion's is its reply alone. */
START_TEST(test_pcp_expiry_events)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *kept;
	struct ctl_msg ev;
	uint16_t idle, busy;

	events_on();
	w->now = 100;
	idle = pcp_map(&a, UDP, 5000, 300);
	busy = pcp_map(&a, UDP, 5001, 300);
	ck_assert(!next_pcp_event(&ev)); /* nat_pcp's answer is the caller's */
	ck_assert_uint_eq(sub_of(&a)->npcp, 2);
	/* Traffic keeps 5001's session past 400, the mappings' end. */
	w->now = 390;
	ck_assert_uint_eq(out_port(&a, UDP, INSIDE, 5001, REMOTE, 53, 0), busy);
	sweep_at(399);
	ck_assert(!next_pcp_event(&ev));
	ck_assert_ptr_nonnull(find(&a, INSIDE, 5000, UDP));
	ck_assert(find(&a, INSIDE, 5001, UDP)->is_pcp);
	sweep_at(400);
	expect_pcp_end(&a, CTL_PCP_EXPIRE, UDP, 5000, idle);
	expect_pcp_end(&a, CTL_PCP_EXPIRE, UDP, 5001, busy);
	ck_assert(!next_pcp_event(&ev));
	ck_assert_ptr_null(find(&a, INSIDE, 5000, UDP));
	kept = find(&a, INSIDE, 5001, UDP);
	ck_assert_ptr_nonnull(kept);
	ck_assert(!kept->is_pcp && !kept->pcp_map);
	ck_assert_uint_eq(nat_pcp_last_end(&w->nat.pcp_end[kept - w->nat.sess]), 0);
	ck_assert_uint_eq(sub_of(&a)->npcp, 0);
	ck_assert_uint_eq(held_count(), 1); /* the idle one's port waits out its hold */
	/* Its traffic's end later is no mapping's: no second record. */
	sweep_at(390 + max_lifetime());
	ck_assert_ptr_null(find(&a, INSIDE, 5001, UDP));
	ck_assert(!next_pcp_event(&ev));
	/* A deletion answers alone (its reply is the record), and a mapping
	 * deleted does not expire later. */
	pcp_map(&a, UDP, 5002, 300);
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5002, 0, 0, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_DEL);
	sweep_at(w->now + 300);
	ck_assert(!next_pcp_event(&ev));
	drain();
	expect_all_free("after the PCP mappings ended");
	ck_assert_uint_eq(cnt(CNT_EVENTS_LOST), 0);
}
END_TEST

/* A mapping's session ended by anything but its client or its time (here
 * a static mapping of the same inside endpoint taking its keys) says so
 * with CTL_PCP_DEL: aftr-control's record may not keep it. */
START_TEST(test_pcp_end_by_static)
{
	struct addr6 a = b4_addr(1);
	struct ctl_msg ev;
	uint16_t port;
	int drop;

	events_on();
	w->now = 10;
	port = pcp_map(&a, UDP, 5060, 300);
	add_static(&a, UDP, INSIDE, 5060, POOL1, 500, NULL);
	ck_assert_ptr_nonnull(in_reply(UDP, REMOTE, 5060, POOL1, 500, 0, &drop));
	expect_pcp_end(&a, CTL_PCP_DEL, UDP, 5060, port);
	ck_assert(!next_pcp_event(&ev));
	ck_assert(find(&a, INSIDE, 5060, UDP)->is_static);
	ck_assert_ptr_null(in_reply(UDP, REMOTE, 5060, POOL1, port, 0, &drop));
	ck_assert_uint_eq(sub_of(&a) ? sub_of(&a)->npcp : 0, 0);
}
END_TEST

/* RFC 6888 REQ-4: the subscriber's session quota holds for PCP (USER_EX_QUOTA),
 * and a refusal leaves nothing behind: no session, port or subscriber. */
START_TEST(test_pcp_session_quota)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2);
	struct ctl_msg ev;
	uint32_t used;

	cfg.fixed.tun.nat_maxcount[CFG_UDP] = 2;
	cfg.fixed.tun.nat_maxcount[CFG_TCP] = 0;
	w->now = 1;
	pcp_map(&a, UDP, 5000, 300);
	out_port(&a, UDP, INSIDE, 5001, REMOTE, 53, 0); /* traffic's session counts */
	used = ports_used();
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5002, 0, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 10); /* USER_EX_QUOTA */
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_REFUSED);
	ck_assert_ptr_null(find(&a, INSIDE, 5002, UDP));
	ck_assert_uint_eq(ports_used(), used);
	ck_assert_uint_eq(sessions_in_use(), 2);
	ck_assert_uint_eq(sub_of(&a)->npcp, 1);
	/* The existing session made a mapping needs no new one: allowed. */
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5001, 0, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_ADD);
	/* A quota of 0 for a B4 with no state: refused, no subscriber made. */
	pcp_cmd(&b, CTL_PCP_MAP, TCP, INSIDE, 80, 0, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 10);
	ck_assert_ptr_null(sub_of(&b));
	ck_assert_uint_eq(rte_hash_count(w->nat.subs_by_b4), 1);
}
END_TEST

/* Suggested ports (section 11.3) the subscriber may not have: one in use,
 * one waiting out its hold (RFC 6888 REQ-8), one of another subscriber's
 * block, one of a block nobody holds; PREFER_FAILURE (section 13.2) then
 * refuses with nothing taken, even from a B4 with no state yet. */
START_TEST(test_pcp_suggested_taken)
{
	struct addr6 a = b4_addr(1), b = b4_addr(2);
	const struct pb_space *pb = &w->nat.pb[0][CFG_UDP];
	struct ctl_msg ev;
	uint16_t first, gone, free_block;
	uint32_t used, blocks;

	cfg.fixed.pcp_max_mappings = 16;
	w->now = 1;
	/* A B4 with no state, a port of a block nobody holds: nothing left. */
	free_block = (uint16_t)(pb->min + 5 * pb->bsize + 3);
	ck_assert_uint_eq(pb->blocks[pb_block_of(pb, free_block)].owner, PB_NONE);
	pcp_cmd(&b, CTL_PCP_MAP, UDP, INSIDE, 5000, free_block, 300, CTL_PCP_PREFER_FAILURE, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 11); /* CANNOT_PROVIDE_EXTERNAL */
	expect_all_free("after a refused PREFER_FAILURE");

	first = pcp_map(&a, UDP, 5000, 300);
	gone = pcp_map(&a, UDP, 5001, 300);
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5001, 0, 0, 0, &ev); /* gone's port held */
	ck_assert_uint_eq(held_count(), 1);
	used = ports_used();
	blocks = sub_of(&a)->nblocks[CFG_UDP];
	/* In use, or held: another port of its block, or with PREFER_FAILURE none. */
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5002, first, 300, CTL_PCP_PREFER_FAILURE, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 11);
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5002, gone, 300, CTL_PCP_PREFER_FAILURE, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 11);
	ck_assert_uint_eq(ports_used(), used);
	ck_assert_ptr_null(find(&a, INSIDE, 5002, UDP));
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 5002, gone, 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_uint_ne(ev.u.pcp.eport, gone);
	ck_assert_uint_ne(ev.u.pcp.eport, first);
	ck_assert_uint_eq(pb_block_of(pb, ev.u.pcp.eport), pb_block_of(pb, first));
	/* Another subscriber's port: never given to b. */
	pcp_cmd(&b, CTL_PCP_MAP, UDP, INSIDE, 5000, (uint16_t)(first + 1), 300,
	        CTL_PCP_PREFER_FAILURE, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 11);
	ck_assert_ptr_null(sub_of(&b));
	pcp_cmd(&b, CTL_PCP_MAP, UDP, INSIDE, 5000, (uint16_t)(first + 1), 300, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	ck_assert_uint_ne(pb_block_of(pb, ev.u.pcp.eport), pb_block_of(pb, first));
	ck_assert_uint_eq(sub_of(&a)->nblocks[CFG_UDP], blocks);
}
END_TEST

/* Filters with ports (section 13.3): a filter's port 0 is any port of its
 * address; nothing else gets in, and a packet let in makes no session. A
 * MAP with filters over a session of traffic replaces the remotes its
 * traffic let in. */
START_TEST(test_pcp_filter_ports)
{
	struct addr6 a = b4_addr(1);
	const uint32_t remote[2] = {REMOTE, REMOTE2};
	const uint16_t rport[2] = {1234, 0};
	struct dp_session *se;
	uint16_t port;
	uint64_t made;
	int drop;

	w->now = 5;
	port = pcp_map_filtered(&a, UDP, 7000, remote, rport);
	se = find(&a, INSIDE, 7000, UDP);
	ck_assert(se->pcp_map && se->pcp_filter);
	made = cnt(CNT_SESSION_NEW);
	ck_assert_ptr_eq(in_reply(UDP, REMOTE, 1234, POOL1, port, 0, &drop), se);
	ck_assert_ptr_null(in_reply(UDP, REMOTE, 1235, POOL1, port, 0, &drop));
	ck_assert_int_eq(drop, DROP_FILTERED);
	ck_assert_ptr_eq(in_reply(UDP, REMOTE2, 1, POOL1, port, 0, &drop), se);
	ck_assert_ptr_eq(in_reply(UDP, REMOTE2, 65535, POOL1, port, 0, &drop), se);
	ck_assert_ptr_null(in_reply(UDP, ROUTER, 1234, POOL1, port, 0, &drop));
	ck_assert_int_eq(drop, DROP_FILTERED);
	ck_assert_uint_eq(cnt(CNT_SESSION_NEW), made);
	ck_assert_uint_eq(w->nat.sess_by_in.n, 1);

	/* An implicit session that talked to ROUTER, then mapped with a filter. */
	port = out_port(&a, UDP, INSIDE, 7001, ROUTER, 53, 0);
	ck_assert_ptr_nonnull(in_reply(UDP, ROUTER, 53, POOL1, port, 0, &drop));
	ck_assert_uint_eq(pcp_map_filtered(&a, UDP, 7001, remote, rport), port);
	ck_assert_ptr_null(in_reply(UDP, ROUTER, 53, POOL1, port, 0, &drop));
	ck_assert_int_eq(drop, DROP_FILTERED);
	ck_assert_ptr_nonnull(in_reply(UDP, REMOTE, 1234, POOL1, port, 0, &drop));
}
END_TEST

/* With address-and-port-dependent filtering (RFC 4787 REQ-8) a MAP is what
 * lets strangers in (section 11.3): to its end, not past it; a PEER keeps
 * the NAT's filtering (section 12): only its remote's endpoint. */
START_TEST(test_pcp_map_opens_apdf)
{
	struct addr6 a = b4_addr(1);
	struct ctl_msg c = {.type = CTL_CMD_PCP, .seq = 9}, ev;
	struct dp_session *se;
	uint16_t port, implicit, peer;
	int drop;

	cfg.fixed.filtering = FILTER_APDF;
	w->now = 100;
	/* Traffic alone: a stranger is dropped. */
	implicit = out_port(&a, UDP, INSIDE, 6000, REMOTE, 53, 0);
	ck_assert_ptr_null(in_reply(UDP, REMOTE2, 53, POOL1, implicit, 0, &drop));
	ck_assert_int_eq(drop, DROP_FILTERED);
	/* A MAP: anyone, with no traffic at all. */
	port = pcp_map(&a, UDP, 6001, 300);
	se = find(&a, INSIDE, 6001, UDP);
	ck_assert_ptr_eq(in_reply(UDP, REMOTE2, 53, POOL1, port, 0, &drop), se);
	ck_assert_ptr_eq(in_reply(UDP, ROUTER, 9, POOL1, port, 0, &drop), se);
	/* Made of the implicit session: anyone there too. */
	ck_assert_uint_eq(pcp_map(&a, UDP, 6000, 300), implicit);
	ck_assert_ptr_nonnull(in_reply(UDP, REMOTE2, 53, POOL1, implicit, 0, &drop));
	/* Its end with traffic still going: back to the NAT's filtering. */
	w->now = 390;
	out_port(&a, UDP, INSIDE, 6000, REMOTE, 53, 0);
	sweep_at(400);
	ck_assert_ptr_null(in_reply(UDP, REMOTE2, 53, POOL1, implicit, 0, &drop));
	ck_assert_int_eq(drop, DROP_FILTERED);
	ck_assert_ptr_nonnull(in_reply(UDP, REMOTE, 53, POOL1, implicit, 0, &drop));
	/* A PEER to REMOTE:4000: that endpoint alone. */
	memcpy(c.u.pcp.b4, a.b, 16);
	c.u.pcp.src = htonl(INSIDE);
	c.u.pcp.sport = 6002;
	c.u.pcp.proto = UDP;
	c.u.pcp.op = CTL_PCP_PEER;
	c.u.pcp.lifetime = 300;
	c.u.pcp.remote[0] = htonl(REMOTE);
	c.u.pcp.rport[0] = 4000;
	nat_pcp(w, &c, &ev);
	ck_assert_uint_eq(ev.u.pcp.result, 0);
	peer = ev.u.pcp.eport;
	se = find(&a, INSIDE, 6002, UDP);
	ck_assert(se->is_pcp && !se->pcp_map);
	ck_assert_ptr_eq(in_reply(UDP, REMOTE, 4000, POOL1, peer, 0, &drop), se);
	ck_assert_ptr_null(in_reply(UDP, REMOTE, 4001, POOL1, peer, 0, &drop));
	ck_assert_int_eq(drop, DROP_FILTERED);
	ck_assert_ptr_null(in_reply(UDP, REMOTE2, 4000, POOL1, peer, 0, &drop));
}
END_TEST

/* A MAP and a PEER of one internal endpoint are two mappings (section 12)
 * in one session, each to its own end: a longer PEER does not keep the
 * MAP's strangers coming in, a shorter MAP renewal does not cut the PEER,
 * and each end is its own record. */
START_TEST(test_pcp_map_peer_ends)
{
	struct addr6 a = b4_addr(1);
	struct dp_session *se;
	struct ctl_msg ev;
	uint16_t port;
	int drop;

	cfg.fixed.filtering = FILTER_APDF;
	events_on();
	w->now = 100;
	port = pcp_map(&a, UDP, 7000, 100);
	se = find(&a, INSIDE, 7000, UDP);
	pcp_cmd(&a, CTL_PCP_PEER, UDP, INSIDE, 7000, 0, 400, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_ADD);
	ck_assert_uint_eq(ev.u.pcp.eport, port);
	ck_assert_uint_eq(sub_of(&a)->npcp, 1); /* one session */
	ck_assert_ptr_eq(in_reply(UDP, REMOTE2, 53, POOL1, port, 0, &drop), se);
	/* The MAP's end: strangers no more; the PEER keeps the session. */
	sweep_at(200);
	expect_pcp_ends(CTL_PCP_ENDS_MAP);
	ck_assert(se->in_use && se->is_pcp && !se->pcp_map);
	ck_assert_ptr_null(in_reply(UDP, ROUTER, 9, POOL1, port, 0, &drop));
	ck_assert_int_eq(drop, DROP_FILTERED);
	/* A MAP again, shorter than the PEER: the PEER's end stays 500. */
	pcp_cmd(&a, CTL_PCP_MAP, UDP, INSIDE, 7000, 0, 50, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_ADD);
	ck_assert_uint_eq(w->nat.pcp_end[se - w->nat.sess].map, 250);
	ck_assert_uint_eq(w->nat.pcp_end[se - w->nat.sess].peer, 500);
	/* The PEER deleted by its client: the MAP holds the session. */
	pcp_cmd(&a, CTL_PCP_PEER, UDP, INSIDE, 7000, 0, 0, 0, &ev);
	ck_assert_uint_eq(ev.u.pcp.op, CTL_PCP_DEL);
	ck_assert(se->in_use && se->is_pcp && se->pcp_map);
	ck_assert_uint_eq(w->nat.pcp_end[se - w->nat.sess].peer, 0);
	/* Both at once: one record naming both. */
	pcp_cmd(&a, CTL_PCP_PEER, UDP, INSIDE, 7000, 0, 50, 0, &ev);
	sweep_at(250);
	expect_pcp_ends(CTL_PCP_ENDS_MAP | CTL_PCP_ENDS_PEER);
	ck_assert(!next_pcp_event(&ev));
	/* Its inbound traffic at 100 keeps the session, an ordinary one now. */
	ck_assert(se->in_use && !se->is_pcp && !se->pcp_map);
	ck_assert_uint_eq(sub_of(&a)->npcp, 0);
}
END_TEST

static Suite *nat_suite(void)
{
	Suite *s = suite_create("nat");
	TCase *sess = tcase_create("sessions");
	TCase *life = tcase_create("lifetimes");
	TCase *limits = tcase_create("limits");
	TCase *icmp = tcase_create("icmp");
	TCase *stress = tcase_create("stress");
	TCase *pcp = tcase_create("pcp");
	TCase *all[] = {sess, life, limits, icmp, stress};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(sess, test_udp_both_ways);
	tcase_add_test(sess, test_session_endpoint);
	tcase_add_test(sess, test_ahead_guess_checked);
	tcase_add_test(sess, test_pool_index);
	tcase_add_test(sess, test_pool_index_scan);
	tcase_add_test(sess, test_static_inbound_first);
	tcase_add_test(sess, test_static_outbound_and_delete);
	tcase_add_test(sess, test_static_filter);
	tcase_add_test(sess, test_static_takes_over);
	tcase_add_test(sess, test_endpoint_independent);
	tcase_add_test(sess, test_two_b4s_same_inside);
	tcase_add_test(sess, test_paired_pools);
	tcase_add_test(sess, test_pools_live);
	tcase_add_test(sess, test_pools_live_refused);
	tcase_add_test(sess, test_checksums);
	tcase_add_test(sess, test_udp_cksum_zero);

	tcase_add_test(life, test_tcp_fin_rst);
	tcase_add_test(life, test_reply_establishes);
	tcase_add_test(life, test_expiry_and_hold);
	tcase_add_test(life, test_hold_zero);

	tcase_add_test(limits, test_limit_count);
	tcase_add_test(limits, test_limit_rate);
	tcase_add_test(limits, test_limit_per_tunnel);
	tcase_add_test(limits, test_ports_exhausted);
	tcase_add_test(limits, test_session_table_full);
	tcase_add_test(limits, test_subscriber_table_full);
	tcase_add_test(limits, test_configured_sizes);

	tcase_add_test(icmp, test_icmp_echo);
	tcase_add_test(icmp, test_rejects);
	tcase_add_test(icmp, test_icmp_error_udp);
	tcase_add_test(icmp, test_icmp_error_tcp_echo);

	tcase_add_test(stress, test_churn);

	tcase_add_checked_fixture(pcp, setup_pcp, teardown_pcp);
	suite_add_tcase(s, pcp);
	tcase_add_test(pcp, test_pcp_map_lifetime);
	tcase_add_test(pcp, test_pcp_delete);
	tcase_add_test(pcp, test_pcp_suggested);
	tcase_add_test(pcp, test_pcp_quota);
	tcase_add_test(pcp, test_pcp_filter_peer);
	tcase_add_test(pcp, test_pcp_map_peer_ends);
	tcase_add_test(pcp, test_pcp_static);
	tcase_add_test(pcp, test_pcp_expiry_events);
	tcase_add_test(pcp, test_pcp_end_by_static);
	tcase_add_test(pcp, test_pcp_session_quota);
	tcase_add_test(pcp, test_pcp_suggested_taken);
	tcase_add_test(pcp, test_pcp_filter_ports);
	tcase_add_test(pcp, test_pcp_map_opens_apdf);
	tcase_add_test(sess, test_pcp_off);
	return s;
}

int main(void)
{
	if (dp_test_eal("test_nat", "128") < 0)
		return EXIT_FAILURE;
	return dp_test_run(nat_suite());
}
