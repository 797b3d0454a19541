/* Reassembly with DPDK's ip_frag library; see reasm.h. A table per worker
 * and family (no lock), sized by ISC's "default fragment ipv6 maxcount"
 * and "default fragment out maxcount" (packets being reassembled at once)
 * and timed by "default fragment lifetime". The library handles order,
 * overlap and duplicates (RFC 8200 section 4.5, RFC 5722: a packet with
 * overlapping fragments is dropped whole) and hands back a chain, copied
 * here into one buffer for the packet path; a packet bigger than a buffer
 * is dropped as too_big. Reassembling IPv4 (rather than keeping per-flow
 * fragment state) lets a datagram too big for the softwire go on in IPv6
 * fragments (toobig.c).
 *
 * IPv4 fragments inside softwires (from B4s) are reassembled at the B4's
 * owner, in a third table sized by ISC's "default fragment in maxcount".
 *
 * A tunnel may hold only so many fragments at once (reasm_tunnel.h).
 *
 * Limits, by decision: a packet comes in at most 8 fragments (DPDK's
 * RTE_LIBRTE_IP_FRAG_MAX_FRAG; a 1500-byte packet needs 2 on a 1280-byte
 * link): one in more is given up whole. An IPv6 fragment header must come
 * right after the fixed header, as B4s put it (Linux ip6tnl and aftr-b4
 * fragment before their destination options) and as the library expects;
 * one after other extension headers is dropped (ip6_fragment). */
/* rte_ip_frag_table_del_expired_entries is still experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API
#include "reasm.h"

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include "cksum.h"
#include "crc.h"
#include "graph.h"
#include "pkt.h"
#include "reasm_tunnel.h"
#include "rx.h"

#define BUCKET_ENTRIES 16

/* The level of fragments each table holds, in the counters (a gauge). */
static const int held_ctr[DP_REASM_N] = {CNT_FRAG_HELD_IP6, CNT_FRAG_HELD_OUT, CNT_FRAG_HELD_IN};

static void held_add(struct dp_worker *w, int t, const struct rte_mbuf *m)
{
	w->ctr->cnt[held_ctr[t]] += m->nb_segs;
}

static void held_sub(struct dp_worker *w, int t, const struct rte_mbuf *m)
{
	uint64_t *c = &w->ctr->cnt[held_ctr[t]];

	*c = *c > m->nb_segs ? *c - m->nb_segs : 0;
}

/* Table t made the datagram r of its fragments (a segment each): they
 * are no longer held, but consumed, and r is a packet the AFTR made. */
static void merged(struct dp_worker *w, int t, const struct rte_mbuf *r)
{
	held_sub(w, t, r);
	w->ctr->cnt[CNT_CONSUMED] += r->nb_segs;
	DP_COUNT(w, CREATED);
}

static int table(struct dp_reasm *r, uint32_t maxcount)
{
	uint32_t max = RTE_MAX(maxcount, 1u);
	uint64_t cycles = rte_get_tsc_hz() * RTE_MAX(dp.conf.cfg->frag_lifetime, (uint16_t)1);

	r->off = maxcount == 0;
	r->cap = max * REASM_FRAGS_PER_PACKET;

	r->tbl = rte_ip_frag_table_create(rte_align32pow2(max / BUCKET_ENTRIES + 1), BUCKET_ENTRIES,
	                                  max, cycles, (int)rte_socket_id());
	r->dr = rte_zmalloc("fragdr", sizeof(*r->dr), 0);
	return r->tbl && r->dr ? 0 : -ENOMEM;
}

/* Where a fragment inside a softwire keeps its own addresses (see key_b4). */
static int addrs_off = -1;

int reasm_init(struct dp_worker *w)
{
	static const struct rte_mbuf_dynfield addrs = {
	        .name = "aftr_inner_addrs", .size = 8, .align = 4};

	if (addrs_off < 0 && (addrs_off = rte_mbuf_dynfield_register(&addrs)) < 0)
		return -ENOMEM;
	if (table(&w->frag.reasm[0], dp.conf.cfg->frag_maxcount[0]) < 0 ||
	    table(&w->frag.reasm[1], dp.conf.cfg->frag_maxcount[2]) < 0 ||
	    table(&w->frag.reasm[2], dp.conf.cfg->frag_maxcount[1]) < 0)
		return -ENOMEM;
	return reasm_tn_init(&w->frag, w->id);
}

void reasm_fini(struct dp_worker *w)
{
	for (int i = 0; i < DP_REASM_N; i++) {
		struct dp_reasm *r = &w->frag.reasm[i];

		if (r->dr)
			rte_ip_frag_free_death_row(r->dr, 0);
		if (r->tbl) /* a set-up that failed before it */
			rte_ip_frag_table_destroy(r->tbl);
		rte_free(r->dr);
		*r = (struct dp_reasm){NULL, NULL, false};
	}
	reasm_tn_fini(&w->frag);
}

/* Frees what table i gave up, counted. Done after every fragment, not once
 * a loop: the library writes its death row without a bound, and a loop may
 * see three bursts of fragments, each able to give up 9 buffers. An entry
 * may be several fragments chained (a datagram found to have a hole once
 * chained): each is a fragment dropped. */
static void dr_flush(struct dp_worker *w, int i)
{
	static const int reason[DP_REASM_N] = {DROP_IP6_FRAG_DROPPED, DROP_IP4_FRAG_DROPPED,
	                                       DROP_IP4_FRAG_DROPPED};
	struct rte_ip_frag_death_row *dr = w->frag.reasm[i].dr;

	if (dr->cnt == 0)
		return;
	/* Tables 0 and 2 hold fragments per tunnel too. */
	for (uint32_t k = 0; k < dr->cnt; k++) {
		held_sub(w, i, dr->row[k]);
		w->ctr->drop[reason[i]] += dr->row[k]->nb_segs;
		if (i != 1)
			reasm_tn_release(&w->frag, dr->row[k],
			                 i == 0 ? REASM_TN_IP6 : REASM_TN_IP4);
	}
	rte_ip_frag_free_death_row(dr, 0);
}

/* A reassembled chain in one buffer (the packet path reads one). */
static struct rte_mbuf *flatten(struct dp_worker *w, struct rte_mbuf *c)
{
	uint32_t len = rte_pktmbuf_pkt_len(c);
	struct rte_mbuf *m;
	char *p;

	if (c->nb_segs == 1)
		return c;
	m = rte_pktmbuf_alloc(dp.mp);
	if (m == NULL || len > rte_pktmbuf_tailroom(m) ||
	    (p = rte_pktmbuf_append(m, len)) == NULL || rte_pktmbuf_read(c, 0, len, p) != p) {
		w->ctr->drop[m ? DROP_TOO_BIG : DROP_NO_MBUF]++;
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(c);
		return NULL;
	}
	m->port = c->port;
	rte_pktmbuf_free(c);
	return m;
}

/* A fragment given to table t: -1 when the table keeps it (or gave it up,
 * counted), else the reason to drop it (it was not taken); the whole
 * packet, when this completed it, in *out. */
static int ip6(struct dp_worker *w, struct rte_mbuf *m, struct rte_mbuf **out)
{
	struct rte_ipv6_hdr *ip6 =
	        rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	struct rte_ipv6_fragment_ext *fh = (struct rte_ipv6_fragment_ext *)(ip6 + 1);
	struct rte_mbuf *r;

	*out = NULL;
	DP_COUNT(w, IP6_FRAGMENTS_RECEIVED);
	if (w->frag.reasm[0].off || w->ctr->cnt[held_ctr[0]] >= w->frag.reasm[0].cap)
		return DROP_IP6_FRAG_DROPPED;
	if (!reasm_tn_hold(&w->frag, m, &dp_ctx(m)->b4, REASM_TN_IP6))
		return DROP_FRAG_TUNNEL_LIMIT;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip6) + sizeof(*fh);
	/* Trim Ethernet padding: the library takes the buffer's length. */
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (RTE_ETHER_HDR_LEN + sizeof(*ip6) +
	                                              rte_be_to_cpu_16(ip6->payload_len)));
	held_add(w, 0, m);
	r = rte_ipv6_frag_reassemble_packet(w->frag.reasm[0].tbl, w->frag.reasm[0].dr, m,
	                                    rte_rdtsc(), ip6, fh);
	dr_flush(w, 0);
	if (r == NULL)
		return -1;
	merged(w, 0, r);
	reasm_tn_release(&w->frag, r, REASM_TN_IP6);
	DP_COUNT(w, IP6_REASSEMBLED);
	*out = flatten(w, r);
	return -1;
}

/* RFC 8200 section 4.5: the octet a parameter problem points at for a
 * fragment that would make a packet over 65,535 octets (its Fragment
 * Offset) or that is not a multiple of 8 octets with more to come (the
 * Payload Length), else 0. Its header is right after the IPv6 one (RX). */
static uint32_t bad_fragment(const struct rte_mbuf *m)
{
	const struct l3_ip6_hdr *ip6 =
	        rte_pktmbuf_mtod_offset(m, const struct l3_ip6_hdr *, RTE_ETHER_HDR_LEN);
	const struct l3_ip6_frag_hdr *fh = (const struct l3_ip6_frag_hdr *)(ip6 + 1);
	uint32_t data = ntohs(ip6->payload_len) - (uint32_t)sizeof(*fh);

	if (pkt_ip6_frag_offset(fh) + data > UINT16_MAX)
		return 40 + offsetof(struct l3_ip6_frag_hdr, frag_off_m);
	if (pkt_ip6_frag_more(fh) && data % 8 != 0)
		return offsetof(struct l3_ip6_hdr, payload_len);
	return 0;
}

/* IPv6 fragments from a B4, at its owner: the whole packet is parsed
 * again (a fragment in a fragment is not one we take). */
enum dp_node node_reasm6(struct dp_worker *w, struct rte_mbuf *m)
{
	struct rte_mbuf *r;
	enum dp_node next;
	uint32_t ptr = bad_fragment(m);
	int drop;

	if (ptr) {
		DP_COUNT(w, IP6_FRAGMENTS_RECEIVED);
		return dp_param6(m, DROP_IP6_FRAGMENT, ptr);
	}
	drop = ip6(w, m, &r);
	if (drop >= 0)
		return dp_drop(m, drop);
	if (r == NULL)
		return NODE_HELD;
	next = rx_tr_parse(r);
	if (next == NODE_TR_IN && (dp_ctx(r)->flags & CTX_FRAG6))
		next = dp_drop(r, DROP_IP6_FRAGMENT);
	dp_emit(w, r, next);
	return NODE_HELD;
}

/* DPDK keys an IPv4 datagram by source, destination and id only, and B4s
 * share private sources: two B4s' fragments could make one datagram. For
 * fragments inside a softwire the key's source becomes the B4's slot
 * (reasm_tunnel.h: unique among B4s holding fragments) and its
 * destination a hash of the real two, which wait in the buffer and are
 * put back once the datagram is whole. */
static void key_b4(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	uint32_t *a = RTE_MBUF_DYNFIELD(m, addrs_off, uint32_t *);

	a[0] = ip->src_addr;
	a[1] = ip->dst_addr;
	ip->src_addr = rte_cpu_to_be_32(m->hash.usr + 1);
	ip->dst_addr = dp_crc(a, 8, 0);
}

static void key_restore(struct rte_mbuf *r)
{
	struct rte_ipv4_hdr *ip =
	        rte_pktmbuf_mtod_offset(r, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	const uint32_t *a = RTE_MBUF_DYNFIELD(r, addrs_off, uint32_t *);

	ip->src_addr = a[0];
	ip->dst_addr = a[1];
}

/* IPv4 in table t (1: from the Internet, 2: from b4's softwire), as ip6. */
static int ip4(struct dp_worker *w, struct rte_mbuf *m, int t, const struct addr6 *b4,
               struct rte_mbuf **out)
{
	struct rte_ipv4_hdr *ip =
	        rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	struct rte_mbuf *r;
	struct l3_ip4_hdr *h;

	*out = NULL;
	DP_COUNT(w, IP4_FRAGMENTS_RECEIVED);
	if (w->frag.reasm[t].off || w->ctr->cnt[held_ctr[t]] >= w->frag.reasm[t].cap)
		return DROP_IP4_FRAG_DROPPED;
	if (b4 && !reasm_tn_hold(&w->frag, m, b4, REASM_TN_IP4))
		return DROP_FRAG_TUNNEL_LIMIT;
	if (b4)
		key_b4(m, ip);
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = rte_ipv4_hdr_len(ip);
	held_add(w, t, m);
	r = rte_ipv4_frag_reassemble_packet(w->frag.reasm[t].tbl, w->frag.reasm[t].dr, m,
	                                    rte_rdtsc(), ip);
	dr_flush(w, t);
	if (r == NULL)
		return -1;
	merged(w, t, r);
	if (b4) {
		reasm_tn_release(&w->frag, r, REASM_TN_IP4);
		key_restore(r);
	}
	if ((r = flatten(w, r)) == NULL)
		return -1;
	DP_COUNT(w, IP4_REASSEMBLED);
	/* The library zeroes the header checksum of the whole datagram. */
	h = rte_pktmbuf_mtod_offset(r, struct l3_ip4_hdr *, RTE_ETHER_HDR_LEN);
	h->cksum = 0;
	h->cksum = cksum_ip4_hdr(h);
	*out = r;
	return -1;
}

/* Reassembles in table t, the whole datagram going on at node next with
 * the fragment's context (the head of the chain, or a new buffer, has
 * another fragment's), its IPv4 fields parsed anew. */
static enum dp_node reasm_ip4(struct dp_worker *w, struct rte_mbuf *m, int t, enum dp_node next)
{
	struct dp_ctx c = *dp_ctx(m);
	struct rte_mbuf *r;
	int drop = ip4(w, m, t, t == 2 ? &c.b4 : NULL, &r);

	if (drop >= 0)
		return dp_drop(m, drop);
	if (r == NULL)
		return NODE_HELD;
	*dp_ctx(r) = c;
	dp_ctx_ip4(r, RTE_ETHER_HDR_LEN);
	dp_emit(w, r, next);
	return NODE_HELD;
}

enum dp_node node_reasm4(struct dp_worker *w, struct rte_mbuf *m)
{
	return reasm_ip4(w, m, 1, NODE_WAN_FWD);
}

enum dp_node node_reasm4_in(struct dp_worker *w, struct rte_mbuf *m)
{
	return reasm_ip4(w, m, 2, NODE_INNER);
}

void reasm_tick(struct dp_worker *w, bool new_second)
{
	for (int i = 0; i < DP_REASM_N; i++) {
		if (new_second)
			rte_ip_frag_table_del_expired_entries(w->frag.reasm[i].tbl,
			                                      w->frag.reasm[i].dr, rte_rdtsc());
		dr_flush(w, i);
	}
}
