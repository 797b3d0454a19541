/* GET /api/v1/bgp: whether the AFTR's BGP announcements follow the
 * dataplane's health (bgp.bird_socket), and where they stand
 * (control/bgp/announce.h); PUT {"drain": true|false} takes the box out of
 * its anycast group (its routes withdrawn) or puts it back. */
#include <string.h>

#include "announce.h"
#include "reply.h"
#include "resources.h"

void api_get_bgp(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	(void)req;
	reply_json(out, 200, bgp_json(ctx->bgp));
}

void api_put_bgp(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	json_t *body = req->body ? json_loadb(req->body, req->body_len, 0, NULL) : NULL;
	const json_t *d = json_object_get(body, "drain");
	int rc;

	if (ctx->bgp == NULL) {
		reply_error(out, 409, "conflict",
		            "no BGP speaker to drain: bgp.bird_socket is not set",
		            "bgp.bird_socket");
	} else if (!json_is_object(body) || json_object_size(body) != 1 || !json_is_boolean(d)) {
		reply_error(out, 422, "unprocessable",
		            "the body must be {\"drain\": true} or {\"drain\": false}", "drain");
	} else if ((rc = bgp_drain(ctx->bgp, json_is_true(d))) < 0) {
		reply_error(out, 500, "internal error", strerror(-rc), NULL);
	} else {
		reply_json(out, 200, bgp_json(ctx->bgp));
	}
	json_decref(body);
}
