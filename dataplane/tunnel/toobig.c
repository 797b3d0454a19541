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

#include "graph.h"
#include "icmp_build.h"
#include "pmtu.h"

#define FRAG_HDR 8

int toobig_policy(const struct dp_worker *w, const struct addr6 *b4)
{
	const struct cfg_tunnel *t = tables_tunnel(w->tab, b4);

	return t && t->toobig != CFG_INHERIT ? t->toobig : dp_tun_defaults()->toobig;
}

/* One fragment: IPv6, fragment header, then len bytes of the inner packet
 * from off, its context the packet's B4 and endpoint. NULL when out of buffers
 * (counted). */
static struct rte_mbuf *fragment(struct dp_worker *w, const struct rte_mbuf *m, uint32_t id,
                                 uint32_t off, uint32_t len, bool more)
{
	const struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	struct rte_mbuf *f = rte_pktmbuf_alloc(dp.mp);
	struct l3_ip6_hdr *ip6;
	struct l3_ip6_frag_hdr *fh;
	struct dp_ctx *nc;
	char *p;

	DP_COUNT(w, CREATED); /* made, or dropped for want of a buffer */
	if (f == NULL ||
	    (p = rte_pktmbuf_append(f, RTE_ETHER_HDR_LEN + 40 + FRAG_HDR + len)) == NULL) {
		rte_pktmbuf_free(f);
		w->ctr->drop[DROP_NO_MBUF]++;
		return NULL;
	}
	nc = dp_ctx_new(f, DP_PORT_TRANSPORT);
	nc->b4 = c->b4;
	nc->ep = c->ep;
	ip6 = (struct l3_ip6_hdr *)(p + RTE_ETHER_HDR_LEN);
	ip6->vtc_flow = htonl(6u << 28 | (uint32_t)ip->tos << 20);
	ip6->payload_len = htons((uint16_t)(FRAG_HDR + len));
	ip6->next_hdr = AFTR_IPPROTO_FRAGMENT;
	ip6->hop_limit = ENCAP_HOP_LIMIT;
	memcpy(ip6->src, dp.conf.endpoints[c->ep].b, 16);
	memcpy(ip6->dst, c->b4.b, 16);
	fh = (struct l3_ip6_frag_hdr *)(ip6 + 1);
	fh->next_hdr = AFTR_IPPROTO_IPIP;
	fh->reserved = 0;
	fh->frag_off_m = htons((uint16_t)(off | (more ? AFTR_IP6_FRAG_M : 0)));
	fh->id = htonl(id);
	memcpy(fh + 1, (const uint8_t *)ip + off, len);
	return f;
}

/* The inner packet in IPv6 fragments of at most mtu bytes each, made
 * into the graph in order. */
static void fragments(struct dp_worker *w, const struct rte_mbuf *m, uint16_t mtu)
{
	uint32_t total = ntohs(dp_ip4(m)->total_len), max = (mtu - 40u - FRAG_HDR) & ~7u;
	uint32_t id = (uint32_t)w->id << 24 | (w->frag.id++ & 0xffffff), size = max;

	if (w->tab->cfg.fixed.frag_equal) { /* ISC eqfrag: n fragments of one size */
		uint32_t n = (total + max - 1) / max;

		size = ((total + n - 1) / n + 7) & ~7u;
	}
	DP_COUNT(w, ENCAP);
	DP_COUNT(w, ENCAP_FRAGMENTED);
	for (uint32_t off = 0; off < total; off += size) {
		uint32_t len = RTE_MIN(size, total - off);
		struct rte_mbuf *f = fragment(w, m, id, off, len, off + len < total);

		if (f == NULL)
			break;
		DP_COUNT(w, IP6_FRAGMENTS_SENT);
		dp_emit(w, f, NODE_TR_TX);
	}
}

enum dp_node node_toobig(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	int policy = toobig_policy(w, &c->b4);
	bool df = ip->frag_off & htons(AFTR_IP4_FLAG_DF);
	struct rte_mbuf *e = NULL;

	/* About the packet as its source sent it (before NAT). */
	if (df && policy != TOOBIG_OFF && c->orig_len)
		e = icmp_frag_needed(w, c->port, (const struct l3_ip4_hdr *)c->orig, c->orig_len,
		                     (uint16_t)(c->mtu - 40));
	else if (df && policy != TOOBIG_OFF)
		e = icmp_frag_needed(w, c->port, ip, ntohs(ip->total_len), (uint16_t)(c->mtu - 40));
	if (e)
		dp_emit(w, e, NODE_IP4_OUT);
	if (df && policy == TOOBIG_STRICT)
		return dp_drop(m, DROP_TOO_BIG);
	fragments(w, m, c->mtu);
	return NODE_FREE;
}
