/* What the API's handler files share (api.c, api_tables.c). */
#ifndef AFTR_API_INT_H
#define AFTR_API_INT_H

#include <jansson.h>

#include "api.h"

#define API_MAX_SEGS 8

/* /api/v1/<kind>[/<id segments>]: GET lists, POST adds, DELETE removes. */
void api_resource(struct api_ctx *ctx, const struct api_req *req, int kind, const char *const *seg,
                  int nseg, struct api_reply *out);
/* POST /api/v1/reload. */
void api_reload(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);

#endif
