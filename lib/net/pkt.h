/*
 * Validation of the headers of pkt_hdr.h: the IPv4 and IPv6 header checks and the IPv6
 * extension header walk, each answering with a verdict. The IPv4 check sums the header with
 * cksum.h, which needs only the wire formats, so each layer uses only the one below it:
 * pkt.h -> cksum.h -> pkt_hdr.h.
 */
#ifndef AFTR_PKT_H
#define AFTR_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pkt_hdr.h"

/*
 * Verdicts of the checks below: X(SYMBOL, name, help). The dataplane expands the same list
 * into its drop reasons and counter names, so every reason is spelt once. Names are the
 * snake_case form of the symbol.
 */
#define PKT_VERDICTS(X)                                                                            \
	X(OK, "ok", "the packet passed every check")                                               \
	X(IP4_TRUNCATED, "ip4_truncated", "shorter than the 20-byte IPv4 header")                  \
	X(IP4_BAD_VERSION, "ip4_bad_version", "IPv4 version field is not 4")                       \
	X(IP4_BAD_IHL, "ip4_bad_ihl", "IPv4 IHL is below 5 words")                                 \
	X(IP4_HDR_TRUNCATED, "ip4_hdr_truncated", "IPv4 options run past the end of the buffer")   \
	X(IP4_TOTAL_LEN_SHORT, "ip4_total_len_short",                                              \
	  "IPv4 total length is below the header length")                                          \
	X(IP4_TOTAL_LEN_LONG, "ip4_total_len_long",                                                \
	  "IPv4 total length exceeds the received bytes")                                          \
	X(IP4_BAD_CKSUM, "ip4_bad_cksum", "IPv4 header checksum is wrong")                         \
	X(IP6_TRUNCATED, "ip6_truncated", "shorter than the 40-byte IPv6 header")                  \
	X(IP6_BAD_VERSION, "ip6_bad_version", "IPv6 version field is not 6")                       \
	X(IP6_PAYLOAD_LEN_LONG, "ip6_payload_len_long",                                            \
	  "IPv6 payload length exceeds the received bytes")                                        \
	X(IP6_EXT_TRUNCATED, "ip6_ext_truncated",                                                  \
	  "an IPv6 extension header runs past the payload")                                        \
	X(IP6_EXT_TOO_MANY, "ip6_ext_too_many", "more IPv6 extension headers than we walk")        \
	X(IP6_HOPOPTS_NOT_FIRST, "ip6_hopopts_not_first",                                          \
	  "IPv6 hop-by-hop options header not right after the IPv6 header")                        \
	X(IP6_FRAG_DUP, "ip6_frag_dup", "more than one IPv6 fragment header")

/* PKT_OK, PKT_IP4_TRUNCATED, ..., then the number of verdicts. */
#define PKT_VERDICT_ENUM(sym, name, help) PKT_##sym,
enum pkt_verdict { PKT_VERDICTS(PKT_VERDICT_ENUM) PKT_VERDICT_COUNT };
#undef PKT_VERDICT_ENUM

/* snake_case name of a verdict, "invalid" for a value outside the enum. */
const char *pkt_verdict_name(enum pkt_verdict v);

/* One-line help text of a verdict, for the counter listing. */
const char *pkt_verdict_help(enum pkt_verdict v);

/*
 * Validate an IPv4 header at buf, len bytes received (RFC 1122 section 3.2.1.1 and 3.2.1.2:
 * version, header length, total length, header checksum). len may exceed total_len (Ethernet
 * padding); the datagram is the first total_len bytes.
 */
enum pkt_verdict pkt_ip4_check(const void *buf, size_t len);

/* The same, inline for the common header (no options, lengths right):
 * the packet path's. */
static inline enum pkt_verdict pkt_ip4_check_fast(const void *buf, size_t len)
{
	const struct l3_ip4_hdr *ip = buf;
	uint32_t w[5];
	uint64_t acc;

	if (len < AFTR_IP4_HDR_LEN || ip->version_ihl != 0x45 ||
	    ntohs(ip->total_len) < AFTR_IP4_HDR_LEN || ntohs(ip->total_len) > len)
		return pkt_ip4_check(buf, len);
	/* RFC 1071: a correct header, checksum included, sums to all ones.
	 * 2^16 and 2^32 are 1 modulo 0xffff, so the plain sum of the 32-bit
	 * words is the folded sum modulo 0xffff: all ones (0xffff, which is
	 * 0) when the sum is a multiple of 0xffff and not 0 (never: the
	 * first byte is 0x45). One multiply instead of four folds. */
	memcpy(w, ip, sizeof(w));
	acc = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	return acc % 0xffff == 0 ? PKT_OK : PKT_IP4_BAD_CKSUM;
}

/*
 * Validate an IPv6 header at buf, len bytes received (RFC 8200 section 3). The packet is the
 * first 40 + payload_len bytes. Jumbograms (RFC 2675) are not supported: a payload_len of 0
 * means an empty payload.
 */
static inline enum pkt_verdict pkt_ip6_check(const void *buf, size_t len)
{
	const struct l3_ip6_hdr *ip6 = buf;

	if (len < AFTR_IP6_HDR_LEN)
		return PKT_IP6_TRUNCATED;
	if (ntohl(ip6->vtc_flow) >> 28 != AFTR_IP6_VERSION)
		return PKT_IP6_BAD_VERSION;
	if (AFTR_IP6_HDR_LEN + (size_t)ntohs(ip6->payload_len) > len)
		return PKT_IP6_PAYLOAD_LEN_LONG;
	return PKT_OK;
}

/* Most extension headers walked before giving up. RFC 8200 sets no limit, but its section 4.1
 * order has at most five of the kinds walked here (destination options twice), and RFC 8883
 * names the drop ("too many extension headers"). */
#define PKT_IP6_EXT_MAX 8

/* Where the upper layer starts in an IPv6 packet; offsets are from the IPv6 header. */
struct pkt_ip6_l4 {
	uint32_t l4_off;       /* upper-layer header; in a non-first fragment, the fragment data */
	uint32_t frag_hdr_off; /* fragment header, 0 if there is none */
	/* The first routing header with segments left, 0 if there is none:
	 * the packet is not for this node to take (RFC 8200 section 4.4). */
	uint32_t rh_off;
	uint8_t l4_proto; /* upper-layer protocol (AFTR_IPPROTO_NONE if no next header) */
};

/*
 * Walk the IPv6 extension headers (hop-by-hop, routing, destination options, fragment;
 * RFC 8200 section 4) of a packet of len bytes that passed pkt_ip6_check() (len is
 * 40 + payload_len) and report the upper-layer protocol and offset in *out. The walk stops
 * after the fragment header of a non-first fragment, whose remaining headers are in the
 * first fragment only; a first fragment must hold the whole chain (RFC 7112), so a chain cut
 * short is PKT_IP6_EXT_TRUNCATED there too. Anything else (ESP, AH, unknown) is reported as
 * the upper layer. *out is meaningful only when PKT_OK is returned.
 */
enum pkt_verdict pkt_ip6_find_l4(const void *buf, size_t len, struct pkt_ip6_l4 *out);

/*
 * The packet an ICMPv4 error quotes (RFC 792: its IPv4 header and at least 64 bits of its data;
 * RFC 1812 section 4.3.2.3), avail bytes at q: the quoted header's length, or 0 when the quote
 * is too short for both or not IPv4. The one check of quotes.
 */
unsigned int pkt_ip4_quote(const void *q, size_t avail);

#endif /* AFTR_PKT_H */
