/* ICMPv6 errors from routers between the AFTR and its B4s about softwire
 * packets the AFTR sent (RFC 2473 section 8, RFC 6333 section 6.3): node
 * icmp6_err; see icmp6_err.c. */
#ifndef AFTR_ICMP6_ERR_H
#define AFTR_ICMP6_ERR_H

#include <rte_mbuf.h>

#include "dp.h"
#include "pkt.h"

/* Whether ip6 (checked, its ICMPv6 message right after it) is an error
 * sent to the endpoint: then *b4 is the B4 the quoted packet went to
 * (zero if the quote is too short to say). */
bool icmp6_error_b4(const struct l3_ip6_hdr *ip6, struct addr6 *b4);

#endif
