/* Too big for a softwire; see toobig.h.
 *
 * RFC 6333 section 6.3 and RFC 2473 section 7: the AFTR fragments the
 * IPv6 packet after encapsulation rather than the IPv4 one (a DF-clear
 * IPv4 packet is not fragmented in IPv4 first: one reassembly, at the B4,
 * whatever the inner flags say). ISC's toobig decides what a DF packet
 * gets besides: on, fragments and an ICMPv4 fragmentation needed for path
 * MTU discovery; off, fragments only; strict, the error only. Fragments
 * are as big as the MTU allows, or all of one size with ISC's
 * "default fragment equal". */
#include "toobig.h"

#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "icmp_gen.h"
#include "path.h"
#include "pmtu.h"
#include "tx.h"

#define FRAG_HDR 8

uint16_t toobig_mtu(struct dp_worker *w, const struct addr6 *b4)
{
	/* Every packet into a softwire asks: search only if a tunnel has one,
	 * or a router told us of one. */
	const struct cfg_tunnel *t = w->tab->tunnel_mtus ? tables_tunnel(w->tab, b4) : NULL;
	uint16_t mtu = cfg_tunnel_mtu(t, &w->tab->cfg.tun), learned;

	mtu = RTE_MIN(mtu, dp.port[DP_PORT_TRANSPORT].mtu);
	if (w->pmtu_n && (learned = pmtu_get(w, b4)) != 0)
		mtu = RTE_MIN(mtu, learned);
	return mtu;
}

int toobig_policy(const struct dp_worker *w, const struct addr6 *b4)
{
	const struct cfg_tunnel *t = tables_tunnel(w->tab, b4);

	return t && t->toobig != CFG_INHERIT ? t->toobig : w->tab->cfg.tun.toobig;
}

/* One fragment: IPv6, fragment header, then len bytes of the inner packet
 * from off. NULL when out of buffers (counted). */
static struct rte_mbuf *fragment(struct dp_worker *w, const struct l3_ip4_hdr *ip,
                                 const struct addr6 *b4, uint32_t id, uint32_t off, uint32_t len,
                                 bool more)
{
	struct rte_mbuf *f = rte_pktmbuf_alloc(dp.mp);
	struct l3_ip6_hdr *ip6;
	struct l3_ip6_frag_hdr *fh;
	char *p;

	if (f == NULL ||
	    (p = rte_pktmbuf_append(f, RTE_ETHER_HDR_LEN + 40 + FRAG_HDR + len)) == NULL) {
		rte_pktmbuf_free(f);
		w->ctr->drop[DROP_NO_MBUF]++;
		return NULL;
	}
	ip6 = (struct l3_ip6_hdr *)(p + RTE_ETHER_HDR_LEN);
	ip6->vtc_flow = htonl(6u << 28 | (uint32_t)ip->tos << 20);
	ip6->payload_len = htons((uint16_t)(FRAG_HDR + len));
	ip6->next_hdr = AFTR_IPPROTO_FRAGMENT;
	ip6->hop_limit = ENCAP_HOP_LIMIT;
	memcpy(ip6->src, dp.conf.endpoint.b, 16);
	memcpy(ip6->dst, b4->b, 16);
	fh = (struct l3_ip6_frag_hdr *)(ip6 + 1);
	fh->next_hdr = AFTR_IPPROTO_IPIP;
	fh->reserved = 0;
	fh->frag_off_m = htons((uint16_t)(off | (more ? AFTR_IP6_FRAG_M : 0)));
	fh->id = htonl(id);
	memcpy(fh + 1, (const uint8_t *)ip + off, len);
	return f;
}

/* The inner packet in IPv6 fragments of at most mtu bytes each. */
static void send_fragments(struct dp_worker *w, struct rte_mbuf *m, const struct addr6 *b4,
                           uint16_t mtu)
{
	const struct l3_ip4_hdr *ip =
	        rte_pktmbuf_mtod_offset(m, const struct l3_ip4_hdr *, RTE_ETHER_HDR_LEN);
	uint32_t total = ntohs(ip->total_len), max = (mtu - 40u - FRAG_HDR) & ~7u, size = max;
	uint32_t id = (uint32_t)w->id << 24 | (w->frag_id++ & 0xffffff);
	struct addr6 nh;

	if (w->tab->cfg.frag_equal) { /* ISC eqfrag: n fragments of one size */
		uint32_t n = (total + max - 1) / max;

		size = ((total + n - 1) / n + 7) & ~7u;
	}
	dp_nexthop6(b4->b, &nh);
	DP_COUNT(w, ENCAP);
	DP_COUNT(w, ENCAP_FRAGMENTED);
	for (uint32_t off = 0; off < total; off += size) {
		uint32_t len = RTE_MIN(size, total - off);
		struct rte_mbuf *f = fragment(w, ip, b4, id, off, len, off + len < total);

		if (f == NULL)
			break;
		DP_COUNT(w, IP6_FRAGMENTS_SENT);
		dp_send(w, DP_PORT_TRANSPORT, f, RTE_ETHER_TYPE_IPV6, &nh);
	}
	rte_pktmbuf_free(m);
}

void toobig_send(struct dp_worker *w, struct rte_mbuf *m, const struct addr6 *b4, uint16_t mtu,
                 const struct toobig_orig *orig)
{
	const struct l3_ip4_hdr *ip =
	        rte_pktmbuf_mtod_offset(m, const struct l3_ip4_hdr *, RTE_ETHER_HDR_LEN);
	int policy = toobig_policy(w, b4);
	bool df = ip->frag_off & htons(AFTR_IP4_FLAG_DF);

	if (df && policy != TOOBIG_OFF) {
		/* About the packet as its source sent it (before NAT). */
		if (orig && orig->len)
			icmp_frag_needed(w, (const struct l3_ip4_hdr *)orig->b, orig->len,
			                 (uint16_t)(mtu - 40));
		else
			icmp_frag_needed(w, ip, ntohs(ip->total_len), (uint16_t)(mtu - 40));
	}
	if (df && policy == TOOBIG_STRICT) {
		DP_DROP(w, TOO_BIG, m);
		return;
	}
	send_fragments(w, m, b4, mtu);
}
