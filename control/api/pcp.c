/* GET /api/v1/pcp: the PCP server (RFC 6887): whether it runs, its epoch,
 * requests by opcode, answers by result code, and the mappings it made
 * (control/pcp/pcp_server.h). */
#include "pcp_server.h"
#include "reply.h"
#include "resources.h"

void api_get_pcp(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	(void)req;
	reply_json(out, 200, pcp_json(ctx->pcp));
}
