/* Requests for next hops' addresses: ARP requests (RFC 826) on the WAN
 * link, neighbor solicitations (RFC 4861 section 7.2.2) and the other ND
 * messages on the transport link. They only build and send: what answers
 * is arp.c's and nd.c's. */
#include <netinet/in.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <string.h>

#include "cksum.h"
#include "nd_msg.h"
#include "pkt.h"
#include "slowpath.h"

const uint8_t *nd_our_source(void)
{
	return dp.conf.cfg->transport.has_address ? dp.conf.transport_addr.b
	                                          : dp.conf.endpoints[0].b;
}

/* Builds an NS or NA as a new frame (ip6 destination, Ethernet dst). */
void nd_send(uint8_t type, const uint8_t src[16], const uint8_t dst[16],
             const struct rte_ether_addr *eth_dst, const uint8_t target[16], uint8_t flags)
{
	struct rte_mbuf *m = ctrl_alloc();
	struct rte_ether_hdr *eth;
	struct l3_ip6_hdr *ip6;
	struct nd_msg *nd;

	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + 40 + sizeof(*nd));
	ip6 = (struct l3_ip6_hdr *)(eth + 1);
	nd = (struct nd_msg *)(ip6 + 1);
	eth->dst_addr = *eth_dst;
	eth->src_addr = dp.port[DP_PORT_TRANSPORT].mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	*ip6 = (struct l3_ip6_hdr){.vtc_flow = htonl(6u << 28),
	                           .payload_len = htons(sizeof(*nd)),
	                           .next_hdr = AFTR_IPPROTO_ICMPV6,
	                           .hop_limit = ND_HOP_LIMIT};
	memcpy(ip6->src, src, 16);
	memcpy(ip6->dst, dst, 16);
	*nd = (struct nd_msg){.type = type,
	                      .flags = flags,
	                      .opt_len = 1,
	                      .opt_type = type == AFTR_ICMP6_NEIGHBOR_SOLICIT ? ND_OPT_SLLA
	                                                                      : ND_OPT_TLLA};
	memcpy(nd->mac, dp.port[DP_PORT_TRANSPORT].mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	memcpy(nd->target, target, 16);
	nd->cksum = cksum_ip6_l4(ip6, AFTR_IPPROTO_ICMPV6, nd, sizeof(*nd));
	ctrl_send(m, DP_PORT_TRANSPORT);
}

void ctrl_nd_solicit(const struct addr6 *target)
{
	/* Solicited-node multicast address and its MAC (RFC 4291 2.7.1, RFC 2464 7). */
	uint8_t dst[16] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
	struct rte_ether_addr mac = {{0x33, 0x33, 0xff}};

	memcpy(dst + 13, target->b + 13, 3);
	memcpy(mac.addr_bytes + 3, target->b + 13, 3);
	nd_send(AFTR_ICMP6_NEIGHBOR_SOLICIT, nd_our_source(), dst, &mac, target->b, 0);
}

void ctrl_arp_request(uint32_t target_host)
{
	struct rte_mbuf *m = ctrl_alloc();
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	eth->src_addr = dp.port[DP_PORT_WAN].mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = dp.port[DP_PORT_WAN].mac;
	arp->arp_data.arp_sip = htonl(dp.conf.wan_addr);
	memset(&arp->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_tip = htonl(target_host);
	ctrl_send(m, DP_PORT_WAN);
}
