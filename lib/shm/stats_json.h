/* The shared counters as JSON, one shape for the API and aftrctl. */
#ifndef AFTR_STATS_JSON_H
#define AFTR_STATS_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "stats_shm.h"

/* {"generation", "workers", "counters": {name: total}} and, with
 * per_lcore, "per_lcore": one object per block (the workers, then the
 * main lcore). With nonzero, counters at 0 in total are left out. */
json_t *stats_shm_json(const struct stats_shm_hdr *h, bool per_lcore, bool nonzero);

#endif
