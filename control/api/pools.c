/* Pool utilisation: each pool address and protocol, its state (active, or
 * draining after a reload removed it), its port blocks used and free and
 * its ports in use, summed over the workers' shares (asked through their
 * rings, CTL_CMD_POOLS). GET /api/v1/pools/usage, aftrctl
 * show pools, and the aftr_pool_* gauges of /metrics. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_msg.h"
#include "dpctl.h"
#include "reply.h"
#include "resources.h"

#define SLICE 256 /* shares a command lists at most */

/* Every worker's shares, in one list: 0, or -ENOENT (no dataplane) or
 * the dump's error. */
static int shares(struct api_ctx *ctx, json_t *list)
{
	struct ctl_msg filter = {.type = CTL_CMD_POOLS};

	return dpctl_dump_workers(ctx->dp, &filter, SLICE, list);
}

static void add(json_t *into, const json_t *from, const char *key)
{
	json_object_set_new(into, key,
	                    json_integer(json_integer_value(json_object_get(into, key)) +
	                                 json_integer_value(json_object_get(from, key))));
}

json_t *pools_usage(struct api_ctx *ctx, int *rc)
{
	json_t *list = json_array(), *by = json_object(), *out = json_array(), *s;
	size_t i;

	*rc = list && by && out ? shares(ctx, list) : -ENOMEM;
	json_array_foreach(*rc == 0 ? list : NULL, i, s) {
		char key[40];
		json_t *p;

		snprintf(key, sizeof(key), "%s/%s",
		         json_string_value(json_object_get(s, "address")),
		         json_string_value(json_object_get(s, "protocol")));
		if ((p = json_object_get(by, key)) == NULL) {
			p = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:i,s:i,s:i,s:i}", "address",
			              json_object_get(s, "address"), "protocol",
			              json_object_get(s, "protocol"), "state",
			              json_object_get(s, "state"), "first_port",
			              json_object_get(s, "first_port"), "block_size",
			              json_object_get(s, "block_size"), "blocks_all",
			              json_object_get(s, "blocks_all"), "blocks", 0, "blocks_free",
			              0, "ports", 0, "ports_used", 0);
			json_object_set_new(by, key, p);
			json_array_append(out, p);
		}
		add(p, s, "blocks");
		add(p, s, "blocks_free");
		add(p, s, "ports");
		add(p, s, "ports_used");
	}
	json_array_foreach(out, i, s) {
		json_int_t blocks = json_integer_value(json_object_get(s, "blocks")),
		           used = blocks - json_integer_value(json_object_get(s, "blocks_free"));

		json_object_set_new(s, "blocks_used", json_integer(used));
		json_object_set_new(s, "utilisation",
		                    json_real(blocks ? (double)used / (double)blocks : 0.0));
	}
	json_decref(list);
	json_decref(by);
	if (*rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

void api_get_pool_usage(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	int rc;
	json_t *pools = pools_usage(ctx, &rc);

	(void)req;
	if (rc == -ENOENT)
		reply_error(out, 503, "no dataplane", "the dataplane is not running", NULL);
	else if (pools == NULL)
		reply_error(out, 503, "dataplane not answering", strerror(-rc), NULL);
	else
		reply_json(out, 200, json_pack("{s:o}", "pools", pools));
}
