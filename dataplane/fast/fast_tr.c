/* Node fast_tr: a B4's common packet in one step. RX (l2/rx.c) starts a
 * plain 4in6 packet here, not at tr_in: a TCP, UDP or ICMP echo packet,
 * not a fragment, not for the AFTR itself, no filters on its way, that a
 * softwire, nonat or prr binding lets out as it is or a NAPT session (or
 * a new one) translates, to an Internet address that is not ours. Such a
 * packet meets, in the graph, tr_in, decap, inner, sl_out or nat_out,
 * ip4_out and wan_tx (ten hops with their returns, each reading the
 * context again); here it meets the same steps once, in the same order,
 * through the same helpers (softwire.h, stateless.h, nat_out, mss_clamp,
 * l2_out.h). A NAPT packet of a B4 another worker owns goes there
 * untouched, to its fast_tr_nat: the steps past the tests.
 *
 * The rule that keeps the two paths one: every test comes before the
 * first change, and a packet that fails one goes on at tr_in as if this
 * node were not there; past the tests, the packet reaches the sink the
 * graph would have sent it to, with the same counters. dataplane.fast_path
 * off starts every packet at tr_in (the golden tests compare the two). */
#include <netinet/in.h>

#include "cksum.h"
#include "fast.h"
#include "graph.h"
#include "l2_out.h"
#include "mss.h"
#include "nat.h"
#include "softwire.h"
#include "stateless.h"

/* What decap and inner let through with nothing but the TTL's decrement
 * (RFC 6333 section 6.3, RFC 6040, RFC 1812 section 5.2.1), and what
 * ip4_out sends straight to wan_tx: no hairpin, no fragmenting. */
static __rte_always_inline bool plain(const struct dp_worker *w, const struct dp_ctx *c,
                                      const struct l3_ip6_hdr *ip6, const struct l3_ip4_hdr *ip,
                                      uint32_t plen)
{
	const struct tables *t = w->tab;
	uint32_t dst = ntohl(ip->dst);

	/* pkt_ip4_check_fast passes a header with options too: those go on
	 * to the graph, which finds L4 after them; so does a packet to an
	 * address among the pools' (a hairpin to NAPT, or rarely not one). */
	return (c->flags & (CTX_PORTS | CTX_FRAG4 | CTX_FRAG6)) == CTX_PORTS &&
	       ip->version_ihl == 0x45 && pkt_ip4_check_fast(ip, plen) == PKT_OK &&
	       ntohs(ip->total_len) == plen && (ntohl(ip6->vtc_flow) >> 20 & 3) != 3 &&
	       ip->ttl > 1 && dst != dp.conf.icmp_source && !addr4_is_martian(dst) &&
	       t->filters[CFG_SIDE_TRANSPORT][CFG_DIR_IN].n == 0 &&
	       t->filters[CFG_SIDE_WAN][CFG_DIR_OUT].n == 0 && plen <= dp.port[DP_PORT_WAN].mtu &&
	       !nat_pool_span(dst) &&
	       !(dp.conf.cfg->softwire_hairpinning && stateless_owns(w, dst));
}

/* The admission of tr_in and the choice of inner: true for a NAPT packet
 * (*nat) or a stateless one its binding lets out; *owner, the worker that
 * owns a NAPT packet's B4. */
static __rte_always_inline bool admitted(const struct dp_worker *w, struct dp_ctx *c,
                                         const struct l3_ip4_hdr *ip, bool *nat,
                                         unsigned int *owner)
{
	const struct tables *t = w->tab;
	uint32_t src = ntohl(ip->src);
	int drop;

	if (!(dp.conf.n_pools && tables_is_private(t, src))) {
		*nat = false;
		if (stateless_prr_out(t, c, src))
			return true;
		c->bind = tables_b4_bind_with(t, &c->b4, dp_ahead_cur(w));
		c->bind_serial = t->serial;
		return stateless_out_fast(t, c->bind, c, src);
	}
	c->bind = tables_b4_bind_with(t, &c->b4, dp_ahead_cur(w));
	c->bind_serial = t->serial;
	/* NAPT: TCP and UDP (ICMP is checked whole first, in nat_out's node),
	 * from the first endpoint. */
	if (ip->proto == IPPROTO_ICMP || c->ep ||
	    !tables_b4_allowed_bind(t, &c->b4, c->bind, &drop, nat) || !*nat)
		return false;
	*owner = dp.nworkers == 1 ? w->id : nat_b4_owner_of(&c->b4, nat_b4_hash(&c->b4));
	return true;
}

/* Past the tests, at the worker that owns the packet's state: decap,
 * NAPT or the stateless binding's count, MSS, Ethernet out. */
static __rte_always_inline enum dp_node past_tests(struct dp_worker *w, struct rte_mbuf *m,
                                                   struct dp_ctx *c, struct l3_ip4_hdr *ip,
                                                   uint32_t plen, bool nat)
{
	/* RX starts here only a packet with no extension headers (rx.c), and
	 * plain() takes only a 20-byte IPv4 header. */
	uint8_t *l4 = (uint8_t *)ip + 20;
	int rc;

	softwire_cut(m, c, plen);
	cksum_ip4_ttl_dec(ip);
	DP_COUNT(w, DECAP);
	if (nat) {
		rc = nat_out(w, &c->b4, c->ep, ip, l4, c->l4_len);
		if (rc != NAT_OK)
			return dp_drop(m, rc);
	} else {
		DP_COUNT(w, STATELESS_OUT);
	}
	mss_clamp(w, &c->b4, ip, l4, c->l4_len);
	return l2_wan_to(w, m, ntohl(ip->dst));
}

inline __attribute__((always_inline)) enum dp_node fast_tr(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip6_hdr *ip6 =
	        rte_pktmbuf_mtod_offset(m, const struct l3_ip6_hdr *, RTE_ETHER_HDR_LEN);
	struct l3_ip4_hdr *ip = dp_ip4(m);
	uint32_t plen = ntohs(ip6->payload_len);
	unsigned int owner = w->id;
	bool nat;

	if (!plain(w, c, ip6, ip, plen) || !admitted(w, c, ip, &nat, &owner))
		return NODE_TR_IN;
	/* NAPT state is the B4's owner's: there, on past the tests (they
	 * hold there too: the same tables, or the next generation's, as for
	 * any packet in flight), still untouched. */
	if (owner != w->id)
		return dp_handoff(m, owner, NODE_FAST_TR_NAT);
	return past_tests(w, m, c, ip, plen, nat);
}

enum dp_node node_fast_tr(struct dp_worker *w, struct rte_mbuf *m)
{
	return fast_tr(w, m);
}

/* fast_tr's NAPT packet at its B4's owner (a hand-off): the steps past
 * the tests. */
inline __attribute__((always_inline)) enum dp_node fast_tr_nat(struct dp_worker *w,
                                                               struct rte_mbuf *m)
{
	const struct l3_ip6_hdr *ip6 =
	        rte_pktmbuf_mtod_offset(m, const struct l3_ip6_hdr *, RTE_ETHER_HDR_LEN);

	return past_tests(w, m, dp_ctx(m), dp_ip4(m), ntohs(ip6->payload_len), true);
}

enum dp_node node_fast_tr_nat(struct dp_worker *w, struct rte_mbuf *m)
{
	return fast_tr_nat(w, m);
}
