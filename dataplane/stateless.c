/* The stateless modes: lw4o6 softwires (RFC 7596), ISC prr (A+P port
 * ranges) and ISC nonat (a B4 owns an IPv4 prefix). Nothing is
 * translated and no state is kept: a B4's packet is checked against its
 * bindings, an Internet packet finds its B4 by (address, port). See
 * stateless.h for the order of the checks.
 *
 * Decisions: a refused packet gets ICMPv4 type 3 code 13 either way, as
 * ISC's admpro does and the seed's B4 watches for (RFC 7596 section 5.2
 * leaves the error to the implementation); IPv4 fragments to and from
 * stateless addresses are reassembled first (reasm.h), like NAT's; an
 * Internet echo request to a prr
 * "icmp" entry is not forwarded (its identifier is the remote's), only
 * replies are. */
#include "stateless.h"

#include <netinet/in.h>
#include <rte_ether.h>

#include "icmp_gen.h"
#include "mss.h"
#include "nat.h"
#include "path.h"

/* The (address, port) a packet holds on our side: the source for a B4's
 * packet (out), the destination for an Internet packet. TCP and UDP
 * ports; the ICMP echo identifier; for an ICMP error, the quoted packet's
 * other end (it went the opposite way). Network order; -1 if none. */
static int endpoint(const struct l3_ip4_hdr *ip, const uint8_t *l4, uint32_t l4len, bool out,
                    uint32_t *addr, uint16_t *port, uint8_t *proto)
{
	const struct l3_ip4_hdr *q = (const struct l3_ip4_hdr *)(l4 + 8);
	uint32_t qhl;

	*addr = out ? ip->src : ip->dst;
	*proto = ip->proto;
	if ((ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP) && l4len >= 4) {
		*port = *(const uint16_t *)(l4 + (out ? 0 : 2));
		return 0;
	}
	if (ip->proto != IPPROTO_ICMP || l4len < 8)
		return -1;
	if (l4[0] == AFTR_ICMP4_ECHO_REQUEST || l4[0] == AFTR_ICMP4_ECHO_REPLY) {
		*port = *(const uint16_t *)(l4 + 4);
		return 0;
	}
	if (!pkt_icmp4_is_error(l4[0]) || l4len < 8 + 20 || (q->version_ihl >> 4) != 4)
		return -1;
	qhl = (q->version_ihl & 0xfu) * 4u;
	if (qhl < 20 || l4len < 8 + qhl + 8 || (out ? q->dst : q->src) != *addr)
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
	int v = t && t->admpro != CFG_INHERIT ? t->admpro : w->tab->cfg.tun.admpro;

	return v == ADMPRO_ALL || v == (int)dir;
}

int stateless_out(struct dp_worker *w, const struct addr6 *b4, const struct l3_ip4_hdr *ip,
                  const uint8_t *l4, uint32_t l4len)
{
	const struct tables *t = w->tab;
	struct tables_b4 rec, *r = &rec;
	const struct cfg_softwire *sw;
	const struct cfg_prr *pr;
	uint32_t a, src = ntohl(ip->src);
	uint16_t port;
	uint8_t proto;
	int drop;

	if (!tables_b4_with(t, b4, dp_ahead_cur(w), r))
		return DROP_NOT_PRIVATE;
	if (r->nonat != LHASH_NONE && prefix4_contains(&t->cfg.nonats[r->nonat].prefix, src))
		return -1; /* its own prefix: anything goes */
	if (endpoint(ip, l4, l4len, true, &a, &port, &proto) < 0)
		return DROP_PROTO_IN;
	port = ntohs(port);
	sw = r->softwire != LHASH_NONE ? &t->sw[r->softwire] : NULL;
	/* RFC 7596 section 5.2: the source must be in the B4's binding. */
	if (sw && sw->ipv4 == src && psid_port_in_set(&sw->psid, port))
		return -1;
	pr = tables_prr(t, cfg_proto_of_ip(proto), src, port);
	if (pr && addr6_equal(&pr->b4, b4))
		return -1;
	/* Refused: someone else's (address, port), a port outside the B4's
	 * own, or an address that is nobody's binding. */
	if (pr || ((sw = tables_softwire(t, src, port)) != NULL && !addr6_equal(&sw->b4, b4)))
		drop = DROP_WRONG_B4;
	else if ((r->softwire != LHASH_NONE && t->sw[r->softwire].ipv4 == src) ||
	         (r->has_prr && nat_pool_index(src) >= 0)) /* prr addresses are pools' */
		drop = DROP_OUT_OF_RANGE;
	else
		return DROP_NOT_PRIVATE;
	if (admpro(w, b4, ADMPRO_IN))
		icmp_admin_prohibited(w, b4, ip);
	return drop;
}

/* The B4 an Internet packet to a stateless address goes to: a nonat
 * prefix's, a softwire's by (address, port), or a prr entry's. */
static const struct addr6 *b4_for(const struct dp_worker *w, const struct l3_ip4_hdr *ip,
                                  const uint8_t *l4, uint32_t l4len, bool prr, int *drop)
{
	const struct tables *t = w->tab;
	const struct cfg_nonat *nn;
	const struct cfg_softwire *sw;
	const struct cfg_prr *pr;
	uint32_t a;
	uint16_t port;
	uint8_t proto;

	*drop = -1;
	if (!prr && (nn = tables_nonat(t, ntohl(ip->dst))) != NULL)
		return &nn->b4;
	if (!prr && !tables_softwire_addr(t, ntohl(ip->dst)))
		return NULL; /* none of ours */
	if (endpoint(ip, l4, l4len, false, &a, &port, &proto) < 0) {
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
	if (sw == NULL)
		*drop = DROP_NO_BINDING;
	return sw ? &sw->b4 : NULL;
}

bool stateless_in(struct dp_worker *w, struct rte_mbuf *m, bool prr)
{
	struct l3_ip4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct l3_ip4_hdr *, RTE_ETHER_HDR_LEN);
	uint32_t hl = pkt_ip4_hdr_len(ip);
	const struct addr6 *b4;
	int drop;

	b4 = b4_for(w, ip, (const uint8_t *)ip + hl, ntohs(ip->total_len) - hl, prr, &drop);
	if (b4 == NULL && drop < 0)
		return false;
	if (b4 == NULL) {
		if (drop == DROP_NO_BINDING && admpro(w, NULL, ADMPRO_OUT))
			icmp_admin_prohibited_wan(w, ip);
		DP_DROP_AS(w, drop, m);
		return true;
	}
	DP_COUNT(w, STATELESS_IN);
	mss_clamp(w, b4, ip, (uint8_t *)ip + hl, ntohs(ip->total_len) - hl);
	path_encap(w, m, b4);
	return true;
}

bool stateless_owns(const struct dp_worker *w, uint32_t dst)
{
	return tables_nonat(w->tab, dst) || tables_softwire_addr(w->tab, dst);
}
