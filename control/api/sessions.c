/* GET /api/v1/sessions (ISC "list nat dynamic") and /api/v1/subscribers
 * (each B4 with NAT state, its port blocks): the NAT state the workers
 * hold, listed through their rings (dpctl.h), filtered and paged. */
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "ctl_msg.h"
#include "dpctl.h"
#include "query.h"
#include "reply.h"
#include "resources.h"

#define SESSIONS_LIMIT_MAX 1000

/* A listing's request: what to match and where its page starts. */
struct listing {
	struct ctl_msg filter; /* type and u.dump (proto, b4, ext, eport) */
	unsigned int limit;    /* entries on the page */
	unsigned int worker;   /* the cursor: the worker, and its slot */
	uint32_t slot;
};

/* Each query argument's parser: 0, or -1 after a 422 reply. */
typedef int (*listing_arg)(const char *v, struct listing *l, struct api_reply *out);

static int arg_b4(const char *v, struct listing *l, struct api_reply *out)
{
	char err[160];
	struct addr6 b4;

	if (addr6_parse(v, &b4, err, sizeof(err)) < 0) {
		reply_error(out, 422, "invalid value", err, "b4");
		return -1;
	}
	l->filter.u.dump.has_b4 = 1;
	memcpy(l->filter.u.dump.b4, b4.b, 16);
	return 0;
}

static int arg_protocol(const char *v, struct listing *l, struct api_reply *out)
{
	int p = cfg_name_lookup(cfg_proto_names, v);

	if (p < 0) {
		reply_error(out, 422, "invalid value", "protocol: tcp, udp or icmp", "protocol");
		return -1;
	}
	l->filter.u.dump.proto = p == CFG_TCP   ? IPPROTO_TCP
	                         : p == CFG_UDP ? IPPROTO_UDP
	                                        : IPPROTO_ICMP;
	return 0;
}

static int arg_external_address(const char *v, struct listing *l, struct api_reply *out)
{
	char err[160];
	uint32_t a;

	if (addr4_parse(v, &a, err, sizeof(err)) < 0) {
		reply_error(out, 422, "invalid value", err, "external_address");
		return -1;
	}
	l->filter.u.dump.ext = htonl(a);
	return 0;
}

static int arg_external_port(const char *v, struct listing *l, struct api_reply *out)
{
	char *end;
	unsigned long port = strtoul(v, &end, 10);

	if (*v == '\0' || *end || port == 0 || port > 65535) {
		reply_error(out, 422, "invalid value", "external_port: 1-65535", "external_port");
		return -1;
	}
	l->filter.u.dump.eport = (uint16_t)port;
	return 0;
}

static int arg_limit(const char *v, struct listing *l, struct api_reply *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*v == '\0' || *end || n == 0 || n > SESSIONS_LIMIT_MAX) {
		reply_error(out, 422, "invalid value", "limit: 1-1000", "limit");
		return -1;
	}
	l->limit = (unsigned int)n;
	return 0;
}

static int bad_cursor(struct api_reply *out)
{
	reply_error(out, 422, "invalid value", "cursor: the \"next\" of the previous page",
	            "cursor");
	return -1;
}

/* A cursor is "worker:slot", as paged() writes it: digits only. */
static int arg_cursor(const char *v, struct listing *l, struct api_reply *out)
{
	unsigned long w, slot;
	char *end;

	if (!isdigit((unsigned char)*v))
		return bad_cursor(out);
	w = strtoul(v, &end, 10);
	if (*end != ':' || !isdigit((unsigned char)end[1]))
		return bad_cursor(out);
	slot = strtoul(end + 1, &end, 10);
	if (*end || w > UINT16_MAX || slot >= CTL_DUMP_END)
		return bad_cursor(out);
	l->worker = (unsigned int)w;
	l->slot = (uint32_t)slot;
	return 0;
}

/* The listing the query asks for; 0, or -1 after a 422 reply naming the
 * first argument (in this order) that is wrong. */
static int listing_of(const struct api_req *req, uint16_t cmd, struct listing *l,
                      struct api_reply *out)
{
	static const struct {
		const char *key;
		listing_arg parse;
	} args[] = {
	        {"b4", arg_b4},
	        {"protocol", arg_protocol},
	        {"external_address", arg_external_address},
	        {"external_port", arg_external_port},
	        {"limit", arg_limit},
	        {"cursor", arg_cursor},
	};

	memset(l, 0, sizeof(*l));
	l->limit = 100;
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		const char *v = query_arg(req, args[i].key);

		if (v != NULL && args[i].parse(v, l, out) < 0)
			return -1;
	}
	l->filter.type = cmd;
	return 0;
}

/* Fills list with up to l->limit entries from the cursor on, worker after
 * worker of the n, moving the cursor past them. 0 or -errno. */
static int fetch(struct api_ctx *ctx, struct listing *l, unsigned int n, json_t *list)
{
	uint32_t next;
	int rc;

	while (l->worker < n && json_array_size(list) < l->limit) {
		rc = dpctl_dump(ctx->dp, l->worker, &l->filter, l->slot,
		                (uint16_t)(l->limit - json_array_size(list)), list, &next);
		if (rc < 0)
			return rc;
		if (next == CTL_DUMP_END) {
			l->worker++;
			l->slot = 0;
		} else {
			l->slot = next;
		}
	}
	return 0;
}

/* A listing through the workers' rings, filtered and paged: each worker
 * lists its own, a slice at a time; "next" is "worker:slot". */
static void paged(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out,
                  uint16_t cmd, const char *key)
{
	unsigned int n = ctx->dp ? dpctl_workers(ctx->dp) : 0;
	struct listing l;
	char cursor[32];
	json_t *list;
	int rc;

	if (listing_of(req, cmd, &l, out) < 0)
		return;
	if (n == 0) {
		reply_error(out, 503, "no dataplane", "the dataplane is not running", NULL);
		return;
	}
	if (l.worker >= n) {
		bad_cursor(out);
		return;
	}
	list = json_array();
	rc = fetch(ctx, &l, n, list);
	if (rc < 0) {
		json_decref(list);
		reply_error(out, 503, "dataplane not answering", strerror(-rc), NULL);
		return;
	}
	snprintf(cursor, sizeof(cursor), "%u:%u", l.worker, l.slot);
	reply_json(out, 200,
	           json_pack("{s:o,s:o}", key, list, "next",
	                     l.worker < n ? json_string(cursor) : json_null()));
}

/* Dynamic sessions (ISC "list nat dynamic"). */
void api_get_sessions(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	paged(ctx, req, out, CTL_CMD_SESSIONS, "sessions");
}

/* DELETE /api/v1/sessions?b4=B4[&protocol=P&external_address=A&
 * external_port=N]: ends the B4's sessions that match now, as their
 * expiry would (event records, ports held), on every worker (VPP's "nat44
 * del session", Juniper's "clear services sessions"). A B4 is required:
 * the NOC clears one subscriber, never every one at once. The answer
 * lists the sessions ended. */
void api_delete_sessions(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	unsigned int n = ctx->dp ? dpctl_workers(ctx->dp) : 0;
	struct listing l;
	json_t *list;
	int rc = 0;

	if (listing_of(req, CTL_CMD_CLEAR, &l, out) < 0)
		return;
	if (!l.filter.u.dump.has_b4) {
		reply_error(out, 422, "invalid value", "b4: required (the sessions of one B4 go)",
		            "b4");
		return;
	}
	if (n == 0) {
		reply_error(out, 503, "no dataplane", "the dataplane is not running", NULL);
		return;
	}
	list = json_array();
	for (unsigned int w = 0; rc == 0 && w < n; w++) {
		uint32_t cursor = 0, next = 0;

		while (rc == 0 && next != CTL_DUMP_END) {
			rc = dpctl_dump(ctx->dp, w, &l.filter, cursor, 256, list, &next);
			cursor = next;
		}
	}
	if (rc < 0) {
		reply_error(out, 503, "dataplane not answering", strerror(-rc), NULL);
		json_decref(list);
		return;
	}
	reply_json(out, 200,
	           json_pack("{s:I,s:o}", "cleared", (json_int_t)json_array_size(list), "sessions",
	                     list));
}

/* Subscribers (tunnels with NAT state): their sessions per protocol and
 * their port blocks (ISC "list nat" buckets); filtered by b4 and
 * external_address. */
void api_get_subscribers(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	paged(ctx, req, out, CTL_CMD_SUBSCRIBERS, "subscribers");
}
