/* A worker's rate limit of the ICMP errors it makes out of one interface
 * (RFC 1812 section 4.3.2.8; icmp_build.c): a token bucket refilled each
 * second. Embedded in the worker (dp_worker.icmp_rl, one per interface),
 * written and read by that worker only, by the ICMP builders. */
#ifndef AFTR_ICMP_BUCKET_H
#define AFTR_ICMP_BUCKET_H

#include <stdint.h>

struct icmp_bucket {
	uint64_t at;     /* the second (w->now) plus one: zeroed starts afresh */
	uint32_t tokens; /* errors left to send in it */
};

#endif
