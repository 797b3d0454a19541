/* NAPT both ways: a B4's packet finds or makes its session (static
 * mapping, else a dynamic one) and gets its public source; an Internet
 * packet finds its session (or a static mapping's) and gets the B4's
 * private destination; endpoint-independent mapping, filtering as
 * configured (RFC 4787 REQ-1/REQ-8, RFC 5382), TCP state (coarse). */
#include <netinet/in.h>
#include <string.h>

#include "cksum.h"
#include "commands.h"
#include "nat_int.h"

/* Fills f for TCP, UDP or ICMP echo (request or reply); -1 if l4 is too
 * short or not a translatable message. */
static inline __attribute__((always_inline)) int l4_locate(uint8_t proto, uint8_t *l4,
                                                           uint32_t l4len, struct l4_fields *f)
{
	switch (proto) {
	case IPPROTO_TCP:
		/* Data Offset: the header's 32-bit words, at least 5, within the
		 * segment (RFC 9293 section 3.1); else malformed. */
		if (l4len < 20 || l4[12] < 0x50 || (uint32_t)(l4[12] >> 4) * 4 > l4len)
			return -1;
		*f = (struct l4_fields){(uint16_t *)l4, (uint16_t *)(l4 + 2),
		                        (uint16_t *)(l4 + TCP_CKSUM_OFF), true, false};
		return 0;
	case IPPROTO_UDP:
		if (l4len < 8)
			return -1;
		*f = (struct l4_fields){(uint16_t *)l4, (uint16_t *)(l4 + 2),
		                        (uint16_t *)(l4 + UDP_CKSUM_OFF), true,
		                        *(uint16_t *)(l4 + UDP_CKSUM_OFF) == 0};
		return 0;
	case IPPROTO_ICMP:
		if (l4len < 8 ||
		    (l4[0] != AFTR_ICMP4_ECHO_REQUEST && l4[0] != AFTR_ICMP4_ECHO_REPLY))
			return -1;
		*f = (struct l4_fields){(uint16_t *)(l4 + ICMP_ID_OFF),
		                        (uint16_t *)(l4 + ICMP_ID_OFF),
		                        (uint16_t *)(l4 + ICMP_CKSUM_OFF), false, false};
		return 0;
	default:
		return -1;
	}
}

/* Rewrites the source (or destination) address and a port, patching the
 * IPv4 header and L4 checksums incrementally (RFC 1624). */
static inline __attribute__((always_inline)) void rewrite(struct l3_ip4_hdr *ip, bool dst,
                                                          uint32_t new_addr, uint16_t *port,
                                                          uint16_t new_port,
                                                          const struct l4_fields *f)
{
	uint32_t old = dst ? ip->dst : ip->src, nold = ~old;
	/* The address's change, summed once for both checksums (RFC 1624
	 * equation 3; one's complement addition is associative, so this is
	 * what two updates in a row give). */
	uint32_t da = (nold & 0xffff) + (nold >> 16) + (new_addr & 0xffff) + (new_addr >> 16);
	uint16_t c;

	ip->cksum = (uint16_t)~cksum_fold((uint16_t)~ip->cksum + da);
	if (!f->udp_zero) {
		c = (uint16_t)~cksum_fold((uint16_t) ~*f->cksum + (f->cksum_pseudo ? da : 0) +
		                          (uint16_t) ~*port + new_port);
		/* UDP sends a computed 0 as all ones (RFC 768). */
		*f->cksum = (c == 0 && ip->proto == IPPROTO_UDP) ? 0xffff : c;
	}
	if (dst)
		ip->dst = new_addr;
	else
		ip->src = new_addr;
	*port = new_port;
}

/* TCP state tracking, coarse on purpose: FIN or RST either way closes
 * (RFC 5382 REQ-5 timers are "established" and "transitory"). */
static inline __attribute__((always_inline)) void track(struct dp_session *se, const uint8_t *l4,
                                                        bool inbound, uint64_t now)
{
	uint8_t flags = se->proto == IPPROTO_TCP ? l4[13] : 0;

	if (flags & (AFTR_TCP_FIN | AFTR_TCP_RST))
		se->state = SESS_CLOSING;
	else if (!inbound && (flags & AFTR_TCP_SYN) && se->state == SESS_CLOSING)
		se->state = SESS_NEW; /* a new connection from the same port */
	else if (inbound && se->state == SESS_NEW)
		se->state = SESS_EST;
	se->expire = (uint32_t)RTE_MIN(now + nat_sess_lifetime(se), (uint64_t)UINT32_MAX);
}

/* A dynamic session: a port from the subscriber's blocks. */
static int sess_create(struct dp_worker *w, const struct key_out *ko, uint32_t remote,
                       uint16_t rport, uint32_t *out)
{
	enum cfg_proto p = cfg_proto_of_ip(ko->proto);
	struct dp_subscriber *s;
	uint32_t sidx;
	uint16_t port;
	int rc;

	if (w->nat.sess_free_head >= w->nat.sess_max)
		return NAT_DROP(TABLE_FULL);
	if (unlikely(dp.conf.determ.on) &&
	    determ_index(&dp.conf.determ, (const struct addr6 *)ko->b4) < 0)
		return NAT_DROP(NAT_NO_MAPPING);
	s = nat_sub_get(w, (const struct addr6 *)ko->b4, &sidx);
	if (s == NULL) /* no slot, or every pool address drains (a reload removed them all) */
		return __atomic_load_n(&dp.conf.n_active, __ATOMIC_RELAXED)
		               ? NAT_DROP(TABLE_FULL)
		               : NAT_DROP(PORTS_EXHAUSTED);
	if ((rc = nat_sub_admit(w, s, p)) != NAT_OK ||
	    (rc = nat_sub_port(w, s, sidx, p, &port)) != NAT_OK) {
		nat_sub_maybe_free(w, sidx);
		return rc;
	}
	if (nat_sess_insert(w, ko, htonl(dp.conf.pools[s->pool].addr), htons(port), sidx, remote,
	                    rport, out) < 0) {
		nat_port_release(w, s, p, port);
		nat_sub_maybe_free(w, sidx);
		return NAT_DROP(TABLE_FULL);
	}
	s->nsess[p]++;
	return NAT_OK;
}

/* Remembers the remote endpoint an outbound packet goes to. */
static void remote_note(struct dp_session *se, uint32_t addr, uint16_t port)
{
	if (se->pcp_filter)
		return; /* its remotes are its PCP filters */
	for (int i = 0; i < SESS_REMOTES; i++)
		if (se->remote[i] == addr && se->rport[i] == port)
			return;
	se->remote[se->rnext] = addr;
	se->rport[se->rnext] = port;
	se->rnext = (uint8_t)((se->rnext + 1) % SESS_REMOTES);
}

/* A PCP MAP's session: anyone, or only its FILTERs' remotes (a port of 0:
 * any port of that address). */
static __rte_noinline bool pcp_allowed(const struct dp_session *se, uint32_t addr, uint16_t port)
{
	if (!se->pcp_filter)
		return true;
	for (int i = 0; i < CTL_PCP_FILTERS; i++)
		if (se->remote[i] == addr && (se->rport[i] == 0 || se->rport[i] == port))
			return true;
	return false;
}

/* RFC 4787 REQ-8: endpoint-independent filtering lets anyone in; the others
 * only the addresses (and ports) the session sent to. */
static bool remote_allowed(const struct dp_session *se, uint32_t addr, uint16_t port)
{
	enum cfg_filtering f = dp.conf.cfg->filtering;

	if (unlikely(se->pcp_map)) /* RFC 6887 sections 11.3 and 13.3 */
		return pcp_allowed(se, addr, port);
	if (f == FILTER_EIF)
		return true;
	for (int i = 0; i < SESS_REMOTES; i++)
		if (se->remote[i] == addr && (f == FILTER_ADF || se->rport[i] == port))
			return true;
	return false;
}

/* sess_out past a dynamic session found: a static one, or none yet. */
static __rte_noinline int sess_out_slow(struct dp_worker *w, const struct key_out *ko,
                                        uint32_t remote, uint16_t rport, uint32_t *idx)
{
	const struct cfg_nat *sn;

	if (*idx != SIDX_NONE) {
		if ((sn = nat_static_check(w, &w->nat.sess[*idx])) != NULL)
			return tables_nat_allows(sn, ntohl(remote), ntohs(rport))
			               ? NAT_OK
			               : NAT_DROP(FILTERED);
		nat_sess_end(w, *idx);
	}
	sn = nat_static_of(w, ko->b4, ko->proto, ko->src, ko->sport);
	if (sn == NULL)
		return sess_create(w, ko, remote, rport, idx);
	if (!tables_nat_allows(sn, ntohl(remote), ntohs(rport)))
		return NAT_DROP(FILTERED);
	if (nat_sess_insert(w, ko, htonl(sn->ext_addr), htons(sn->ext_port), NAT_NO_SUB, remote,
	                    rport, idx) < 0)
		return NAT_DROP(TABLE_FULL);
	DP_COUNT(w, STATIC_NEW);
	return NAT_OK;
}

/* The session of an outbound packet to (remote, rport), network order:
 * found, or made from a static mapping (whose filter must let the remote
 * in), or a dynamic one. A static session whose mapping went away ends.
 * Inline up to a dynamic session found (nearly every packet). */
static __rte_always_inline int sess_out(struct dp_worker *w, const struct key_out *ko,
                                        uint32_t remote, uint16_t rport, uint32_t *idx)
{
	*idx = find_out_ahead(w, ko);
	if (*idx != SIDX_NONE && !w->nat.sess[*idx].is_static)
		return NAT_OK;
	return sess_out_slow(w, ko, remote, rport, idx);
}

/* Inline into its node and the fast path (across files, by link-time
 * optimization): every NAPT packet out comes here. */
inline __attribute__((always_inline)) int nat_out(struct dp_worker *w, const struct addr6 *b4,
                                                  uint8_t ep, struct l3_ip4_hdr *ip, void *l4,
                                                  uint32_t l4len)
{
	struct l4_fields f;
	struct key_out ko;
	struct dp_session *se;
	uint32_t idx;
	int rc;

	if (ip->proto != IPPROTO_TCP && ip->proto != IPPROTO_UDP && ip->proto != IPPROTO_ICMP)
		return NAT_DROP(PROTO_IN);
	if (l4_locate(ip->proto, l4, l4len, &f) < 0)
		return ip->proto == IPPROTO_ICMP ? NAT_DROP(ICMP_IN) : NAT_DROP(BAD_IP4_IN);
	if (ip->proto == IPPROTO_ICMP && ((uint8_t *)l4)[0] != AFTR_ICMP4_ECHO_REQUEST)
		return NAT_DROP(ICMP_IN);
	ko = (struct key_out){.src = ip->src, .sport = *f.sport, .proto = ip->proto};
	memcpy(ko.b4, b4->b, 16);
	rc = sess_out(w, &ko, ip->dst, ip->proto == IPPROTO_ICMP ? 0 : *f.dport, &idx);
	if (rc != NAT_OK)
		return rc;
	se = &w->nat.sess[idx];
	if (unlikely(se->ep != ep)) /* nat.any_endpoint: its answers from this one */
		se->ep = ep & 15;
	track(se, l4, false, w->now);
	if (dp.conf.cfg->filtering != FILTER_EIF)
		remote_note(se, ip->dst, ip->proto == IPPROTO_ICMP ? 0 : *f.dport);
	rewrite(ip, false, se->ext, f.sport, se->eport, &f);
	DP_COUNT(w, NAT_OUT);
	return NAT_OK;
}

/* An inbound packet from (remote, rport) to a static mapping's public
 * endpoint (ext, eport), all network order, with no session yet: a session
 * if the mapping is this worker's and its filter lets the remote in. */
static struct dp_session *static_in(struct dp_worker *w, uint8_t proto, uint32_t ext,
                                    uint16_t eport, uint32_t remote, uint16_t rport, int *drop)
{
	const struct cfg_nat *sn = NULL;
	struct key_out ko;
	uint32_t idx;

	if (proto != IPPROTO_ICMP)
		sn = tables_nat_public(w->tab, cfg_proto_of_ip(proto), ntohl(ext), ntohs(eport));
	/* Another owner: the tables changed since the packet was handed over. */
	if (sn == NULL || nat_b4_owner(&sn->b4) != w->id) {
		*drop = DROP_NO_SESSION;
		return NULL;
	}
	if (!tables_nat_allows(sn, ntohl(remote), ntohs(rport))) {
		*drop = DROP_FILTERED;
		return NULL;
	}
	ko = (struct key_out){.src = htonl(sn->addr), .sport = htons(sn->port), .proto = proto};
	memcpy(ko.b4, sn->b4.b, 16);
	if (nat_sess_insert(w, &ko, ext, eport, NAT_NO_SUB, remote, rport, &idx) < 0) {
		*drop = DROP_TABLE_FULL;
		return NULL;
	}
	DP_COUNT(w, STATIC_NEW);
	return &w->nat.sess[idx];
}

/* Whether the remote may send to the session: a static mapping's filter,
 * else the filtering mode. A static session whose mapping went away ends. */
static bool sess_in_allowed(struct dp_worker *w, struct dp_session **se, uint32_t remote,
                            uint16_t rport, int *drop)
{
	const struct cfg_nat *sn;

	*drop = DROP_FILTERED;
	if (!(*se)->is_static)
		return remote_allowed(*se, remote, rport);
	if ((sn = nat_static_check(w, *se)) != NULL)
		return tables_nat_allows(sn, ntohl(remote), ntohs(rport));
	nat_sess_end(w, (uint32_t)(*se - w->nat.sess));
	*se = NULL;
	return true;
}

/* Inline as nat_out: every NAPT packet in comes here. */
inline __attribute__((always_inline)) struct dp_session *
nat_in(struct dp_worker *w, struct l3_ip4_hdr *ip, void *l4, uint32_t l4len, int *drop)
{
	struct dp_session *se;
	struct l4_fields f;
	uint16_t rport;

	if (l4_locate(ip->proto, l4, l4len, &f) < 0 ||
	    (ip->proto == IPPROTO_ICMP && ((uint8_t *)l4)[0] != AFTR_ICMP4_ECHO_REPLY)) {
		*drop = ip->proto == IPPROTO_ICMP ? DROP_ICMP_OUT : DROP_BAD_IP4_OUT;
		return NULL;
	}
	rport = ip->proto == IPPROTO_ICMP ? 0 : *f.sport;
	se = find_in_ahead(w, ip->dst, *f.dport, ip->proto);
	if (se && !sess_in_allowed(w, &se, ip->src, rport, drop))
		return NULL;
	if (se == NULL &&
	    (se = static_in(w, ip->proto, ip->dst, *f.dport, ip->src, rport, drop)) == NULL)
		return NULL;
	track(se, l4, true, w->now);
	rewrite(ip, true, se->src, f.dport, se->sport, &f);
	DP_COUNT(w, NAT_IN);
	return se;
}
