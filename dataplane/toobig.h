/* Packets too big for a softwire (RFC 6333 section 6.3: the AFTR fragments
 * after encapsulation) and ISC's toobig policy; see toobig.c. */
#ifndef AFTR_TOOBIG_H
#define AFTR_TOOBIG_H

#include <rte_mbuf.h>

#include "dp.h"
#include "pkt.h"

/* The IPv6 MTU towards a B4: its tunnel's mtu, else the default, never
 * above the transport port's, nor above what a router said (pmtu.h). */
uint16_t toobig_mtu(struct dp_worker *w, const struct addr6 *b4);

/* ISC toobig for b4: its tunnel's, else the default (enum cfg_toobig). */
int toobig_policy(const struct dp_worker *w, const struct addr6 *b4);

/* The first bytes of a packet as it came from the Internet, kept before
 * NAT rewrites it, for the ICMP error about it. */
#define TOOBIG_QUOTE 68 /* the longest IPv4 header and 8 bytes (RFC 792) */
struct toobig_orig {
	uint8_t b[TOOBIG_QUOTE];
	uint32_t len; /* bytes kept; 0: none (the packet is as it came) */
};

/* m (an IPv4 packet after room for the Ethernet header) does not fit the
 * softwire of b4 (mtu): per toobig (the tunnel's, else the default), a
 * DF packet gets ICMPv4 fragmentation needed back with mtu - 40 (on,
 * strict) and is dropped (strict); otherwise it is encapsulated and sent
 * in IPv6 fragments. Consumes m. */
void toobig_send(struct dp_worker *w, struct rte_mbuf *m, const struct addr6 *b4, uint16_t mtu,
                 const struct toobig_orig *orig);

#endif
