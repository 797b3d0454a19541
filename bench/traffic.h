/* The benchmark's traffic: N B4s with M flows each, as frames the AFTR
 * would get from B4s (4in6, RFC 6333 section 5) and from Internet hosts
 * (replies to the public address and port the AFTR chose), and the checks
 * of what it sends back: the right translation, the right softwire, intact
 * checksums. Every frame carries its flow and send time in a 12-byte tag
 * after the UDP header, so a frame that comes out is matched to its flow
 * and timed without any lookup.
 *
 * Flows are UDP, TCP (a SYN makes the session, then ACK segments) or ICMP
 * echo (requests out, replies in; the identifier is the flow's "port").
 *
 * Modes: NAPT (private sources behind every B4, translated by the AFTR);
 * lw4o6 (RFC 7596: each B4 owns one PSID of a shared address, PSID length
 * 6 and offset 6 as RFC 7597 suggests, so 64 B4s share an address and each
 * has 1008 ports; nothing is translated, the AFTR checks the binding one
 * way and finds the B4 by address and port the other); prr (ISC's port-
 * range entries: every flow its own (pool address, port) from 1024 up,
 * below the pools' dynamic range); nonat (ISC's: B4 i owns 198.18.0.0 + i
 * as a /32). "plain" is NAPT without the softwire: the inner IPv4 packets
 * alone, each subscriber its own private source (10.0.0.0 + i), for a
 * NAT44 that has no tunnel (the kernel peer, bench/veth.sh).
 *
 * Sizes are Ethernet frame sizes (no FCS) on the WAN (IPv4) side; the same
 * packet in a softwire is 40 bytes longer. The smallest, 54, carries just
 * the tag: 94 bytes as 4in6. */
#ifndef AFTR_BENCH_TRAFFIC_H
#define AFTR_BENCH_TRAFFIC_H

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

#define TR_MIN_SIZE 54   /* Ethernet, IPv4, UDP, the tag (TCP: 66) */
#define TR_MAX_SIZE 9014 /* a 9000-byte IPv4 packet (jumbo frames) */
#define TR_IMIX     0    /* size 0: simple IMIX, 7:4:1 of 60, 590, 1514 */

enum tr_mode { TR_NAPT, TR_LW4O6, TR_PRR, TR_NONAT };
extern const char *const tr_mode_names[]; /* "napt", "lw4o6", "prr", "nonat" */
#define TR_LW_FIRST   0xc6120000u         /* lw4o6, nonat: 198.18.0.0 up (RFC 2544) */
#define TR_ENDPOINT   "2001:db8::1"       /* the AFTR's, in tr_config */
#define TR_POOL_FIRST 0xc6336401u         /* NAPT and prr pools: 198.51.100.1 up */
#define TR_PRR_PORTS  1024                /* prr: ports 1024-2047 of each address */
#define TR_PLAIN_LAN  0x0a000000u         /* plain: subscriber i is 10.0.0.0 + i */
#define TR_REFUSED    0xcb007100u         /* refused: a public inner source, 203.0.113.0 */
#define TR_LW_PSIDS   64                  /* B4s per lw4o6 address */
#define TR_LW_FLOWS   1008                /* ports per PSID, offset 6, length 6 */

struct tr_flow {
	struct addr6 b4;
	uint32_t lan;    /* inside source, host order */
	uint32_t server; /* Internet host, host order */
	uint16_t sport, dport;
	uint32_t ext;   /* the public address and port the AFTR chose, */
	uint16_t eport; /* learned from the first packet out; 0: not yet */
	uint8_t gen;    /* times renewed (tr_renew), mod 256, in its frames' tags */
};

#define TR_MAX_Q 2 /* RX queues aftr-bench feeds */

/* Latency histogram buckets: 2^TR_LAT_SUB linear steps per power of two
 * of TSC cycles (a percentile is within 12.5% of the truth). */
#define TR_LAT_SUB 3

/* What came back, per direction (0: B4 -> Internet, 1: Internet -> B4). */
struct tr_stats {
	uint64_t sent[2], received[2], bytes[2];
	uint64_t wrong[2];  /* a frame that is not the right translation */
	uint64_t renewed;   /* flows made new (tr_renew) */
	uint64_t relearned; /* of those, whose new public endpoint came back */
	uint64_t learned;   /* flows whose public endpoint is known */
	/* Send-to-receive TSC cycles: buckets of traffic.c's lat_bucket. */
	uint64_t lat_hist[64 << TR_LAT_SUB];
};

struct tr_model {
	enum tr_mode mode;
	uint8_t proto; /* IPPROTO_UDP, _TCP or _ICMP */
	bool plain;    /* no softwire (see above) */
	struct tr_flow *flows;
	uint32_t nflows, next[2]; /* round robin per direction */
	/* With RX queues (tr_set_queues): each flow's queue per direction,
	 * and a round robin per direction and queue. */
	uint8_t *queue[2];
	uint32_t qnext[2][TR_MAX_Q];
	uint32_t next_renew;
	uint16_t size;    /* or TR_IMIX */
	uint16_t mtu;     /* the WAN MTU tr_config writes (0: fit the size) */
	uint16_t vlan[2]; /* 802.1Q VLAN id of the transport's, the WAN's frames (0: none) */
	bool refused;     /* B4 frames with a public inner source: the AFTR drops them */
	uint32_t imix_at;
	struct addr6 endpoint;
	uint32_t pool_first, pool_count; /* host order */
	struct rte_ether_addr aftr_tr, aftr_wan, gw_tr, gw_wan;
	struct tr_stats st;
};

/* b4s B4s (from 2001:db8:1::1 up) with flows flows each of proto to
 * servers in 203.0.113.0/24. In lw4o6 mode, B4 i (from 0) has PSID i % 64
 * of address TR_LW_FIRST + i / 64, its flows its ports in turn; in the
 * stateless modes every flow's public endpoint is known from the start.
 * 0, or -ENOMEM / -EINVAL. */
int tr_init(struct tr_model *t, enum tr_mode mode, uint8_t proto, bool plain, uint32_t b4s,
            uint32_t flows, uint16_t size);

/* Pool addresses the AFTR needs for this traffic (NAPT: a block of 64
 * ports per 64 flows of a B4; an address has 992 such blocks (2048-65535),
 * planned as 750 because B4s pick their address by a hash (paired
 * pooling), unevenly; prr: 1024 entries an address), one for nonat (ISC
 * wants one), 0 for lw4o6. */
uint32_t tr_pools(const struct tr_model *t, uint32_t b4s, uint32_t flows);

/* The AFTR's configuration for this traffic, in YAML, on the two devices
 * given: B4s off-link behind a gateway with a static MAC (so no Neighbor
 * Discovery), pool addresses from TR_POOL_FIRST, tunnel limits above the
 * flows per B4, the mode's static entries, softwires that carry a
 * 1500-byte IPv4 packet whole (RFC 6333 section 5.3). extra is appended
 * under "nat:" (more settings), or NULL. 0, or -1 (too many pools). */
int tr_config(FILE *f, const struct tr_model *t, uint32_t flows, const char *tr_dev,
              const char *wan_dev, const char *extra);
void tr_fini(struct tr_model *t);

/* Up to n frames in direction dir into pkts (fresh mbufs from mp): the
 * next flows in turn (for dir 1, only flows with a known public endpoint;
 * for dir 0 with TCP, a SYN while the flow's is unanswered). Returns how
 * many were made. */
unsigned int tr_make(struct tr_model *t, int dir, struct rte_mempool *mp, struct rte_mbuf **pkts,
                     unsigned int n);

/* Sets each flow's RX queue in each direction (queue_of, below nq), for
 * tr_make_queue: 0, or -ENOMEM. */
int tr_set_queues(struct tr_model *t, unsigned int nq,
                  unsigned int (*queue_of)(const struct tr_model *t, uint32_t flow, int dir));
/* tr_make among the flows of queue q only. */
unsigned int tr_make_queue(struct tr_model *t, int dir, unsigned int q, struct rte_mempool *mp,
                           struct rte_mbuf **pkts, unsigned int n);

/* NAPT: the next flow in turn becomes a new one (its next source port),
 * whose public endpoint is learned again from its first packet out: a new
 * session, as a subscriber opening connections makes (the old one idles
 * out). Frames of the old one still in flight are counted, not checked
 * against the new ports. No effect in the stateless modes. */
void tr_renew(struct tr_model *t);

/* Checks and counts a frame the AFTR sent in direction dir, learning the
 * public endpoint of its flow; frees it. */
void tr_check(struct tr_model *t, int dir, struct rte_mbuf *m);

/* A latency percentile (0..100) of what was received, in TSC cycles (the
 * upper bound of its power-of-two bucket). */
uint64_t tr_latency(const struct tr_model *t, double pct);

#endif
