/* TCP MSS clamping for softwires (ISC "mss" / "defmss"; RFC 6333 section
 * 5.3 leaves the MTU problem to the operator, and clamping is the usual
 * answer): a SYN's MSS option is lowered so that a full segment fits in the
 * tunnel MTU once encapsulated, both ways. */
#ifndef AFTR_MSS_H
#define AFTR_MSS_H

#include <stdint.h>

#include <netinet/in.h>

#include "dp.h"
#include "pkt.h"

/* mss_clamp's work on a SYN (mss.c). */
void mss_clamp_syn(struct dp_worker *w, const struct addr6 *b4, uint8_t *l4, uint32_t l4len);

/* Clamps the MSS of a TCP SYN in ip (tcp at l4, l4len bytes) for the
 * softwire of b4, if its tunnel (or the defaults) asks for it. Every
 * packet in a softwire asks: the test for a SYN is inline, the rest out
 * of line. */
static inline void mss_clamp(struct dp_worker *w, const struct addr6 *b4,
                             const struct l3_ip4_hdr *ip, uint8_t *l4, uint32_t l4len)
{
	if (ip->proto == IPPROTO_TCP && l4len >= 20 &&
	    (((const struct l4_tcp_hdr *)l4)->flags & AFTR_TCP_SYN))
		mss_clamp_syn(w, b4, l4, l4len);
}

#endif
