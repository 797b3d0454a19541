/* GET /api/v1/bgp: whether the AFTR's BGP announcements follow the
 * dataplane's health (bgp.bird_socket), and where they stand
 * (control/bgp/announce.h). */
#include "announce.h"
#include "reply.h"
#include "resources.h"

void api_get_bgp(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	(void)req;
	reply_json(out, 200, bgp_json(ctx->bgp));
}
