/* GET /api/v1/version: the AFTR's version and the API's. */
#include "reply.h"
#include "resources.h"

void api_get_version(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	(void)ctx;
	(void)req;
	reply_json(out, 200, json_pack("{s:s,s:s}", "version", AFTR_VERSION, "api", "v1"));
}
