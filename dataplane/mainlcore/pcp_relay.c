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
#include "tables.h"
#include "tx.h"

#define ETH_LEN   14u
#define UDP_LEN   8u
#define PCP_BURST 16

static void pcp_drop(struct rte_mbuf *m, int reason)
{
	ctrl_ctr->drop[reason]++;
	rte_pktmbuf_free(m);
}

/* A request to the endpoint over plain IPv6 (rx.c pcp_plain): from a B4
 * admitted as a softwire's would be (a tunnel, acl6; one NAT is for), its
 * UDP checksum right (RFC 8200 section 8.1: never 0). 0, or a drop reason. */
static int plain_rx(struct rte_mbuf *m, struct ctl_pkt *p)
{
	const struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip6_hdr *ip6 =
	        rte_pktmbuf_mtod_offset(m, const struct l3_ip6_hdr *, ETH_LEN);
	const uint8_t *udp = rte_pktmbuf_mtod_offset(m, const uint8_t *, c->l4);
	uint32_t end = ETH_LEN + 40u + ntohs(ip6->payload_len);
	uint16_t ulen = (uint16_t)(udp[4] << 8 | udp[5]);
	struct addr6 b4;
	bool nat = false;
	int drop = DROP_ACL6;

	memcpy(b4.b, ip6->src, 16);
	if (!tables_b4_allowed(atomic_load_explicit(&dp.tab, memory_order_acquire), &b4, &drop,
	                       &nat))
		return drop;
	if (!nat || c->ep != 0)
		return DROP_PCP_NOT_NAPT;
	if (ulen < UDP_LEN || c->l4 + ulen > end || ulen - UDP_LEN > CTL_PKT_DATA ||
	    (udp[6] | udp[7]) == 0 ||
	    cksum_fold(cksum_add(cksum_ip6_pseudo(ip6->src, ip6->dst, ulen, IPPROTO_UDP), udp,
	                         ulen)) != 0xffff)
		return DROP_PCP_BAD;
	p->v6 = 1;
	memcpy(p->b4, ip6->src, 16);
	p->sport = (uint16_t)(udp[0] << 8 | udp[1]);
	p->dport = (uint16_t)(udp[2] << 8 | udp[3]);
	p->len = (uint16_t)(ulen - UDP_LEN);
	memcpy(p->data, udp + UDP_LEN, p->len);
	return 0;
}

/* A request inside a softwire (decap.c to_aftr): its UDP length and
 * checksum (RFC 768: 0 is none). 0, or a drop reason. */
static int softwire_rx(struct rte_mbuf *m, struct ctl_pkt *p)
{
	const struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	const uint8_t *udp = rte_pktmbuf_mtod_offset(m, const uint8_t *, c->l4);
	uint16_t ulen = c->l4_len >= UDP_LEN ? (uint16_t)(udp[4] << 8 | udp[5]) : 0;

	if (ulen < UDP_LEN || ulen > c->l4_len || ulen - UDP_LEN > CTL_PKT_DATA)
		return DROP_PCP_BAD;
	if ((udp[6] | udp[7]) != 0 &&
	    cksum_fold(cksum_add(cksum_ip4_pseudo(ip->src, ip->dst, IPPROTO_UDP, ulen), udp,
	                         ulen)) != 0xffff)
		return DROP_PCP_BAD;
	memcpy(p->b4, c->b4.b, 16);
	p->src = ip->src;
	p->dst = ip->dst;
	p->sport = ntohs(c->sport);
	p->dport = ntohs(c->dport);
	p->len = (uint16_t)(ulen - UDP_LEN);
	memcpy(p->data, udp + UDP_LEN, p->len);
	return 0;
}

void ctrl_pcp_rx(struct rte_mbuf *m)
{
	const struct dp_ctx *c = dp_ctx(m);
	/* The IPv6 header is still there for a plain request; a softwire's
	 * was cut, leaving the inner IPv4 one (decap). */
	bool v6 = (*rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_LEN) >> 4) == 6;
	struct ctl_pkt p;
	struct addr6 b4;
	int drop;

	memset(&p, 0, sizeof(p)); /* the whole element: its bytes go to another process */
	p.type = CTL_PKT_PCP;
	p.ep = c->ep;
	drop = v6 ? plain_rx(m, &p) : softwire_rx(m, &p);
	if (drop) {
		pcp_drop(m, drop);
		return;
	}
	memcpy(b4.b, p.b4, 16);
	p.worker = (uint16_t)nat_b4_owner(&b4);
	p.time_ms = dp_wall_ms(rte_rdtsc());
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

/* The answer p over plain IPv6 from the endpoint to the B4, room for the
 * Ethernet header before it, to go out at node tr_tx. */
static struct rte_mbuf *answer6(const struct ctl_pkt *p)
{
	uint16_t ulen = (uint16_t)(UDP_LEN + p->len);
	struct rte_mbuf *m = ctrl_alloc();
	struct l3_ip6_hdr *ip6;
	uint8_t *udp;
	struct dp_ctx *c;

	if (m == NULL)
		return NULL;
	if (rte_pktmbuf_append(m, (uint16_t)(ETH_LEN + 40 + ulen)) == NULL) {
		pcp_drop(m, DROP_NO_MBUF);
		return NULL;
	}
	ip6 = rte_pktmbuf_mtod_offset(m, struct l3_ip6_hdr *, ETH_LEN);
	*ip6 = (struct l3_ip6_hdr){.vtc_flow = htonl(6u << 28),
	                           .payload_len = htons(ulen),
	                           .next_hdr = IPPROTO_UDP,
	                           .hop_limit = 64};
	memcpy(ip6->src, dp.conf.endpoints[p->ep].b, 16);
	memcpy(ip6->dst, p->b4, 16);
	udp = (uint8_t *)(ip6 + 1);
	*(uint16_t *)udp = htons(p->sport);
	*(uint16_t *)(udp + 2) = htons(p->dport);
	*(uint16_t *)(udp + 4) = htons(ulen);
	*(uint16_t *)(udp + 6) = 0;
	memcpy(udp + UDP_LEN, p->data, p->len);
	*(uint16_t *)(udp + 6) = cksum_ip6_l4(ip6, IPPROTO_UDP, udp, ulen);
	c = dp_ctx_new(m, DP_PORT_TRANSPORT);
	memcpy(c->b4.b, p->b4, 16);
	c->ep = p->ep;
	c->next = NODE_TR_TX;
	return m;
}

/* Answers from the control process, each into its softwire: only from
 * the AFTR's own address and port 5351, to an endpoint it has. */
unsigned int ctrl_pcp_poll(void)
{
	static struct ctl_pkt p; /* 1,248 bytes: one at a time, off the stack */
	unsigned int n = 0;

	while (n < PCP_BURST && dp.pkt_down &&
	       rte_ring_sc_dequeue_elem(dp.pkt_down, &p, CTL_PKT_SIZE) == 0) {
		struct rte_mbuf *m;

		n++;
		if (ctl_pkt_check(&p) < 0 || p.sport != CTL_PCP_SERVER_PORT ||
		    p.ep >= dp.conf.n_endpoints || (!p.v6 && p.src != htonl(dp.conf.icmp_source))) {
			ctrl_ctr->cnt[CNT_PCP_DOWN_REFUSED]++; /* not a packet yet */
			continue;
		}
		if ((m = p.v6 ? answer6(&p) : answer(&p)) == NULL)
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
