/* ICMP errors the AFTR originates (builders: each returns a new mbuf,
 * its context filled, for the calling node to emit into the graph, or
 * NULL): ICMPv4 towards B4s from "icmp_source" (ISC "address icmp"), into
 * the softwire of the B4 that caused them (node encap), and towards the
 * Internet from the WAN address (node ip4_out); ICMPv6 to a lw4o6 B4
 * (node tr_tx). None is made about an ICMP error or a non-initial
 * fragment (RFC 1812 section 4.3.2.7). Each goes out of the interface its
 * cause came in by (side: enum cfg_side, which is a DP_PORT_*), whose
 * ICMP policy may turn it off (icmp.SIDE.errors, too_big) and limits its
 * rate per worker (icmp.SIDE.rate; RFC 1812 section 4.3.2.8). */
#ifndef AFTR_ICMP_BUILD_H
#define AFTR_ICMP_BUILD_H

#include <rte_mbuf.h>

#include "dp.h"
#include "pkt.h"

struct dp_ctx;

#define ICMP4_HOST_UNREACH     1 /* destination unreachable codes */
#define ICMP4_ADMIN_PROHIBITED 13
#define ICMP4_FRAG_NEEDED      4
#define ICMP6_POLICY_FAIL      5 /* source address failed ingress/egress policy */

/* An error (type, code) about a B4's packet ip: time exceeded in transit
 * (RFC 792, RFC 1812 section 5.3.1), communication administratively
 * prohibited (type 3 code 13, RFC 1812 section 5.2.7.1; ISC admpro),
 * into the softwire ip came by (about: its B4 and endpoint). Counted as
 * icmp_sent. */
struct rte_mbuf *icmp_error_b4(struct dp_worker *w, const struct dp_ctx *about,
                               const struct l3_ip4_hdr *ip, uint8_t type, uint8_t code);

/* The same back to the Internet source of ip (avail: the bytes of ip at
 * hand, the quote is at most that; rest: the 4 bytes after the checksum).
 * Counted as icmp_sent. */
struct rte_mbuf *icmp_error_wan(struct dp_worker *w, unsigned int side, const struct l3_ip4_hdr *ip,
                                uint32_t avail, uint8_t type, uint8_t code, uint32_t rest);

/* Destination unreachable, fragmentation needed and DF set (type 3 code
 * 4, RFC 1191) with the next-hop MTU, back to the Internet source of ip. */
struct rte_mbuf *icmp_frag_needed(struct dp_worker *w, unsigned int side,
                                  const struct l3_ip4_hdr *ip, uint32_t avail, uint16_t mtu);

/* ICMPv6 destination unreachable, source address failed ingress/egress
 * policy (type 1 code 5, RFC 4443 section 3.1), to a lw4o6 B4 whose packet
 * ip (decapsulated) is outside its bindings (RFC 7596 section 5.2), from
 * the endpoint it was sent to, quoting the softwire packet; for node
 * tr_tx. Counted as icmp_sent. */
struct rte_mbuf *icmp6_policy_fail(struct dp_worker *w, const struct dp_ctx *about,
                                   const struct l3_ip4_hdr *ip);

/* ICMPv6 parameter problem, erroneous header field (type 4 code 0, RFC
 * 4443 section 3.4), pointing at octet ptr of the IPv6 packet about (a
 * frame from a B4, its header checked) and quoting it, from the endpoint
 * it was sent to; for node tr_tx. Counted as icmp_sent. The caller makes
 * sure it is not about an ICMPv6 error (RFC 4443 section 2.4 (e)). */
struct rte_mbuf *icmp6_param_problem(struct dp_worker *w, const struct rte_mbuf *about,
                                     uint32_t ptr);

/* An ICMPv4 error (type, code, rest: the 4 bytes after the checksum)
 * from src (network order) to ip's source, quoting ip (avail: the bytes
 * of it at hand), in a new mbuf with room for the Ethernet header; NULL
 * when none may be sent (about an ICMP error or a later fragment, or over
 * the policy or the rate limit of side) or none can (no buffer, counted).
 * Not counted as sent. */
struct rte_mbuf *icmp_error_new(struct dp_worker *w, unsigned int side, uint32_t src,
                                const struct l3_ip4_hdr *ip, uint32_t avail, uint8_t type,
                                uint8_t code, uint32_t rest);

/* Answers, in place, an ICMPv4 echo request to one of our addresses
 * (sources swapped, type, both checksums); false, with ip untouched, if ip
 * is not a whole, valid echo request. ip's header was checked already. */
bool icmp_echo_answer(struct l3_ip4_hdr *ip);

#endif
