/* The REST/JSON API of aftr-control (libmicrohttpd + jansson), under
 * /api/v1/ and /metrics; control/openapi.json describes it.
 *
 * Handlers run on libmicrohttpd's thread and only read: the configuration
 * (immutable while the API runs) and the dataplane's shared counters. */
#ifndef AFTR_API_H
#define AFTR_API_H

#include <jansson.h>

#include "config.h"

struct api;

struct dpctl;

struct api_ctx {
	const struct aftr_config *cfg;
	struct dpctl *dp; /* the rings to the dataplane's workers, or NULL */
	const char *config_path;
	const char *shm_name; /* the dataplane's counters: /dev/shm/<name>-stats */
	char *token;          /* required bearer token, or NULL */
};

/* Starts listening (cfg->api_listen, cfg->api_port). Returns NULL with a
 * message in err on failure. */
struct api *api_start(struct api_ctx *ctx, char *err, size_t errlen);
void api_stop(struct api *a);

/* One request, as the server sees it (the tests call api_handle directly). */
struct api_req {
	const char *method, *url;
	const char *authorization;                          /* the header, or NULL */
	const char *(*arg)(void *arg_ctx, const char *key); /* query arguments */
	void *arg_ctx;
};

struct api_reply {
	unsigned int status;
	char *body; /* malloc'd; free it */
	const char *content_type;
};

void api_handle(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);

#endif
