/* The drops of B4s, from the workers' heavy-hitter tables (the dataplane's
 * worker/b4drops.h: each worker keeps the B4s that drop most on it; a
 * B4's entries are summed here over the workers), and what the workers
 * know of one B4 (its learned softwire MTU, when its sessions last saw a
 * packet). GET /api/v1/b4s?top=N: the B4s that drop most; GET
 * /api/v1/b4s/ADDRESS (b4.c) adds one B4's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b4_drops.h"
#include "ctl_msg.h"
#include "dpctl.h"
#include "query.h"
#include "reply.h"
#include "resources.h"

#define TOP_MAX     1000
#define B4D_PER_CMD 64 /* B4s asked for a command (their events fit the ring) */

/* Every worker's entries (of b4 only, when given): 0, -ENOENT or the error. */
static int gather(struct api_ctx *ctx, const struct addr6 *b4, json_t *out)
{
	struct ctl_msg f = {.type = CTL_CMD_B4DROPS, .u.dump.has_b4 = b4 != NULL};

	if (b4)
		memcpy(f.u.dump.b4, b4->b, 16);
	return dpctl_dump_workers(ctx->dp, &f, B4D_PER_CMD, out);
}

/* Entry e of another worker added into sum (the same B4). */
static void add_into(json_t *sum, const json_t *e)
{
	json_t *r = json_object_get(sum, "reasons"), *v;
	const char *k;

	json_object_set_new(sum, "drops",
	                    json_integer(json_integer_value(json_object_get(sum, "drops")) +
	                                 json_integer_value(json_object_get(e, "drops"))));
	if (json_integer_value(json_object_get(e, "since_s")) >
	    json_integer_value(json_object_get(sum, "since_s")))
		json_object_set(sum, "since_s", json_object_get(e, "since_s"));
	if (json_integer_value(json_object_get(e, "last_drop_s")) <
	    json_integer_value(json_object_get(sum, "last_drop_s")))
		json_object_set(sum, "last_drop_s", json_object_get(e, "last_drop_s"));
	json_object_foreach((json_t *)json_object_get(e, "reasons"), k, v)
		json_object_set_new(r, k,
		                    json_integer(json_integer_value(json_object_get(r, k)) +
		                                 json_integer_value(v)));
}

/* The workers' entries summed per B4, in an array (no "worker"). */
static json_t *merge(const json_t *entries)
{
	json_t *by = json_object(), *a = json_array(), *e, *v;
	const char *k;
	size_t i;

	json_array_foreach(entries, i, e) {
		const char *b4 = json_string_value(json_object_get(e, "b4"));
		json_t *sum = json_object_get(by, b4);

		if (sum) {
			add_into(sum, e);
			continue;
		}
		sum = json_deep_copy(e);
		json_object_del(sum, "worker");
		json_object_set_new(by, b4, sum);
	}
	json_object_foreach(by, k, v)
		json_array_append(a, v);
	json_decref(by);
	return a;
}

static int by_drops(const void *x, const void *y)
{
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "drops"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "drops"));

	return a < b ? 1 : a > b ? -1 : 0;
}

/* The workers' B4 facts (CTL_CMD_B4: b4, or only their tables' sizes). */
static int facts(struct api_ctx *ctx, const struct addr6 *b4, json_t *out)
{
	struct ctl_msg f = {.type = CTL_CMD_B4, .u.dump.has_b4 = b4 != NULL};

	if (b4)
		memcpy(f.u.dump.b4, b4->b, 16);
	return dpctl_dump_workers(ctx->dp, &f, 1, out);
}

int b4_drops_of(struct api_ctx *ctx, const struct addr6 *b4, json_t *view)
{
	json_t *entries = json_array(), *fa = json_array(), *m, *f;
	json_int_t mtu = 0;
	size_t i;
	int rc = gather(ctx, b4, entries);

	if (rc == 0)
		rc = facts(ctx, b4, fa);
	m = rc == 0 ? merge(entries) : NULL;
	json_object_set_new(view, "drops",
	                    json_array_size(m) ? json_incref(json_array_get(m, 0)) : json_null());
	json_object_set_new(view, "last_active_s", json_null());
	json_array_foreach(fa, i, f) {
		json_t *active = json_object_get(f, "last_active_s");

		if (json_integer_value(json_object_get(f, "pmtu")) > mtu)
			mtu = json_integer_value(json_object_get(f, "pmtu"));
		if (active)
			json_object_set(view, "last_active_s", active);
	}
	json_object_set_new(view, "pmtu", mtu ? json_integer(mtu) : json_null());
	json_decref(m);
	json_decref(entries);
	json_decref(fa);
	return rc;
}

void api_get_b4_top(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	long long top = query_count(req, "top", 10, 1, out);
	json_t *entries = json_array(), *fa = json_array(), *m, *a, *f;
	json_int_t tracked = 0, capacity = 0, replaced = 0;
	size_t n, i;
	json_t **v;
	int rc;

	if (top < 0)
		goto done;
	if (top > TOP_MAX) {
		reply_error(out, 422, "invalid value", "top is 1-1000", "top");
		goto done;
	}
	if ((rc = gather(ctx, NULL, entries)) < 0 || (rc = facts(ctx, NULL, fa)) < 0) {
		reply_error(out, 503, "no dataplane", strerror(-rc), NULL);
		goto done;
	}
	m = merge(entries);
	n = json_array_size(m);
	v = calloc(n ? n : 1, sizeof(*v));
	for (i = 0; v && i < n; i++)
		v[i] = json_array_get(m, i);
	if (v)
		qsort(v, n, sizeof(*v), by_drops);
	a = json_array();
	for (i = 0; v && i < n && i < (size_t)top; i++)
		json_array_append(a, v[i]);
	free(v);
	json_decref(m);
	json_array_foreach(fa, i, f) {
		tracked += json_integer_value(json_object_get(f, "tracked"));
		capacity += json_integer_value(json_object_get(f, "capacity"));
		replaced += json_integer_value(json_object_get(f, "replaced"));
	}
	reply_json(out, 200,
	           json_pack("{s:o,s:I,s:I,s:I}", "b4s", a, "tracked", tracked, "capacity",
	                     capacity, "replaced", replaced));
done:
	json_decref(entries);
	json_decref(fa);
}
