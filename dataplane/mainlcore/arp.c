/* ARP (RFC 826) on the WAN link, and pings to our IPv4 addresses. Answers
 * for the WAN address, every pool address and the ICMP source; learns
 * every sender (that is how replies to our requests arrive too). */
#include <netinet/in.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <string.h>

#include "slowpath.h"
#include "icmp_build.h"
#include "nat.h"
#include "neigh.h"
#include "pkt.h"
#include "tx.h"

static bool ours4(uint32_t a)
{
	return a == dp.conf.wan_addr || a == dp.conf.icmp_source || nat_pool_index(a) >= 0;
}

static bool on_wan_subnet(uint32_t a)
{
	const struct cfg_iface *i = &dp.conf.cfg->wan;

	return !i->has_address || ((a ^ i->addr4.addr) & prefix4_mask(i->addr4.len)) == 0;
}

static void arp_reply(struct rte_mbuf *m, struct rte_ether_hdr *eth, struct rte_arp_hdr *arp)
{
	const struct rte_ether_addr *mac = &dp.port[DP_PORT_WAN].mac;
	uint32_t tip = arp->arp_data.arp_tip;

	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = arp->arp_data.arp_sha;
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	arp->arp_data.arp_sha = *mac;
	arp->arp_data.arp_sip = tip;
	eth->dst_addr = eth->src_addr;
	eth->src_addr = *mac;
	ctrl_send(m, DP_PORT_WAN);
}

static void arp_rx(struct rte_mbuf *m, struct rte_ether_hdr *eth)
{
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct addr6 sender;
	bool learned = false;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4) {
		ctrl_ctr->drop[DROP_BAD_ETHER]++;
		rte_pktmbuf_free(m);
		return;
	}
	sender = neigh_key4(ntohl(arp->arp_data.arp_sip));
	/* RFC 826: refresh a known sender; add it when it asks for us. Only
	 * senders on the WAN subnet: others cannot be next hops. */
	if (arp->arp_data.arp_sip != 0 && on_wan_subnet(ntohl(arp->arp_data.arp_sip)) &&
	    (ctrl_wants(&sender) || ours4(ntohl(arp->arp_data.arp_tip)))) {
		if (neigh_update(&sender, &arp->arp_data.arp_sha) == 0)
			ctrl_resolved(&sender);
		learned = true;
	}
	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
	    ours4(ntohl(arp->arp_data.arp_tip))) {
		arp_reply(m, eth, arp);
		return;
	}
	if (!learned) /* neither for us nor from anyone we wanted to hear */
		ctrl_ctr->drop[DROP_ARP_IGNORED]++;
	else
		ctrl_ctr->cnt[CNT_CONSUMED]++;
	rte_pktmbuf_free(m);
}

/* Echo request to one of our IPv4 addresses: answer it in place. The
 * worker checked the IPv4 header and trimmed the frame to it. */
void ctrl_ip4_rx(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (!icmp_echo_answer((struct l3_ip4_hdr *)(eth + 1))) {
		ctrl_ctr->drop[DROP_ICMP_IGNORED]++;
		rte_pktmbuf_free(m);
		return;
	}
	eth->dst_addr = eth->src_addr;
	eth->src_addr = dp.port[DP_PORT_WAN].mac;
	ctrl_ctr->cnt[CNT_ICMP_SENT]++;
	ctrl_send(m, DP_PORT_WAN);
}

void ctrl_arp_rx(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
		arp_rx(m, eth);
	else
		ctrl_ip4_rx(m);
}
