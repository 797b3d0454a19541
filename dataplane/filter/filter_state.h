/* The compiled per-interface filters (filter.h) as dp.conf holds them. */
#ifndef AFTR_FILTER_STATE_H
#define AFTR_FILTER_STATE_H

#include <stdbool.h>
#include <stdint.h>

/* A rule as the packet path tests it: host-order networks and masks. */
struct dp_filter_rule {
	uint32_t src, src_mask, dst, dst_mask;
	uint64_t b4_net[2], b4_mask[2]; /* all zero: any B4 */
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	int16_t proto; /* IP protocol, or -1: any */
	bool ports;    /* matches TCP/UDP ports: a packet without them does not match */
	bool accept;
};

/* One interface and direction's rules; their counters are the region's
 * filter[first + i] (struct dp_counters). */
struct dp_filter {
	struct dp_filter_rule *rules;
	uint16_t n, first;
};

#endif
