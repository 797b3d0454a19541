/* Internet checksum; see cksum.h for the byte order convention. */

#include "cksum.h"

#include <string.h>

/* Fold a 64-bit accumulator to 32 bits. 2^32 = 1 (mod 2^16 - 1), so end-around carries at
 * bit 32 keep the one's complement sum, as they do at bit 16 (RFC 1071 section 2(C), 2(D)). */
static inline uint32_t fold64(uint64_t acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

/* memcpy() compiles to one load and makes any alignment legal. */
static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * A 32-bit word adds the same as its two 16-bit halves, since 2^16 = 1 (mod 2^16 - 1)
 * (RFC 1071 section 2(C), parallel summation), and the 64-bit accumulator defers all carries
 * to the end (section 2(D)), so the loop adds 16 bytes per iteration with no carry test. The
 * accumulator cannot overflow for len below 16 GiB.
 */
uint32_t cksum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;
	uint16_t w = 0;

	for (; len >= 16; p += 16, len -= 16)
		acc += (uint64_t)load32(p) + load32(p + 4) + load32(p + 8) + load32(p + 12);
	for (; len >= 4; p += 4, len -= 4)
		acc += load32(p);
	if (len >= 2) {
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		/* The byte goes first in memory, the zero pad second: byte-order independent. */
		w = 0;
		memcpy(&w, p, 1);
		acc += w;
	}
	return fold64(acc);
}

uint16_t cksum_ip4_hdr(const struct l3_ip4_hdr *ip)
{
	const uint8_t *p = (const uint8_t *)ip;
	const size_t skip = offsetof(struct l3_ip4_hdr, src);
	uint32_t sum;

	/* The checksum field counts as zero (RFC 791 section 3.1): sum around it. */
	sum = cksum_add(0, p, offsetof(struct l3_ip4_hdr, cksum));
	sum = cksum_add(sum, p + skip, pkt_ip4_hdr_len(ip) - skip);
	return cksum_finish(sum);
}

uint32_t cksum_ip4_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4len)
{
	/* Zero byte then protocol form one word; htons() puts them in wire order. */
	return fold64((uint64_t)src + dst + htons(proto) + htons(l4len));
}

uint32_t cksum_ip6_pseudo(const uint8_t src[16], const uint8_t dst[16], uint32_t l4len,
                          uint8_t next_hdr)
{
	uint64_t acc = cksum_add(cksum_add(0, src, 16), dst, 16);

	return fold64(acc + htonl(l4len) + htonl(next_hdr));
}

static uint16_t l4_finish(uint32_t sum, uint8_t proto)
{
	uint16_t cksum = cksum_finish(sum);

	/* A zero UDP checksum means "not computed" (RFC 768), so a real 0 goes out as its other
	 * one's complement form, all ones (RFC 768, RFC 8200 section 8.1). */
	if (cksum == 0 && proto == AFTR_IPPROTO_UDP)
		return 0xffff;
	return cksum;
}

uint16_t cksum_ip4_l4(const struct l3_ip4_hdr *ip, const void *l4, uint16_t l4len)
{
	uint32_t sum = 0;

	if (ip->proto != AFTR_IPPROTO_ICMP)
		sum = cksum_ip4_pseudo(ip->src, ip->dst, ip->proto, l4len);
	return l4_finish(cksum_add(sum, l4, l4len), ip->proto);
}

uint16_t cksum_ip6_l4(const struct l3_ip6_hdr *ip6, uint8_t proto, const void *l4, uint32_t l4len)
{
	uint32_t sum = cksum_ip6_pseudo(ip6->src, ip6->dst, l4len, proto);

	return l4_finish(cksum_add(sum, l4, l4len), proto);
}

/* The sum of complements is the complement of the sum, so ~m over a whole buffer is one
 * cksum_add() and one complement (RFC 1624 equation 3 applied word by word). */
uint16_t cksum_update_buf(uint16_t cksum, const void *from, const void *to, size_t len)
{
	uint32_t sum = (uint16_t)~cksum;

	sum += (uint16_t)~cksum_fold(cksum_add(0, from, len));
	sum = cksum_add(sum, to, len);
	return (uint16_t)~cksum_fold(sum);
}
