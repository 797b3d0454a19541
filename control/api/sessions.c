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
#include "reply.h"
#include "resources.h"

#define SESSIONS_LIMIT_MAX 1000

/* A cursor is "worker:slot", as paged() writes it: digits only. */
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
void api_get_sessions(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	paged(ctx, req, out, CTL_CMD_SESSIONS, "sessions");
}

/* Subscribers (tunnels with NAT state): their sessions per protocol and
 * their port blocks (ISC "list nat" buckets); filtered by b4 and
 * external_address. */
void api_get_subscribers(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	paged(ctx, req, out, CTL_CMD_SUBSCRIBERS, "subscribers");
}
