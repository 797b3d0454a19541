/* Rates of the dataplane's shared counters, kept by aftr-control as ISC
 * AFTR keeps them (its "decay" setting): once a second, each counter's
 * rate over the last second, and three exponentially decayed averages,
 * r = r * d + (per second) * (1 - d) each second, d the configuration's
 * decay.1min, 5min and 15min (ISC defaults exp(-1/60), exp(-1/300),
 * exp(-1/900): the 1, 5 and 15 minute figures of a load average). The
 * averages start at the first second's rate; a new dataplane (its
 * counters from 0) starts them again. Gauges have no rate. */
#ifndef AFTR_RATES_H
#define AFTR_RATES_H

#include <jansson.h>
#include <stdint.h>

struct rates;
struct stats_shm_hdr;

struct rates *rates_new(const double decay[3]);
void rates_free(struct rates *r);

/* The region's counters at now_us (a monotonic clock): rates move when a
 * second or more has passed since they last did. Called by one thread. */
void rates_tick(struct rates *r, const struct stats_shm_hdr *h, uint64_t now_us);

/* {"generation", "seconds": since the rates started, "decay": {...},
 * "rates": {NAME: {"last": per second over the last second, "1min",
 * "5min", "15min"}}}: NULL until a first second has passed. Any thread. */
json_t *rates_json(struct rates *r);

#endif
