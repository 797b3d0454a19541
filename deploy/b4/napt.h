/*
 * The lwB4's NAPT44 (RFC 7596 section 5.1, --lw4o6): what the TUN gives is translated into the
 * B4's public IPv4 address and its port set before it enters the softwire, and what the AFTR
 * sends back is translated to the inside again. The port set is the PSID's (RFC 7597 section
 * 5.1, lib/net/portset.h); an ICMP echo identifier is a port (RFC 7596 section 8).
 *
 * Behaviour, by requirement:
 * - Endpoint-independent mapping and filtering (RFC 4787 REQ-1, REQ-8; RFC 5382 REQ-1, REQ-3):
 *   one public port per inside (address, port), whatever the destination, and anything from
 *   outside to that port is let in while the mapping lives. The inside port is kept when it is
 *   in the set and free (port preservation), else a free one is taken from a random place.
 * - A mapping lives as long as its timeout after the last packet either way: UDP (RFC 4787
 *   REQ-5: at least 2 minutes, 5 by default), TCP established (RFC 5382 REQ-5: at least 2 h
 *   4 min), TCP transitory 4 minutes (before both sides spoke, after FIN both ways or a RST),
 *   ICMP echo (RFC 5508 REQ-1: at least 60 s). ICMP errors refresh nothing.
 * - ICMP errors (destination unreachable, time exceeded, parameter problem) are translated
 *   both ways with the packet they quote (RFC 5508 section 4.2 and REQ-3): addresses, port or
 *   identifier, the quoted IPv4 and transport checksums where present, the ICMP checksum.
 * - Fragments (RFC 4787 REQ-14): a first fragment is translated by its ports; later ones
 *   outbound take the public address, inbound the inside address the first one went to (a
 *   short cache keyed by source, protocol and IPv4 ID; one that comes first is dropped).
 * - The public address is not the host's (its TUN holds 192.0.0.2, RFC 7335), so that packets
 *   to it from inside, for another subscriber sharing it, go to the AFTR, which hairpins them.
 *   Echo requests from outside to the public address are the host's to answer: they go to the
 *   TUN's address (identifier kept), and its echo replies come from the public address.
 * - Other protocols cannot share an address by port: dropped and counted both ways.
 * One thread; no allocation per packet.
 */
#ifndef AFTR_B4_NAPT_H
#define AFTR_B4_NAPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "counters.h"
#include "portset.h"

#define NAPT_TCP_TRANS_S 240 /* RFC 5382 REQ-5: transitory connection idle timeout */
#define NAPT_FRAGS       256 /* inbound fragment cache entries */
#define NAPT_FRAG_MS     30000

enum napt_proto { NAPT_TCP, NAPT_UDP, NAPT_ICMP, NAPT_NPROTO };

/* Timeouts in seconds. */
struct napt_timeouts {
	unsigned int udp, tcp, icmp;
};

#define NAPT_TIMEOUTS_DEFAULT                                                                      \
	{                                                                                          \
		.udp = 300, .tcp = 7440, .icmp = 60                                                \
	}

/* One mapping: the index in the port set is the public port (psid_port_nth()). */
struct napt_map {
	uint64_t expires;  /* ms; 0: free */
	uint32_t int_addr; /* network order */
	uint32_t next;     /* next index in the chain of its hash bucket, NAPT_NIL: none */
	uint16_t int_port; /* host order; the identifier for ICMP */
	uint8_t tcp;       /* NAPT_TCP_* seen */
};

struct napt_table {
	struct napt_map *map;
	uint32_t *bucket;   /* hash of (int_addr, int_port) -> first index, NAPT_NIL */
	uint32_t mask;      /* buckets - 1 */
	uint32_t active;    /* mappings in use (as of the last sweep or change) */
	bool full;          /* the last new mapping found no port (logged once) */
	uint64_t rescan_at; /* while full: no scan for a free port before then (ms) */
};

struct napt_frag {
	uint64_t expires;
	uint32_t src, int_addr; /* network order */
	uint16_t id;            /* IPv4 identification, as stored */
	uint8_t proto;
};

struct napt {
	bool on;            /* a binding is set: translate */
	uint32_t ext_addr;  /* the public address, network order */
	uint32_t self_addr; /* the TUN's own address, network order: pings of ext_addr go there */
	FILE *log;          /* where events (exhaustion) are said, or NULL */
	struct psid_params ps;
	struct psid_test test;
	uint32_t nports; /* ports in the set */
	uint64_t timeout_ms[NAPT_NPROTO];
	struct napt_table t[NAPT_NPROTO];
	struct napt_frag frag[NAPT_FRAGS];
	unsigned int frag_next;
	uint64_t rnd;
	struct b4_counters *ctr;
};

/*
 * Sets the binding (public address ext_addr in network order, port set ps) and the timeouts,
 * dropping every mapping of a previous binding. Returns 0, or -EINVAL (a bad port set, a set
 * without ports) / -ENOMEM with err set.
 */
int napt_bind(struct napt *n, uint32_t ext_addr, const struct psid_params *ps,
              const struct napt_timeouts *to, struct b4_counters *ctr, char *err, size_t errlen);

void napt_free(struct napt *n);

/*
 * Translates the IPv4 packet p (len bytes, header checked: version, IHL, total length) read
 * from the TUN, in place, at time now (ms). Returns false when it is dropped (counted).
 */
bool napt_out(struct napt *n, uint8_t *p, size_t len, uint64_t now);

/* The same for a packet from the AFTR, before it is written to the TUN. */
bool napt_in(struct napt *n, uint8_t *p, size_t len, uint64_t now);

/* Frees expired mappings and stores the active ones in the napt_active_* counters. */
void napt_sweep(struct napt *n, uint64_t now);

#endif /* AFTR_B4_NAPT_H */
