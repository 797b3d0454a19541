/* Node param6: a B4's IPv6 packet the AFTR refuses for an erroneous header
 * field, answered with an ICMPv6 parameter problem, code 0 (RFC 4443
 * section 3.4): a routing header with segments left, which this node
 * would have to follow and does not (RFC 8200 section 4.4: pointing at
 * its Routing Type), or a fragment that would make a packet over 65,535
 * octets or whose length is not a multiple of 8 while more follow
 * (section 4.5: pointing at its Fragment Offset, or at the Payload
 * Length). RX or reassembly set ctx->drop to the reason and ctx->mtu to
 * the octet pointed at. */
#include <rte_ether.h>

#include "graph.h"
#include "icmp_build.h"

/* RFC 4443 section 2.4 (e.1): never an error about an ICMPv6 error. A
 * later fragment's upper layer is unknown: it may be answered. */
static bool about_icmp6_error(const struct l3_ip6_hdr *ip6)
{
	uint32_t len = 40u + ntohs(ip6->payload_len);
	const uint8_t *p = (const uint8_t *)ip6;
	struct pkt_ip6_l4 l4;

	if (pkt_ip6_find_l4(ip6, len, &l4) != PKT_OK || l4.l4_proto != AFTR_IPPROTO_ICMPV6 ||
	    l4.l4_off >= len)
		return false;
	if (l4.frag_hdr_off &&
	    pkt_ip6_frag_offset((const struct l3_ip6_frag_hdr *)(p + l4.frag_hdr_off)) != 0)
		return false;
	return p[l4.l4_off] < 128; /* error messages are types 0 to 127 */
}

enum dp_node node_param6(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct l3_ip6_hdr *ip6 =
	        rte_pktmbuf_mtod_offset(m, const struct l3_ip6_hdr *, RTE_ETHER_HDR_LEN);
	struct rte_mbuf *e;

	if (!about_icmp6_error(ip6) && (e = icmp6_param_problem(w, m, dp_ctx(m)->mtu)) != NULL)
		dp_emit(w, e, NODE_TR_TX);
	return NODE_DROP;
}
