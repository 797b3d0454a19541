/*
 * The lwB4's NAPT for ICMP errors (RFC 5508 section 4.2): an error about a translated packet
 * is translated back with the packet it quotes, so that the host that sent (or received) the
 * packet recognises it: the quoted address and port (identifier), the quoted IPv4 header
 * checksum and, when the quote holds it, the quoted transport checksum, then the outer address
 * and the ICMP checksum over the whole message. Errors refresh no mapping: a stream of errors
 * must not keep a dead mapping alive.
 *
 * Inbound: an error from the Internet or the AFTR about a packet the B4 sent; the quote's
 * source is the public address and port. Outbound: an error an inside host sends about a
 * packet it received through the B4; the quote's destination is that host and its port.
 */
#include <stdbool.h>

#include "cksum.h"
#include "napt_int.h"

/* The quoted packet of the ICMP error at p, or NULL when it cannot be translated: the error
 * is a fragment, the quote is not a first fragment with 8 bytes of transport header (RFC 792),
 * or it quotes another protocol, or an ICMP message that is not the echo of want. */
static uint8_t *quote_of(uint8_t *p, size_t len, size_t *qlen, enum napt_proto *qpr, uint8_t want)
{
	size_t ihl = ip_hlen(p);
	uint8_t *q = p + ihl + 8;

	if (ip_more_frags(p) || len < ihl + 8 + AFTR_IP4_HDR_LEN)
		return NULL;
	*qlen = len - ihl - 8;
	if (q[0] >> 4 != AFTR_IP4_VERSION || ip_hlen(q) < AFTR_IP4_HDR_LEN ||
	    *qlen < ip_hlen(q) + 8 || ip_later_frag(q))
		return NULL;
	*qpr = napt_proto_of(q[9]);
	if (*qpr == NAPT_NPROTO || (*qpr == NAPT_ICMP && q[ip_hlen(q)] != want))
		return NULL;
	return q;
}

/* The ICMP checksum again, over the whole message (the quote changed inside it). */
static void icmp_cksum(uint8_t *p, size_t len)
{
	uint8_t *icmp = p + ip_hlen(p);
	size_t icmp_len = len - ip_hlen(p);

	st16(icmp + 2, 0);
	st16(icmp + 2, cksum_finish(cksum_add(0, icmp, icmp_len)));
}

bool napt_icmp_err_in(struct napt *n, uint8_t *p, size_t len, uint64_t now)
{
	enum napt_proto qpr;
	size_t qlen;
	uint8_t *q = quote_of(p, len, &qlen, &qpr, AFTR_ICMP4_ECHO_REQUEST);
	const struct napt_map *m;
	uint32_t idx;

	if (q == NULL) {
		n->ctr->v[CTR_rx_drop_napt_bad_icmp]++;
		return false;
	}
	idx = ld32(q + IP_SRC) == n->ext_addr
	              ? napt_find_ext(n, qpr, napt_port_of(qpr, q + ip_hlen(q), true), now)
	              : NAPT_NIL;
	if (idx == NAPT_NIL) {
		n->ctr->v[CTR_rx_drop_napt_no_mapping]++;
		return false;
	}
	m = &n->t[qpr].map[idx];
	napt_rewrite(q, qlen, IP_SRC, m->int_addr, m->int_port);
	napt_rewrite(p, len, IP_DST, m->int_addr, -1);
	icmp_cksum(p, len);
	return true;
}

bool napt_icmp_err_out(struct napt *n, uint8_t *p, size_t len, uint64_t now)
{
	enum napt_proto qpr;
	size_t qlen;
	uint8_t *q = quote_of(p, len, &qlen, &qpr, AFTR_ICMP4_ECHO_REPLY);
	uint32_t idx;

	if (q == NULL) {
		n->ctr->v[CTR_tx_drop_napt_bad_icmp]++;
		return false;
	}
	idx = napt_find_int(n, qpr, ld32(q + IP_DST), napt_port_of(qpr, q + ip_hlen(q), false),
	                    now);
	if (idx == NAPT_NIL) {
		n->ctr->v[CTR_tx_drop_napt_no_mapping]++;
		return false;
	}
	napt_rewrite(q, qlen, IP_DST, n->ext_addr, napt_ext_port(n, idx));
	napt_rewrite(p, len, IP_SRC, n->ext_addr, -1);
	icmp_cksum(p, len);
	return true;
}
