/* The API's answers; see reply.h. */
#include "reply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "sync.h"

void reply_json(struct api_reply *out, unsigned int status, json_t *body)
{
	out->status = status;
	out->content_type = JSON_TYPE;
	out->body = body ? json_dumps(body, JSON_INDENT(2)) : NULL;
	json_decref(body);
	if (out->body == NULL) {
		out->status = 500;
		out->body =
		        strdup("{\"error\": \"internal error\", \"detail\": \"out of memory\"}");
	}
}

void reply_error(struct api_reply *out, unsigned int status, const char *error, const char *detail,
                 const char *field)
{
	json_t *e = json_pack("{s:s,s:s}", "error", error, "detail", detail);

	if (e && field)
		json_object_set_new(e, "field", json_string(field));
	reply_json(out, status, e);
}

void reply_state_err(struct api_reply *out, const struct state_err *e)
{
	reply_error(out, e->status, e->error, e->detail, *e->field ? e->field : NULL);
}

void reply_change(struct api_ctx *ctx, struct api_reply *out, unsigned int status, json_t *body,
                  uint64_t gen)
{
	char why[256] = "";
	int rc = ctx->sync ? sync_wait(ctx->sync, gen, APPLY_WAIT_MS, why, sizeof(why)) : -ENOENT;

	json_object_set_new(body, "generation", json_integer((json_int_t)gen));
	json_object_set_new(body, "applied", json_boolean(rc == 0));
	if (rc == -ENOENT)
		json_object_set_new(body, "detail",
		                    json_string("saved; no dataplane runs: it gets this state when "
		                                "it starts"));
	else if (rc < 0)
		json_object_set_new(body, "detail", json_string(why));
	reply_json(out, status, body);
}
