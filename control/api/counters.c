/* The dataplane's shared counters (lib/stats_shm.h): GET /api/v1/counters
 * (ISC "show stat"), /api/v1/counters/drops (ISC "show dropped") and
 * /api/v1/rates (their rates); metrics.c has them as Prometheus text. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "dpctl.h"
#include "query.h"
#include "reply.h"
#include "resources.h"
#include "stats_json.h"
#include "stats_shm.h"

static const struct stats_shm_hdr *open_counters(struct api_ctx *ctx, struct api_reply *out)
{
	const struct stats_shm_hdr *h = stats_shm_open(ctx->shm_name);

	if (h == NULL)
		reply_error(out, 503, "no dataplane",
		            "the dataplane is not running (no shared counters)", NULL);
	return h;
}

/* ISC "show stat": totals, and per lcore (workers, then main) on request. */
void api_get_counters(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	int per = query_bool(req, "per_worker", out);
	const struct stats_shm_hdr *h = per < 0 ? NULL : open_counters(ctx, out);
	json_t *j;

	if (h == NULL)
		return;
	j = stats_shm_json(h, per, false);
	stats_shm_close(h);
	reply_json(out, 200, j);
}

/* ISC "show dropped": every drop reason with its count and meaning. */
void api_get_drops(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	const struct stats_shm_hdr *h = open_counters(ctx, out);
	json_t *list;

	(void)req;
	if (h == NULL)
		return;
	list = json_array();
	for (uint32_t i = 0; i < h->ncounters; i++) {
		const char *n = stats_shm_name(h, i);

		if (strncmp(n, "drop_", 5) == 0)
			json_array_append_new(list,
			                      json_pack("{s:s,s:I,s:s}", "reason", n + 5, "count",
			                                (json_int_t)stats_shm_total(h, i), "help",
			                                aftr_stats_help(n)));
	}
	stats_shm_close(h);
	reply_json(out, 200, json_pack("{s:o}", "drops", list));
}

/* ISC "show stat"'s rates (its decay setting): each counter's rate over
 * the last second and its 1, 5 and 15 minute averages (dpctl/rates.h). */
void api_get_rates(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	json_t *j = ctx->dp ? dpctl_rates(ctx->dp) : NULL;

	(void)req;
	if (j == NULL) {
		reply_error(out, 503, "no rates yet",
		            "rates need a running dataplane followed for a second at least", NULL);
		return;
	}
	reply_json(out, 200, j);
}
