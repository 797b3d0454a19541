/*
 * The lwB4's NAPT44 packet path: TCP, UDP and ICMP echo out and in, and inbound fragments. See
 * napt.h for the behaviour and the requirements it follows; the tables are napt_table.c,
 * header rewriting napt_pkt.c, ICMP errors napt_icmp.c.
 */
#include "napt.h"

#include "napt_int.h"

/* TCP bits seen on a mapping (RFC 5382 REQ-5 tells established from transitory). */
#define T_OUT     0x01
#define T_IN      0x02
#define T_FIN_OUT 0x04
#define T_FIN_IN  0x08
#define T_RST     0x10

/* The mapping's new expiry after a packet (TCP flags: the transport header's byte 13). */
static void refresh(struct napt *n, enum napt_proto pr, struct napt_map *m, bool out,
                    const uint8_t *l4, size_t l4len, uint64_t now)
{
	uint64_t timeout = n->timeout_ms[pr];

	if (pr == NAPT_TCP && l4len >= AFTR_TCP_HDR_LEN) {
		uint8_t f = l4[13];

		if (out && (f & AFTR_TCP_SYN) && !(f & AFTR_TCP_ACK))
			m->tcp = 0; /* a new connection from the same inside port */
		m->tcp |= out ? T_OUT : T_IN;
		if (f & AFTR_TCP_FIN)
			m->tcp |= out ? T_FIN_OUT : T_FIN_IN;
		if (f & AFTR_TCP_RST)
			m->tcp |= T_RST;
		if ((m->tcp & (T_OUT | T_IN)) != (T_OUT | T_IN) || (m->tcp & T_RST) ||
		    (m->tcp & (T_FIN_OUT | T_FIN_IN)) == (T_FIN_OUT | T_FIN_IN))
			timeout = (uint64_t)NAPT_TCP_TRANS_S * 1000;
	}
	m->expires = now + timeout;
}

/* Room for the ports (and the TCP flags, the ICMP identifier) of a first fragment. */
static size_t l4_min(enum napt_proto pr)
{
	return pr == NAPT_TCP ? AFTR_TCP_HDR_LEN : 8;
}

static bool drop(struct napt *n, enum b4_counter c)
{
	n->ctr->v[c]++;
	return false;
}

bool napt_out(struct napt *n, uint8_t *p, size_t len, uint64_t now)
{
	size_t ihl = ip_hlen(p);
	enum napt_proto pr = napt_proto_of(p[9]);
	uint8_t *l4 = p + ihl;
	uint32_t src = ld32(p + IP_SRC), idx;

	if (!n->on)
		return drop(n, CTR_tx_drop_no_binding);
	if (pr == NAPT_NPROTO)
		return drop(n, CTR_tx_drop_napt_unsupported);
	if (ip_later_frag(p)) { /* its first fragment carried the ports */
		napt_rewrite(p, len, IP_SRC, n->ext_addr, -1);
		return true;
	}
	if (len < ihl + l4_min(pr))
		return drop(n, CTR_tx_drop_napt_truncated);
	if (pr == NAPT_ICMP && l4[0] != AFTR_ICMP4_ECHO_REQUEST) {
		if (pkt_icmp4_is_error(l4[0]))
			return napt_icmp_err_out(n, p, len, now);
		if (l4[0] == AFTR_ICMP4_ECHO_REPLY && src == n->self_addr) {
			/* The host's answer to a ping of the public address. */
			napt_rewrite(p, len, IP_SRC, n->ext_addr, -1);
			return true;
		}
		return drop(n, CTR_tx_drop_napt_unsupported);
	}
	idx = napt_find_int(n, pr, src, napt_port_of(pr, l4, true), now);
	if (idx == NAPT_NIL &&
	    (idx = napt_map_new(n, pr, src, napt_port_of(pr, l4, true), now)) == NAPT_NIL)
		return false;
	napt_rewrite(p, len, IP_SRC, n->ext_addr, napt_ext_port(n, idx));
	refresh(n, pr, &n->t[pr].map[idx], true, l4, len - ihl, now);
	return true;
}

/* Inbound later fragments go where the first one of their datagram went. */
static void frag_remember(struct napt *n, const uint8_t *p, uint32_t int_addr, uint64_t now)
{
	struct napt_frag *f = &n->frag[n->frag_next++ % NAPT_FRAGS];

	*f = (struct napt_frag){.expires = now + NAPT_FRAG_MS,
	                        .src = ld32(p + IP_SRC),
	                        .int_addr = int_addr,
	                        .id = ld16(p + 4),
	                        .proto = p[9]};
}

static bool frag_in(struct napt *n, uint8_t *p, size_t len, uint64_t now)
{
	for (unsigned int i = 0; i < NAPT_FRAGS; i++) {
		const struct napt_frag *f = &n->frag[i];

		if (f->expires > now && f->src == ld32(p + IP_SRC) && f->id == ld16(p + 4) &&
		    f->proto == p[9]) {
			napt_rewrite(p, len, IP_DST, f->int_addr, -1);
			return true;
		}
	}
	return drop(n, CTR_rx_drop_napt_fragment);
}

bool napt_in(struct napt *n, uint8_t *p, size_t len, uint64_t now)
{
	size_t ihl = ip_hlen(p);
	enum napt_proto pr = napt_proto_of(p[9]);
	uint8_t *l4 = p + ihl;
	struct napt_map *m;
	uint32_t idx;

	if (!n->on || ld32(p + IP_DST) != n->ext_addr)
		return drop(n, CTR_rx_drop_napt_not_ours);
	if (pr == NAPT_NPROTO)
		return drop(n, CTR_rx_drop_napt_unsupported);
	if (ip_later_frag(p))
		return frag_in(n, p, len, now);
	if (len < ihl + l4_min(pr))
		return drop(n, CTR_rx_drop_napt_truncated);
	if (pr == NAPT_ICMP && l4[0] != AFTR_ICMP4_ECHO_REPLY) {
		if (pkt_icmp4_is_error(l4[0]))
			return napt_icmp_err_in(n, p, len, now);
		if (l4[0] ==
		    AFTR_ICMP4_ECHO_REQUEST) { /* a ping of the public address: the host answers */
			napt_rewrite(p, len, IP_DST, n->self_addr, -1);
			if (ip_more_frags(p))
				frag_remember(n, p, n->self_addr, now);
			return true;
		}
		return drop(n, CTR_rx_drop_napt_unsupported);
	}
	idx = napt_find_ext(n, pr, napt_port_of(pr, l4, false), now);
	if (idx == NAPT_NIL)
		return drop(n, CTR_rx_drop_napt_no_mapping);
	m = &n->t[pr].map[idx];
	napt_rewrite(p, len, IP_DST, m->int_addr, m->int_port);
	if (ip_more_frags(p))
		frag_remember(n, p, m->int_addr, now);
	refresh(n, pr, m, false, l4, len - ihl, now);
	return true;
}
