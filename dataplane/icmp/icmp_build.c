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

/* ICMP errors are rate-limited per worker (RFC 1812 section 4.3.2.8): a
 * flood of bad packets must not become a flood of errors. */
#define ICMP_ERRORS_PER_SECOND 1000

static bool rate_ok(struct dp_worker *w)
{
	struct icmp_bucket *b = &w->icmp_rl;

	/* at is the second plus one: a zeroed bucket starts afresh. */
	if (b->at != w->now + 1) {
		b->at = w->now + 1;
		b->tokens = ICMP_ERRORS_PER_SECOND;
	}
	if (b->tokens == 0) {
		DP_COUNT(w, ICMP_LIMITED);
		return false;
	}
	b->tokens--;
	return true;
}

struct rte_mbuf *icmp_error_new(struct dp_worker *w, uint32_t src, const struct l3_ip4_hdr *ip,
                                uint32_t avail, uint8_t type, uint8_t code, uint32_t rest)
{
	uint32_t quote = RTE_MIN((uint32_t)ntohs(ip->total_len), avail), total;
	struct rte_mbuf *m;
	struct l3_ip4_hdr *out;
	uint8_t *icmp;

	if (!may_answer(ip) || !rate_ok(w))
		return NULL;
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

struct rte_mbuf *icmp_error_b4(struct dp_worker *w, const struct addr6 *b4,
                               const struct l3_ip4_hdr *ip, uint8_t type, uint8_t code)
{
	struct rte_mbuf *m = icmp_error_new(w, htonl(dp.conf.icmp_source), ip, ntohs(ip->total_len),
	                                    type, code, 0);

	if (m == NULL)
		return NULL;
	dp_ctx(m)->b4 = *b4;
	dp_ctx(m)->port = DP_PORT_TRANSPORT;
	DP_COUNT(w, ICMP_SENT);
	return m;
}

/* RFC 1812 section 4.3.2.4: from an address of the interface it leaves
 * by (the address it was sent to, if the WAN has none). */
struct rte_mbuf *icmp_error_wan(struct dp_worker *w, const struct l3_ip4_hdr *ip, uint32_t avail,
                                uint8_t type, uint8_t code, uint32_t rest)
{
	struct rte_mbuf *m = icmp_error_new(w, dp.conf.wan_addr ? htonl(dp.conf.wan_addr) : ip->dst,
	                                    ip, avail, type, code, rest);

	if (m != NULL)
		DP_COUNT(w, ICMP_SENT);
	return m;
}

struct rte_mbuf *icmp_frag_needed(struct dp_worker *w, const struct l3_ip4_hdr *ip, uint32_t avail,
                                  uint16_t mtu)
{
	/* RFC 1191 section 4: the next-hop MTU in the low 16 bits. */
	return icmp_error_wan(w, ip, avail, AFTR_ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED, htonl(mtu));
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
