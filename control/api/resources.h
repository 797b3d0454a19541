/* The resources the router (router.c) answers with, one file each; each
 * handler fills the reply (reply.h). */
#ifndef AFTR_API_RESOURCES_H
#define AFTR_API_RESOURCES_H

#include "api.h"

typedef void (*api_handler)(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);

/* Read-only resources: GET (and HEAD) only. */
void api_get_health(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_version(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_config(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_pools(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_defaults(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_counters(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_drops(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_metrics(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_rates(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
/* GET /api/v1/b4s/{address} (b4.c): api_is_b4 says whether url is one. */
void api_delete_sessions(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_b4(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
bool api_is_b4(const char *url);
/* GET /api/v1/b4s?top=N: the B4s that drop most (b4_drops.c). */
void api_get_b4_top(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
/* GET /api/v1/bgp: the announcements following the dataplane's health (bgp.c). */
void api_get_bgp(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_put_bgp(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
/* GET /api/v1/changes, /api/v1/cluster: the group's shared lists (cluster.c). */
void api_get_changes(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_cluster(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
/* GET /api/v1/pcp: the PCP server's counters and mappings (pcp.c). */
void api_get_pcp(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_pool_usage(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
/* Each pool address and protocol's blocks, used and free, and ports in use,
 * summed over the workers (pools.c); NULL with *rc -ENOENT (no dataplane)
 * or the workers' error. */
json_t *pools_usage(struct api_ctx *ctx, int *rc);
void api_get_sessions(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_subscribers(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_who(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
void api_get_openapi(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
/* The status page's files (ui.c): / and /ui/...; api_is_ui says whether
 * url is one of its paths. */
void api_get_ui(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
bool api_is_ui(const char *url);

/* The run-time lists (lists.c), /api/v1/<kind>[/<id segments>]: GET
 * lists, POST adds, PUT replaces, DELETE removes. */
void api_lists(struct api_ctx *ctx, const struct api_req *req, int kind, const char *const *seg,
               int nseg, struct api_reply *out);
/* POST /api/v1/reload (reload.c). */
void api_reload(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);

#endif
