/* The PCP server's packets (RFC 6887) between the softwires and the
 * control process, whose server answers them (control/pcp/): a request a
 * worker passed up (UDP to the AFTR's 192.0.0.1 port 5351 inside a
 * softwire, node inner) goes whole onto the region's packet ring with its
 * softwire and the B4's owner; an answer from the other ring is made into
 * a UDP datagram from the AFTR's address and handed to a worker at node
 * encap, into the same softwire (as ISC AFTR's "pcpd encapsulate" mode
 * relays, here over shared memory rather than a socket). */
#include <netinet/in.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <string.h>

#include "cksum.h"
#include "ctl_msg.h"
#include "ctl_pkt.h"
#include "ctx.h"
#include "nat.h"
#include "pkt.h"
#include "slowpath.h"
#include "tx.h"

#define ETH_LEN   14u
#define UDP_LEN   8u
#define PCP_BURST 16

static void pcp_drop(struct rte_mbuf *m, int reason)
{
	ctrl_ctr->drop[reason]++;
	rte_pktmbuf_free(m);
}

void ctrl_pcp_rx(struct rte_mbuf *m)
{
	const struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	const uint8_t *udp = rte_pktmbuf_mtod_offset(m, const uint8_t *, c->l4);
	uint16_t ulen = c->l4_len >= UDP_LEN ? (uint16_t)(udp[4] << 8 | udp[5]) : 0;
	struct ctl_pkt p = {.type = CTL_PKT_PCP, .ep = c->ep};

	/* RFC 768: the length within the datagram, the checksum (if any). */
	if (ulen < UDP_LEN || ulen > c->l4_len || ulen - UDP_LEN > CTL_PKT_DATA) {
		pcp_drop(m, DROP_PCP_BAD);
		return;
	}
	if ((udp[6] | udp[7]) != 0) {
		uint32_t sum =
		        cksum_add(cksum_ip4_pseudo(ip->src, ip->dst, IPPROTO_UDP, ulen), udp, ulen);

		if (cksum_fold(sum) != 0xffff) {
			pcp_drop(m, DROP_PCP_BAD);
			return;
		}
	}
	p.len = (uint16_t)(ulen - UDP_LEN);
	p.worker = (uint16_t)nat_b4_owner(&c->b4);
	memcpy(p.b4, c->b4.b, 16);
	p.src = ip->src;
	p.dst = ip->dst;
	p.sport = ntohs(c->sport);
	p.dport = ntohs(c->dport);
	p.time_ms = dp_wall_ms(rte_rdtsc());
	memcpy(p.data, udp + UDP_LEN, p.len);
	if (dp.pkt_up == NULL || rte_ring_sp_enqueue_elem(dp.pkt_up, &p, CTL_PKT_SIZE) != 0) {
		pcp_drop(m, DROP_CONTROL_FULL); /* no aftr-control draining it */
		return;
	}
	ctrl_ctr->cnt[CNT_PCP_UP]++;
	ctrl_ctr->cnt[CNT_CONSUMED]++;
	rte_pktmbuf_free(m);
}

/* The answer p as an IPv4/UDP datagram, room for the Ethernet header
 * before it, its context that of a packet going into p's softwire. */
static struct rte_mbuf *answer(const struct ctl_pkt *p)
{
	uint16_t len = (uint16_t)(20 + UDP_LEN + p->len);
	struct rte_mbuf *m = ctrl_alloc();
	struct l3_ip4_hdr *ip;
	uint8_t *udp;
	struct dp_ctx *c;

	if (m == NULL)
		return NULL;
	if (rte_pktmbuf_append(m, (uint16_t)(ETH_LEN + len)) == NULL) {
		pcp_drop(m, DROP_NO_MBUF);
		return NULL;
	}
	ip = rte_pktmbuf_mtod_offset(m, struct l3_ip4_hdr *, ETH_LEN);
	*ip = (struct l3_ip4_hdr){.version_ihl = 0x45,
	                          .total_len = htons(len),
	                          .ttl = 64,
	                          .proto = IPPROTO_UDP,
	                          .src = p->src,
	                          .dst = p->dst};
	ip->cksum = cksum_ip4_hdr(ip);
	udp = (uint8_t *)(ip + 1);
	*(uint16_t *)udp = htons(p->sport);
	*(uint16_t *)(udp + 2) = htons(p->dport);
	*(uint16_t *)(udp + 4) = htons((uint16_t)(UDP_LEN + p->len));
	*(uint16_t *)(udp + 6) = 0;
	memcpy(udp + UDP_LEN, p->data, p->len);
	*(uint16_t *)(udp + 6) = cksum_ip4_l4(ip, udp, (uint16_t)(UDP_LEN + p->len));
	c = dp_ctx_new(m, DP_PORT_TRANSPORT);
	memcpy(c->b4.b, p->b4, 16);
	c->ep = p->ep;
	dp_ctx_ip4_fresh(m, ETH_LEN);
	c->next = NODE_ENCAP;
	return m;
}

/* Answers from the control process, each into its softwire: only from
 * the AFTR's own address and port 5351, to an endpoint it has. */
unsigned int ctrl_pcp_poll(void)
{
	struct ctl_pkt p[PCP_BURST];
	unsigned int n;

	if (dp.pkt_down == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst_elem(dp.pkt_down, p, CTL_PKT_SIZE, PCP_BURST, NULL);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m;

		if (ctl_pkt_check(&p[i]) < 0 || p[i].src != htonl(dp.conf.icmp_source) ||
		    p[i].sport != CTL_PCP_SERVER_PORT || p[i].ep >= dp.conf.n_endpoints) {
			ctrl_ctr->drop[DROP_PCP_BAD]++;
			continue;
		}
		if ((m = answer(&p[i])) == NULL)
			continue;
		m->hash.usr = HANDOFF_PACKET;
		if (rte_ring_mp_enqueue(dp.worker[0].handoff, m) != 0) {
			pcp_drop(m, DROP_HANDOFF_FULL);
			continue;
		}
		ctrl_ctr->cnt[CNT_PCP_DOWN]++;
		ctrl_ctr->cnt[CNT_HANDOFF_TX]++;
	}
	return n;
}
