/* A worker's rate limit of the ICMPv4 errors it makes (RFC 1812 section
 * 4.3.2.8; icmp_build.c): a token bucket refilled each second. Embedded in
 * the worker (dp_worker.icmp_rl), written and read by that worker only,
 * by the ICMP builders. */
#ifndef AFTR_ICMP_BUCKET_H
#define AFTR_ICMP_BUCKET_H

#include <stdint.h>

struct icmp_bucket {
	uint64_t at;     /* the second (w->now) plus one: zeroed starts afresh */
	uint32_t tokens; /* errors left to send in it */
};

#endif
