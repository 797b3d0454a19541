/* The API's router: which resource answers a request (resources.h), after
 * the bearer token is checked, with the 401, 404 and 405 errors. See
 * api.h. */
#include "api.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "reply.h"
#include "resources.h"
#include "state.h"

#define API_MAX_SEGS 8

struct route {
	const char *path;
	api_handler get;
};

static const struct route routes[] = {
        {"/api/v1/health", api_get_health},
        {"/api/v1/version", api_get_version},
        {"/api/v1/config", api_get_config},
        {"/api/v1/counters", api_get_counters},
        {"/api/v1/counters/drops", api_get_drops},
        {"/api/v1/rates", api_get_rates},
        {"/api/v1/sessions", api_get_sessions},
        {"/api/v1/subscribers", api_get_subscribers},
        {"/api/v1/who", api_get_who},
        {"/api/v1/bgp", api_get_bgp},
        {"/api/v1/changes", api_get_changes},
        {"/api/v1/cluster", api_get_cluster},
        {"/api/v1/pcp", api_get_pcp},
        {"/api/v1/pools", api_get_pools},
        {"/api/v1/pools/usage", api_get_pool_usage},
        {"/api/v1/b4s", api_get_b4_top},
        {"/api/v1/defaults", api_get_defaults},
        {"/api/v1/openapi.json", api_get_openapi},
        {"/metrics", api_get_metrics},
};

/* Constant-time comparison, so the token cannot be guessed byte by byte. */
static bool token_ok(const struct api_ctx *ctx, const char *authorization)
{
	size_t n = ctx->token ? strlen(ctx->token) : 0;
	unsigned char diff = 0;

	if (ctx->token == NULL)
		return true;
	if (authorization == NULL || strncmp(authorization, "Bearer ", 7) != 0 ||
	    strlen(authorization + 7) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(authorization[7 + i] ^ ctx->token[i]);
	return diff == 0;
}

/* The run-time lists and reload: /api/v1/<kind>[/<id>...]. False when the
 * URL is none of them. */
static bool route_state(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	static const char prefix[] = "/api/v1/";
	const char *seg[API_MAX_SEGS];
	char buf[512], *save = NULL, *tok;
	int n = 0, kind;

	if (ctx->state == NULL || strncmp(req->url, prefix, sizeof(prefix) - 1) != 0 ||
	    strlen(req->url) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", req->url + sizeof(prefix) - 1);
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (n < API_MAX_SEGS)
			seg[n++] = tok;
		else
			return false;
	if (n == 1 && strcmp(seg[0], "reload") == 0) {
		api_reload(ctx, req, out);
		return true;
	}
	if (n == 0 || (kind = state_kind(seg[0])) < 0)
		return false;
	api_lists(ctx, req, kind, seg + 1, n - 1, out);
	return true;
}

static const struct route *route_of(const char *url)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(url, routes[i].path) == 0)
			return &routes[i];
	return NULL;
}

/* The health check answers without a token, for load balancers; so do the
 * status page's files, for browsers (its script sends the token). */
bool api_authorized(const struct api_ctx *ctx, const struct api_req *req)
{
	const struct route *r = route_of(req->url);

	return (r && r->get == api_get_health) || api_is_ui(req->url) ||
	       token_ok(ctx, req->authorization);
}

/* A resource named by a prefix (what, in the 405's detail): GET and HEAD. */
static void get_only(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out,
                     api_handler get, const char *what)
{
	char detail[128];

	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
		get(ctx, req, out);
		return;
	}
	snprintf(detail, sizeof(detail), "%s supports GET only", what);
	reply_error(out, 405, "method not allowed", detail, NULL);
	out->allow = "GET, HEAD";
}

void api_handle(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	const struct route *r = route_of(req->url);
	char detail[256];

	memset(out, 0, sizeof(*out));
	if (!api_authorized(ctx, req)) {
		reply_error(out, 401, "unauthorized",
		            "send the API token as \"Authorization: Bearer TOKEN\"", NULL);
		return;
	}
	if (api_is_ui(req->url)) {
		get_only(ctx, req, out, api_get_ui, "the status page");
		return;
	}
	if (r == NULL && api_is_b4(req->url)) {
		get_only(ctx, req, out, api_get_b4, "a B4's view");
		return;
	}
	if (r == NULL && route_state(ctx, req, out))
		return;
	if (r == NULL) {
		snprintf(detail, sizeof(detail), "no resource %.200s (see /api/v1/openapi.json)",
		         req->url);
		reply_error(out, 404, "not found", detail, NULL);
		return;
	}
	if (r->get == api_get_sessions && strcmp(req->method, "DELETE") == 0) {
		api_delete_sessions(ctx, req, out);
		return;
	}
	if (r->get == api_get_bgp && strcmp(req->method, "PUT") == 0) {
		api_put_bgp(ctx, req, out);
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		bool del = r->get == api_get_sessions, put = r->get == api_get_bgp;

		snprintf(detail, sizeof(detail), "%.200s supports GET%s only", req->url,
		         del   ? " and DELETE"
		         : put ? " and PUT"
		               : "");
		reply_error(out, 405, "method not allowed", detail, NULL);
		out->allow = del ? "GET, HEAD, DELETE" : put ? "GET, HEAD, PUT" : "GET, HEAD";
		return;
	}
	r->get(ctx, req, out);
}
