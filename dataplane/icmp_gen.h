/* ICMPv4 errors the AFTR originates: towards B4s from "icmp_source" (ISC
 * "address icmp"), sent into the softwire of the B4 that caused them, and
 * towards the Internet from the WAN address. */
#ifndef AFTR_ICMP_GEN_H
#define AFTR_ICMP_GEN_H

#include "dp.h"
#include "pkt.h"

/* Time exceeded in transit (RFC 792, RFC 1812 section 5.3.1) for an inner
 * packet whose TTL ran out; ip is not modified. None is sent about an ICMP
 * error or a non-initial fragment (RFC 1812 section 4.3.2.7). */
void icmp_time_exceeded(struct dp_worker *w, const struct addr6 *b4, const struct l3_ip4_hdr *ip);

/* The same for a packet from the Internet whose TTL ran out on its way to
 * a B4: sent back to its source on the WAN. */
void icmp_time_exceeded_wan(struct dp_worker *w, const struct l3_ip4_hdr *ip);

/* Destination unreachable, communication administratively prohibited
 * (type 3 code 13, RFC 1812 section 5.2.7.1) for a packet a binding does
 * not allow (ISC admpro): into the B4's softwire, or back to the Internet.
 * All these errors are rate-limited per worker (icmp_rate_limited). */
#define ICMP4_ADMIN_PROHIBITED 13
void icmp_admin_prohibited(struct dp_worker *w, const struct addr6 *b4,
                           const struct l3_ip4_hdr *ip);
void icmp_admin_prohibited_wan(struct dp_worker *w, const struct l3_ip4_hdr *ip);

/* Destination unreachable, fragmentation needed and DF set (type 3 code
 * 4, RFC 1191) with the next-hop MTU, back to the Internet source of ip;
 * avail: the bytes of ip at hand (the quote is at most that). */
#define ICMP4_FRAG_NEEDED 4
void icmp_frag_needed(struct dp_worker *w, const struct l3_ip4_hdr *ip, uint32_t avail,
                      uint16_t mtu);

/* An ICMPv4 error (type, code, rest: the 4 bytes after the checksum)
 * from src (network order) to ip's source, quoting ip (avail: the bytes
 * of it at hand), in a new mbuf with room for the Ethernet header; NULL
 * when none may be sent (about an ICMP error or a later fragment, or over
 * the rate limit) or none can (no buffer, counted). Not counted as sent. */
struct rte_mbuf *icmp_error_new(struct dp_worker *w, uint32_t src, const struct l3_ip4_hdr *ip,
                                uint32_t avail, uint8_t type, uint8_t code, uint32_t rest);

/* Answers, in place, an ICMPv4 echo request to one of our addresses
 * (sources swapped, type, both checksums); false, with ip untouched, if ip
 * is not a whole, valid echo request. ip's header was checked already. */
bool icmp_echo_answer(struct l3_ip4_hdr *ip);

#endif
