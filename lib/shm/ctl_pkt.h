/* Packets between the dataplane's main lcore and aftr-control, carried by
 * the shared region's two packet rings (stats_shm.h): the requests of the
 * protocols the control process answers for the AFTR (the PCP server, RFC
 * 6887: UDP to the AFTR's own IPv4 address, port 5351, inside a softwire,
 * or over plain IPv6 from a B4 to the endpoint address), and its answers,
 * which the dataplane sends back the same way.
 *
 * Fixed CTL_PKT_SIZE-byte elements, host byte order except where a field
 * says network order. Part of the region's layout: a change here changes
 * STATS_SHM_VERSION. */
#ifndef AFTR_CTL_PKT_H
#define AFTR_CTL_PKT_H

#include <stdint.h>

#define CTL_PKT_SIZE  1248
#define CTL_PKT_DATA  1200 /* a PCP message is at most 1100 octets (RFC 6887 section 7) */
#define CTL_PKT_COUNT 256  /* each way */

enum ctl_pkt_type {
	CTL_PKT_PCP = 1, /* dataplane -> control: a PCP request; control -> dataplane: its
	                  * answer (or an unsolicited ANNOUNCE), sent to the same softwire */
};

struct ctl_pkt {
	uint16_t type;         /* enum ctl_pkt_type */
	uint16_t len;          /* UDP payload bytes at data */
	uint16_t worker;       /* a request: the worker that owns its B4 */
	uint8_t ep;            /* the endpoint (dp_conf.endpoints) the softwire ends at */
	uint8_t v6;            /* 1: plain IPv6 between the B4 and the endpoint (src, dst 0) */
	uint8_t b4[16];        /* the softwire's B4 (outer IPv6 source / destination) */
	uint32_t src, dst;     /* the inner IPv4 source and destination, network order */
	uint16_t sport, dport; /* the UDP ports, host order */
	uint32_t pad2;
	uint64_t time_ms; /* when the dataplane took it, ms since 1970 (UTC) */
	uint8_t data[CTL_PKT_DATA];
};

_Static_assert(sizeof(struct ctl_pkt) == CTL_PKT_SIZE, "ring elements are CTL_PKT_SIZE bytes");

/* 0 if a packet read from a ring is one to act on (type known, len within
 * data, the flags 0 or 1), else -1: another process's bytes are checked
 * before use (ctl_msg.c). */
int ctl_pkt_check(const struct ctl_pkt *p);

#endif
