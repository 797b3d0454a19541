/* Transport (B4-facing, IPv6) input: classify, ACL6, hand-off to the
 * subscriber's owner, decapsulate, check the inner IPv4 packet, NAPT, and
 * out to the WAN (or back in, for hairpinning). RFC 6333 sections 6 and 7. */
#include <netinet/in.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <string.h>

#include "cksum.h"
#include "icmp6_in.h"
#include "icmp_gen.h"
#include "mss.h"
#include "nat.h"
#include "path.h"
#include "pkt.h"
#include "reasm.h"
#include "stateless.h"
#include "tx.h"

#define ETH_LEN           ((uint32_t)sizeof(struct rte_ether_hdr))
#define CLASSIFY_FRAGMENT (-2)
#define CLASSIFY_ICMP6    (-3)

/* The upper layer of an IPv6 packet with extension headers: the Tunnel
 * Encapsulation Limit option a Linux ip6tnl B4 adds (RFC 2473 section
 * 4.1.1, a destination options header) must not stop a softwire. Returns
 * the protocol (and its offset), or -1 with the drop reason. */
static int upper_layer(struct l3_ip6_hdr *ip6, uint32_t len, uint32_t *off, int *drop)
{
	struct pkt_ip6_l4 l4;

	if (pkt_ip6_find_l4(ip6, len, &l4) != PKT_OK) {
		*drop = DROP_BAD_IP6;
		return -1;
	}
	/* A fragment: reassembled first (reasm.h), when its header comes
	 * right after the fixed one. */
	if (l4.frag_hdr_off) {
		*drop = l4.frag_hdr_off == 40 ? CLASSIFY_FRAGMENT : DROP_IP6_FRAGMENT;
		return -1;
	}
	*off = l4.l4_off;
	return l4.l4_proto;
}

/* Classifies an IPv6 frame: -1 when it was consumed (dropped, passed to
 * control), CLASSIFY_FRAGMENT for a fragment to reassemble (*b4 set),
 * CLASSIFY_ICMP6 for an ICMPv6 error about a packet we sent to *b4, else
 * the offset of the inner IPv4 header from the IPv6 header, with the
 * softwire's B4 address. */
static int classify(struct dp_worker *w, struct rte_mbuf *m, struct addr6 *b4)
{
	uint32_t len = rte_pktmbuf_data_len(m), off = 40;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct l3_ip6_hdr *ip6 = (struct l3_ip6_hdr *)(eth + 1);
	int proto, drop;

	if (len < ETH_LEN || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		DP_DROP(w, BAD_ETHER, m);
		return -1;
	}
	if (pkt_ip6_check(ip6, len - ETH_LEN) != PKT_OK) {
		DP_DROP(w, BAD_IP6, m);
		return -1;
	}
	if (ip6->next_hdr == AFTR_IPPROTO_ICMPV6) {
		if (icmp6_error_b4(ip6, b4))
			return CLASSIFY_ICMP6;
		dp_to_ctrl(w, m, CTRL_RX, DP_PORT_TRANSPORT); /* ND, ping */
		return -1;
	}
	if (memcmp(ip6->dst, dp.conf.endpoint.b, 16) != 0) {
		DP_DROP(w, NOT_ENDPOINT, m);
		return -1;
	}
	proto = ip6->next_hdr;
	if (proto != AFTR_IPPROTO_IPIP &&
	    (proto = upper_layer(ip6, 40 + ntohs(ip6->payload_len), &off, &drop)) < 0) {
		if (drop == CLASSIFY_FRAGMENT) {
			memcpy(b4->b, ip6->src, 16);
			return CLASSIFY_FRAGMENT;
		}
		DP_DROP_AS(w, drop, m);
		return -1;
	}
	if (proto != AFTR_IPPROTO_IPIP) {
		DP_DROP(w, IP6_PROTO, m);
		return -1;
	}
	memcpy(b4->b, ip6->src, 16);
	return (int)off;
}

/* Decapsulation and ECN (RFC 6040 section 4.2, "normal mode"): a CE mark
 * the softwire got on the way is copied to an ECN-capable inner packet; an
 * inner packet that is not ECN-capable cannot carry it and is dropped. */
static int ecn_decap(struct l3_ip6_hdr *ip6, struct l3_ip4_hdr *ip)
{
	uint8_t outer = (uint8_t)(ntohl(ip6->vtc_flow) >> 20) & 3, inner = ip->tos & 3;

	if (outer != 3 || inner == 3)
		return 0;
	if (inner == 0)
		return -1;
	ip->cksum = cksum_update16(ip->cksum, htons((uint16_t)(ip->version_ihl << 8 | ip->tos)),
	                           htons((uint16_t)(ip->version_ihl << 8 | (ip->tos | 3))));
	ip->tos |= 3;
	return 0;
}

/* An inner IPv4 fragment: reassembled at the B4's owner before NAT, which
 * needs the first fragment's ports (reasm.h). The outer IPv6 header goes
 * first (its ECN already applied): *off becomes 0. NULL when consumed. */
static struct l3_ip4_hdr *inner_fragment(struct dp_worker *w, struct rte_mbuf **m,
                                         const struct addr6 *b4, uint32_t *off, uint32_t plen)
{
	rte_pktmbuf_trim(*m, rte_pktmbuf_pkt_len(*m) - (ETH_LEN + *off + plen));
	rte_pktmbuf_adj(*m, (uint16_t)*off);
	*off = 0;
	if ((*m = reasm4_inner(w, *m, b4)) == NULL)
		return NULL;
	return rte_pktmbuf_mtod_offset(*m, struct l3_ip4_hdr *, ETH_LEN);
}

/* Inner IPv4 checks (RFC 6333 section 6.3 and RFC 1812), for an inner
 * header *offp bytes into the IPv6 packet: returns it, with the mbuf trimmed
 * to its end (a reassembled one replaces *mp, *offp 0), or NULL when
 * consumed. */
static struct l3_ip4_hdr *inner_checks(struct dp_worker *w, struct rte_mbuf **mp,
                                       const struct addr6 *b4, uint32_t *offp)
{
	struct rte_mbuf *m = *mp;
	uint32_t off = *offp;
	struct l3_ip6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct l3_ip6_hdr *, ETH_LEN);
	struct l3_ip4_hdr *ip = (struct l3_ip4_hdr *)((uint8_t *)ip6 + off);
	uint32_t plen = 40 + ntohs(ip6->payload_len) - off;

	if (pkt_ip4_check(ip, plen) != PKT_OK || ntohs(ip->total_len) != plen) {
		DP_DROP(w, BAD_IP4_IN, m);
		return NULL;
	}
	if (ecn_decap(ip6, ip) < 0) {
		DP_DROP(w, ECN, m);
		return NULL;
	}
	if (pkt_ip4_is_fragment(ip)) {
		if ((ip = inner_fragment(w, mp, b4, offp, plen)) == NULL)
			return NULL;
		m = *mp;
		off = 0;
		plen = ntohs(ip->total_len);
	}
	/* A packet for the AFTR itself is not forwarded: no TTL check. */
	if (ip->ttl <= 1 && ip->dst != htonl(dp.conf.icmp_source)) {
		icmp_time_exceeded(w, b4, ip);
		DP_DROP(w, TTL_EXPIRED, m);
		return NULL;
	}
	if (ip->ttl <= 1)
		return ip; /* to us: answered with a fresh TTL */
	/* Decrement the TTL: the high byte of the TTL/protocol word. */
	ip->cksum = cksum_update16(ip->cksum, htons((uint16_t)(ip->ttl << 8 | ip->proto)),
	                           htons((uint16_t)((ip->ttl - 1) << 8 | ip->proto)));
	ip->ttl--;
	/* Trim Ethernet padding past the IPv6 payload. */
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (ETH_LEN + off + plen));
	return ip;
}

/* RFC 6333 section 5.7: the B4 reaches the AFTR's 192.0.0.1 (our icmp
 * source) inside the softwire, e.g. to ping it: answer in the softwire. */
static void to_aftr(struct dp_worker *w, struct rte_mbuf *m, struct l3_ip4_hdr *ip, uint32_t off,
                    const struct addr6 *b4)
{
	if (!icmp_echo_answer(ip)) {
		DP_DROP(w, NOT_OURS, m);
		return;
	}
	rte_pktmbuf_adj(m, (uint16_t)off);
	DP_COUNT(w, ICMP_SENT);
	path_encap(w, m, b4);
}

int path_b4_out(struct dp_worker *w, const struct addr6 *b4, bool nat, struct l3_ip4_hdr *ip)
{
	uint8_t *l4 = (uint8_t *)ip + pkt_ip4_hdr_len(ip);
	uint32_t l4len = ntohs(ip->total_len) - pkt_ip4_hdr_len(ip);
	int rc;

	/* A private source is NATed (when there is a pool: a lw4o6-only AFTR
	 * has none; and for a B4 NAT is for: a B4 known only by a stateless
	 * binding is not NATed, RFC 7596 section 5.2); any other must be in
	 * one of the B4's stateless bindings (stateless.h). */
	if (nat && dp.conf.n_pools && cfg_is_private(&w->tab->cfg, ntohl(ip->src))) {
		if (ip->proto == IPPROTO_ICMP && l4len >= 8 && pkt_icmp4_is_error(l4[0]))
			rc = nat_icmp_error_out(w, b4, ip, l4, l4len);
		else
			rc = nat_out(w, b4, ip, l4, l4len);
		return rc == NAT_OK ? -1 : rc - 1;
	}
	if ((rc = stateless_out(w, b4, ip, l4, l4len)) >= 0)
		return rc;
	DP_COUNT(w, STATELESS_OUT);
	return -1;
}

/* The outer source of what looks like a 4in6 packet (not checked: a
 * guess for the look-ahead), or false. */
static bool ahead_b4(const struct rte_mbuf *m, struct addr6 *b4)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct l3_ip6_hdr *ip6 = (const struct l3_ip6_hdr *)(eth + 1);

	if (rte_pktmbuf_data_len(m) < ETH_LEN + 40 ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6) ||
	    ip6->next_hdr != AFTR_IPPROTO_IPIP)
		return false;
	memcpy(b4->b, ip6->src, 16);
	return true;
}

/* The NAPT inside key of such a packet (network order): a guess from
 * whatever is there (a fragment, a public source, a protocol we do not
 * translate), which nat_out checks; telling a private source would cost
 * more than the lookup. */
static void ahead_nat(const struct dp_worker *w, const struct rte_mbuf *m, const struct addr6 *b4,
                      struct dp_nat_ahead *a)
{
	const struct l3_ip4_hdr *ip =
	        rte_pktmbuf_mtod_offset(m, const struct l3_ip4_hdr *, ETH_LEN + 40);
	uint16_t port;

	if (rte_pktmbuf_data_len(m) < ETH_LEN + 40 + 20 ||
	    rte_pktmbuf_data_len(m) < ETH_LEN + 40 + pkt_ip4_hdr_len(ip) + 8)
		return;
	/* echo id, src port */
	memcpy(&port,
	       (const uint8_t *)ip + pkt_ip4_hdr_len(ip) + (ip->proto == IPPROTO_ICMP ? 4 : 0), 2);
	nat_out_ahead(w, b4, ip->src, port, ip->proto, a);
}

void transport_ahead(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct tables *t = w->tab;
	struct dp_ahead *ah = &w->ahead;
	struct addr6 b4;

	/* Stateless bindings and NAPT sessions, taken by the packet's own
	 * lookups. Each in its own pass, so that a lw4o6-only AFTR pays
	 * nothing for NAPT's. */
	ah->n = 0;
	ah->sl = t->by_b4.n != 0;
	ah->nat = dp.conf.n_pools != 0;
	if (ah->sl)
		for (uint16_t i = 0; i < n; i++)
			ah->set[i] = ahead_b4(pkts[i], &b4) && tables_b4_ahead(t, &b4, &ah->a[i]);
	else
		memset(ah->set, 0, n * sizeof(ah->set[0]));
	if (ah->nat)
		for (uint16_t i = 0; i < n; i++) {
			ah->nat_at[i].kind = 0;
			if (ahead_b4(pkts[i], &b4))
				ahead_nat(w, pkts[i], &b4, &ah->nat_at[i]);
		}
	if (ah->sl || ah->nat)
		ah->n = n;
}

void transport_in(struct dp_worker *w, struct rte_mbuf *m)
{
	struct l3_ip4_hdr *ip;
	struct addr6 b4;
	unsigned int owner;
	uint32_t uoff;
	int off, drop;
	bool nat;

	if ((off = classify(w, m, &b4)) == -1)
		return;
	if (off == CLASSIFY_ICMP6) {
		icmp6_error_in(w, m, &b4);
		return;
	}
	if (!tables_b4_allowed_with(w->tab, &b4, dp_ahead_cur(w), &drop, &nat)) {
		DP_DROP_AS(w, drop, m);
		return;
	}
	owner = nat_b4_owner(&b4);
	if (owner != w->id) {
		dp_handoff(w, owner, m, HANDOFF_TRANSPORT);
		return;
	}
	/* The owner reassembles; the whole packet is classified again (a
	 * fragment in a fragment is not one we take). */
	if (off == CLASSIFY_FRAGMENT) {
		if ((m = reasm6(w, m)) == NULL || (off = classify(w, m, &b4)) == -1)
			return;
		if (off == CLASSIFY_FRAGMENT) {
			DP_DROP(w, IP6_FRAGMENT, m);
			return;
		}
		if (off == CLASSIFY_ICMP6) { /* an ICMPv6 error that came in fragments */
			icmp6_error_in(w, m, &b4);
			return;
		}
	}
	uoff = (uint32_t)off;
	ip = inner_checks(w, &m, &b4, &uoff);
	off = (int)uoff;
	if (ip == NULL)
		return;
	DP_COUNT(w, DECAP);
	if (ip->dst == htonl(dp.conf.icmp_source)) {
		to_aftr(w, m, ip, (uint32_t)off, &b4);
		return;
	}
	if ((drop = path_b4_out(w, &b4, nat, ip)) >= 0) {
		DP_DROP_AS(w, drop, m);
		return;
	}
	mss_clamp(w, &b4, ip, (uint8_t *)ip + pkt_ip4_hdr_len(ip),
	          ntohs(ip->total_len) - pkt_ip4_hdr_len(ip));
	/* Drop the IPv6 headers, keep room for the new Ethernet header. */
	rte_pktmbuf_adj(m, (uint16_t)off);
	path_ip4_out(w, m);
}
