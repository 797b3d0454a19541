/* GET /metrics: the dataplane's shared counters (lib/shm/stats_shm.h),
 * aftr-control's event exporters and the build, in the Prometheus text
 * format 0.0.4, named as Prometheus asks (prometheus.io/docs/practices/
 * naming): one metric per family, what varies in labels (lcore, interface,
 * drop reason, filter rule), counters ending in _total, time in seconds.
 * Each sample of a dataplane counter is one lcore's, so sum() over lcore
 * is the whole (there is no total series to count twice). The dataplane
 * missing is a scrape that works: aftr_dataplane_up 0. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "dpctl.h"
#include "export.h"
#include "announce.h"
#include "follow.h"
#include "pcp_server.h"
#include "reply.h"
#include "resources.h"
#include "stats_shm.h"

#define PROM_TYPE       "text/plain; version=0.0.4"
#define PING_TIMEOUT_MS 500
#define MAX_WORKERS     64

/* Where a counter of the region goes: its family, its labels but the
 * lcore's, and how its samples are read. */
struct series {
	char family[96]; /* the metric's name */
	char labels[128];
	const char *help;
	bool gauge;
	bool per_lcore; /* else one sample: the whole (the ports' statistics) */
	double scale;   /* 1e-9 for nanoseconds */
};

static const char drops_help[] = "packets dropped, each under one reason (GET "
                                 "/api/v1/counters/drops says what each reason means)";

/* "transport" or "wan" at the start of s, then '_': its length, or 0. */
static size_t iface_at(const char *s)
{
	return strncmp(s, "transport_", 10) == 0 ? 9 : strncmp(s, "wan_", 4) == 0 ? 3 : 0;
}

static void classify(const char *n, struct series *s)
{
	size_t len = strlen(n), i;
	const char *rule;

	*s = (struct series){.help = aftr_stats_help(n),
	                     .gauge = aftr_stats_is_gauge(n),
	                     .per_lcore = true,
	                     .scale = 1};
	if (strncmp(n, "drop_", 5) == 0) {
		snprintf(s->family, sizeof(s->family), "aftr_drops_total");
		snprintf(s->labels, sizeof(s->labels), "reason=\"%s\"", n + 5);
		s->help = drops_help;
	} else if (strncmp(n, "port_", 5) == 0 && (i = iface_at(n + 5)) > 0) {
		snprintf(s->family, sizeof(s->family), "aftr_port_%s_total", n + 5 + i + 1);
		snprintf(s->labels, sizeof(s->labels), "interface=\"%.*s\"", (int)i, n + 5);
		s->per_lcore = false;
	} else if (strncmp(n, "filter_", 7) == 0 && (i = iface_at(n + 7)) > 0 &&
	           (rule = strrchr(n, '_')) > n + 7 + i + 1) {
		/* filter_IFACE_DIR_N */
		snprintf(s->family, sizeof(s->family), "aftr_filter_matches_total");
		snprintf(s->labels, sizeof(s->labels),
		         "interface=\"%.*s\",direction=\"%.*s\",rule=\"%s\"", (int)i, n + 7,
		         (int)(rule - (n + 7 + i + 1)), n + 7 + i + 1, rule + 1);
		s->help = "packets that matched a rule of filters.INTERFACE.DIRECTION (rule: its "
		          "index, from 0)";
	} else if ((strncmp(n, "rx_", 3) == 0 || strncmp(n, "tx_", 3) == 0) &&
	           (strcmp(n + 3, "transport") == 0 || strcmp(n + 3, "wan") == 0)) {
		snprintf(s->family, sizeof(s->family), "aftr_%.2s_packets_total", n);
		snprintf(s->labels, sizeof(s->labels), "interface=\"%s\"", n + 3);
		s->help = n[0] == 'r' ? "packets received on an interface"
		                      : "packets sent on an interface";
	} else if (len > 3 && strcmp(n + len - 3, "_ns") == 0) {
		snprintf(s->family, sizeof(s->family), "aftr_%.*s_seconds_total", (int)(len - 3),
		         n);
		s->scale = 1e-9;
	} else {
		snprintf(s->family, sizeof(s->family), "aftr_%s%s", n, s->gauge ? "" : "_total");
	}
}

static void value(FILE *f, double v, double scale)
{
	if (scale == 1)
		fprintf(f, "%.0f\n", v);
	else
		fprintf(f, "%.9g\n", v * scale);
}

/* The samples of counter i in the family already headed. */
static void samples(FILE *f, const struct stats_shm_hdr *h, uint32_t i, const struct series *s)
{
	const char *sep = s->labels[0] ? "," : "";

	if (!s->per_lcore) {
		fprintf(f, "%s{%s} ", s->family, s->labels);
		value(f, (double)stats_shm_total(h, i), s->scale);
		return;
	}
	for (uint32_t b = 0; b < h->nblocks; b++) {
		if (b + 1 < h->nblocks)
			fprintf(f, "%s{%s%slcore=\"worker%u\"} ", s->family, s->labels, sep, b);
		else
			fprintf(f, "%s{%s%slcore=\"main\"} ", s->family, s->labels, sep);
		value(f, (double)stats_shm_value(h, b, i), s->scale);
	}
}

/* Every counter of the region, a family's samples together under one
 * HELP and TYPE (the text format wants them so). */
static void dataplane_counters(FILE *f, const struct stats_shm_hdr *h)
{
	uint32_t n = h->ncounters;
	struct series *s = calloc(n ? n : 1, sizeof(*s));
	bool *done = calloc(n ? n : 1, sizeof(*done));

	for (uint32_t i = 0; s && done && i < n; i++)
		classify(stats_shm_name(h, i), &s[i]);
	for (uint32_t i = 0; s && done && i < n; i++) {
		if (done[i])
			continue;
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", s[i].family, s[i].help, s[i].family,
		        s[i].gauge ? "gauge" : "counter");
		for (uint32_t k = i; k < n; k++)
			if (!done[k] && strcmp(s[k].family, s[i].family) == 0) {
				samples(f, h, k, &s[k]);
				done[k] = true;
			}
	}
	free(s);
	free(done);
}

static void gauge(FILE *f, const char *name, const char *help, const char *labels, double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s%s%s%s %.9g\n", name, help, name, name,
	        labels ? "{" : "", labels ? labels : "", labels ? "}" : "", v);
}

/* The dataplane as a whole, and each worker answering a ping through its
 * ring (ISC noop, as /health does): a stuck worker shows at once. Whether
 * every worker answered (then they can be asked for their pools). */
static bool dataplane_state(FILE *f, struct api_ctx *ctx, const struct stats_shm_hdr *h)
{
	int rcs[MAX_WORKERS];
	uint64_t rtts[MAX_WORKERS];
	unsigned int n =
	        h && ctx->dp ? dpctl_ping_all(ctx->dp, PING_TIMEOUT_MS, rcs, rtts, MAX_WORKERS) : 0;
	uint64_t gen = 0, origin = 0;

	bool all = n > 0;

	gauge(f, "aftr_dataplane_up", "1 while a dataplane runs (its shared counters are there)",
	      NULL, h != NULL);
	if (h == NULL)
		return false;
	stats_shm_tables(h, &gen, &origin);
	gauge(f, "aftr_dataplane_start_time_seconds",
	      "when the running dataplane started, seconds since the epoch", NULL,
	      (double)h->start_time);
	gauge(f, "aftr_dataplane_workers", "the running dataplane's workers", NULL, h->nblocks - 1);
	gauge(f, "aftr_tables_generation",
	      "the generation of the tables the dataplane runs (0: its own configuration file)",
	      NULL, (double)gen);
	fprintf(f, "# HELP aftr_worker_up 1 when the worker answered a ping through its ring "
	           "within 0.5 s\n# TYPE aftr_worker_up gauge\n");
	for (unsigned int w = 0; w < n; w++) {
		fprintf(f, "aftr_worker_up{lcore=\"worker%u\"} %d\n", w, rcs[w] == 0);
		all &= rcs[w] == 0;
	}
	fprintf(f, "# HELP aftr_worker_ping_seconds how long the worker took to answer the ping\n"
	           "# TYPE aftr_worker_ping_seconds gauge\n");
	for (unsigned int w = 0; w < n; w++)
		if (rcs[w] == 0)
			fprintf(f, "aftr_worker_ping_seconds{lcore=\"worker%u\"} %.6f\n", w,
			        (double)rtts[w] * 1e-6);
	return all;
}

/* Each pool address and protocol's port blocks and ports, summed over
 * the workers (pools.c). */
static void pool_gauges(FILE *f, struct api_ctx *ctx)
{
	static const char *const g[][3] = {
	        {"aftr_pool_blocks", "blocks", "port blocks of a pool address and protocol"},
	        {"aftr_pool_blocks_used", "blocks_used", "of those, held by a subscriber"},
	        {"aftr_pool_ports", "ports", "ports in the blocks"},
	        {"aftr_pool_ports_used", "ports_used",
	         "of those, in use by a session or waiting out their hold time"},
	        {"aftr_pool_draining", "state",
	         "1 while the pool address drains (a reload removed it: no new subscriber)"}};
	int rc;
	json_t *pools = pools_usage(ctx, &rc), *p;
	size_t i;

	for (size_t k = 0; pools && json_array_size(pools) && k < 5; k++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", g[k][0], g[k][2], g[k][0]);
		json_array_foreach(pools, i, p) {
			const json_t *v = json_object_get(p, g[k][1]);
			long long n = json_is_string(v)
			                      ? strcmp(json_string_value(v), "draining") == 0
			                      : json_integer_value(v);

			fprintf(f, "%s{address=\"%s\",protocol=\"%s\"} %lld\n", g[k][0],
			        json_string_value(json_object_get(p, "address")),
			        json_string_value(json_object_get(p, "protocol")), n);
		}
	}
	json_decref(pools);
}

/* A label value as the text format wants it: backslash, double quote and
 * line feed escaped. */
static void label_value(FILE *f, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
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
		json_array_foreach(l, i, e) {
			fprintf(f, "aftr_exporter_%s_total{exporter=\"%zu\",destination=\"",
			        keys[k][0], i);
			label_value(f, json_string_value(json_object_get(e, "destination")));
			fprintf(f, "\"} %lld\n",
			        (long long)json_integer_value(json_object_get(e, keys[k][0])));
		}
	}
	json_decref(l);
}

/* The PCP server's (pcp_server.h), when it runs: requests by opcode,
 * answers by result code (RFC 6887 section 7.4), the mappings it holds. */
static void pcp_metrics(FILE *f, struct api_ctx *ctx)
{
	json_t *p = ctx->pcp ? pcp_json(ctx->pcp) : NULL, *v;
	const char *k;

	if (p == NULL)
		return;
	fprintf(f, "# HELP aftr_pcp_requests_total PCP requests by opcode\n"
	           "# TYPE aftr_pcp_requests_total counter\n");
	json_object_foreach(json_object_get(p, "requests"), k, v)
		fprintf(f, "aftr_pcp_requests_total{opcode=\"%s\"} %lld\n", k,
		        (long long)json_integer_value(v));
	fprintf(f, "# HELP aftr_pcp_results_total PCP answers by result code (RFC 6887 7.4)\n"
	           "# TYPE aftr_pcp_results_total counter\n");
	json_object_foreach(json_object_get(p, "results"), k, v)
		fprintf(f, "aftr_pcp_results_total{result=\"%s\"} %lld\n", k,
		        (long long)json_integer_value(v));
	gauge(f, "aftr_pcp_mappings", "PCP mappings the server made that have not ended", NULL,
	      (double)json_integer_value(json_object_get(p, "count")));
	json_decref(p);
}

/* A follower's progress (cluster.follow): whether it follows, how far
 * behind its leader, what it could not take. */
static void cluster_metrics(FILE *f, struct api_ctx *ctx)
{
	json_t *c = ctx->cluster ? cluster_json(ctx->cluster, ctx->state) : NULL;
	long long lg, ap;

	if (c == NULL)
		return;
	lg = (long long)json_integer_value(json_object_get(c, "leader_generation"));
	ap = (long long)json_integer_value(json_object_get(c, "applied_generation"));
	gauge(f, "aftr_cluster_following",
	      "1 while the leader answers and this box holds its lists (cluster.follow)", NULL,
	      strcmp(json_string_value(json_object_get(c, "state")), "following") == 0);
	gauge(f, "aftr_cluster_behind", "the leader's changes this box does not hold yet", NULL,
	      (double)(lg > ap ? lg - ap : 0));
	fprintf(f,
	        "# HELP aftr_cluster_refused_total leader's entries not taken (conflicts with this "
	        "box's file, errors)\n# TYPE aftr_cluster_refused_total counter\n"
	        "aftr_cluster_refused_total{reason=\"conflict\"} %lld\n"
	        "aftr_cluster_refused_total{reason=\"error\"} %lld\n"
	        "# HELP aftr_cluster_resyncs_total times the leader's lists were read whole\n"
	        "# TYPE aftr_cluster_resyncs_total counter\naftr_cluster_resyncs_total %lld\n",
	        (long long)json_integer_value(json_object_get(c, "conflicts")),
	        (long long)json_integer_value(json_object_get(c, "errors")),
	        (long long)json_integer_value(json_object_get(c, "resyncs")));
	json_decref(c);
}

void api_get_metrics(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	const struct stats_shm_hdr *h = stats_shm_open(ctx->shm_name);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)req;
	if (f) {
		gauge(f, "aftr_build_info", "the build of aftr-control (its version), always 1",
		      "version=\"" AFTR_VERSION "\"", 1);
		bool answering = dataplane_state(f, ctx, h);

		if (h)
			dataplane_counters(f, h);
		if (answering) /* else each would wait for its timeout */
			pool_gauges(f, ctx);
		exporter_metrics(f, ctx);
		pcp_metrics(f, ctx);
		cluster_metrics(f, ctx);
		if (ctx->bgp) {
			json_t *b = bgp_json(ctx->bgp);

			gauge(f, "aftr_bgp_announcing",
			      "1 while BIRD announces the AFTR's routes (the dataplane answers)",
			      NULL,
			      strcmp(json_string_value(json_object_get(b, "state")),
			             "announcing") == 0);
			json_decref(b);
		}
	}
	if (h)
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
