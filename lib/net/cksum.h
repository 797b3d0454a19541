/*
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 *
 * Byte order: every 16- and 32-bit value taken or returned here is in network byte order,
 * exactly as stored in the packet: read it from the header field and write the result back
 * without ntohs()/htons(). This works because the one's complement sum is byte-order
 * independent (RFC 1071 section 2(B)): summing words as loaded in host order gives the
 * checksum in the same (host-loaded) order. The exceptions are lengths and protocol numbers,
 * which are plain host-order integers, as callers compute them (like Linux's
 * csum_tcpudp_magic()).
 *
 * A partial sum (uint32_t) is an unfolded one's complement sum: chain cksum_add() calls, then
 * cksum_finish() to get the checksum to store. Every chunk but the last must have an even
 * length, because a 16-bit word cannot straddle two calls.
 *
 * Buffers may have any alignment. The incremental updates require the rewritten field to
 * start at an even offset of the checksummed data, so that it lines up with the 16-bit words
 * of the sum (all address, port, ID and sequence fields do; for an odd byte such as the IPv4
 * TTL, update its 16-bit word).
 */
#ifndef AFTR_CKSUM_H
#define AFTR_CKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "pkt_hdr.h"

/* Add len bytes at buf, any alignment, to the partial sum (RFC 1071 section 4.1). An odd last
 * byte is summed as if a zero byte followed it. */
uint32_t cksum_add(uint32_t sum, const void *buf, size_t len);

/* Fold a partial sum to 16 bits with end-around carries (RFC 1071 section 2(C)). */
static inline uint16_t cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum to store: one's complement of the folded sum. Verifying a received header
 * instead is cksum_fold() of everything, checksum included, == 0xffff. */
static inline uint16_t cksum_finish(uint32_t sum)
{
	return (uint16_t)~cksum_fold(sum);
}

/* IPv4 header checksum to store (RFC 791 section 3.1), skipping the current cksum field.
 * IHL must be at least 5 and the whole header readable (pkt_ip4_check() or built by us). */
uint16_t cksum_ip4_hdr(const struct l3_ip4_hdr *ip);

/* Partial sum of the IPv4 pseudo-header of TCP (RFC 9293 section 3.1) and UDP (RFC 768):
 * src, dst (network order), zero, proto, l4len (host order: header + data). */
uint32_t cksum_ip4_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4len);

/* Partial sum of the IPv6 pseudo-header (RFC 8200 section 8.1): src, dst, 32-bit upper-layer
 * length (host order), 24 zero bits, next header (the upper-layer protocol). */
uint32_t cksum_ip6_pseudo(const uint8_t src[16], const uint8_t dst[16], uint32_t l4len,
                          uint8_t next_hdr);

/*
 * Checksum to store in the L4 header at l4 (l4len bytes, host order) carried by ip, whose
 * src, dst and proto are used. The L4 checksum field must be zero on entry (as for DPDK's
 * rte_ipv4_udptcp_cksum()). TCP and UDP include the pseudo-header; ICMP does not (RFC 792).
 * For UDP a computed 0 is returned as 0xffff, since 0 means "no checksum" (RFC 768).
 */
uint16_t cksum_ip4_l4(const struct l3_ip4_hdr *ip, const void *l4, uint16_t l4len);

/*
 * The same over IPv6 for TCP, UDP and ICMPv6 (RFC 4443 section 2.3), all of which include the
 * pseudo-header; proto is the upper-layer protocol, found past any extension headers. The
 * destination used is ip6->dst, so a packet with a Routing header needs the final destination
 * there (RFC 8200 section 8.1). A computed UDP 0 is returned as 0xffff (RFC 8200 section 8.1).
 */
uint16_t cksum_ip6_l4(const struct l3_ip6_hdr *ip6, uint8_t proto, const void *l4, uint32_t l4len);

/*
 * New checksum after a 16-bit field changes from `from` to `to`, by RFC 1624 equation 3:
 * HC' = ~(~HC + ~m + m'). Unlike equation 2 it never turns a sum into negative zero, so the
 * result equals a full recompute of data that is not all zeros (RFC 1624 sections 3 and 4).
 * For UDP the caller keeps a 0 checksum (none) untouched, and stores a result of 0 as 0xffff
 * (RFC 768), just as for a full recompute.
 */
static inline uint16_t cksum_update16(uint16_t cksum, uint16_t from, uint16_t to)
{
	uint32_t sum = (uint32_t)(uint16_t)~cksum + (uint16_t)~from + to;

	return (uint16_t)~cksum_fold(sum);
}

/* The same for a 32-bit field (an IPv4 address, a TCP sequence number): both halves at once. */
static inline uint16_t cksum_update32(uint16_t cksum, uint32_t from, uint32_t to)
{
	uint32_t nfrom = ~from;
	uint32_t sum = (uint32_t)(uint16_t)~cksum + (nfrom & 0xffff) + (nfrom >> 16) +
	               (to & 0xffff) + (to >> 16);

	return (uint16_t)~cksum_fold(sum);
}

/* Decrements an IPv4 TTL (RFC 1812 section 5.2.1; the caller checked it is
 * above 1), patching the header checksum: RFC 1624 equation 3 with m the
 * TTL/protocol word and m' = m - 0x0100, so that ~m + m' is the constant
 * 0xfeff (byte order does not change one's complement sums, RFC 1071). */
static inline void cksum_ip4_ttl_dec(struct l3_ip4_hdr *ip)
{
	/* Two 16-bit words sum to at most 0x1fffd: one fold step is enough. */
	uint32_t sum = (uint32_t)(uint16_t)~ip->cksum + htons(0xfeff);

	ip->cksum = (uint16_t) ~((sum & 0xffff) + (sum >> 16));
	ip->ttl--;
}

/* The same for a field of len bytes (an IPv6 address: 16) changing from `from` to `to`. An odd
 * len is fine: the unchanged byte after the field cancels out of the difference. */
uint16_t cksum_update_buf(uint16_t cksum, const void *from, const void *to, size_t len);

#endif /* AFTR_CKSUM_H */
