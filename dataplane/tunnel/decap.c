/* Nodes decap and inner: a B4's IPv4 packet out of its softwire (RFC 6333
 * sections 6 and 7, RFC 2473): the inner header checked, ECN (RFC 6040),
 * fragments reassembled at the B4's owner, the TTL (RFC 1812), packets to
 * the AFTR itself answered, then NAPT or the stateless checks. */
#include <netinet/in.h>
#include <rte_ether.h>

#include "cksum.h"
#include "ctl_msg.h"
#include "filter.h"
#include "graph.h"
#include "icmp_build.h"
#include "softwire.h"
#include "tx.h"

#define ETH_LEN ((uint32_t)RTE_ETHER_HDR_LEN)

/* Decapsulation and ECN (RFC 6040 section 4.2, "normal mode"): a CE mark
 * the softwire got on the way is copied to an ECN-capable inner packet; an
 * inner packet that is not ECN-capable cannot carry it and is dropped. */
static int ecn_decap(const struct l3_ip6_hdr *ip6, struct l3_ip4_hdr *ip)
{
	uint8_t outer = (uint8_t)(ntohl(ip6->vtc_flow) >> 20) & 3, inner = ip->tos & 3;

	if (outer != 3 || inner == 3)
		return 0;
	if (inner == 0)
		return -1;
	ip->cksum = cksum_update16(ip->cksum, htons((uint16_t)(ip->version_ihl << 8 | ip->tos)),
	                           htons((uint16_t)(ip->version_ihl << 8 | (ip->tos | 3))));
	ip->tos |= 3;
	return 0;
}

/* Inner IPv4 checks (RFC 6333 section 6.3, RFC 1122 section 3.2.1); the
 * outer headers go, leaving room for the Ethernet header, and Ethernet
 * padding past the IPv6 payload. An inner fragment is reassembled before
 * NAT, which needs the first fragment's ports. */
enum dp_node node_decap(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct l3_ip6_hdr *, ETH_LEN);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	uint32_t off = c->l3 - ETH_LEN, plen = 40 + ntohs(ip6->payload_len) - off;

	RTE_SET_USED(w);
	if (pkt_ip4_check_fast(ip, plen) != PKT_OK || ntohs(ip->total_len) != plen)
		return dp_drop(m, DROP_BAD_IP4_IN);
	if (ecn_decap(ip6, ip) < 0)
		return dp_drop(m, DROP_ECN);
	softwire_cut(m, c, plen);
	return c->flags & CTX_FRAG4 ? NODE_REASM4_IN : NODE_INNER;
}

/* RFC 6333 section 5.7: the B4 reaches the AFTR's 192.0.0.1 (our icmp
 * source) inside the softwire, e.g. to ping it: answered in the softwire.
 * The PCP server (RFC 6887) listens there too, when on: its requests go to
 * the main lcore, which passes them to the control process. */
static enum dp_node to_aftr(struct dp_worker *w, struct rte_mbuf *m, struct l3_ip4_hdr *ip)
{
	const struct dp_ctx *c = dp_ctx(m);

	/* NAPT's subscribers only, through the first endpoint (the others are
	 * lw4o6 BRs': inner's WRONG_ENDPOINT). */
	if (ip->proto == IPPROTO_UDP && (c->flags & CTX_PORTS) &&
	    c->dport == htons(CTL_PCP_SERVER_PORT) && dp.pcp_on) {
		if (!(c->flags & CTX_NAT) || c->ep)
			return dp_drop(m, DROP_PCP_NOT_NAPT);
		dp_ctx(m)->ctrl = CTRL_PCP >> 8;
		dp_ctx(m)->port = DP_PORT_TRANSPORT;
		return NODE_CTRL;
	}
	if (!icmp_echo_answer(ip))
		return dp_drop(m, DROP_NOT_OURS);
	DP_COUNT(w, ICMP_SENT);
	return NODE_ENCAP;
}

enum dp_node node_inner(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	uint32_t us = htonl(dp.conf.icmp_source);
	struct rte_mbuf *e;

	if (!filter_pass(w, CFG_SIDE_TRANSPORT, CFG_DIR_IN, m))
		return dp_drop(m, DROP_FILTER_RULE);
	if (addr4_is_martian(ntohl(ip->dst)))
		return dp_drop(m, DROP_MARTIAN);
	/* A packet for the AFTR itself is not forwarded: no TTL check. */
	if (ip->ttl <= 1 && ip->dst != us) {
		e = icmp_error_b4(w, c, ip, AFTR_ICMP4_TIME_EXCEEDED, 0);
		if (e)
			dp_emit(w, e, NODE_ENCAP);
		return dp_drop(m, DROP_TTL_EXPIRED);
	}
	if (ip->ttl > 1)
		cksum_ip4_ttl_dec(ip);
	DP_COUNT(w, DECAP);
	if (ip->dst == us)
		return to_aftr(w, m, ip);
	c->flags |= CTX_FROM_B4;
	/* The endpoints beside the first are lw4o6 softwires' only, unless
	 * nat.any_endpoint lets NAPT B4s use them too (each box of a group
	 * its own endpoint and its takeover's: deploy/SCALE.md). */
	if (unlikely(c->ep) && (c->flags & CTX_NAT) && !dp.conf.cfg->nat_any_endpoint)
		return dp_drop(m, DROP_WRONG_ENDPOINT);
	return c->flags & CTX_NAT ? NODE_NAT_OUT : NODE_SL_OUT;
}
