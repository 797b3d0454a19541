/* ICMPv6 errors about softwire packets; see icmp6_in.h.
 *
 * RFC 2473 sections 8.1 and 8.2: the tunnel entry point (the AFTR, for
 * packets into softwires) turns an ICMPv6 error about a tunnel packet into
 * an ICMPv4 error to the source of the original IPv4 packet, the Internet
 * host.
 * Packet too big (RFC 2473 section 8.2, RFC 8201) lowers the softwire's
 * MTU (pmtu.h) and, when the original packet had DF set and ISC's toobig
 * is not off, becomes ICMPv4 fragmentation needed with that MTU less the
 * 40 bytes of encapsulation; packets without DF will be fragmented in IPv6
 * from now on (toobig.c). Every other error (destination unreachable, hop
 * limit exceeded, parameter problem) becomes ICMPv4 host unreachable, as
 * section 8.2 reports each of them to an IPv4 source: the softwire is one
 * hop and the IPv4 packet's TTL did not run out. An error whose quote
 * holds no inner IPv4 header (a later IPv6 fragment, or cut short) can
 * still teach the MTU, and is otherwise only counted (icmp6_error_in).
 *
 * The original packet is quoted as the AFTR sent it, after NAT rewrote its
 * destination: the ICMPv4 error is built as if the B4 sent it, about that
 * packet, and goes out through the same NAT (RFC 5508 REQ-3) or stateless
 * checks as the B4's own errors (nodes nat_out, sl_out), so its quote is
 * restored to what the Internet host sent; it then leaves from the WAN
 * address (node ip4_out, CTX_FROM_US), like the AFTR's other errors (RFC
 * 1812 section 4.3.2.4). */
#include "icmp6_err.h"

#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "cksum.h"
#include "graph.h"
#include "icmp_build.h"
#include "nat.h"
#include "pmtu.h"
#include "toobig.h"

/* The inner IPv4 packet of a quoted softwire packet: NULL when the quote
 * is of a later IPv6 fragment or too short to hold its headers. */
struct quote {
	const struct l3_ip4_hdr *ip;
	uint32_t avail; /* bytes of it quoted */
};

bool icmp6_error_b4(const struct l3_ip6_hdr *ip6, struct addr6 *b4)
{
	const uint8_t *icmp = (const uint8_t *)(ip6 + 1);
	uint32_t len = ntohs(ip6->payload_len);

	if (len < 8 || icmp[0] < AFTR_ICMP6_DEST_UNREACH || icmp[0] > AFTR_ICMP6_PARAM_PROBLEM ||
	    dp_endpoint_index(&dp.conf, ip6->dst) < 0)
		return false;
	memset(b4, 0, sizeof(*b4));
	if (len >= 8 + 40)
		memcpy(b4->b, ((const struct l3_ip6_hdr *)(icmp + 8))->dst, 16);
	return true;
}

/* Checks the message and finds the quoted inner packet; -1 if the message
 * is malformed or not about a softwire packet of ours. */
static int parse(const struct l3_ip6_hdr *ip6, struct quote *q)
{
	const uint8_t *icmp = (const uint8_t *)(ip6 + 1);
	const struct l3_ip6_hdr *q6 = (const struct l3_ip6_hdr *)(icmp + 8);
	const struct l3_ip6_frag_hdr *fh = (const struct l3_ip6_frag_hdr *)(q6 + 1);
	uint32_t len = ntohs(ip6->payload_len), off = 40, hl;

	if (len < 8 + 40 ||
	    cksum_fold(cksum_add(cksum_ip6_pseudo(ip6->src, ip6->dst, len, AFTR_IPPROTO_ICMPV6),
	                         icmp, len)) != 0xffff ||
	    dp_endpoint_index(&dp.conf, q6->src) < 0)
		return -1;
	q->ip = NULL;
	q->avail = 0;
	/* One of the fragments toobig.c sends: only the first holds the IPv4
	 * header. */
	if (q6->next_hdr == AFTR_IPPROTO_FRAGMENT) {
		if (len < 8 + 48 || fh->next_hdr != AFTR_IPPROTO_IPIP)
			return -1;
		if (pkt_ip6_frag_offset(fh) != 0)
			return 0;
		off = 48;
	} else if (q6->next_hdr != AFTR_IPPROTO_IPIP) {
		return -1;
	}
	q->ip = (const struct l3_ip4_hdr *)((const uint8_t *)q6 + off);
	q->avail = len - 8 - off;
	if (q->avail < 20 || (q->ip->version_ihl >> 4) != 4 || (hl = pkt_ip4_hdr_len(q->ip)) < 20 ||
	    q->avail < hl + 8)
		q->ip = NULL;
	return 0;
}

/* The ICMPv4 error (type, code, rest) about the quoted packet, as if the
 * B4 sent it, into the graph: out through NAT or the stateless checks,
 * then from the WAN address (counted as sent there). */
static void report(struct dp_worker *w, const struct addr6 *b4, uint16_t nat, const struct quote *q,
                   uint8_t code, uint32_t rest)
{
	struct rte_mbuf *m = icmp_error_new(w, CFG_SIDE_WAN, q->ip->dst, q->ip, q->avail,
	                                    AFTR_ICMP4_DEST_UNREACH, code, rest);
	struct dp_ctx *c;

	if (m == NULL)
		return;
	c = dp_ctx(m);
	c->b4 = *b4;
	c->flags |= CTX_FROM_US | nat;
	if (nat_for(w, nat & CTX_NAT_OK, ntohl(q->ip->dst)))
		c->flags |= CTX_NAT;
	dp_emit(w, m, c->flags & CTX_NAT ? NODE_NAT_OUT : NODE_SL_OUT);
}

/* A packet too big that does not lower the MTU is not learned (packets
 * in flight before the first one was draw more of them), but the source
 * of the packet it is about is still told, with the MTU in force. One
 * below the IPv6 minimum MTU never comes here (node_icmp6_err). */
static void too_big(struct dp_worker *w, const struct addr6 *b4, uint16_t nat,
                    const struct quote *q, uint32_t said)
{
	uint16_t mtu = said > UINT16_MAX ? UINT16_MAX : (uint16_t)said;
	uint16_t now = toobig_mtu(w, b4);

	if (mtu < now) {
		pmtu_learn_all(w, b4, mtu);
		DP_COUNT(w, PMTU_LEARNED);
		now = mtu;
	}
	if (q->ip && (q->ip->frag_off & htons(AFTR_IP4_FLAG_DF)) &&
	    toobig_policy(w, b4) != TOOBIG_OFF)
		report(w, b4, nat, q, AFTR_ICMP4_UNREACH_FRAG, htonl(now - 40u));
}

enum dp_node node_icmp6_err(struct dp_worker *w, struct rte_mbuf *m)
{
	struct l3_ip6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct l3_ip6_hdr *, RTE_ETHER_HDR_LEN);
	const uint8_t *icmp = (const uint8_t *)(ip6 + 1);
	const struct addr6 *b4 = &dp_ctx(m)->b4;
	struct addr6 src; /* aligned copies of packet fields */
	unsigned int owner;
	struct quote q;
	uint32_t said;
	bool nat;
	int drop;

	/* icmp.transport.incoming: drop (RFC 7596 section 5.2's policy). */
	if (!dp.conf.cfg->icmp[CFG_SIDE_TRANSPORT].incoming)
		return dp_drop(m, DROP_ICMP_POLICY);
	/* ISC "default acl6 icmp": these come from the ISP's own routers. */
	memcpy(src.b, ip6->src, 16);
	if (w->tab->cfg.fixed.acl6_icmp && !tables_in_acl6(w->tab, &src))
		return dp_drop(m, DROP_ACL6);
	/* About a B4 we would not have sent to: not ours. */
	if (!tables_b4_allowed(w->tab, b4, &drop, &nat))
		return dp_drop(m, DROP_ICMP6_ERROR);
	owner = nat_b4_owner(b4);
	if (owner != w->id)
		return dp_handoff(m, owner, NODE_ICMP6_ERR);
	memcpy(&said, icmp + 4, 4);
	/* RFC 8201 section 4: a packet too big below the IPv6 minimum link
	 * MTU is discarded (no link is that small: forged or broken). */
	if (parse(ip6, &q) < 0 ||
	    (icmp[0] == AFTR_ICMP6_PACKET_TOO_BIG && rte_be_to_cpu_32(said) < CFG_MTU_MIN))
		return dp_drop(m, DROP_ICMP6_ERROR);
	DP_COUNT(w, ICMP6_ERR_IN);
	if (icmp[0] == AFTR_ICMP6_PACKET_TOO_BIG)
		too_big(w, b4, nat ? CTX_NAT_OK : 0, &q, rte_be_to_cpu_32(said));
	else if (q.ip)
		report(w, b4, nat ? CTX_NAT_OK : 0, &q, AFTR_ICMP4_UNREACH_HOST, 0);
	return NODE_FREE;
}
