/* RX parsing; see rx.h. */
#include "rx.h"

#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "ctl_msg.h"
#include "icmp6_err.h"
#include "nat.h"
#include "tx.h"
#include "vlan.h"

#define ETH_LEN ((uint32_t)RTE_ETHER_HDR_LEN)

/* RFC 6946 section 4: a fragment header with offset 0 and M clear (an
 * atomic fragment) makes no fragment: the packet is taken on its own. */
static bool atomic_fragment(const struct l3_ip6_hdr *ip6, uint32_t off)
{
	const struct l3_ip6_frag_hdr *fh =
	        (const struct l3_ip6_frag_hdr *)((const uint8_t *)ip6 + off);

	return pkt_ip6_frag_offset(fh) == 0 && !pkt_ip6_frag_more(fh);
}

/* A 4in6 packet with extension headers: the Tunnel Encapsulation Limit
 * option a Linux ip6tnl B4 adds (RFC 2473 section 4.1.1, a destination
 * options header) must not stop a softwire. A fragment is reassembled
 * first (frag/reasm.h) when its header comes right after the fixed one.
 * A routing header with segments left asks this node to forward the
 * packet on, which it does not (RFC 8200 section 4.4: no routing type is
 * known here, so a parameter problem at the Routing Type). */
/* A PCP request (RFC 6887) to the endpoint over plain IPv6, from a B4's
 * own client (for a host behind it, with THIRD_PARTY): not a fragment,
 * its UDP header whole, to port 5351, with the PCP server on. The main
 * lcore passes it to the control process (mainlcore/pcp_relay.c). */
static bool pcp_plain(const struct l3_ip6_hdr *ip6, const struct pkt_ip6_l4 *l4)
{
	const uint8_t *udp = (const uint8_t *)ip6 + l4->l4_off;

	return dp.pcp_on && l4->frag_hdr_off == 0 &&
	       l4->l4_off + 8 <= 40u + ntohs(ip6->payload_len) &&
	       (udp[2] << 8 | udp[3]) == CTL_PCP_SERVER_PORT;
}

static enum dp_node ext_headers(struct rte_mbuf *m, const struct l3_ip6_hdr *ip6)
{
	struct dp_ctx *c = dp_ctx(m);
	struct pkt_ip6_l4 l4;

	if (pkt_ip6_find_l4(ip6, 40 + ntohs(ip6->payload_len), &l4) != PKT_OK)
		return dp_drop(m, DROP_BAD_IP6);
	if (l4.rh_off)
		return dp_param6(m, DROP_IP6_ROUTING, l4.rh_off + 2);
	if (l4.frag_hdr_off && !atomic_fragment(ip6, l4.frag_hdr_off)) {
		if (l4.frag_hdr_off != 40)
			return dp_drop(m, DROP_IP6_FRAGMENT);
		memcpy(c->b4.b, ip6->src, 16);
		c->hlim = ip6->hop_limit;
		c->flags |= CTX_FRAG6;
		return NODE_TR_IN;
	}
	if (l4.l4_proto == IPPROTO_UDP && pcp_plain(ip6, &l4)) {
		c->l4 = (uint16_t)(ETH_LEN + l4.l4_off);
		c->ctrl = CTRL_PCP >> 8;
		return NODE_CTRL;
	}
	if (l4.l4_proto != AFTR_IPPROTO_IPIP)
		return dp_drop(m, DROP_IP6_PROTO);
	memcpy(c->b4.b, ip6->src, 16);
	c->hlim = ip6->hop_limit;
	dp_ctx_ip4(m, (uint16_t)(ETH_LEN + l4.l4_off));
	return NODE_TR_IN;
}

/* A frame's EtherType is a tag's (802.1Q, or 802.1ad's outer tag). */
static bool tagged(const struct rte_ether_hdr *eth)
{
	return eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
	       eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ);
}

/* The drop of a frame that is not of the interface's EtherTypes: a tag
 * where none is wanted is a VLAN mismatch, the rest bad Ethernet. */
static enum dp_node bad_ether(struct rte_mbuf *m, uint32_t len, const struct rte_ether_hdr *eth)
{
	return dp_drop(m, len >= ETH_LEN && tagged(eth) ? DROP_WRONG_VLAN : DROP_BAD_ETHER);
}

/* A priority-tagged frame (802.1Q tag with VLAN id 0: IEEE 802.1Q says
 * a station takes it as untagged) with its tag removed: true if m was one
 * (and what it carries is not tagged again). */
static bool untag_priority(struct rte_mbuf *m, uint32_t len, const struct rte_ether_hdr *eth)
{
	const struct rte_vlan_hdr *v = (const struct rte_vlan_hdr *)(eth + 1);

	if (len < ETH_LEN + RTE_VLAN_HLEN ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
	    (rte_be_to_cpu_16(v->vlan_tci) & 0xfff) != 0 ||
	    v->eth_proto == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
	    v->eth_proto == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ))
		return false;
	vlan_pop(m);
	return true;
}

int rx_vlan(struct rte_mbuf *m, int port)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	int other = port == DP_PORT_WAN ? DP_PORT_TRANSPORT : DP_PORT_WAN;
	bool both = dp.port[other].port_id == dp.port[port].port_id;
	uint16_t vid = 0;

	if (rte_pktmbuf_data_len(m) < ETH_LEN)
		return port; /* RX drops it as bad_ether */
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		if (rte_pktmbuf_data_len(m) < ETH_LEN + RTE_VLAN_HLEN)
			return -1;
		vid = vlan_pop(m) & 0xfff;
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	} else if (tagged(eth)) {
		return -1; /* 802.1ad: no interface takes a service tag */
	}
	if (vid && dp.port[port].vlan == vid)
		return port;
	if (vid)
		return both && dp.port[other].vlan == vid ? other : -1;
	/* Untagged (or priority-tagged). */
	if (!both)
		return dp.port[port].vlan ? -1 : port;
	if (dp.port[DP_PORT_TRANSPORT].vlan == 0 && dp.port[DP_PORT_WAN].vlan == 0)
		return eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6) ? DP_PORT_TRANSPORT
		                                                                : DP_PORT_WAN;
	return dp.port[DP_PORT_TRANSPORT].vlan == 0 ? DP_PORT_TRANSPORT
	       : dp.port[DP_PORT_WAN].vlan == 0     ? DP_PORT_WAN
	                                            : -1;
}

static enum dp_node not_ipv6(struct rte_mbuf *m, uint32_t len, const struct rte_ether_hdr *eth);

/* A packet to one of the endpoints beside the first (BR addresses of
 * lw4o6 softwires): which, in the context. Out of line: most AFTRs have
 * one endpoint. */
static __rte_noinline bool other_endpoint(struct dp_ctx *c, const struct l3_ip6_hdr *ip6)
{
	int ep = dp_endpoint_index(&dp.conf, ip6->dst);

	c->ep = (uint8_t)(ep < 0 ? 0 : ep);
	return ep > 0;
}
static enum dp_node not_ipv4(struct rte_mbuf *m, uint32_t len, const struct rte_ether_hdr *eth);

/* rx_tr_parse; again: a second look, without a priority tag, after which
 * a frame of another EtherType is dropped (no recursion: the compiler
 * keeps the first look inline in the worker's loop). */
static __rte_always_inline enum dp_node tr_parse(struct rte_mbuf *m, bool again)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct l3_ip6_hdr *ip6 = (const struct l3_ip6_hdr *)(eth + 1);
	const struct l3_ip4_hdr *ip;
	struct dp_ctx *c = dp_ctx_new(m, DP_PORT_TRANSPORT);

	/* The packet path reads one buffer: a chained frame cannot be ours. */
	if (unlikely(m->nb_segs > 1))
		return dp_drop(m, DROP_MULTI_SEG);
	if (len < ETH_LEN || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
		return again ? bad_ether(m, len, eth) : not_ipv6(m, len, eth);
	if (pkt_ip6_check(ip6, len - ETH_LEN) != PKT_OK)
		return dp_drop(m, DROP_BAD_IP6);
	if (ip6->next_hdr == AFTR_IPPROTO_ICMPV6) {
		/* Bytes past the payload (Ethernet padding, or junk) cut off:
		 * an answer made in place must not carry them. */
		if (unlikely(len != ETH_LEN + 40 + ntohs(ip6->payload_len)))
			rte_pktmbuf_trim(
			        m, (uint16_t)(len - (ETH_LEN + 40 + ntohs(ip6->payload_len))));
		if (icmp6_error_b4(ip6, &c->b4))
			return NODE_ICMP6_ERR;
		c->ctrl = CTRL_RX >> 8; /* ND, ping */
		return NODE_CTRL;
	}
	if (unlikely(memcmp(ip6->dst, dp.conf.endpoints[0].b, 16) != 0) && !other_endpoint(c, ip6))
		return dp_drop(m, DROP_NOT_ENDPOINT);
	if (ip6->next_hdr != AFTR_IPPROTO_IPIP)
		return ext_headers(m, ip6);
	memcpy(c->b4.b, ip6->src, 16);
	c->hlim = ip6->hop_limit;
	ip = (const struct l3_ip4_hdr *)(ip6 + 1);
	/* The usual inner header (no options, its length the payload's):
	 * read as dp_ctx_ip4_fresh would, without its length checks. Its
	 * bytes are read once the payload is known to hold them. */
	if (likely(ntohs(ip6->payload_len) >= 20 && ip6->payload_len == ip->total_len &&
	           ip->version_ihl == 0x45))
		dp_ctx_ip4_plain(m, ETH_LEN + 40);
	else
		dp_ctx_ip4_fresh(m, ETH_LEN + 40);
	/* Only here: fast_tr reads the IPv4 header right after the IPv6 one. */
	return dp.conf.fast ? NODE_FAST_TR : NODE_TR_IN;
}

static __rte_always_inline enum dp_node wan_parse(struct rte_mbuf *m, bool again)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct l3_ip4_hdr *ip = (const struct l3_ip4_hdr *)(eth + 1);
	struct dp_ctx *c = dp_ctx_new(m, DP_PORT_WAN);

	if (unlikely(m->nb_segs > 1))
		return dp_drop(m, DROP_MULTI_SEG);
	if (unlikely(len < ETH_LEN || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))) {
		if (len >= ETH_LEN && eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
			c->ctrl = CTRL_RX >> 8;
			return NODE_CTRL;
		}
		return again ? bad_ether(m, len, eth) : not_ipv4(m, len, eth);
	}
	if (pkt_ip4_check_fast(ip, len - ETH_LEN) != PKT_OK)
		return dp_drop(m, DROP_BAD_IP4_OUT);
	/* Ethernet padding (a short datagram in a 60-byte frame) cut off. */
	if (unlikely(len != ETH_LEN + ntohs(ip->total_len)))
		rte_pktmbuf_trim(m, (uint16_t)(len - (ETH_LEN + ntohs(ip->total_len))));
	if (likely(ip->version_ihl == 0x45))
		dp_ctx_ip4_plain(m, ETH_LEN);
	else
		dp_ctx_ip4_fresh(m, ETH_LEN);
	c->pool = (int16_t)nat_pool_index(ntohl(ip->dst));
	return dp.conf.fast ? NODE_FAST_WAN : NODE_WAN_IN;
}

inline __attribute__((always_inline)) enum dp_node rx_tr_parse(struct rte_mbuf *m)
{
	return tr_parse(m, false);
}

inline __attribute__((always_inline)) enum dp_node rx_wan_parse(struct rte_mbuf *m)
{
	return wan_parse(m, false);
}

/* Frames not of the interface's EtherType: looked at again without a
 * priority tag, else dropped. Out of line: the common path stays small. */
static __rte_noinline enum dp_node not_ipv6(struct rte_mbuf *m, uint32_t len,
                                            const struct rte_ether_hdr *eth)
{
	return untag_priority(m, len, eth) ? tr_parse(m, true) : bad_ether(m, len, eth);
}

static __rte_noinline enum dp_node not_ipv4(struct rte_mbuf *m, uint32_t len,
                                            const struct rte_ether_hdr *eth)
{
	return untag_priority(m, len, eth) ? wan_parse(m, true) : bad_ether(m, len, eth);
}
