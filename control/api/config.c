/* GET /api/v1/config (?sparse=1), and its parts that change with a restart
 * only: /api/v1/pools and /api/v1/defaults. The effective configuration:
 * the file's followed by the API's (state.h). */
#include "query.h"
#include "reply.h"
#include "resources.h"
#include "state.h"

void api_get_config(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	int sparse = query_bool(req, "sparse", out);

	if (sparse >= 0)
		reply_json(out, 200, state_config_json(ctx->state, sparse));
}

/* Parts of the effective configuration, as read-only resources: the pools
 * and the defaults (ISC section zero; they change with a restart). */
static void config_part(struct api_ctx *ctx, struct api_reply *out, const char *const *keys)
{
	json_t *all = state_config_json(ctx->state, false), *o = json_object();

	for (int i = 0; all && o && keys[i]; i++)
		json_object_set(o, keys[i], json_object_get(all, keys[i]));
	json_decref(all);
	reply_json(out, 200, all ? o : (json_decref(o), NULL));
}

void api_get_pools(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	static const char *const keys[] = {"pools", "pool_defaults", "pcp", NULL};

	(void)req;
	config_part(ctx, out, keys);
}

void api_get_defaults(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	static const char *const keys[] = {"tunnel_defaults", "nat",     "fragment", "acl6_icmp",
	                                   "decay",           "quantum", NULL};

	(void)req;
	config_part(ctx, out, keys);
}
