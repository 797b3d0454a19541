/* ICMPv4 errors about translated flows (RFC 5508 REQ-3): the quoted
 * packet and the outer address rewritten, both ways. */
#include <netinet/in.h>
#include <string.h>

#include "cksum.h"
#include "nat_int.h"

/* Embedded (quoted) transport fields of an ICMP error: the port or id we
 * look up by, and the checksum inside the quote if the quote has it. The
 * quote is of a packet we sent out (its source port, an echo request) or,
 * with in, of one we sent to a B4 (its destination port, an echo reply). */
static int quote_fields(uint8_t proto, uint8_t *el4, uint32_t len, bool in, uint16_t **port,
                        uint16_t **cksum)
{
	*cksum = NULL;
	if (len < 8)
		return -1;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		*port = (uint16_t *)(el4 + (in ? 2 : 0));
		if (proto == IPPROTO_UDP && *(uint16_t *)(el4 + UDP_CKSUM_OFF))
			*cksum = (uint16_t *)(el4 + UDP_CKSUM_OFF);
		else if (proto == IPPROTO_TCP && len >= TCP_CKSUM_OFF + 2)
			*cksum = (uint16_t *)(el4 + TCP_CKSUM_OFF);
		return 0;
	}
	if (proto == IPPROTO_ICMP &&
	    el4[0] == (in ? AFTR_ICMP4_ECHO_REPLY : AFTR_ICMP4_ECHO_REQUEST)) {
		*port = (uint16_t *)(el4 + ICMP_ID_OFF);
		*cksum = (uint16_t *)(el4 + ICMP_CKSUM_OFF);
		return 0;
	}
	return -1;
}

int nat_icmp_error_key(uint8_t *icmp, uint32_t len, uint32_t *ext, uint16_t *eport, uint8_t *proto)
{
	struct l3_ip4_hdr *emb = (struct l3_ip4_hdr *)(icmp + 8);
	uint16_t *port, *ck;
	uint32_t ehl;

	if (len < 8 + 20 || (emb->version_ihl >> 4) != 4)
		return -1;
	ehl = (emb->version_ihl & 0xfu) * 4u;
	if (ehl < 20 || len < 8 + ehl + 8 ||
	    quote_fields(emb->proto, icmp + 8 + ehl, len - 8 - ehl, false, &port, &ck) < 0)
		return -1;
	*ext = emb->src;
	*eport = *port;
	*proto = emb->proto;
	return 0;
}

/* Rewrites one end of an ICMP error's quoted packet (its source, or with
 * dst its destination, and *port to new_addr, new_port, all network
 * order), fixing the quoted IPv4 and L4 checksums and the ICMP checksum
 * over them (RFC 5508 REQ-3). */
static void quote_rewrite(uint8_t *icmp, struct l3_ip4_hdr *emb, bool dst, uint16_t *port,
                          uint16_t *qck, uint32_t new_addr, uint16_t new_port)
{
	uint16_t *icmp_ck = (uint16_t *)(icmp + ICMP_CKSUM_OFF), old;
	uint32_t old_addr = dst ? emb->dst : emb->src;

	if (qck) {
		old = *qck;
		if (emb->proto != IPPROTO_ICMP)
			*qck = cksum_update32(*qck, old_addr, new_addr);
		*qck = cksum_update16(*qck, *port, new_port);
		if (*qck == 0 && emb->proto == IPPROTO_UDP)
			*qck = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
		*icmp_ck = cksum_update16(*icmp_ck, old, *qck);
	}
	old = emb->cksum;
	emb->cksum = cksum_update32(emb->cksum, old_addr, new_addr);
	*icmp_ck = cksum_update16(*icmp_ck, old, emb->cksum);
	*icmp_ck = cksum_update32(*icmp_ck, old_addr, new_addr);
	*icmp_ck = cksum_update16(*icmp_ck, *port, new_port);
	if (dst)
		emb->dst = new_addr;
	else
		emb->src = new_addr;
	*port = new_port;
}

/* ICMPv4 errors about a translated flow (RFC 5508 REQ-3): the quoted
 * packet's source back to the inside, and the outer destination. */
struct dp_session *nat_icmp_error_in(struct dp_worker *w, struct l3_ip4_hdr *ip, uint8_t *icmp,
                                     uint32_t len, int *drop)
{
	struct l3_ip4_hdr *emb = (struct l3_ip4_hdr *)(icmp + 8);
	uint16_t *port = NULL, *qck = NULL;
	struct dp_session *se;
	uint32_t ext, ehl;
	uint16_t eport;
	uint8_t proto;

	if (nat_icmp_error_key(icmp, len, &ext, &eport, &proto) < 0) {
		*drop = DROP_ICMP_OUT;
		return NULL;
	}
	se = nat_find_in(w, ext, eport, proto);
	if (se == NULL) {
		*drop = DROP_NO_SESSION;
		return NULL;
	}
	ehl = (emb->version_ihl & 0xfu) * 4u;
	if (quote_fields(proto, icmp + 8 + ehl, len - 8 - ehl, false, &port, &qck) < 0) {
		*drop = DROP_ICMP_OUT; /* cannot happen: nat_icmp_error_key passed */
		return NULL;
	}
	quote_rewrite(icmp, emb, false, port, qck, se->src, se->sport);
	ip->cksum = cksum_update32(ip->cksum, ip->dst, se->src);
	ip->dst = se->src;
	DP_COUNT(w, ICMP_ERR_IN);
	return se;
}

int nat_icmp_error_out(struct dp_worker *w, const struct addr6 *b4, struct l3_ip4_hdr *ip,
                       uint8_t *icmp, uint32_t len)
{
	struct l3_ip4_hdr *emb = (struct l3_ip4_hdr *)(icmp + 8);
	uint16_t *port = NULL, *qck = NULL;
	struct dp_session *se;
	uint32_t ehl;

	if (len < 8 + 20 || (emb->version_ihl >> 4) != 4 || (ehl = pkt_ip4_hdr_len(emb)) < 20 ||
	    len < 8 + ehl + 8 ||
	    quote_fields(emb->proto, icmp + 8 + ehl, len - 8 - ehl, true, &port, &qck) < 0)
		return NAT_DROP(ICMP_IN);
	if ((se = nat_find_out(w, b4, emb->dst, *port, emb->proto)) == NULL)
		return NAT_DROP(NO_SESSION);
	quote_rewrite(icmp, emb, true, port, qck, se->ext, se->eport);
	ip->cksum = cksum_update32(ip->cksum, ip->src, se->ext);
	ip->src = se->ext;
	DP_COUNT(w, ICMP_ERR_OUT);
	return NAT_OK;
}
