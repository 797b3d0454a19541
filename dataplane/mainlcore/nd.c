/* Neighbor Discovery (RFC 4861) and pings on the transport link. Answers
 * neighbor solicitations for our transport address and the softwire
 * endpoints, learns neighbours from solicitations and advertisements, and
 * solicits next hops. */
#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "cksum.h"
#include "slowpath.h"
#include "neigh.h"
#include "nd_msg.h"
#include "pkt.h"

static bool ours6(const uint8_t *a)
{
	return dp_endpoint_index(&dp.conf, a) >= 0 ||
	       (dp.conf.cfg->transport.has_address && memcmp(a, dp.conf.transport_addr.b, 16) == 0);
}

/* Learns the link-layer address an NS (source) or NA (target) carries
 * and says whether it was taken:
 * for a neighbour we know or asked for, or one soliciting us (RFC 4861
 * section 7.2.3). */
static bool learn(const uint8_t *ip, const struct nd_msg *nd, uint32_t len, uint8_t opt,
                  bool asks_us)
{
	struct rte_ether_addr mac;
	struct addr6 a;

	if (len < sizeof(*nd) || nd->opt_type != opt || nd->opt_len != 1)
		return false;
	memcpy(a.b, ip, 16);
	if (!asks_us && !ctrl_wants(&a))
		return false;
	memcpy(mac.addr_bytes, nd->mac, RTE_ETHER_ADDR_LEN);
	if (neigh_update(&a, &mac) == 0)
		ctrl_resolved(&a);
	return true;
}

/* Returns whether the message was of use (learned from or answered). */
static bool nd_rx(struct rte_ether_hdr *eth, struct l3_ip6_hdr *ip6, struct nd_msg *nd,
                  uint32_t len)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	static const uint8_t unspecified[16];
	static const struct rte_ether_addr all_nodes_mac = {
	        {0x33, 0x33, 0, 0, 0, 1}}; /* RFC 2464 */
	bool from_unspec = memcmp(ip6->src, unspecified, 16) == 0;

	bool used = false;

	if (nd->type == AFTR_ICMP6_NEIGHBOR_ADVERT)
		return learn(nd->target, nd, len, ND_OPT_TLLA, false);
	if (!from_unspec)
		used = learn(ip6->src, nd, len, ND_OPT_SLLA, ours6(nd->target));
	if (!ours6(nd->target))
		return used;
	nd_send(AFTR_ICMP6_NEIGHBOR_ADVERT, nd->target, from_unspec ? all_nodes : ip6->src,
	        from_unspec ? &all_nodes_mac : &eth->src_addr, nd->target,
	        (from_unspec ? 0 : NA_FLAG_SOLICITED) | NA_FLAG_OVERRIDE | NA_FLAG_ROUTER);
	return true;
}

static void echo_reply(struct rte_mbuf *m, struct rte_ether_hdr *eth, struct l3_ip6_hdr *ip6,
                       uint8_t *icmp, uint32_t len)
{
	uint8_t tmp[16];

	icmp[0] = AFTR_ICMP6_ECHO_REPLY;
	memcpy(tmp, ip6->src, 16);
	memcpy(ip6->src, ip6->dst, 16);
	memcpy(ip6->dst, tmp, 16);
	ip6->hop_limit = 64;
	*(uint16_t *)(icmp + 2) = 0;
	*(uint16_t *)(icmp + 2) = cksum_ip6_l4(ip6, AFTR_IPPROTO_ICMPV6, icmp, len);
	eth->dst_addr = eth->src_addr;
	eth->src_addr = dp.port[DP_PORT_TRANSPORT].mac;
	ctrl_ctr->cnt[CNT_ICMP_SENT]++;
	ctrl_send(m, DP_PORT_TRANSPORT);
}

void ctrl_icmp6_rx(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct l3_ip6_hdr *ip6 = (struct l3_ip6_hdr *)(eth + 1);
	uint8_t *icmp = (uint8_t *)(ip6 + 1);
	uint32_t len = ntohs(ip6->payload_len);
	uint32_t sum;

	sum = cksum_add(cksum_ip6_pseudo(ip6->src, ip6->dst, len, AFTR_IPPROTO_ICMPV6), icmp, len);
	if (len < 8 || cksum_fold(sum) != 0xffff) {
		ctrl_ctr->drop[DROP_BAD_IP6]++;
		rte_pktmbuf_free(m);
		return;
	}
	if ((icmp[0] == AFTR_ICMP6_NEIGHBOR_SOLICIT || icmp[0] == AFTR_ICMP6_NEIGHBOR_ADVERT) &&
	    len >= 24 && ip6->hop_limit == ND_HOP_LIMIT) {
		if (!nd_rx(eth, ip6, (struct nd_msg *)icmp, len))
			ctrl_ctr->drop[DROP_ICMP_IGNORED]++; /* about others */
		else
			ctrl_ctr->cnt[CNT_CONSUMED]++;
	} else if (icmp[0] == AFTR_ICMP6_ECHO_REQUEST && ours6(ip6->dst)) {
		echo_reply(m, eth, ip6, icmp, len);
		return;
	} else {
		ctrl_ctr->drop[DROP_ICMP_IGNORED]++;
	}
	rte_pktmbuf_free(m);
}
