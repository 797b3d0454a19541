/* POST /api/v1/reload (ISC "reload"): the configuration file's lists
 * re-read (state_reload); the API's stay; pool addresses may come and go,
 * checked against the running dataplane's pools. */
#include <errno.h>
#include <string.h>

#include "reply.h"
#include "resources.h"
#include "state.h"

void api_reload(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	struct state_err e;
	json_t *running;
	uint64_t gen;
	int rc;

	if (strcmp(req->method, "POST") != 0) {
		reply_error(out, 405, "method not allowed", "/api/v1/reload supports POST", NULL);
		out->allow = "POST";
		return;
	}
	/* The running dataplane's pools, draining ones too (none running: no
	 * check; one that does not answer: not now, rather than unchecked). */
	running = pools_usage(ctx, &rc);
	if (running == NULL && rc != -ENOENT) {
		reply_error(out, 503, "dataplane not answering",
		            "its pools could not be asked, to check the file's against them: try "
		            "again",
		            NULL);
		return;
	}
	rc = state_reload(ctx->state, running, &gen, &e);
	json_decref(running);
	if (rc < 0)
		reply_state_err(out, &e);
	else
		reply_change(ctx, out, 200, json_pack("{s:b}", "reloaded", 1), gen);
}
