/* Entry points of the packet path (one file each). All take an mbuf whose
 * data starts with an Ethernet header (or room for one) and consume it. */
#ifndef AFTR_PATH_H
#define AFTR_PATH_H

#include <rte_mbuf.h>

#include "dp.h"
#include "pkt.h"

/* The outer hop limit of softwire packets (RFC 2473 section 6.3: the IPv6
 * default), whole or in fragments. */
#define ENCAP_HOP_LIMIT 64

/* Look-ahead over a burst from the transport (or WAN) port, before its
 * packets go one by one to transport_in (wan_in): their binding lookups
 * and NAPT session lookups are started across the whole burst (w->ahead;
 * the worker then reads the slots and prefetches what they name), so the
 * cache misses overlap instead of stalling each packet in turn. Nothing is
 * consumed, counted or changed: a packet's own lookup takes a binding only
 * for the same key, in the same tables (one generation per loop), and a
 * session only while it is in use with the packet's own key (nat.h). */
void transport_ahead(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n);
void wan_ahead(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n);
/* A frame from the transport port (transport_in.c). */
void transport_in(struct dp_worker *w, struct rte_mbuf *m);
/* A B4's decapsulated IPv4 packet on its way out (transport_in.c): NATed
 * (a private source, when nat: NAT is for that B4) or checked against the
 * B4's stateless bindings. -1 when it may go on (then to path_ip4_out),
 * else the drop reason (m not consumed). */
int path_b4_out(struct dp_worker *w, const struct addr6 *b4, bool nat, struct l3_ip4_hdr *ip);
/* A frame from the WAN port (wan_in.c). */
void wan_in(struct dp_worker *w, struct rte_mbuf *m);
/* An IPv4 packet to a pool address, from the WAN or a hairpin (wan_in.c). */
void wan_ip4_to_pool(struct dp_worker *w, struct rte_mbuf *m, int pool);
/* A translated IPv4 packet leaving for the Internet, or hairpinning back
 * when its destination is a pool address (RFC 4787 REQ-9) (wan_in.c). */
void path_ip4_out(struct dp_worker *w, struct rte_mbuf *m);
/* An IPv4 packet for a B4: encapsulate and send (encap.c); one too big
 * for the softwire goes to toobig.c. orig: the packet's first bytes as
 * they came from the Internet when NAT has rewritten it since (for the
 * ICMP error about it), or NULL. */
struct toobig_orig;
void path_encap(struct dp_worker *w, struct rte_mbuf *m, const struct addr6 *b4);
void path_encap_orig(struct dp_worker *w, struct rte_mbuf *m, const struct addr6 *b4,
                     const struct toobig_orig *orig);

#endif
