/* Rates of the dataplane's counters; see rates.h. */
#include "rates.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "stats_shm.h"

struct rate {
	char name[STATS_NAME_LEN];
	uint64_t last_total;
	double last, avg[3];
};

struct rates {
	double decay[3];
	pthread_mutex_t lock; /* the fields below: rates_json may run anywhere */
	uint64_t generation;  /* of the dataplane the rates are of (0: none yet) */
	uint64_t at_us;       /* when they last moved */
	uint64_t seconds;     /* since they started */
	uint32_t n;
	struct rate *v;
};

struct rates *rates_new(const double decay[3])
{
	struct rates *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	memcpy(r->decay, decay, sizeof(r->decay));
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void rates_free(struct rates *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->v);
	free(r);
}

/* A new dataplane (or the first): its counters as the starting point. */
static void restart(struct rates *r, const struct stats_shm_hdr *h, uint64_t now_us)
{
	struct rate *v = calloc(h->ncounters ? h->ncounters : 1, sizeof(*v));

	if (v == NULL)
		return; /* tried again next second */
	for (uint32_t i = 0; i < h->ncounters; i++) {
		snprintf(v[i].name, sizeof(v[i].name), "%s", stats_shm_name(h, i));
		v[i].last_total = stats_shm_total(h, i);
	}
	free(r->v);
	r->v = v;
	r->n = h->ncounters;
	r->generation = h->generation;
	r->at_us = now_us;
	r->seconds = 0;
}

void rates_tick(struct rates *r, const struct stats_shm_hdr *h, uint64_t now_us)
{
	double dt;

	pthread_mutex_lock(&r->lock);
	if (r->v == NULL || r->generation != h->generation || r->n != h->ncounters) {
		restart(r, h, now_us);
	} else if ((dt = (double)(now_us - r->at_us) / 1e6) >= 1.0) {
		for (uint32_t i = 0; i < r->n; i++) {
			struct rate *x = &r->v[i];
			uint64_t t = stats_shm_total(h, i);
			double per = t >= x->last_total ? (double)(t - x->last_total) / dt : 0;

			x->last_total = t;
			x->last = per;
			for (int k = 0; k < 3; k++) {
				double d = pow(r->decay[k], dt);

				x->avg[k] = r->seconds == 0 ? per : x->avg[k] * d + per * (1 - d);
			}
		}
		r->seconds += (uint64_t)(dt + 0.5);
		r->at_us = now_us;
	}
	pthread_mutex_unlock(&r->lock);
}

json_t *rates_json(struct rates *r)
{
	json_t *j = NULL, *all;

	pthread_mutex_lock(&r->lock);
	if (r->v && r->seconds > 0) {
		all = json_object();
		for (uint32_t i = 0; i < r->n; i++) {
			const struct rate *x = &r->v[i];

			if (aftr_stats_is_gauge(x->name))
				continue;
			json_object_set_new(all, x->name,
			                    json_pack("{s:f,s:f,s:f,s:f}", "last", x->last, "1min",
			                              x->avg[0], "5min", x->avg[1], "15min",
			                              x->avg[2]));
		}
		j = json_pack("{s:I,s:I,s:{s:f,s:f,s:f},s:o}", "generation",
		              (json_int_t)(r->generation & INT64_MAX), "seconds",
		              (json_int_t)r->seconds, "decay", "1min", r->decay[0], "5min",
		              r->decay[1], "15min", r->decay[2], "rates", all);
	}
	pthread_mutex_unlock(&r->lock);
	return j;
}
