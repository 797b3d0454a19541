/* GET /api/v1/health: whether a dataplane runs, its workers answer and it
 * runs the latest state; 503 otherwise, for monitors and load balancers
 * (no token needed, see api_authorized). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "dpctl.h"
#include "reply.h"
#include "resources.h"
#include "stats_shm.h"
#include "sync.h"

/* The dataplane, as its shared counters show it; NULL when none runs. */
static json_t *dataplane_state(const struct api_ctx *ctx)
{
	const struct stats_shm_hdr *h = stats_shm_open(ctx->shm_name);
	json_t *j;

	if (h == NULL)
		return json_pack("{s:b}", "running", 0);
	j = json_pack("{s:b,s:i,s:I,s:i,s:I,s:I}", "running", 1, "pid", h->pid, "generation",
	              (json_int_t)(h->generation & INT64_MAX), "workers", h->nblocks - 1,
	              "start_time", (json_int_t)h->start_time, "uptime_s",
	              (json_int_t)(time(NULL) - h->start_time));
	stats_shm_close(h);
	return j;
}

#define PING_TIMEOUT_MS 500

/* ISC "noop" through the rings to every worker: each must answer. Returns
 * the list, and whether all did. */
static json_t *workers_alive(struct api_ctx *ctx, bool *all)
{
	int rcs[64];
	uint64_t rtts[64];
	unsigned int n = ctx->dp ? dpctl_ping_all(ctx->dp, PING_TIMEOUT_MS, rcs, rtts, 64) : 0;
	json_t *list = json_array();

	*all = n > 0;
	for (unsigned int w = 0; w < n; w++) {
		uint64_t rtt = rtts[w];
		int rc = rcs[w];

		*all &= rc == 0;
		json_array_append_new(
		        list, rc == 0 ? json_pack("{s:i,s:b,s:I}", "worker", w, "responsive", 1,
		                                  "rtt_us", (json_int_t)rtt)
		                      : json_pack("{s:i,s:b,s:s}", "worker", w, "responsive", 0,
		                                  "error", strerror(-rc)));
	}
	return list;
}

void api_get_health(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	json_t *dp = dataplane_state(ctx);
	int running = json_is_true(json_object_get(dp, "running"));
	bool alive = false;

	(void)req;
	if (running)
		json_object_set_new(dp, "workers_alive", workers_alive(ctx, &alive));
	/* 503 while the dataplane is missing or stuck: a monitor sees it. */
	if (ctx->sync)
		json_object_set_new(dp, "programming", sync_json(ctx->sync));
	reply_json(out, running && alive ? 200 : 503,
	           json_pack("{s:s,s:o,s:s}", "status", running && alive ? "ok" : "degraded",
	                     "dataplane", dp, "config", ctx->config_path));
}
