/* The software B4's clock: milliseconds of CLOCK_MONOTONIC, for the DHCPv6 and DNS schedule
 * (provision.c) and the NAPT's timeouts (softwire.c), unmoved by changes of the wall clock. */
#ifndef AFTR_B4_CLOCK_H
#define AFTR_B4_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

#endif /* AFTR_B4_CLOCK_H */
