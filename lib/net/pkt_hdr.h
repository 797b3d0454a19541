/*
 * Wire formats of the headers the AFTR parses, and accessors for their fields. Header only:
 * the checksums (cksum.h) and the header checks (pkt.h) build on it.
 *
 * Every struct is packed (alignment 1) so it can be laid over a packet buffer at any offset:
 * an IPv4 header behind a 14-byte Ethernet header is only 2-byte aligned, and an IPv4 header
 * behind an IPv6 header with extension headers can be anywhere. Every multi-byte field is in
 * network byte order, exactly as on the wire; convert with ntohs()/ntohl() when reading
 * (checksums and rewritten fields go to and from cksum.h as they are).
 *
 * Struct names carry a layer prefix (l3_, l4_) because glibc already owns `struct ip6_hdr`
 * (<netinet/ip6.h>) and `struct icmp6_hdr` (<netinet/icmp6.h>), and constants carry AFTR_ so
 * that this header can be included next to <netinet/in.h> and DPDK's rte_ip.h.
 */
#ifndef AFTR_PKT_HDR_H
#define AFTR_PKT_HDR_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

/* IP protocol / IPv6 next header numbers (IANA "Assigned Internet Protocol Numbers"). */
#define AFTR_IPPROTO_HOPOPTS  0
#define AFTR_IPPROTO_ICMP     1
#define AFTR_IPPROTO_IPIP     4 /* IPv4 in IPv6: the DS-Lite softwire (RFC 6333 section 5.1) */
#define AFTR_IPPROTO_TCP      6
#define AFTR_IPPROTO_UDP      17
#define AFTR_IPPROTO_ROUTING  43
#define AFTR_IPPROTO_FRAGMENT 44
#define AFTR_IPPROTO_ICMPV6   58
#define AFTR_IPPROTO_NONE     59
#define AFTR_IPPROTO_DSTOPTS  60

/* IPv4 (RFC 791 section 3.1). */
#define AFTR_IP4_VERSION  4
#define AFTR_IP4_HDR_LEN  20     /* without options */
#define AFTR_IP4_FLAG_DF  0x4000 /* in frag_off, host order */
#define AFTR_IP4_FLAG_MF  0x2000
#define AFTR_IP4_OFF_MASK 0x1fff /* fragment offset, in 8-byte units */

struct l3_ip4_hdr {
	uint8_t version_ihl; /* version << 4 | header length in 32-bit words */
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	uint16_t frag_off; /* DF | MF | offset */
	uint8_t ttl;
	uint8_t proto;
	uint16_t cksum;
	uint32_t src;
	uint32_t dst;
} __attribute__((packed));

/* IPv6 (RFC 8200 section 3). */
#define AFTR_IP6_VERSION 6
#define AFTR_IP6_HDR_LEN 40

struct l3_ip6_hdr {
	uint32_t vtc_flow; /* version << 28 | traffic class << 20 | flow label */
	uint16_t payload_len;
	uint8_t next_hdr;
	uint8_t hop_limit;
	uint8_t src[16];
	uint8_t dst[16];
} __attribute__((packed));

/* IPv6 Fragment header (RFC 8200 section 4.5). */
#define AFTR_IP6_FRAG_OFF_MASK 0xfff8 /* in frag_off_m, host order: offset << 3 = bytes */
#define AFTR_IP6_FRAG_M        0x0001 /* more fragments */

struct l3_ip6_frag_hdr {
	uint8_t next_hdr;
	uint8_t reserved;
	uint16_t frag_off_m; /* offset in 8-byte units << 3 | res (2 bits) | M */
	uint32_t id;
} __attribute__((packed));

/* TCP (RFC 9293 section 3.1). Flags are the bits of l4_tcp_hdr.flags. */
#define AFTR_TCP_FIN     0x01
#define AFTR_TCP_SYN     0x02
#define AFTR_TCP_RST     0x04
#define AFTR_TCP_PSH     0x08
#define AFTR_TCP_ACK     0x10
#define AFTR_TCP_URG     0x20
#define AFTR_TCP_ECE     0x40
#define AFTR_TCP_CWR     0x80
#define AFTR_TCP_HDR_LEN 20 /* without options */

struct l4_tcp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint32_t seq;
	uint32_t ack;
	uint8_t data_off; /* header length in 32-bit words << 4 | reserved */
	uint8_t flags;
	uint16_t window;
	uint16_t cksum;
	uint16_t urg_ptr;
} __attribute__((packed));

/* UDP (RFC 768). */
struct l4_udp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t len;   /* header + data */
	uint16_t cksum; /* 0 over IPv4: no checksum was computed */
} __attribute__((packed));

/* ICMPv4 (RFC 792), types and the Destination Unreachable codes. */
#define AFTR_ICMP4_ECHO_REPLY    0
#define AFTR_ICMP4_DEST_UNREACH  3
#define AFTR_ICMP4_ECHO_REQUEST  8
#define AFTR_ICMP4_TIME_EXCEEDED 11
#define AFTR_ICMP4_PARAM_PROBLEM 12
#define AFTR_ICMP4_UNREACH_NET   0
#define AFTR_ICMP4_UNREACH_HOST  1
#define AFTR_ICMP4_UNREACH_PROTO 2
#define AFTR_ICMP4_UNREACH_PORT  3
#define AFTR_ICMP4_UNREACH_FRAG  4  /* fragmentation needed and DF set (RFC 1191) */
#define AFTR_ICMP4_UNREACH_ADMIN 13 /* communication administratively prohibited (RFC 1812) */

struct l4_icmp4_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
	union {
		struct {
			uint16_t id;
			uint16_t seq;
		} __attribute__((packed)) echo;
		struct {
			uint16_t unused;
			uint16_t mtu; /* next-hop MTU of a "fragmentation needed" (RFC 1191) */
		} __attribute__((packed)) frag;
		uint32_t rest;
	} __attribute__((packed));
} __attribute__((packed));

/* ICMPv6 (RFC 4443, and RFC 4861 section 4 for neighbour discovery). */
#define AFTR_ICMP6_DEST_UNREACH     1
#define AFTR_ICMP6_PACKET_TOO_BIG   2
#define AFTR_ICMP6_TIME_EXCEEDED    3
#define AFTR_ICMP6_PARAM_PROBLEM    4
#define AFTR_ICMP6_ECHO_REQUEST     128
#define AFTR_ICMP6_ECHO_REPLY       129
#define AFTR_ICMP6_ROUTER_SOLICIT   133
#define AFTR_ICMP6_ROUTER_ADVERT    134
#define AFTR_ICMP6_NEIGHBOR_SOLICIT 135
#define AFTR_ICMP6_NEIGHBOR_ADVERT  136

struct l4_icmp6_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
	union {
		struct {
			uint16_t id;
			uint16_t seq;
		} __attribute__((packed)) echo;
		uint32_t mtu;     /* packet too big */
		uint32_t pointer; /* parameter problem */
		uint32_t rest;
	} __attribute__((packed));
} __attribute__((packed));

_Static_assert(sizeof(struct l3_ip4_hdr) == 20, "IPv4 header is 20 bytes");
_Static_assert(sizeof(struct l3_ip6_hdr) == 40, "IPv6 header is 40 bytes");
_Static_assert(sizeof(struct l3_ip6_frag_hdr) == 8, "IPv6 fragment header is 8 bytes");
_Static_assert(sizeof(struct l4_tcp_hdr) == 20, "TCP header is 20 bytes");
_Static_assert(sizeof(struct l4_udp_hdr) == 8, "UDP header is 8 bytes");
_Static_assert(sizeof(struct l4_icmp4_hdr) == 8, "ICMPv4 header is 8 bytes");
_Static_assert(sizeof(struct l4_icmp6_hdr) == 8, "ICMPv6 header is 8 bytes");
_Static_assert(_Alignof(struct l3_ip4_hdr) == 1 && _Alignof(struct l3_ip6_hdr) == 1 &&
                       _Alignof(struct l4_icmp4_hdr) == 1 && _Alignof(struct l4_icmp6_hdr) == 1,
               "headers must be usable at any offset of a packet buffer");

/* IPv4 header length in bytes, from IHL. */
static inline unsigned int pkt_ip4_hdr_len(const struct l3_ip4_hdr *ip)
{
	return (ip->version_ihl & 0x0fu) * 4u;
}

/* True for any fragment of a fragmented datagram: MF set or a non-zero offset (RFC 791). */
static inline bool pkt_ip4_is_fragment(const struct l3_ip4_hdr *ip)
{
	return (ip->frag_off & htons(AFTR_IP4_FLAG_MF | AFTR_IP4_OFF_MASK)) != 0;
}

/* Fragment offset in bytes. */
static inline unsigned int pkt_ip4_frag_offset(const struct l3_ip4_hdr *ip)
{
	return (ntohs(ip->frag_off) & AFTR_IP4_OFF_MASK) * 8u;
}

/* IPv6 fragment offset in bytes: the 13-bit count of 8-byte units sits 3 bits up already. */
static inline unsigned int pkt_ip6_frag_offset(const struct l3_ip6_frag_hdr *fh)
{
	return ntohs(fh->frag_off_m) & AFTR_IP6_FRAG_OFF_MASK;
}

static inline bool pkt_ip6_frag_more(const struct l3_ip6_frag_hdr *fh)
{
	return (fh->frag_off_m & htons(AFTR_IP6_FRAG_M)) != 0;
}

/* The ICMPv4 errors that quote a packet and are translated with it (RFC
 * 5508): destination unreachable, time exceeded, parameter problem. */
static inline bool pkt_icmp4_is_error(uint8_t type)
{
	return type == AFTR_ICMP4_DEST_UNREACH || type == AFTR_ICMP4_TIME_EXCEEDED ||
	       type == AFTR_ICMP4_PARAM_PROBLEM;
}

/* TCP header length in bytes, from the data offset. */
static inline unsigned int pkt_tcp_hdr_len(const struct l4_tcp_hdr *tcp)
{
	return (tcp->data_off >> 4) * 4u;
}

#endif /* AFTR_PKT_HDR_H */
