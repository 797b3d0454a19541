/* ICMPv4 errors the AFTR originates; see icmp_build.h. */
#include "icmp_build.h"

#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "cksum.h"
#include "ctx.h"

/* RFC 1812 section 4.3.2.3: quote as much as fits in 576 bytes. */
#define ICMP_MAX_LEN 576
#define ICMP_TTL     64

/* RFC 1812 section 4.3.2.7: no ICMP error about an ICMP error or about a
 * non-initial fragment. */
static bool may_answer(const struct l3_ip4_hdr *ip)
{
	uint32_t hl = pkt_ip4_hdr_len(ip);
	uint8_t type;

	if (ntohs(ip->frag_off) & AFTR_IP4_OFF_MASK)
		return false;
	if (ip->proto != IPPROTO_ICMP)
		return true;
	if (ntohs(ip->total_len) <= hl)
		return false;
	type = ((const uint8_t *)ip)[hl];
	return !pkt_icmp4_is_error(type) && type != 4 /* source quench */ &&
	       type != 5 /* redirect */;
}

/* The interface's ICMP policy (icmp.transport, icmp.wan: RFC 7596
 * sections 5.2 and 6.2) lets the error out, and its rate limit (RFC 1812
 * section 4.3.2.8: a flood of bad packets must not become a flood of
 * errors), a bucket per interface and worker. */
static bool allowed(struct dp_worker *w, unsigned int side, uint8_t type, uint8_t code)
{
	const struct cfg_icmp_policy *p = &dp.conf.cfg->icmp[side];
	struct icmp_bucket *b = &w->icmp_rl[side];

	if (!p->errors ||
	    (type == AFTR_ICMP4_DEST_UNREACH && code == ICMP4_FRAG_NEEDED && !p->too_big)) {
		DP_COUNT(w, ICMP_OFF);
		return false;
	}
	/* at is the second plus one: a zeroed bucket starts afresh. */
	if (b->at != w->now + 1) {
		b->at = w->now + 1;
		b->tokens = p->rate;
	}
	if (b->tokens == 0) {
		DP_COUNT(w, ICMP_LIMITED);
		return false;
	}
	b->tokens--;
	return true;
}

struct rte_mbuf *icmp_error_new(struct dp_worker *w, unsigned int side, uint32_t src,
                                const struct l3_ip4_hdr *ip, uint32_t avail, uint8_t type,
                                uint8_t code, uint32_t rest)
{
	uint32_t quote = RTE_MIN((uint32_t)ntohs(ip->total_len), avail), total;
	struct rte_mbuf *m;
	struct l3_ip4_hdr *out;
	uint8_t *icmp;

	if (!may_answer(ip) || !allowed(w, side, type, code))
		return NULL;
	DP_COUNT(w, CREATED); /* made, or dropped for want of a buffer */
	m = rte_pktmbuf_alloc(dp.mp);
	if (m == NULL) {
		w->ctr->drop[DROP_NO_MBUF]++;
		return NULL;
	}
	if (quote > ICMP_MAX_LEN - 28)
		quote = ICMP_MAX_LEN - 28;
	total = 28 + quote;
	out = (struct l3_ip4_hdr *)(rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN + total) +
	                            RTE_ETHER_HDR_LEN);
	*out = (struct l3_ip4_hdr){.version_ihl = 0x45,
	                           .total_len = htons((uint16_t)total),
	                           .ttl = ICMP_TTL,
	                           .proto = IPPROTO_ICMP,
	                           .src = src,
	                           .dst = ip->src};
	out->cksum = cksum_ip4_hdr(out);
	icmp = (uint8_t *)(out + 1);
	memset(icmp, 0, 8);
	icmp[0] = type;
	icmp[1] = code;
	memcpy(icmp + 4, &rest, 4);
	memcpy(icmp + 8, ip, quote);
	*(uint16_t *)(icmp + 2) = cksum_finish(cksum_add(0, icmp, 8 + quote));
	dp_ctx_new(m, DP_PORT_WAN);
	dp_ctx_ip4(m, RTE_ETHER_HDR_LEN);
	return m;
}

struct rte_mbuf *icmp_error_b4(struct dp_worker *w, const struct dp_ctx *about,
                               const struct l3_ip4_hdr *ip, uint8_t type, uint8_t code)
{
	struct rte_mbuf *m = icmp_error_new(w, CFG_SIDE_TRANSPORT, htonl(dp.conf.icmp_source), ip,
	                                    ntohs(ip->total_len), type, code, 0);

	if (m == NULL)
		return NULL;
	dp_ctx(m)->b4 = about->b4;
	dp_ctx(m)->ep = about->ep;
	dp_ctx(m)->port = DP_PORT_TRANSPORT;
	DP_COUNT(w, ICMP_SENT);
	return m;
}

/* RFC 1812 section 4.3.2.4: from an address of the interface it leaves
 * by (the address it was sent to, if the WAN has none). */
struct rte_mbuf *icmp_error_wan(struct dp_worker *w, unsigned int side, const struct l3_ip4_hdr *ip,
                                uint32_t avail, uint8_t type, uint8_t code, uint32_t rest)
{
	struct rte_mbuf *m =
	        icmp_error_new(w, side, dp.conf.wan_addr ? htonl(dp.conf.wan_addr) : ip->dst, ip,
	                       avail, type, code, rest);

	if (m != NULL)
		DP_COUNT(w, ICMP_SENT);
	return m;
}

struct rte_mbuf *icmp_frag_needed(struct dp_worker *w, unsigned int side,
                                  const struct l3_ip4_hdr *ip, uint32_t avail, uint16_t mtu)
{
	/* RFC 1191 section 4: the next-hop MTU in the low 16 bits. */
	return icmp_error_wan(w, side, ip, avail, AFTR_ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED,
	                      htonl(mtu));
}

/* RFC 4443 section 2.4 (c): as much of the invoking packet as fits in the
 * minimum IPv6 MTU. */
#define ICMP6_MAX_LEN 1280

/* An ICMPv6 error (type, code, the 4 bytes after the checksum: rest,
 * network order) from src to dst with room for a quote of qlen bytes
 * (the caller's to write at *quote), towards a B4: the mbuf, or NULL
 * (no buffer: counted). icmp6_finish completes it. */
static struct rte_mbuf *icmp6_new(struct dp_worker *w, const uint8_t *src, const uint8_t *dst,
                                  uint8_t type, uint8_t code, uint32_t rest, uint32_t qlen,
                                  uint8_t **quote)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.mp);
	struct l3_ip6_hdr *out;
	uint8_t *icmp;

	DP_COUNT(w, CREATED); /* made, or dropped for want of a buffer */
	if (m == NULL) {
		w->ctr->drop[DROP_NO_MBUF]++;
		return NULL;
	}
	out = (struct l3_ip6_hdr *)(rte_pktmbuf_append(m, RTE_ETHER_HDR_LEN + 48 + qlen) +
	                            RTE_ETHER_HDR_LEN);
	*out = (struct l3_ip6_hdr){.vtc_flow = htonl(6u << 28),
	                           .payload_len = htons((uint16_t)(8 + qlen)),
	                           .next_hdr = AFTR_IPPROTO_ICMPV6,
	                           .hop_limit = ICMP_TTL};
	memcpy(out->src, src, 16);
	memcpy(out->dst, dst, 16);
	icmp = (uint8_t *)(out + 1);
	icmp[0] = type;
	icmp[1] = code;
	icmp[2] = icmp[3] = 0;
	memcpy(icmp + 4, &rest, 4);
	*quote = icmp + 8;
	memcpy(dp_ctx_new(m, DP_PORT_TRANSPORT)->b4.b, dst, 16);
	return m;
}

/* The checksum of icmp6_new's message, its quote written; counted sent. */
static void icmp6_finish(struct dp_worker *w, struct rte_mbuf *m)
{
	struct l3_ip6_hdr *out = rte_pktmbuf_mtod_offset(m, struct l3_ip6_hdr *, RTE_ETHER_HDR_LEN);
	uint32_t len = ntohs(out->payload_len);
	uint8_t *icmp = (uint8_t *)(out + 1);

	*(uint16_t *)(icmp + 2) = cksum_finish(cksum_add(
	        cksum_ip6_pseudo(out->src, out->dst, len, AFTR_IPPROTO_ICMPV6), icmp, len));
	DP_COUNT(w, ICMP_SENT);
}

struct rte_mbuf *icmp6_policy_fail(struct dp_worker *w, const struct dp_ctx *about,
                                   const struct l3_ip4_hdr *ip)
{
	uint32_t inner = ntohs(ip->total_len), quote = RTE_MIN(40 + inner, ICMP6_MAX_LEN - 48u);
	const uint8_t *ep = dp.conf.endpoints[about->ep].b;
	struct l3_ip6_hdr *q;
	struct rte_mbuf *m;
	uint8_t *at;

	/* Not about an ICMPv4 error either (RFC 4443 section 2.4 (e) in
	 * spirit, RFC 1812 section 4.3.2.7 to the letter of the inner packet). */
	if (!may_answer(ip) ||
	    !allowed(w, CFG_SIDE_TRANSPORT, AFTR_ICMP6_DEST_UNREACH, ICMP6_POLICY_FAIL))
		return NULL;
	m = icmp6_new(w, ep, about->b4.b, AFTR_ICMP6_DEST_UNREACH, ICMP6_POLICY_FAIL, 0, quote,
	              &at);
	if (m == NULL)
		return NULL;
	q = (struct l3_ip6_hdr *)at;
	/* The softwire packet as the B4 sent it: its IPv6 header rebuilt
	 * (decapsulation and reassembly left the inner packet), then the
	 * inner packet. */
	*q = (struct l3_ip6_hdr){.vtc_flow = htonl(6u << 28 | (uint32_t)ip->tos << 20),
	                         .payload_len = htons((uint16_t)inner),
	                         .next_hdr = AFTR_IPPROTO_IPIP,
	                         .hop_limit = about->hlim};
	memcpy(q->src, about->b4.b, 16);
	memcpy(q->dst, ep, 16);
	memcpy(q + 1, ip, quote - 40);
	icmp6_finish(w, m);
	return m;
}

struct rte_mbuf *icmp6_param_problem(struct dp_worker *w, const struct rte_mbuf *about,
                                     uint32_t ptr)
{
	const struct l3_ip6_hdr *ip6 =
	        rte_pktmbuf_mtod_offset(about, const struct l3_ip6_hdr *, RTE_ETHER_HDR_LEN);
	uint32_t quote = RTE_MIN(40u + ntohs(ip6->payload_len), ICMP6_MAX_LEN - 48u);
	struct rte_mbuf *m;
	uint8_t *q;

	if (!allowed(w, CFG_SIDE_TRANSPORT, AFTR_ICMP6_PARAM_PROBLEM, 0))
		return NULL;
	/* From the endpoint the packet was sent to (RX took only those);
	 * code 0: erroneous header field encountered. */
	m = icmp6_new(w, ip6->dst, ip6->src, AFTR_ICMP6_PARAM_PROBLEM, 0, htonl(ptr), quote, &q);
	if (m == NULL)
		return NULL;
	memcpy(q, ip6, quote);
	icmp6_finish(w, m);
	return m;
}

bool icmp_echo_answer(struct l3_ip4_hdr *ip)
{
	uint32_t hl = pkt_ip4_hdr_len(ip), len = ntohs(ip->total_len), a;
	uint8_t *icmp = (uint8_t *)ip + hl;
	uint16_t *ck = (uint16_t *)(icmp + 2);

	if (ip->proto != IPPROTO_ICMP || len < hl + 8 || icmp[0] != AFTR_ICMP4_ECHO_REQUEST ||
	    pkt_ip4_is_fragment(ip) || cksum_fold(cksum_add(0, icmp, len - hl)) != 0xffff)
		return false;
	icmp[0] = AFTR_ICMP4_ECHO_REPLY;
	*ck = cksum_update16(*ck, htons(AFTR_ICMP4_ECHO_REQUEST << 8),
	                     htons(AFTR_ICMP4_ECHO_REPLY << 8));
	a = ip->src;
	ip->src = ip->dst;
	ip->dst = a;
	ip->ttl = ICMP_TTL;
	ip->cksum = cksum_ip4_hdr(ip);
	return true;
}
