/* The REST/JSON API of aftr-control (libmicrohttpd + jansson), under
 * /api/v1/ and /metrics; control/api/openapi.json describes it.
 *
 * Handlers run on libmicrohttpd's threads: the read-only resources read the
 * dataplane's shared counters and rings; the run-time lists go through the
 * desired state (state.h), which has its own lock. */
#ifndef AFTR_API_H
#define AFTR_API_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"

struct api;

struct dpctl;
struct state;
struct sync;

struct api_ctx {
	const struct aftr_config *cfg; /* as loaded at start: where to listen */
	struct state *state;           /* the desired state */
	struct sync *sync;             /* the dataplane's programming, or NULL */
	struct dpctl *dp;              /* the rings to the dataplane's workers, or NULL */
	struct events *events;         /* the event records' exporters, or NULL */
	struct pcp_server *pcp;        /* the PCP server (pcp.daemon), or NULL */
	struct bgp_announce *bgp;      /* the announcements' follower (bgp), or NULL */
	struct cluster *cluster;       /* the leader this box follows (cluster), or NULL */
	const char *config_path;
	const char *state_dir; /* --state: the event log's default home */
	const char *shm_name;  /* the dataplane's counters: /dev/shm/<name>-stats */
	char *token;           /* required bearer token, or NULL */
};

/* The server (server.c): starts listening (cfg->api_listen,
 * cfg->api_port). Returns NULL with a message in err on failure. */
struct api *api_start(struct api_ctx *ctx, char *err, size_t errlen);
void api_stop(struct api *a);

/* One request, as the server sees it (the tests call api_handle directly). */
struct api_req {
	const char *method, *url;
	const char *authorization;                          /* the header, or NULL */
	const char *(*arg)(void *arg_ctx, const char *key); /* query arguments */
	void *arg_ctx;
	const char *body; /* the request body (POST), or NULL */
	size_t body_len;
};

struct api_reply {
	unsigned int status;
	char *body; /* malloc'd; free it */
	const char *content_type;
	const char *allow; /* the Allow header of a 405 */
	/* More headers: name, value, ..., NULL (static), or NULL. */
	const char *const *headers;
};

/* The router (router.c): answers one request. */
void api_handle(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);
/* Whether a request may be answered: it carries the token, or it asks for
 * the health check, which load balancers call without one, or the status
 * page's files, which a browser fetches without one (ui.c). */
bool api_authorized(const struct api_ctx *ctx, const struct api_req *req);

#endif
