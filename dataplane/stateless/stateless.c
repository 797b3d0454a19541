/* The stateless modes: lw4o6 softwires (RFC 7596), ISC prr (A+P port
 * ranges) and ISC nonat (a B4 owns an IPv4 prefix). Nothing is
 * translated and no state is kept: a B4's packet is checked against its
 * bindings, an Internet packet finds its B4 by (address, port). See
 * stateless.h for the order of the checks.
 *
 * Nodes sl_out (a B4's packet whose inner source is not private) and sl_in
 * (an Internet packet to a stateless address, or to a pool address that
 * no NAPT port holds: prr). Neither needs the B4's owner: the bindings are
 * read-only, and every worker has them.
 *
 * Decisions: a lw4o6 B4's refused packet gets ICMPv6 type 1 code 5 and an
 * Internet packet to a lw4o6 address and port nobody holds ICMPv4 host
 * unreachable (RFC 7596 sections 5.2 and 6.2), each by its interface's
 * ICMP policy; a refused prr or nonat packet gets ICMPv4 type 3 code 13,
 * as ISC's admpro does and the seed's B4 watches for. Each softwire
 * names its endpoint (BR) address: a B4's packet to another is dropped,
 * and packets to it leave from its own. IPv4 fragments to and from
 * stateless addresses are reassembled first (reasm.h), like NAT's; an
 * Internet echo request to a prr
 * "icmp" entry is not forwarded (its identifier is the remote's), only
 * replies are. */
#include "stateless.h"

#include <netinet/in.h>
#include <rte_ether.h>

#include "graph.h"
#include "icmp_build.h"
#include "nat.h"

/* The (address, port) a packet holds on our side: the source for a B4's
 * packet (out), the destination for an Internet packet. TCP and UDP
 * ports; the ICMP echo identifier; for an ICMP error, the quoted packet's
 * other end (it went the opposite way). Network order; -1 if none. */
static inline __attribute__((always_inline)) int
endpoint(const struct rte_mbuf *m, bool out, uint32_t *addr, uint16_t *port, uint8_t *proto)
{
	const struct dp_ctx *c = dp_ctx(m);
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	const uint8_t *l4 = (const uint8_t *)ip + (c->l4 - c->l3);
	const struct l3_ip4_hdr *q = (const struct l3_ip4_hdr *)(l4 + 8);
	unsigned int qhl;

	*addr = out ? ip->src : ip->dst;
	*proto = ip->proto;
	if (c->flags & CTX_PORTS) {
		*port = out ? c->sport : c->dport;
		return 0;
	}
	if (ip->proto != IPPROTO_ICMP || c->l4_len < 8 || !pkt_icmp4_is_error(l4[0]) ||
	    (qhl = pkt_ip4_quote(q, c->l4_len - 8u)) == 0 || (out ? q->dst : q->src) != *addr)
		return -1;
	*proto = q->proto;
	if (q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP)
		*port = *(const uint16_t *)(l4 + 8 + qhl + (out ? 2 : 0));
	else if (q->proto == IPPROTO_ICMP)
		*port = *(const uint16_t *)(l4 + 8 + qhl + 4);
	else
		return -1;
	return 0;
}

/* ISC admpro: where administratively prohibited errors go, the B4's
 * tunnel setting or the default. */
static bool admpro(const struct dp_worker *w, const struct addr6 *b4, enum cfg_admpro dir)
{
	const struct cfg_tunnel *t = b4 ? tables_tunnel(w->tab, b4) : NULL;
	int v = t && t->admpro != CFG_INHERIT ? t->admpro : dp_tun_defaults()->admpro;

	return v == ADMPRO_ALL || v == (int)dir;
}

/* Checks a B4's packet against its bindings: -1 when one allows it (it
 * goes out untranslated), else the drop reason; *lw: a refusal of a lw4o6
 * B4 that is not about a prr entry (answered by RFC 7596's ICMPv6, not
 * ISC's admpro). NAPT, prr and nonat use the first endpoint. */
static int check_out(struct dp_worker *w, const struct rte_mbuf *m, bool *lw)
{
	const struct tables *t = w->tab;
	const struct dp_ctx *c = dp_ctx(m);
	struct tables_b4 rec, *r = &rec;
	const struct cfg_softwire *sw;
	const struct cfg_prr *pr;
	uint32_t a, src = ntohl(dp_ip4(m)->src);
	uint16_t port;
	uint8_t proto;
	int own;

	*lw = false;
	if (!tables_b4_of(t, dp_ctx_bind(c, t), r))
		return DROP_NOT_PRIVATE;
	*lw = r->softwire != LHASH_NONE;
	if (r->nonat != LHASH_NONE && prefix4_contains(&t->nonats[r->nonat].prefix, src))
		return c->ep ? DROP_WRONG_ENDPOINT : -1; /* its own prefix: anything goes */
	if (endpoint(m, true, &a, &port, &proto) < 0)
		return DROP_PROTO_IN;
	port = ntohs(port);
	/* RFC 7596 section 5.2: the source must be in the B4's binding. */
	own = stateless_own_softwire(t, r->softwire, c, src, port);
	if (own == -1 || own == DROP_WRONG_ENDPOINT)
		return own;
	pr = tables_prr(t, cfg_proto_of_ip(proto), src, port);
	if (pr && addr6_equal(&pr->b4, &c->b4))
		return c->ep ? DROP_WRONG_ENDPOINT : -1;
	/* Refused: someone else's (address, port), a port outside the B4's
	 * own, or an address that is nobody's binding. */
	*lw = *lw && pr == NULL;
	if (pr || ((sw = tables_softwire(t, src, port)) != NULL && !addr6_equal(&sw->b4, &c->b4)))
		return DROP_WRONG_B4;
	if (own == DROP_OUT_OF_RANGE)
		return own;
	if (r->has_prr && nat_pool_index(src) >= 0) { /* prr addresses are pools' */
		*lw = false;
		return DROP_OUT_OF_RANGE;
	}
	return DROP_NOT_PRIVATE;
}

/* What a refused B4 packet gets: a lw4o6 B4 ICMPv6 source address failed
 * ingress/egress policy (RFC 7596 section 5.2), into its link; others
 * ISC's administratively prohibited in their softwire, for a refused
 * binding (not for a source that is nobody's). */
static void refuse(struct dp_worker *w, const struct rte_mbuf *m, int drop, bool lw)
{
	const struct dp_ctx *c = dp_ctx(m);
	struct rte_mbuf *e;

	if (drop == DROP_WRONG_ENDPOINT)
		return;
	if (lw) {
		if ((e = icmp6_policy_fail(w, c, dp_ip4(m))) != NULL)
			dp_emit(w, e, NODE_TR_TX);
		return;
	}
	if (drop != DROP_NOT_PRIVATE && drop != DROP_PROTO_IN && admpro(w, &c->b4, ADMPRO_IN) &&
	    (e = icmp_error_b4(w, c, dp_ip4(m), AFTR_ICMP4_DEST_UNREACH, ICMP4_ADMIN_PROHIBITED)) !=
	            NULL)
		dp_emit(w, e, NODE_ENCAP);
}

enum dp_node node_sl_out(struct dp_worker *w, struct rte_mbuf *m)
{
	bool lw;
	int drop = check_out(w, m, &lw);

	if (drop < 0) {
		DP_COUNT(w, STATELESS_OUT);
		return NODE_IP4_OUT;
	}
	refuse(w, m, drop, lw);
	return dp_drop(m, drop);
}

/* The B4 an Internet packet to a stateless address goes to: a nonat
 * prefix's, a softwire's by (address, port), or (prr: the packet was to a
 * pool address) a prr entry's, with the endpoint it is sent from (*ep: a
 * softwire's own). NULL with *drop, or -1 when none of these is about it. */
static const struct addr6 *b4_for(struct dp_worker *w, const struct rte_mbuf *m, bool prr,
                                  int *drop, uint8_t *ep)
{
	const struct tables *t = w->tab;
	const struct l3_ip4_hdr *ip = dp_ip4(m);
	const struct cfg_nonat *nn;
	const struct cfg_softwire *sw;
	const struct cfg_prr *pr;
	uint32_t a;
	uint16_t port;
	uint8_t proto;

	*drop = -1;
	*ep = 0;
	if (!prr && t->n_nonat && (nn = tables_nonat(t, ntohl(ip->dst))) != NULL)
		return &nn->b4;
	/* A lw4o6 address: wan_in and ip4_out asked already. */
	if (!prr && !(dp_ctx(m)->flags & CTX_SL_DST) && !tables_softwire_addr(t, ntohl(ip->dst)))
		return NULL; /* none of ours */
	if (endpoint(m, false, &a, &port, &proto) < 0) {
		/* For prr the caller keeps its own reason (no session). */
		if (!prr)
			*drop = ip->proto == IPPROTO_ICMP ? DROP_ICMP_OUT : DROP_BAD_IP4_OUT;
		return NULL;
	}
	if (prr) {
		pr = tables_prr(t, cfg_proto_of_ip(proto), ntohl(a), ntohs(port));
		return pr ? &pr->b4 : NULL;
	}
	sw = tables_softwire_with(t, ntohl(a), ntohs(port), dp_ahead_cur(w));
	if (sw == NULL) {
		*drop = DROP_NO_BINDING;
		return NULL;
	}
	*ep = sw->ep;
	return &sw->b4;
}

enum dp_node node_sl_in(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_ctx *c = dp_ctx(m);
	bool prr = c->pool >= 0;
	const struct addr6 *b4;
	struct rte_mbuf *e;
	int drop;

	b4 = b4_for(w, m, prr, &drop, &c->ep);
	if (b4 == NULL && drop < 0) /* a pool's without a session or prr entry */
		return dp_drop(m, prr ? DROP_NO_SESSION : DROP_NOT_OURS);
	if (b4 == NULL) {
		/* RFC 7596 section 6.2: host unreachable, by the WAN's policy. */
		if (drop == DROP_NO_BINDING &&
		    (e = icmp_error_wan(w, c->port, dp_ip4(m), ntohs(dp_ip4(m)->total_len),
		                        AFTR_ICMP4_DEST_UNREACH, ICMP4_HOST_UNREACH, 0)) != NULL)
			dp_emit(w, e, NODE_IP4_OUT);
		return dp_drop(m, drop);
	}
	DP_COUNT(w, STATELESS_IN);
	c->b4 = *b4;
	return NODE_ENCAP;
}

bool stateless_owns_in(const struct tables *t, uint32_t dst)
{
	return tables_nonat(t, dst) || (t->sw_addr.n && tables_softwire_addr(t, dst));
}
