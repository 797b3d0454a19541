/* Node frag4: an IPv4 packet leaving by the WAN that is longer than the
 * WAN's MTU (interfaces.wan.mtu). With DF clear it is sent in fragments
 * (RFC 791 section 3.2, "Fragmentation"; RFC 1812 section 5.2.6); with DF
 * set it is dropped and its source gets destination unreachable,
 * fragmentation needed, with the WAN MTU as the next-hop MTU (RFC 1191
 * section 4). The source of a packet leaving by the WAN is one of our
 * public addresses (a pool's, a lw4o6 or nonat B4's): the error goes back
 * through the nodes of the WAN side, which translate it (RFC 5508) and
 * put it into the B4's softwire, as an error from a router beyond the WAN
 * would be. */
#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "cksum.h"
#include "graph.h"
#include "icmp_build.h"
#include "nat.h"
#include "stateless.h"

#define ETH_LEN ((uint32_t)RTE_ETHER_HDR_LEN)

/* The options of a header that every fragment carries: those with the
 * copied flag set (RFC 791 section 3.1, "Options"), padded with zeros
 * (end of options) to a multiple of 4. Returns their length. */
static uint32_t copied_options(const struct l3_ip4_hdr *ip, uint8_t out[40])
{
	const uint8_t *o = (const uint8_t *)(ip + 1);
	uint32_t n = pkt_ip4_hdr_len(ip) - 20, i = 0, len = 0, l;

	while (i < n && o[i] != 0) {
		if (o[i] == 1) { /* no operation: one byte, not copied */
			i++;
			continue;
		}
		l = i + 1 < n ? o[i + 1] : 0;
		if (l < 2 || i + l > n)
			break; /* malformed: the rest is not copied */
		if (o[i] & 0x80) {
			memcpy(out + len, o + i, l);
			len += l;
		}
		i += l;
	}
	while (len % 4)
		out[len++] = 0;
	return len;
}

/* One fragment: the header hdr (hl bytes: the original's for the first,
 * the copied options for the others), then len bytes of data from the
 * original's data offset off. NULL when out of buffers (counted). */
static struct rte_mbuf *fragment(struct dp_worker *w, const struct l3_ip4_hdr *ip,
                                 const uint8_t *hdr, uint32_t hl, uint32_t off, uint32_t len,
                                 bool more)
{
	struct rte_mbuf *f = rte_pktmbuf_alloc(dp.mp);
	struct l3_ip4_hdr *out;
	uint16_t frag;
	char *p;

	DP_COUNT(w, CREATED); /* made, or dropped for want of a buffer */
	if (f == NULL || (p = rte_pktmbuf_append(f, (uint16_t)(ETH_LEN + hl + len))) == NULL) {
		rte_pktmbuf_free(f);
		w->ctr->drop[DROP_NO_MBUF]++;
		return NULL;
	}
	out = (struct l3_ip4_hdr *)(p + ETH_LEN);
	memcpy(out, hdr, hl);
	memcpy((uint8_t *)out + hl, (const uint8_t *)ip + pkt_ip4_hdr_len(ip) + off, len);
	out->version_ihl = (uint8_t)(0x40 | hl / 4);
	out->total_len = htons((uint16_t)(hl + len));
	/* Offsets count from the original datagram: a fragment may be
	 * fragmented again, and its last piece keeps its MF. */
	frag = (uint16_t)((pkt_ip4_frag_offset(ip) + off) / 8);
	if (more || (ip->frag_off & htons(AFTR_IP4_FLAG_MF)))
		frag |= AFTR_IP4_FLAG_MF;
	out->frag_off = htons(frag);
	out->cksum = 0;
	out->cksum = cksum_ip4_hdr(out);
	dp_ctx_new(f, DP_PORT_WAN);
	dp_ctx_ip4(f, (uint16_t)ETH_LEN);
	return f;
}

/* ip in fragments of at most mtu bytes, made into the graph in order. */
static void fragments(struct dp_worker *w, const struct l3_ip4_hdr *ip, uint16_t mtu)
{
	uint32_t hl = pkt_ip4_hdr_len(ip), data = ntohs(ip->total_len) - hl, hl2, size;
	uint8_t later[60];

	memcpy(later, ip, 20);
	hl2 = 20 + copied_options(ip, later + 20);
	DP_COUNT(w, IP4_FRAGMENTED);
	for (uint32_t off = 0, len; off < data; off += len) {
		const uint8_t *hdr = off ? later : (const uint8_t *)ip;
		uint32_t h = off ? hl2 : hl;
		struct rte_mbuf *f;

		size = (mtu - h) & ~7u; /* all but the last: a multiple of 8 */
		len = RTE_MIN(size, data - off);
		f = fragment(w, ip, hdr, h, off, len, off + len < data);
		if (f == NULL)
			break;
		DP_COUNT(w, IP4_FRAGMENTS_SENT);
		dp_emit(w, f, NODE_WAN_TX);
	}
}

/* Where an error for the source of a packet leaving by the WAN goes: that
 * source's pool (NAPT, prr) or stateless binding (lw4o6, nonat) on the
 * WAN side, else out to the Internet. */
static enum dp_node back_to_source(struct dp_worker *w, struct rte_mbuf *e)
{
	struct dp_ctx *c = dp_ctx(e);
	uint32_t dst = ntohl(dp_ip4(e)->dst);

	c->pool = (int16_t)nat_pool_index(dst);
	if (c->pool >= 0)
		return NODE_POOL_IN;
	if (stateless_owns(w, dst)) {
		c->flags |= CTX_SL_DST;
		return NODE_SL_IN;
	}
	return NODE_IP4_OUT;
}

enum dp_node node_frag4(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	uint16_t mtu = dp.port[DP_PORT_WAN].mtu;
	struct rte_mbuf *e;

	if (ip->frag_off & htons(AFTR_IP4_FLAG_DF)) {
		e = icmp_frag_needed(w, dp_ctx(m)->port, ip, ntohs(ip->total_len), mtu);
		if (e)
			dp_emit(w, e, back_to_source(w, e));
		return dp_drop(m, DROP_WAN_TOO_BIG);
	}
	fragments(w, ip, mtu);
	return NODE_FREE;
}
