/* Packets too big for a softwire (RFC 6333 section 6.3: the AFTR fragments
 * after encapsulation) and ISC's toobig policy; see toobig.c. */
#ifndef AFTR_TOOBIG_H
#define AFTR_TOOBIG_H

#include <rte_mbuf.h>

#include "dp.h"
#include "pkt.h"
#include "pmtu.h"
#include "tables.h"

/* The IPv6 MTU towards a B4: its tunnel's mtu, else the default, never
 * above the transport port's, nor above what a router said (pmtu.h).
 * Inline: every packet into a softwire asks. */
static inline uint16_t toobig_mtu(struct dp_worker *w, const struct addr6 *b4)
{
	/* Search only if a tunnel has an MTU, or a router told us of one. */
	const struct cfg_tunnel *t = w->tab->tunnel_mtus ? tables_tunnel(w->tab, b4) : NULL;
	uint16_t mtu = cfg_tunnel_mtu(t, dp_tun_defaults()), learned;

	mtu = RTE_MIN(mtu, dp.port[DP_PORT_TRANSPORT].mtu);
	if (w->pmtu.n && (learned = pmtu_get(w, b4)) != 0)
		mtu = RTE_MIN(mtu, learned);
	return mtu;
}

/* ISC toobig for b4: its tunnel's, else the default (enum cfg_toobig). */
int toobig_policy(const struct dp_worker *w, const struct addr6 *b4);

/* The outer hop limit of softwire packets (RFC 2473 section 6.3: the IPv6
 * default), whole or in fragments. */
#define ENCAP_HOP_LIMIT 64

/* Node toobig: an IPv4 packet (after room for the Ethernet header) that
 * does not fit its softwire (ctx->mtu): per toobig (the tunnel's, else the
 * default), a DF packet gets ICMPv4 fragmentation needed back with mtu -
 * 40 (on, strict) and is dropped (strict); otherwise it is encapsulated
 * and sent in IPv6 fragments. */

#endif
