/* GET /api/v1/b4s/{address}: one B4 as the NOC asks about it ("why is
 * this customer dropping?"): how it is served (its mode, from the
 * configuration: lw4o6 softwires, nonat, prr, static NAT, a configured or
 * dynamic NAPT tunnel, or nothing when acl6 does not admit it), its
 * entries, its NAT limits and its NAT state now (sessions and port blocks
 * per protocol, from the worker that owns it) and how near each limit it
 * is; its drops by reason, its learned softwire MTU and when its sessions
 * last saw a packet (b4_drops.c). aftrctl show b4 ADDRESS prints it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "b4_drops.h"
#include "config.h"
#include "ctl_msg.h"
#include "dpctl.h"
#include "reply.h"
#include "resources.h"
#include "state.h"

#define B4_PREFIX "/api/v1/b4s/"

static const char *const protos[CFG_NPROTO] = {"tcp", "udp", "icmp"};

/* How the dataplane treats the B4's packets (the order the packet path
 * tests them in does not matter: the configuration refuses mixtures
 * that would clash, cfg_validate). */
static const char *mode(const json_t *e)
{
	if (json_array_size(json_object_get(e, "softwires")))
		return "lw4o6";
	if (json_array_size(json_object_get(e, "nonat")))
		return "nonat";
	if (json_array_size(json_object_get(e, "tunnels")) ||
	    json_array_size(json_object_get(e, "static-nat")))
		return "napt";
	if (json_array_size(json_object_get(e, "prr")))
		return "prr";
	return json_is_string(json_object_get(e, "acl6")) ? "napt (dynamic tunnel)"
	                                                  : "none (outside acl6: dropped)";
}

/* Its NAT state, from every worker (only its owner has any): the
 * subscriber record, or null. 0, or the workers' error. */
static int nat_state(struct api_ctx *ctx, const struct addr6 *b4, json_t **sub)
{
	struct ctl_msg filter = {.type = CTL_CMD_SUBSCRIBERS, .u.dump.has_b4 = 1};
	unsigned int n = ctx->dp ? dpctl_workers(ctx->dp) : 0;
	json_t *found = json_array();

	memcpy(filter.u.dump.b4, b4->b, 16);
	*sub = NULL;
	if (n == 0) {
		json_decref(found);
		return -ENOENT;
	}
	for (unsigned int w = 0; w < n; w++) {
		uint32_t next;
		int rc = dpctl_dump(ctx->dp, w, &filter, 0, 1, found, &next);

		if (rc < 0) {
			json_decref(found);
			return rc;
		}
	}
	*sub = json_incref(json_array_get(found, 0));
	json_decref(found);
	return 0;
}

/* Its own limit of protocol p from its tunnel entry's key (nat_maxcount,
 * nat_rate), else dflt; *own says which. */
static unsigned int own_limit(const json_t *e, const char *key, int p, unsigned int dflt, bool *own)
{
	const json_t *v = json_object_get(
	        json_object_get(json_array_get(json_object_get(e, "tunnels"), 0), key), protos[p]);

	*own = json_is_integer(v);
	return *own ? (unsigned int)json_integer_value(v) : dflt;
}

/* Its limits (its tunnel's own, else the defaults) and, with its NAT
 * state, how near each it is. */
static json_t *limits(const struct aftr_config *cfg, const json_t *e, const json_t *sub)
{
	json_t *l = json_object();

	for (int p = 0; p < CFG_NPROTO; p++) {
		json_int_t used = json_integer_value(
		        json_object_get(json_object_get(sub, "sessions"), protos[p]));
		bool own_max, own_rate;
		unsigned int max =
		        own_limit(e, "nat_maxcount", p, cfg->fixed.tun.nat_maxcount[p], &own_max);
		unsigned int rate =
		        own_limit(e, "nat_rate", p, cfg->fixed.tun.nat_rate[p], &own_rate);

		json_object_set_new(l, protos[p],
		                    json_pack("{s:i,s:i,s:I,s:f,s:s,s:s}", "sessions_max", max,
		                              "new_sessions_per_s", rate, "sessions", used,
		                              "sessions_used", max ? (double)used / max : 0.0,
		                              "sessions_max_from", own_max ? "tunnel" : "default",
		                              "new_sessions_per_s_from",
		                              own_rate ? "tunnel" : "default"));
	}
	return l;
}

void api_get_b4(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	const char *text = req->url + strlen(B4_PREFIX);
	struct addr6 b4;
	json_t *e, *sub = NULL, *j;
	int rc;

	if (addr6_parse(text, &b4, NULL, 0) < 0) {
		reply_error(out, 422, "invalid value",
		            "the B4 is an IPv6 address: /api/v1/b4s/ADDRESS", "address");
		return;
	}
	e = state_b4(ctx->state, &b4);
	if (e == NULL) {
		reply_error(out, 500, "internal error", "out of memory", NULL);
		return;
	}
	rc = nat_state(ctx, &b4, &sub);
	j = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "b4", text, "mode", mode(e), "entries", e, "nat",
	              sub ? json_incref(sub) : json_null(), "limits", limits(ctx->cfg, e, sub),
	              "dataplane", rc == 0 ? json_string("running") : json_string(strerror(-rc)));
	if (j)
		b4_drops_of(ctx, &b4, j);
	json_decref(sub);
	reply_json(out, 200, j);
}

bool api_is_b4(const char *url)
{
	return strncmp(url, B4_PREFIX, strlen(B4_PREFIX)) == 0 && url[strlen(B4_PREFIX)] != '\0';
}
