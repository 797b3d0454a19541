/* Encapsulation towards a B4: IPv4-in-IPv6 (RFC 2473) from the endpoint
 * address (RFC 6333 section 6.2). */
#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "path.h"
#include "pkt.h"
#include "toobig.h"
#include "tx.h"

void path_encap_orig(struct dp_worker *w, struct rte_mbuf *m, const struct addr6 *b4,
                     const struct toobig_orig *orig)
{
	struct l3_ip4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct l3_ip4_hdr *, RTE_ETHER_HDR_LEN);
	uint16_t len = ntohs(ip->total_len), mtu = toobig_mtu(w, b4);
	struct l3_ip6_hdr *ip6;
	struct addr6 nh;

	if ((uint32_t)len + 40 > mtu) {
		toobig_send(w, m, b4, mtu, orig);
		return;
	}
	if (rte_pktmbuf_prepend(m, 40) == NULL) {
		DP_DROP(w, NO_MBUF, m);
		return;
	}
	ip6 = rte_pktmbuf_mtod_offset(m, struct l3_ip6_hdr *, RTE_ETHER_HDR_LEN);
	/* Traffic class from the inner TOS (RFC 2473 section 6.4, ECN as the
	 * normal mode of RFC 6040). */
	ip6->vtc_flow = htonl(6u << 28 | (uint32_t)ip->tos << 20);
	ip6->payload_len = htons(len);
	ip6->next_hdr = AFTR_IPPROTO_IPIP;
	ip6->hop_limit = ENCAP_HOP_LIMIT;
	memcpy(ip6->src, dp.conf.endpoint.b, 16);
	memcpy(ip6->dst, b4->b, 16);
	dp_nexthop6(b4->b, &nh);
	DP_COUNT(w, ENCAP);
	dp_send(w, DP_PORT_TRANSPORT, m, RTE_ETHER_TYPE_IPV6, &nh);
}

void path_encap(struct dp_worker *w, struct rte_mbuf *m, const struct addr6 *b4)
{
	path_encap_orig(w, m, b4, NULL);
}
