/* The NAPT nodes: nat_out (a B4's packet, or its ICMP error about a
 * translated flow, towards the Internet), pool_in (a packet to a pool
 * address finds the worker that owns its port) and nat_in (towards the B4).
 * The tables are nat.c's. */
#include <netinet/in.h>
#include <string.h>

#include "cksum.h"
#include "graph.h"
#include "nat.h"

/* An ICMPv4 message with a wrong checksum (RFC 792: over the whole
 * message) is dropped before NAT rewrites it: the incremental update of
 * the rewrite would carry the error into a checksum the receiver might
 * then take for the rewrite's fault, and the quote of an error that is
 * not intact cannot be trusted to find its session. */
static bool icmp_bad(const struct l3_ip4_hdr *ip, const uint8_t *l4, uint32_t len)
{
	return ip->proto == IPPROTO_ICMP && cksum_fold(cksum_add(0, l4, len)) != 0xffff;
}

enum dp_node node_nat_out(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	uint8_t *l4 = (uint8_t *)ip + (c->l4 - c->l3);
	int rc;

	if (unlikely(icmp_bad(ip, l4, c->l4_len)))
		return dp_drop(m, DROP_ICMP_CKSUM);
	if (ip->proto == IPPROTO_ICMP && c->l4_len >= 8 && pkt_icmp4_is_error(l4[0]))
		rc = nat_icmp_error_out(w, &c->b4, ip, l4, c->l4_len);
	else
		rc = nat_out(w, &c->b4, c->ep, ip, l4, c->l4_len);
	if (rc != NAT_OK)
		return dp_drop(m, rc);
	if (c->flags & CTX_PORTS) /* NAT rewrote them */
		dp_ctx_l4(c, l4);
	return NODE_IP4_OUT;
}

/* The worker owning the public (port, protocol) a packet to a pool address
 * belongs to: its destination port or echo id, or for an ICMP error the
 * quoted source. -1 with the drop reason when none. */
static int pool_owner(const struct dp_worker *w, const struct rte_mbuf *m, int *drop)
{
	const struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, c->l4);
	uint32_t ext = ip->dst;
	uint16_t port = c->dport;
	uint8_t proto = ip->proto;
	int owner;

	if ((c->flags & CTX_PORTS) && (proto != IPPROTO_ICMP || l4[0] == AFTR_ICMP4_ECHO_REPLY)) {
		/* TCP, UDP, an echo reply: its destination port or id */
	} else if (proto == IPPROTO_ICMP && c->l4_len >= 8 && pkt_icmp4_is_error(l4[0]) &&
	           nat_icmp_error_key(l4, c->l4_len, &ext, &port, &proto) == 0 && ext == ip->dst) {
		/* the quote is our own packet: keyed by its source */
	} else {
		*drop = ip->proto == IPPROTO_ICMP                              ? DROP_ICMP_OUT
		        : ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP ? DROP_BAD_IP4_OUT
		                                                               : DROP_NO_SESSION;
		return -1;
	}
	owner = nat_port_owner(w, (uint32_t)c->pool, ext, proto, ntohs(port));
	if (owner < 0)
		*drop = DROP_NO_SESSION;
	return owner;
}

enum dp_node node_pool_in(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	uint32_t hl = pkt_ip4_hdr_len(ip);
	int drop, owner;

	if (c->flags & CTX_FRAG4)
		return dp_drop(m, DROP_IP4_FRAGMENT);
	owner = pool_owner(w, m, &drop);
	/* Not a block's nor a static mapping's: maybe a prr entry's. */
	if (owner < 0)
		return drop == DROP_NO_SESSION ? NODE_SL_IN : dp_drop(m, drop);
	if ((unsigned int)owner != w->id)
		return dp_handoff(m, (unsigned int)owner, NODE_POOL_IN);
	/* A DF packet that may not fit a softwire: its header as it came, for
	 * the fragmentation needed error (IPv6's minimum MTU fits any other). */
	if ((ip->frag_off & htons(AFTR_IP4_FLAG_DF)) && ntohs(ip->total_len) + 40u > CFG_MTU_MIN) {
		c->orig_len = (uint8_t)RTE_MIN((uint32_t)ntohs(ip->total_len), hl + 8);
		memcpy(c->orig, ip, c->orig_len);
	}
	return NODE_NAT_IN;
}

enum dp_node node_nat_in(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	uint8_t *l4 = (uint8_t *)ip + (c->l4 - c->l3);
	struct dp_session *se;
	int drop;

	if (unlikely(icmp_bad(ip, l4, c->l4_len)))
		return dp_drop(m, DROP_ICMP_CKSUM);
	if (ip->proto == IPPROTO_ICMP && c->l4_len >= 8 && pkt_icmp4_is_error(l4[0]))
		se = nat_icmp_error_in(w, ip, l4, c->l4_len, &drop);
	else
		se = nat_in(w, ip, l4, c->l4_len, &drop);
	if (se == NULL)
		return dp_drop(m, drop);
	if (c->flags & CTX_PORTS) /* NAT rewrote them */
		dp_ctx_l4(c, l4);
	c->b4 = se->b4;
	c->ep = se->ep;
	return NODE_ENCAP;
}
