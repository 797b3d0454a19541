/*
 * The lwB4's NAPT44 header work (see napt_int.h): which table a protocol uses, and an address
 * and port rewritten with their checksums updated by RFC 1624.
 */
#include "cksum.h"
#include "napt_int.h"

enum napt_proto napt_proto_of(uint8_t proto)
{
	switch (proto) {
	case AFTR_IPPROTO_TCP:
		return NAPT_TCP;
	case AFTR_IPPROTO_UDP:
		return NAPT_UDP;
	case AFTR_IPPROTO_ICMP:
		return NAPT_ICMP;
	default:
		return NAPT_NPROTO;
	}
}

void napt_rewrite(uint8_t *ip, size_t len, unsigned int field, uint32_t addr, int port)
{
	size_t ihl = ip_hlen(ip);
	uint8_t *l4 = ip + ihl;
	size_t l4len = len > ihl ? len - ihl : 0;
	uint32_t old = ld32(ip + field);
	unsigned int ck_off, port_off = field == IP_SRC ? 0 : 2;
	bool pseudo = true, has_ck;
	uint16_t ck;

	st16(ip + 10, cksum_update32(ld16(ip + 10), old, addr));
	memcpy(ip + field, &addr, sizeof(addr));
	if (ip_later_frag(ip))
		return;
	switch (ip[9]) {
	case AFTR_IPPROTO_TCP:
		ck_off = 16;
		break;
	case AFTR_IPPROTO_UDP:
		ck_off = 6;
		break;
	case AFTR_IPPROTO_ICMP: /* no pseudo-header (RFC 792); the identifier is the port */
		ck_off = 2;
		port_off = 4;
		pseudo = false;
		break;
	default:
		return;
	}
	ck = l4len >= ck_off + 2 ? ld16(l4 + ck_off) : 0;
	/* A UDP checksum of 0 means none (RFC 768): it stays 0. */
	has_ck = l4len >= ck_off + 2 && !(ip[9] == AFTR_IPPROTO_UDP && ck == 0);
	if (has_ck && pseudo)
		ck = cksum_update32(ck, old, addr);
	if (port >= 0 && l4len >= port_off + 2) {
		uint16_t np = htons((uint16_t)port);

		if (has_ck)
			ck = cksum_update16(ck, ld16(l4 + port_off), np);
		st16(l4 + port_off, np);
	}
	if (has_ck)
		st16(l4 + ck_off, ip[9] == AFTR_IPPROTO_UDP && ck == 0 ? 0xffff : ck);
}
