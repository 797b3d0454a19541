/* GET /api/v1/openapi.json: the API's OpenAPI 3 document (openapi.json,
 * built into the binary as openapi_json.c by embed.py). */
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "resources.h"

extern const char api_openapi_json[]; /* openapi_json.c, made from openapi.json */

void api_get_openapi(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	(void)ctx;
	(void)req;
	out->status = 200;
	out->content_type = JSON_TYPE;
	out->body = strdup(api_openapi_json);
	if (out->body == NULL)
		reply_error(out, 500, "internal error", "out of memory", NULL);
}
