/* ICMPv4 errors the AFTR originates (from "icmp_source", ISC "address
 * icmp"), sent into the softwire of the B4 that caused them. */
#ifndef AFTR_ICMP_GEN_H
#define AFTR_ICMP_GEN_H

#include "dp.h"
#include "pkt.h"

/* Time exceeded in transit (RFC 792, RFC 1812 section 5.3.1) for an inner
 * packet whose TTL ran out; ip is not modified. */
void icmp_time_exceeded(struct dp_worker *w, const struct addr6 *b4, const struct l3_ip4_hdr *ip);

#endif
