/* GET /api/v1/who: who had a public address and port at a time (README.md,
 * "Answering an abuse request"). Now: from the workers' live NAT state,
 * through their rings; another time (or no dataplane): from the event log
 * (lib/export/evlog.h); with nat.deterministic, from its formula too. */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "ctl_msg.h"
#include "determ.h"
#include "dpctl.h"
#include "evlog.h"
#include "export.h"
#include "query.h"
#include "reply.h"
#include "resources.h"
#include "util.h"

#define LIVE_MAX 1000 /* subscribers of one address a worker lists at a time */

static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP};

static json_t *time_json(uint64_t ms)
{
	char buf[40];

	return ms ? json_string(evlog_format_time(ms, buf, sizeof(buf))) : json_null();
}

static json_t *b4_json(const uint8_t b[16])
{
	char s[ADDR6_STRLEN];
	struct addr6 a;

	memcpy(a.b, b, 16);
	return json_string(addr6_format(&a, s));
}

static json_t *a4_json(uint32_t net)
{
	char s[ADDR4_STRLEN];

	return json_string(addr4_format(ntohl(net), s));
}

/* One protocol's answer from the event log. */
static json_t *log_answer(uint8_t proto, const struct evlog_hit *h)
{
	json_t *o = json_pack("{s:s,s:s}", "protocol", ctl_msg_proto_name(proto), "source", "log");

	if (h->block)
		json_object_set_new(o, "b4", b4_json(h->alloc.u.block.b4));
	else
		json_object_set_new(o, "b4", b4_json(h->create.u.sess.b4));
	if (h->block)
		json_object_set_new(o, "block",
		                    json_pack("{s:i,s:i,s:o,s:o}", "first", h->alloc.u.block.first,
		                              "last",
		                              h->alloc.u.block.first + h->alloc.u.block.count - 1,
		                              "allocated", time_json(h->alloc.time_ms), "released",
		                              time_json(h->released_ms)));
	if (h->session)
		json_object_set_new(o, "session",
		                    json_pack("{s:o,s:i,s:o,s:i,s:o,s:o}", "inside_address",
		                              a4_json(h->create.u.sess.src), "inside_port",
		                              h->create.u.sess.sport, "destination",
		                              a4_json(h->create.u.sess.dst), "destination_port",
		                              h->create.u.sess.dport, "created",
		                              time_json(h->create.time_ms), "ended",
		                              time_json(h->ended_ms)));
	return o;
}

/* From nat.deterministic's formula (time does not matter): one answer a
 * protocol whose blocks hold the port. */
static void from_determ(struct api_ctx *ctx, uint32_t addr_host, uint16_t port, uint8_t proto,
                        json_t *answers)
{
	const struct aftr_config *cfg = ctx->cfg;
	char err[256], pf[PREFIX6_STRLEN];
	struct determ d;
	int pool = -1;

	if (cfg == NULL || !cfg->fixed.has_determ || determ_init(&d, cfg, err, sizeof(err)) < 0)
		return;
	for (size_t k = 0; k < cfg->fixed.n_pools; k++)
		if (cfg->fixed.pools[k].addr == addr_host)
			pool = (int)k;
	for (int p = 0; pool >= 0 && p < CFG_NPROTO; p++) {
		int64_t i = determ_reverse(&d, (uint32_t)pool, (enum cfg_proto)p, port);
		struct prefix6 b4;
		uint16_t first, last;

		if (i < 0 || (proto && cfg_proto_ip((enum cfg_proto)p) != proto))
			continue;
		determ_prefix(&d, (uint64_t)i, &b4);
		determ_ports(&d, (uint64_t)i, (enum cfg_proto)p, &first, &last);
		json_array_append_new(
		        answers, json_pack("{s:s,s:s,s:s,s:I,s:{s:i,s:i}}", "protocol",
		                           cfg_proto_names[p], "source", "deterministic",
		                           "b4_prefix", prefix6_format(&b4, pf), "subscriber",
		                           (json_int_t)i, "block", "first", first, "last", last));
	}
}

/* From the event log: 0, or -1 after an error reply. */
static int from_log(struct api_ctx *ctx, uint32_t addr, uint16_t port, uint8_t proto, uint64_t at,
                    json_t *answers, struct api_reply *out)
{
	const char *dir = events_log_dir(ctx->events);
	struct evlog_hit h;

	if (dir == NULL) {
		reply_error(out, 409, "no event log",
		            "logging.event_log is off: only the live state can answer (no \"at\")",
		            "at");
		return -1;
	}
	for (size_t i = 0; i < sizeof(protos); i++) {
		int rc;

		if (proto && protos[i] != proto)
			continue;
		rc = evlog_who(dir, addr, port, protos[i], at, &h);
		if (rc < 0) {
			reply_error(out, 500, "event log", strerror(-rc), NULL);
			return -1;
		}
		if (rc)
			json_array_append_new(answers, log_answer(protos[i], &h));
	}
	return 0;
}

/* The block of a listed subscriber holding port (protocol name p). */
static json_t *block_of(json_t *sub, uint16_t port, const char *p)
{
	json_t *b;
	size_t i;

	json_array_foreach(json_object_get(sub, "blocks"), i, b) {
		if (strcmp(json_string_value(json_object_get(b, "protocol")), p) == 0 &&
		    json_integer_value(json_object_get(b, "first")) <= port &&
		    json_integer_value(json_object_get(b, "last")) >= port)
			return b;
	}
	return NULL;
}

/* A worker's listing of everything matching filter (all pages). */
static int dump_all(struct api_ctx *ctx, unsigned int w, struct ctl_msg *f, json_t *list)
{
	uint32_t cursor = 0;
	int rc;

	do {
		rc = dpctl_dump(ctx->dp, w, f, cursor, LIVE_MAX, list, &cursor);
	} while (rc == 0 && cursor != CTL_DUMP_END);
	return rc;
}

/* From the workers' state now: 0, or -errno. */
static int from_live(struct api_ctx *ctx, uint32_t addr, uint16_t port, uint8_t proto,
                     json_t *answers)
{
	unsigned int n = dpctl_workers(ctx->dp);
	json_t *subs = json_array(), *sess = json_array(), *s, *b;
	struct ctl_msg f = {.type = CTL_CMD_SUBSCRIBERS};
	size_t i, k;
	int rc = 0;

	f.u.dump.ext = addr;
	for (unsigned int w = 0; rc == 0 && w < n; w++)
		rc = dump_all(ctx, w, &f, subs);
	f = (struct ctl_msg){.type = CTL_CMD_SESSIONS};
	f.u.dump.ext = addr;
	f.u.dump.eport = port;
	f.u.dump.proto = proto;
	for (unsigned int w = 0; rc == 0 && w < n; w++)
		rc = dump_all(ctx, w, &f, sess);
	for (i = 0; rc == 0 && i < sizeof(protos); i++) {
		const char *p = ctl_msg_proto_name(protos[i]);
		json_t *o = NULL;

		if (proto && protos[i] != proto)
			continue;
		json_array_foreach(subs, k, s) {
			if ((b = block_of(s, port, p)) == NULL)
				continue;
			o = json_pack("{s:s,s:s,s:O,s:{s:O,s:O}}", "protocol", p, "source", "live",
			              "b4", json_object_get(s, "b4"), "block", "first",
			              json_object_get(b, "first"), "last",
			              json_object_get(b, "last"));
			break;
		}
		json_array_foreach(sess, k, s) {
			if (strcmp(json_string_value(json_object_get(s, "protocol")), p) != 0)
				continue;
			if (o == NULL)
				o = json_pack("{s:s,s:s,s:O}", "protocol", p, "source", "live",
				              "b4", json_object_get(s, "b4"));
			json_object_set_new(o, "session",
			                    json_pack("{s:O,s:O,s:O}", "inside_address",
			                              json_object_get(s, "address"), "inside_port",
			                              json_object_get(s, "port"), "state",
			                              json_object_get(s, "state")));
			break;
		}
		if (o)
			json_array_append_new(answers, o);
	}
	json_decref(subs);
	json_decref(sess);
	return rc;
}

void api_get_who(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	const char *va = query_arg(req, "address"), *vp = query_arg(req, "port"),
	           *vr = query_arg(req, "protocol"), *vt = query_arg(req, "at");
	uint32_t a;
	unsigned long port;
	char *end;
	int p = vr ? cfg_name_lookup(cfg_proto_names, vr) : -1;
	uint8_t proto = p < 0 ? 0 : (uint8_t)cfg_proto_ip((enum cfg_proto)p);
	int64_t at = vt ? evlog_parse_time(vt) : -1;
	bool live = vt == NULL && ctx->dp && dpctl_workers(ctx->dp) > 0;
	json_t *answers;
	int rc;

	if (va == NULL || addr4_parse(va, &a, NULL, 0) < 0) {
		reply_error(out, 422, "invalid value", "address: the public IPv4 address",
		            "address");
		return;
	}
	if (vp == NULL || (port = strtoul(vp, &end, 10), *vp == '\0' || *end || port > 65535)) {
		reply_error(out, 422, "invalid value", "port: 0-65535", "port");
		return;
	}
	if (vr && p < 0) {
		reply_error(out, 422, "invalid value", "protocol: tcp, udp or icmp", "protocol");
		return;
	}
	if (vt && at < 0) {
		reply_error(out, 422, "invalid value",
		            "at: a time in UTC, 2026-12-03T14:02:11Z, or seconds since 1970", "at");
		return;
	}
	if (vt == NULL)
		at = (int64_t)wall_ms();
	answers = json_array();
	from_determ(ctx, a, (uint16_t)port, proto, answers);
	if (live) {
		rc = from_live(ctx, htonl(a), (uint16_t)port, proto, answers);
		if (rc < 0) {
			json_decref(answers);
			{
				reply_error(out, 503, "dataplane not answering", strerror(-rc),
				            NULL);
				return;
			}
		}
	} else if (from_log(ctx, htonl(a), (uint16_t)port, proto, (uint64_t)at, answers, out) < 0) {
		json_decref(answers);
		return;
	}
	reply_json(out, 200,
	           json_pack("{s:s,s:i,s:o,s:s,s:o}", "address", va, "port", (int)port, "at",
	                     time_json((uint64_t)at), "from", live ? "live" : "log", "answers",
	                     answers));
}
