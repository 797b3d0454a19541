/* REST/JSON API: routing, authentication, and the read-only
 * resources (health, version, configuration, counters, metrics, the OpenAPI
 * document). See api.h. */
#include "api.h"

#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_json.h"
#include "counters.h"
#include "ctl_msg.h"
#include "dpctl.h"
#include "stats_json.h"
#include "stats_shm.h"
#include "api_int.h"
#include "query.h"
#include "reply.h"
#include "state.h"
#include "sync.h"

#define PROM_TYPE "text/plain; version=0.0.4"

extern const char api_openapi_json[]; /* openapi.c, made from openapi.json */

typedef void (*handler_fn)(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out);

static void get_version(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	(void)ctx;
	(void)req;
	reply_json(out, 200, json_pack("{s:s,s:s}", "version", AFTR_VERSION, "api", "v1"));
}

/* The dataplane, as its shared counters show it; NULL when none runs. */
static json_t *dataplane_state(const struct api_ctx *ctx)
{
	const struct stats_shm_hdr *h = stats_shm_open(ctx->shm_name);
	json_t *j;

	if (h == NULL)
		return json_pack("{s:b}", "running", 0);
	j = json_pack("{s:b,s:i,s:I,s:i}", "running", 1, "pid", h->pid, "generation",
	              (json_int_t)(h->generation & INT64_MAX), "workers", h->nblocks - 1);
	stats_shm_close(h);
	return j;
}

#define PING_TIMEOUT_MS 500

/* ISC "noop" through the rings to every worker: each must answer. Returns
 * the list, and whether all did. */
static json_t *workers_alive(struct api_ctx *ctx, bool *all)
{
	int rcs[64];
	uint64_t rtts[64];
	unsigned int n = ctx->dp ? dpctl_ping_all(ctx->dp, PING_TIMEOUT_MS, rcs, rtts, 64) : 0;
	json_t *list = json_array();

	*all = n > 0;
	for (unsigned int w = 0; w < n; w++) {
		uint64_t rtt = rtts[w];
		int rc = rcs[w];

		*all &= rc == 0;
		json_array_append_new(
		        list, rc == 0 ? json_pack("{s:i,s:b,s:I}", "worker", w, "responsive", 1,
		                                  "rtt_us", (json_int_t)rtt)
		                      : json_pack("{s:i,s:b,s:s}", "worker", w, "responsive", 0,
		                                  "error", strerror(-rc)));
	}
	return list;
}

static void get_health(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	json_t *dp = dataplane_state(ctx);
	int running = json_is_true(json_object_get(dp, "running"));
	bool alive = false;

	(void)req;
	if (running)
		json_object_set_new(dp, "workers_alive", workers_alive(ctx, &alive));
	/* 503 while the dataplane is missing or stuck: a monitor sees it. */
	if (ctx->sync)
		json_object_set_new(dp, "programming", sync_json(ctx->sync));
	reply_json(out, running && alive ? 200 : 503,
	           json_pack("{s:s,s:o,s:s}", "status", running && alive ? "ok" : "degraded",
	                     "dataplane", dp, "config", ctx->config_path));
}

static void get_config(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
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

static void get_pools(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	static const char *const keys[] = {"pools", "pool_defaults", "pcp", NULL};

	(void)req;
	config_part(ctx, out, keys);
}

static void get_defaults(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	static const char *const keys[] = {"tunnel_defaults", "nat",     "fragment", "acl6_icmp",
	                                   "decay",           "quantum", NULL};

	(void)req;
	config_part(ctx, out, keys);
}

static const struct stats_shm_hdr *open_counters(struct api_ctx *ctx, struct api_reply *out)
{
	const struct stats_shm_hdr *h = stats_shm_open(ctx->shm_name);

	if (h == NULL)
		reply_error(out, 503, "no dataplane",
		            "the dataplane is not running (no shared counters)", NULL);
	return h;
}

/* ISC "show stat": totals, and per lcore (workers, then main) on request. */
static void get_counters(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	int per = query_bool(req, "per_worker", out);
	const struct stats_shm_hdr *h = per < 0 ? NULL : open_counters(ctx, out);
	json_t *j;

	if (h == NULL)
		return;
	j = stats_shm_json(h, per, false);
	stats_shm_close(h);
	reply_json(out, 200, j);
}

/* ISC "show dropped": every drop reason with its count and meaning. */
static void get_drops(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	const struct stats_shm_hdr *h = open_counters(ctx, out);
	json_t *list;

	(void)req;
	if (h == NULL)
		return;
	list = json_array();
	for (uint32_t i = 0; i < h->ncounters; i++) {
		const char *n = stats_shm_name(h, i);

		if (strncmp(n, "drop_", 5) == 0)
			json_array_append_new(list,
			                      json_pack("{s:s,s:I,s:s}", "reason", n + 5, "count",
			                                (json_int_t)stats_shm_total(h, i), "help",
			                                aftr_stats_help(n)));
	}
	stats_shm_close(h);
	reply_json(out, 200, json_pack("{s:o}", "drops", list));
}

/* Prometheus text format (0.0.4): every counter per lcore, and a
 * lcore="total" series with the sum (leave it out of sum() queries). */
static void get_metrics(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	const struct stats_shm_hdr *h = open_counters(ctx, out);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)req;
	if (h == NULL)
		return;
	f = open_memstream(&text, &len);
	for (uint32_t i = 0; f && i < h->ncounters; i++) {
		const char *n = stats_shm_name(h, i);
		/* Prometheus naming: counters end in _total, gauges do not. */
		bool gauge = aftr_stats_is_gauge(n);
		const char *sfx = gauge ? "" : "_total";

		fprintf(f, "# HELP aftr_%s%s %s\n# TYPE aftr_%s%s %s\n", n, sfx, aftr_stats_help(n),
		        n, sfx, gauge ? "gauge" : "counter");
		for (uint32_t b = 0; b + 1 < h->nblocks; b++)
			fprintf(f, "aftr_%s%s{lcore=\"worker%u\"} %lu\n", n, sfx, b,
			        (unsigned long)stats_shm_value(h, b, i));
		fprintf(f, "aftr_%s%s{lcore=\"main\"} %lu\n", n, sfx,
		        (unsigned long)stats_shm_value(h, h->nblocks - 1, i));
		fprintf(f, "aftr_%s%s{lcore=\"total\"} %lu\n", n, sfx,
		        (unsigned long)stats_shm_total(h, i));
	}
	stats_shm_close(h);
	if (f == NULL || fclose(f) != 0) {
		free(text);
		reply_error(out, 500, "internal error", "out of memory", NULL);
		return;
	}
	out->status = 200;
	out->content_type = PROM_TYPE;
	out->body = text;
}

#define SESSIONS_LIMIT_MAX 1000

/* A cursor is "worker:slot", as get_sessions writes it: digits only. */
static int parse_cursor(const char *v, unsigned int *w, uint32_t *i)
{
	unsigned long a, b;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -1;
	a = strtoul(v, &end, 10);
	if (*end != ':' || !isdigit((unsigned char)end[1]))
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end || a > UINT16_MAX || b >= CTL_DUMP_END)
		return -1;
	*w = (unsigned int)a;
	*i = (uint32_t)b;
	return 0;
}

/* Parses the session filter from the query; 0, or -1 after a 422 reply. */
static int session_filter(const struct api_req *req, struct ctl_msg *f, unsigned int *limit,
                          unsigned int *cw, uint32_t *ci, struct api_reply *out)
{
	const char *v;
	char err[160];
	struct addr6 b4;
	uint32_t a;

	memset(f, 0, sizeof(*f));
	*limit = 100;
	*cw = 0;
	*ci = 0;
#define ARG(k) (req->arg ? req->arg(req->arg_ctx, k) : NULL)
	if ((v = ARG("b4")) != NULL) {
		if (addr6_parse(v, &b4, err, sizeof(err)) < 0)
			goto bad_b4;
		f->u.dump.has_b4 = 1;
		memcpy(f->u.dump.b4, b4.b, 16);
	}
	if ((v = ARG("protocol")) != NULL) {
		int p = cfg_name_lookup(cfg_proto_names, v);

		if (p < 0) {
			reply_error(out, 422, "invalid value", "protocol: tcp, udp or icmp",
			            "protocol");
			return -1;
		}
		f->u.dump.proto = p == CFG_TCP   ? IPPROTO_TCP
		                  : p == CFG_UDP ? IPPROTO_UDP
		                                 : IPPROTO_ICMP;
	}
	if ((v = ARG("external_address")) != NULL) {
		if (addr4_parse(v, &a, err, sizeof(err)) < 0) {
			reply_error(out, 422, "invalid value", err, "external_address");
			return -1;
		}
		f->u.dump.ext = htonl(a);
	}
	if ((v = ARG("external_port")) != NULL) {
		char *end;
		unsigned long port = strtoul(v, &end, 10);

		if (*v == '\0' || *end || port == 0 || port > 65535) {
			reply_error(out, 422, "invalid value", "external_port: 1-65535",
			            "external_port");
			return -1;
		}
		f->u.dump.eport = (uint16_t)port;
	}
	if ((v = ARG("limit")) != NULL) {
		char *end;
		unsigned long l = strtoul(v, &end, 10);

		if (*v == '\0' || *end || l == 0 || l > SESSIONS_LIMIT_MAX) {
			reply_error(out, 422, "invalid value", "limit: 1-1000", "limit");
			return -1;
		}
		*limit = (unsigned int)l;
	}
	if ((v = ARG("cursor")) != NULL && parse_cursor(v, cw, ci) < 0) {
		reply_error(out, 422, "invalid value", "cursor: the \"next\" of the previous page",
		            "cursor");
		return -1;
	}
#undef ARG
	return 0;
bad_b4:
	reply_error(out, 422, "invalid value", err, "b4");
	return -1;
}

/* A listing through the workers' rings, filtered and paged: each worker
 * lists its own, a slice at a time; "next" is "worker:slot". */
static void paged(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out,
                  uint16_t cmd, const char *key)
{
	unsigned int limit, w, n = ctx->dp ? dpctl_workers(ctx->dp) : 0;
	uint32_t idx, next = CTL_DUMP_END;
	char cursor[32];
	struct ctl_msg f;
	json_t *list;
	int rc = 0;

	if (session_filter(req, &f, &limit, &w, &idx, out) < 0)
		return;
	f.type = cmd;
	if (n == 0) {
		reply_error(out, 503, "no dataplane", "the dataplane is not running", NULL);
		return;
	}
	if (w >= n) {
		reply_error(out, 422, "invalid value", "cursor: the \"next\" of the previous page",
		            "cursor");
		return;
	}
	list = json_array();
	while (w < n && json_array_size(list) < limit) {
		rc = dpctl_dump(ctx->dp, w, &f, idx, (uint16_t)(limit - json_array_size(list)),
		                list, &next);
		if (rc < 0)
			break;
		if (next == CTL_DUMP_END) {
			w++;
			idx = 0;
		} else {
			idx = next;
		}
	}
	if (rc < 0) {
		json_decref(list);
		reply_error(out, 503, "dataplane not answering", strerror(-rc), NULL);
		return;
	}
	snprintf(cursor, sizeof(cursor), "%u:%u", w, idx);
	reply_json(out, 200,
	           json_pack("{s:o,s:o}", key, list, "next",
	                     w < n ? json_string(cursor) : json_null()));
}

/* Dynamic sessions (ISC "list nat dynamic"). */
static void get_sessions(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	paged(ctx, req, out, CTL_CMD_SESSIONS, "sessions");
}

/* Subscribers (tunnels with NAT state): their sessions per protocol and
 * their port blocks (ISC "list nat" buckets); filtered by b4 and
 * external_address. */
static void get_subscribers(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	paged(ctx, req, out, CTL_CMD_SUBSCRIBERS, "subscribers");
}

static void get_openapi(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	(void)ctx;
	(void)req;
	out->status = 200;
	out->content_type = JSON_TYPE;
	out->body = strdup(api_openapi_json);
	if (out->body == NULL)
		reply_error(out, 500, "internal error", "out of memory", NULL);
}

struct route {
	const char *path;
	handler_fn get;
};

static const struct route routes[] = {
        {"/api/v1/health", get_health},
        {"/api/v1/version", get_version},
        {"/api/v1/config", get_config},
        {"/api/v1/counters", get_counters},
        {"/api/v1/counters/drops", get_drops},
        {"/api/v1/sessions", get_sessions},
        {"/api/v1/subscribers", get_subscribers},
        {"/api/v1/pools", get_pools},
        {"/api/v1/defaults", get_defaults},
        {"/api/v1/openapi.json", get_openapi},
        {"/metrics", get_metrics},
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
	api_resource(ctx, req, kind, seg + 1, n - 1, out);
	return true;
}

static const struct route *route_of(const char *url)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(url, routes[i].path) == 0)
			return &routes[i];
	return NULL;
}

/* The health check answers without a token, for load balancers. */
bool api_authorized(const struct api_ctx *ctx, const struct api_req *req)
{
	const struct route *r = route_of(req->url);

	return (r && r->get == get_health) || token_ok(ctx, req->authorization);
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
	if (r == NULL && route_state(ctx, req, out))
		return;
	if (r == NULL) {
		snprintf(detail, sizeof(detail), "no resource %.200s (see /api/v1/openapi.json)",
		         req->url);
		reply_error(out, 404, "not found", detail, NULL);
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		snprintf(detail, sizeof(detail), "%.200s supports GET only", req->url);
		reply_error(out, 405, "method not allowed", detail, NULL);
		out->allow = "GET, HEAD";
		return;
	}
	r->get(ctx, req, out);
}
