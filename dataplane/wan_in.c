/* WAN (Internet-facing, IPv4) input: ARP and pings to the main lcore,
 * packets to pool addresses to the worker owning their port block, reverse
 * translation and encapsulation towards the B4. RFC 6333 section 6.6. */
#include <netinet/in.h>
#include <rte_ether.h>
#include <string.h>

#include "cksum.h"
#include "icmp_gen.h"
#include "mss.h"
#include "nat.h"
#include "path.h"
#include "reasm.h"
#include "pkt.h"
#include "stateless.h"
#include "toobig.h"
#include "tx.h"

#define ETH_LEN ((uint32_t)RTE_ETHER_HDR_LEN)

/* The public (port, protocol) a packet to a pool address belongs to: its
 * destination port or echo id, or for an ICMP error the quoted source.
 * Returns the owning worker, or -1 with *drop set. */
static int pool_owner(const struct dp_worker *w, struct l3_ip4_hdr *ip, uint8_t *l4, uint32_t l4len,
                      int pool, int *drop)
{
	uint32_t ext = ip->dst;
	uint16_t port;
	uint8_t proto = ip->proto;
	int owner;

	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && l4len >= 4) {
		port = *(uint16_t *)(l4 + 2);
	} else if (proto == IPPROTO_ICMP && l4len >= 8 && l4[0] == AFTR_ICMP4_ECHO_REPLY) {
		port = *(uint16_t *)(l4 + 4);
	} else if (proto == IPPROTO_ICMP && l4len >= 8 && pkt_icmp4_is_error(l4[0]) &&
	           nat_icmp_error_key(l4, l4len, &ext, &port, &proto) == 0 && ext == ip->dst) {
		/* the quote is our own packet: keyed by its source */
	} else {
		/* ip->proto: nat_icmp_error_key may have set proto to the quote's */
		*drop = ip->proto == IPPROTO_ICMP                              ? DROP_ICMP_OUT
		        : ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP ? DROP_BAD_IP4_OUT
		                                                               : DROP_NO_SESSION;
		return -1;
	}
	owner = nat_port_owner(w, (uint32_t)pool, ext, proto, ntohs(port));
	if (owner < 0)
		*drop = DROP_NO_SESSION;
	return owner;
}

void wan_ip4_to_pool(struct dp_worker *w, struct rte_mbuf *m, int pool)
{
	struct l3_ip4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct l3_ip4_hdr *, ETH_LEN);
	uint32_t hl = pkt_ip4_hdr_len(ip), l4len = ntohs(ip->total_len) - hl;
	uint8_t *l4 = (uint8_t *)ip + hl;
	struct toobig_orig orig;
	struct dp_session *se;
	int drop, owner;

	if (pkt_ip4_is_fragment(ip)) {
		DP_DROP(w, IP4_FRAGMENT, m);
		return;
	}
	owner = pool_owner(w, ip, l4, l4len, pool, &drop);
	/* Not a block's nor a static mapping's: maybe a prr entry's. */
	if (owner < 0 && drop == DROP_NO_SESSION && stateless_in(w, m, true))
		return;
	if (owner < 0) {
		DP_DROP_AS(w, drop, m);
		return;
	}
	if ((unsigned int)owner != w->id) {
		dp_handoff(w, (unsigned int)owner, m, HANDOFF_POOL | (uint32_t)pool);
		return;
	}
	/* A DF packet that may not fit a softwire: its header as it came, for
	 * the fragmentation needed error (IPv6's minimum MTU fits any other). */
	orig.len = 0;
	if ((ip->frag_off & htons(AFTR_IP4_FLAG_DF)) && ntohs(ip->total_len) + 40u > CFG_MTU_MIN) {
		orig.len = RTE_MIN((uint32_t)ntohs(ip->total_len), hl + 8);
		memcpy(orig.b, ip, orig.len);
	}
	if (ip->proto == IPPROTO_ICMP && pkt_icmp4_is_error(l4[0]))
		se = nat_icmp_error_in(w, ip, l4, l4len, &drop);
	else
		se = nat_in(w, ip, l4, l4len, &drop);
	if (se == NULL) {
		DP_DROP_AS(w, drop, m);
		return;
	}
	mss_clamp(w, &se->b4, ip, l4, l4len);
	path_encap_orig(w, m, &se->b4, &orig);
}

void path_ip4_out(struct dp_worker *w, struct rte_mbuf *m)
{
	struct l3_ip4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct l3_ip4_hdr *, ETH_LEN);
	int pool = nat_pool_index(ntohl(ip->dst));
	struct addr6 nh;

	if (pool >= 0) {
		DP_COUNT(w, HAIRPIN);
		wan_ip4_to_pool(w, m, pool);
		return;
	}
	/* Between softwires (RFC 7596 section 6), unless turned off. */
	if (stateless_owns(w, ntohl(ip->dst)) && w->tab->cfg.softwire_hairpinning) {
		DP_COUNT(w, HAIRPIN);
		if (!stateless_in(w, m, false))
			DP_DROP(w, NOT_OURS, m); /* cannot happen: the same tables said yes */
		return;
	}
	if (!dp_nexthop4(ntohl(ip->dst), &nh)) {
		DP_DROP(w, NO_NEIGHBOR, m);
		return;
	}
	dp_send(w, DP_PORT_WAN, m, RTE_ETHER_TYPE_IPV4, &nh);
}

/* A packet from the Internet forwarded towards a B4 loses one TTL (RFC 1812
 * section 5.2.1; the softwire is one hop, RFC 2473 section 3); one that
 * would reach 0 is dropped with a time exceeded (section 5.3.1). False when
 * consumed. */
static bool ttl_forward(struct dp_worker *w, struct rte_mbuf *m, struct l3_ip4_hdr *ip)
{
	if (ip->ttl <= 1) {
		icmp_time_exceeded_wan(w, ip);
		DP_DROP(w, TTL_EXPIRED, m);
		return false;
	}
	/* The TTL is the high byte of the TTL/protocol word. */
	ip->cksum = cksum_update16(ip->cksum, htons((uint16_t)(ip->ttl << 8 | ip->proto)),
	                           htons((uint16_t)((ip->ttl - 1) << 8 | ip->proto)));
	ip->ttl--;
	return true;
}

/* What the look-ahead's guesses read: the IPv4 header of what looks like
 * an IPv4 frame (*ip) and the 8 bytes after it (returned), or NULL. */
static const uint8_t *ahead_ip4(const struct rte_mbuf *m, const struct l3_ip4_hdr **ip)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint32_t hl;

	*ip = (const struct l3_ip4_hdr *)(eth + 1);
	if (rte_pktmbuf_data_len(m) < ETH_LEN + 20 ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	hl = pkt_ip4_hdr_len(*ip);
	if (hl < 20 || rte_pktmbuf_data_len(m) < ETH_LEN + hl + 8)
		return NULL;
	return (const uint8_t *)*ip + hl;
}

/* The destination address and port (or echo id) of what looks like an
 * unfragmented IPv4 packet (not checked: a guess for the look-ahead), or
 * false. Host order. */
static bool ahead_dst(const struct rte_mbuf *m, uint32_t *addr, uint16_t *port)
{
	const struct l3_ip4_hdr *ip;
	const uint8_t *l4 = ahead_ip4(m, &ip);

	if (l4 == NULL || pkt_ip4_is_fragment(ip))
		return false;
	*addr = ntohl(ip->dst);
	if (ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP)
		*port = ntohs(*(const uint16_t *)(l4 + 2));
	else if (ip->proto == IPPROTO_ICMP &&
	         (l4[0] == AFTR_ICMP4_ECHO_REQUEST || l4[0] == AFTR_ICMP4_ECHO_REPLY))
		*port = ntohs(*(const uint16_t *)(l4 + 4));
	else
		return false;
	return true;
}

/* The NAPT outside key (network order) of what looks like an IPv4 packet
 * to a pool address (one between the lowest and the highest), or false: a
 * guess from whatever is there (a fragment, a protocol we do not
 * translate), which nat_in checks. */
static bool ahead_pool_key(const struct rte_mbuf *m, uint32_t *addr, uint16_t *port, uint8_t *proto)
{
	const struct l3_ip4_hdr *ip;
	const uint8_t *l4 = ahead_ip4(m, &ip);

	if (l4 == NULL || ntohl(ip->dst) - dp.conf.pool_lo > dp.conf.pool_hi - dp.conf.pool_lo)
		return false;
	*addr = ip->dst;
	*proto = ip->proto;
	memcpy(port, l4 + (ip->proto == IPPROTO_ICMP ? 4 : 2), 2); /* echo id, dst port */
	return true;
}

void wan_ahead(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct tables *t = w->tab;
	struct dp_ahead *ah = &w->ahead;
	uint32_t addr;
	uint16_t port;
	uint8_t proto;

	/* lw4o6 softwires, taken by stateless.c when the packet's turn comes,
	 * and NAPT sessions (of a packet to what may be a pool address: nat_in
	 * looks up again), each in its own pass. */
	ah->n = 0;
	ah->sl = t->sw_port.n != 0;
	ah->nat = dp.conf.n_pools != 0;
	if (ah->sl)
		for (uint16_t i = 0; i < n; i++)
			ah->set[i] = ahead_dst(pkts[i], &addr, &port) &&
			             tables_softwire_ahead(t, addr, port, &ah->a[i]);
	else
		memset(ah->set, 0, n * sizeof(ah->set[0]));
	if (ah->nat)
		for (uint16_t i = 0; i < n; i++) {
			ah->nat_at[i].kind = 0;
			if (ahead_pool_key(pkts[i], &addr, &port, &proto))
				nat_in_ahead(w, addr, port, proto, &ah->nat_at[i]);
		}
	if (ah->sl || ah->nat)
		ah->n = n;
}

void wan_in(struct dp_worker *w, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct l3_ip4_hdr *ip = (struct l3_ip4_hdr *)(eth + 1);
	uint32_t dst;
	int pool;

	if (len >= ETH_LEN && eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		dp_to_ctrl(w, m, CTRL_RX, DP_PORT_WAN);
		return;
	}
	if (len < ETH_LEN || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		DP_DROP(w, BAD_ETHER, m);
		return;
	}
	if (pkt_ip4_check(ip, len - ETH_LEN) != PKT_OK) {
		DP_DROP(w, BAD_IP4_OUT, m);
		return;
	}
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (ETH_LEN + ntohs(ip->total_len)));
	dst = ntohl(ip->dst);
	pool = nat_pool_index(dst);
	if (pool < 0 && !stateless_owns(w, dst)) {
		if ((dst == dp.conf.wan_addr || dst == dp.conf.icmp_source) &&
		    ip->proto == IPPROTO_ICMP)
			dp_to_ctrl(w, m, CTRL_RX, DP_PORT_WAN); /* ping us */
		else
			DP_DROP(w, NOT_OURS, m);
		return;
	}
	/* NAT and the stateless lookups need the first fragment's ports: the
	 * datagram is reassembled first (reasm.h). */
	if (pkt_ip4_is_fragment(ip)) {
		if ((m = reasm4(w, m)) == NULL)
			return;
		ip = rte_pktmbuf_mtod_offset(m, struct l3_ip4_hdr *, ETH_LEN);
	}
	/* Hairpinned packets had their TTL decremented when they left their
	 * softwire; these come from the Internet. */
	if (!ttl_forward(w, m, ip))
		return;
	if (pool >= 0)
		wan_ip4_to_pool(w, m, pool);
	else if (!stateless_in(w, m, false))
		DP_DROP(w, NOT_OURS, m); /* cannot happen: stateless_owns said yes */
}
