/* GET /api/v1/changes: this box's change records for the boxes that
 * follow it (control/cluster/follow.h), a long poll; GET /api/v1/cluster:
 * whom this box follows and how far it is. */
#include <inttypes.h>
#include <stdio.h>

#include "follow.h"
#include "query.h"
#include "reply.h"
#include "resources.h"
#include "state.h"

#define CHANGES_WAIT_MAX_S 60
#define CHANGES_LIMIT_MAX  10000

/* ?since=G: the records after generation G (at most ?limit=, 1000 by
 * default), waiting up to ?wait= seconds (0 by default, 60 at most) for
 * one when there is none; 410 when they are not kept (read the lists
 * whole). Without since: the origin and the generation only. */
void api_get_changes(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	long long since = query_count(req, "since", -1, 0, out), wait, limit;
	json_t *changes = NULL;
	uint64_t latest;
	char id[17];

	if (since == -1 && query_arg(req, "since"))
		return;
	if ((wait = query_count(req, "wait", 0, 0, out)) < 0 ||
	    (limit = query_count(req, "limit", 1000, 1, out)) < 0)
		return;
	if (wait > CHANGES_WAIT_MAX_S || limit > CHANGES_LIMIT_MAX) {
		reply_error(out, 422, "unprocessable",
		            wait > CHANGES_WAIT_MAX_S ? "wait: at most 60 (seconds)"
		                                      : "limit: at most 10000 (records)",
		            wait > CHANGES_WAIT_MAX_S ? "wait" : "limit");
		return;
	}
	snprintf(id, sizeof(id), "%016" PRIx64, state_origin(ctx->state));
	if (since < 0) {
		reply_json(out, 200,
		           json_pack("{s:s,s:I}", "origin", id, "generation",
		                     (json_int_t)state_generation(ctx->state)));
		return;
	}
	if (state_changes(ctx->state, (uint64_t)since, (size_t)limit, (unsigned int)wait * 1000,
	                  &changes, &latest) < 0) {
		reply_json(
		        out, 410,
		        json_pack("{s:s,s:s,s:s,s:I}", "error", "gone", "detail",
		                  "the records after that generation are not kept: read the lists "
		                  "whole, then the records from the generation given here",
		                  "origin", id, "generation", (json_int_t)latest));
		return;
	}
	reply_json(out, 200,
	           json_pack("{s:s,s:I,s:o}", "origin", id, "generation", (json_int_t)latest,
	                     "changes", changes));
}

void api_get_cluster(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	(void)req;
	reply_json(out, 200, cluster_json(ctx->cluster, ctx->state));
}
