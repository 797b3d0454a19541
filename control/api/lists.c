/* The run-time lists (state.h): /api/v1/tunnels, static-nat, prr, nonat,
 * softwires, acl6 and private, each a kind of the desired state; GET lists
 * (paged) or shows one, POST adds, PUT replaces, DELETE removes (one, or a
 * bulk array).
 * A change is validated, saved and only then acknowledged; the reply says
 * whether the dataplane runs it yet (reply_change). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "follow.h"
#include "query.h"
#include "reply.h"
#include "resources.h"
#include "state.h"

/* The request body as JSON; NULL after a 400. */
static json_t *body_json(const struct api_req *req, struct api_reply *out)
{
	json_error_t je;
	json_t *body = req->body ? json_loadb(req->body, req->body_len,
	                                      JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je)
	                         : NULL;
	char detail[256];

	if (body == NULL) {
		snprintf(detail, sizeof(detail), "the body is not JSON: %s",
		         req->body ? je.text : "empty");
		reply_error(out, 400, "bad request", detail, NULL);
	}
	return body;
}

static void add(struct api_ctx *ctx, const struct api_req *req, int kind, struct api_reply *out)
{
	json_t *body = body_json(req, out);
	struct state_err e;
	uint64_t gen;
	size_t n;

	if (body == NULL)
		return;
	n = json_is_array(body) ? json_array_size(body) : 1;
	if (state_add(ctx->state, (enum cfg_kind)kind, body, &gen, &e) < 0)
		reply_state_err(out, &e);
	else
		reply_change(ctx, out, 201, json_pack("{s:I}", "added", (json_int_t)n), gen);
	json_decref(body);
}

/* DELETE on a list: the entries of a JSON array, all or nothing (bulk). */
static void delete_many(struct api_ctx *ctx, const struct api_req *req, int kind,
                        struct api_reply *out)
{
	json_t *body = body_json(req, out);
	struct state_err e;
	uint64_t gen;
	size_t n;

	if (body == NULL)
		return;
	if (state_delete_many(ctx->state, (enum cfg_kind)kind, body, &gen, &n, &e) < 0)
		reply_state_err(out, &e);
	else
		reply_change(ctx, out, 200, json_pack("{s:I}", "deleted", (json_int_t)n), gen);
	json_decref(body);
}

/* PUT: the whole new entry in place of the old, in one change. */
static void replace(struct api_ctx *ctx, const struct api_req *req, int kind,
                    const char *const *seg, struct api_reply *out)
{
	json_t *body = body_json(req, out);
	struct state_err e;
	uint64_t gen;

	if (body == NULL)
		return;
	if (state_replace(ctx->state, (enum cfg_kind)kind, seg, body, &gen, &e) < 0)
		reply_state_err(out, &e);
	else
		reply_change(ctx, out, 200, json_pack("{s:i}", "replaced", 1), gen);
	json_decref(body);
}

/* GET a list, whole or a page of it (?offset=N&limit=M): a page shorter
 * than limit is the last. */
static void list(struct api_ctx *ctx, const struct api_req *req, int kind, struct api_reply *out)
{
	long long off = query_count(req, "offset", 0, 0, out), lim;

	if (off < 0 || (lim = query_count(req, "limit", LLONG_MAX, 1, out)) < 0)
		return;
	reply_json(out, 200, state_list(ctx->state, (enum cfg_kind)kind, (size_t)off, (size_t)lim));
}

void api_lists(struct api_ctx *ctx, const struct api_req *req, int kind, const char *const *seg,
               int nseg, struct api_reply *out)
{
	int want = state_kind_id_segments((enum cfg_kind)kind);
	struct state_err e;
	uint64_t gen;
	char detail[256];

	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0 &&
	    cluster_follows(ctx->cluster, (enum cfg_kind)kind)) {
		snprintf(detail, sizeof(detail),
		         "this AFTR takes its %s from %.120s (cluster.follow): change them there",
		         state_kind_url((enum cfg_kind)kind), cluster_leader(ctx->cluster));
		reply_error(out, 409, "conflict", detail, "cluster.follow");
	} else if (nseg != 0 && nseg != want) {
		snprintf(detail, sizeof(detail), "no resource %.200s (see /api/v1/openapi.json)",
		         req->url);
		reply_error(out, 404, "not found", detail, NULL);
	} else if (nseg == 0 &&
	           (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)) {
		list(ctx, req, kind, out);
	} else if (nseg == 0 && strcmp(req->method, "POST") == 0) {
		add(ctx, req, kind, out);
	} else if (nseg == 0 && strcmp(req->method, "DELETE") == 0) {
		delete_many(ctx, req, kind, out);
	} else if (nseg == want && strcmp(req->method, "DELETE") == 0) {
		if (state_delete(ctx->state, (enum cfg_kind)kind, seg, &gen, &e) < 0)
			reply_state_err(out, &e);
		else
			reply_change(ctx, out, 200, json_pack("{s:i}", "deleted", 1), gen);
	} else if (nseg == want && strcmp(req->method, "PUT") == 0) {
		replace(ctx, req, kind, seg, out);
	} else if (nseg == want &&
	           (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)) {
		json_t *o = state_get(ctx->state, (enum cfg_kind)kind, seg, &e);

		if (o == NULL)
			reply_state_err(out, &e);
		else
			reply_json(out, 200, o);
	} else {
		snprintf(detail, sizeof(detail), "%.200s supports %s", req->url,
		         nseg ? "GET, PUT and DELETE" : "GET, POST and DELETE");
		reply_error(out, 405, "method not allowed", detail, NULL);
		out->allow = nseg ? "GET, HEAD, PUT, DELETE" : "GET, HEAD, POST, DELETE";
	}
}
