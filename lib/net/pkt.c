/* Header validation and IPv6 extension header walk; see pkt.h. */

#include "pkt.h"

#include "cksum.h"

#define PKT_VERDICT_NAME(sym, name, help) [PKT_##sym] = (name),
static const char *const verdict_names[PKT_VERDICT_COUNT] = {PKT_VERDICTS(PKT_VERDICT_NAME)};
#undef PKT_VERDICT_NAME

#define PKT_VERDICT_HELP(sym, name, help) [PKT_##sym] = (help),
static const char *const verdict_helps[PKT_VERDICT_COUNT] = {PKT_VERDICTS(PKT_VERDICT_HELP)};
#undef PKT_VERDICT_HELP

const char *pkt_verdict_name(enum pkt_verdict v)
{
	if ((unsigned int)v >= PKT_VERDICT_COUNT)
		return "invalid";
	return verdict_names[v];
}

const char *pkt_verdict_help(enum pkt_verdict v)
{
	if ((unsigned int)v >= PKT_VERDICT_COUNT)
		return "not a packet verdict";
	return verdict_helps[v];
}

enum pkt_verdict pkt_ip4_check(const void *buf, size_t len)
{
	const struct l3_ip4_hdr *ip = buf;
	unsigned int hlen;
	size_t total;

	if (len < AFTR_IP4_HDR_LEN)
		return PKT_IP4_TRUNCATED;
	if (ip->version_ihl >> 4 != AFTR_IP4_VERSION)
		return PKT_IP4_BAD_VERSION;
	hlen = pkt_ip4_hdr_len(ip);
	if (hlen < AFTR_IP4_HDR_LEN)
		return PKT_IP4_BAD_IHL;
	if (hlen > len)
		return PKT_IP4_HDR_TRUNCATED;
	total = ntohs(ip->total_len);
	if (total < hlen)
		return PKT_IP4_TOTAL_LEN_SHORT;
	if (total > len)
		return PKT_IP4_TOTAL_LEN_LONG;
	/* Last, as it is the only check that reads the whole header. A correct header, checksum
	 * field included, sums to all ones (RFC 1071 section 1, step (3)). The packet path's
	 * common header is summed inline by pkt_ip4_check_fast. */
	if (cksum_fold(cksum_add(0, ip, hlen)) != 0xffff)
		return PKT_IP4_BAD_CKSUM;
	return PKT_OK;
}

static bool ip6_is_ext(uint8_t proto)
{
	return proto == AFTR_IPPROTO_HOPOPTS || proto == AFTR_IPPROTO_ROUTING ||
	       proto == AFTR_IPPROTO_DSTOPTS || proto == AFTR_IPPROTO_FRAGMENT;
}

/*
 * Offsets only grow, so a chain cannot loop; PKT_IP6_EXT_MAX bounds the work a long chain of
 * empty options headers can cost. Every header walked is at least 8 bytes (RFC 8200 sections
 * 4.3 to 4.6), so checking 8 bytes first makes reading its first two bytes safe.
 */
enum pkt_verdict pkt_ip6_find_l4(const void *buf, size_t len, struct pkt_ip6_l4 *out)
{
	const uint8_t *p = buf;
	uint8_t proto = ((const struct l3_ip6_hdr *)buf)->next_hdr;
	uint32_t off = AFTR_IP6_HDR_LEN; /* at most 40 + PKT_IP6_EXT_MAX * 2048 */
	unsigned int n = 0;
	uint32_t hlen;

	out->frag_hdr_off = 0;
	out->rh_off = 0;
	while (ip6_is_ext(proto)) {
		if (n++ == PKT_IP6_EXT_MAX)
			return PKT_IP6_EXT_TOO_MANY;
		if (off + 8 > len)
			return PKT_IP6_EXT_TRUNCATED;
		/* RFC 8200 section 4.1: hop-by-hop options only right after the IPv6 header. */
		if (proto == AFTR_IPPROTO_HOPOPTS && off != AFTR_IP6_HDR_LEN)
			return PKT_IP6_HOPOPTS_NOT_FIRST;
		if (proto == AFTR_IPPROTO_FRAGMENT) {
			if (out->frag_hdr_off != 0)
				return PKT_IP6_FRAG_DUP;
			out->frag_hdr_off = off;
			/* Only the first fragment holds the rest of the chain (RFC 8200
			 * section 4.5): stop at a later one. */
			if (pkt_ip6_frag_offset((const struct l3_ip6_frag_hdr *)(p + off)) != 0) {
				out->l4_proto = p[off];
				out->l4_off = off + (uint32_t)sizeof(struct l3_ip6_frag_hdr);
				return PKT_OK;
			}
			hlen = (uint32_t)sizeof(struct l3_ip6_frag_hdr);
		} else {
			/* Hdr Ext Len: 8-octet units after the first 8 (RFC 8200 section 4.3). */
			hlen = (p[off + 1] + 1u) * 8u;
			if (off + hlen > len)
				return PKT_IP6_EXT_TRUNCATED;
			/* Segments Left, the routing header's fourth octet. */
			if (proto == AFTR_IPPROTO_ROUTING && p[off + 3] != 0 && out->rh_off == 0)
				out->rh_off = off;
		}
		proto = p[off];
		off += hlen;
	}
	out->l4_proto = proto;
	out->l4_off = off;
	return PKT_OK;
}

unsigned int pkt_ip4_quote(const void *q, size_t avail)
{
	const struct l3_ip4_hdr *ip = q;
	unsigned int hl;

	if (avail < AFTR_IP4_HDR_LEN || (ip->version_ihl >> 4) != AFTR_IP4_VERSION)
		return 0;
	hl = pkt_ip4_hdr_len(ip);
	return hl >= AFTR_IP4_HDR_LEN && avail >= hl + 8u ? hl : 0;
}
