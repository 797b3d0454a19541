/* The dataplane's shared counters (lib/stats_shm.h): GET /api/v1/counters
 * (ISC "show stat"), /api/v1/counters/drops (ISC "show dropped") and
 * /metrics (the same counters as Prometheus text). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "export.h"
#include "query.h"
#include "reply.h"
#include "resources.h"
#include "stats_json.h"
#include "stats_shm.h"

#define PROM_TYPE "text/plain; version=0.0.4"

static const struct stats_shm_hdr *open_counters(struct api_ctx *ctx, struct api_reply *out)
{
	const struct stats_shm_hdr *h = stats_shm_open(ctx->shm_name);

	if (h == NULL)
		reply_error(out, 503, "no dataplane",
		            "the dataplane is not running (no shared counters)", NULL);
	return h;
}

/* ISC "show stat": totals, and per lcore (workers, then main) on request. */
void api_get_counters(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
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
void api_get_drops(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
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

/* The control process's own: each event exporter's records sent and
 * lost and its send errors (export.h). */
static void exporter_metrics(FILE *f, struct api_ctx *ctx)
{
	static const char *const keys[][2] = {
	        {"records", "NAT event records an exporter sent (or queued on its connection)"},
	        {"lost", "NAT event records an exporter could not send"},
	        {"errors", "send or connection errors of an exporter"}};
	json_t *l = events_stats(ctx->events), *e;
	size_t i;

	for (size_t k = 0; l && json_array_size(l) && k < 3; k++) {
		fprintf(f,
		        "# HELP aftr_exporter_%s_total %s\n# TYPE aftr_exporter_%s_total counter\n",
		        keys[k][0], keys[k][1], keys[k][0]);
		json_array_foreach(l, i, e)
			fprintf(f,
			        "aftr_exporter_%s_total{exporter=\"%zu\",destination=\"%s\"} "
			        "%lld\n",
			        keys[k][0], i, json_string_value(json_object_get(e, "destination")),
			        (long long)json_integer_value(json_object_get(e, keys[k][0])));
	}
	json_decref(l);
}

/* Prometheus text format (0.0.4): every counter per lcore, and a
 * lcore="total" series with the sum (leave it out of sum() queries). */
void api_get_metrics(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
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
	if (f)
		exporter_metrics(f, ctx);
	if (f == NULL || fclose(f) != 0) {
		free(text);
		reply_error(out, 500, "internal error", "out of memory", NULL);
		return;
	}
	out->status = 200;
	out->content_type = PROM_TYPE;
	out->body = text;
}
