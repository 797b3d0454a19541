/* aftr-control: the control process (no EAL). It loads and checks the
 * configuration and its saved run-time changes (state.h), follows the
 * running aftr-dataplane through the shared region (programming its live
 * tables, logging its port-block events, checking its workers answer), and
 * serves the REST/JSON API.
 *
 *   aftr-control -c aftr.yaml [--state DIR] [--shm NAME]
 *
 * Exit status 0 after SIGINT/SIGTERM, 1 on a configuration or start error. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "config_yaml.h"
#include "announce.h"
#include "dpctl.h"
#include "pcp_server.h"
#include "export.h"
#include "follow.h"
#include "state.h"
#include "stats_shm.h"
#include "sync.h"
#include "util.h"

#define STATE_DIR_DEFAULT "/var/lib/aftr"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char usage_text[] =
        "usage: aftr-control -c CONFIG [--state DIR] [--shm NAME]\n"
        "  -c, --config FILE   the YAML configuration (the dataplane's)\n"
        "  --state DIR         where changes made at run time are kept (default " STATE_DIR_DEFAULT
        ")\n"
        "  --shm NAME          the dataplane's shared counters /dev/shm/NAME-stats "
        "(default aftr)\n";

/* The bearer token: the first line of api.token_file. */
static int read_token(const char *path, char **token)
{
	if (read_first_line(path, token) == 0)
		return 0;
	fprintf(stderr, "aftr-control: api.token_file %s: %s\n", path,
	        errno == ENODATA ? "empty" : strerror(errno));
	return -1;
}

/* No saved state, yet a dataplane runs: it is about to be programmed with
 * the configuration file's lists alone, and whatever it took through an
 * earlier aftr-control's API goes. Said before it happens. */
static void warn_no_state(const struct api_ctx *ctx)
{
	const struct stats_shm_hdr *h;

	if (state_found(ctx->state) || (h = stats_shm_open(ctx->shm_name)) == NULL)
		return;
	fprintf(stderr,
	        "aftr-control: warning: no saved state in %s, yet a dataplane runs (pid %d): it "
	        "will run the configuration file's lists alone; entries it took from an earlier "
	        "aftr-control's API are dropped (restore a saved copy of %s to keep them)\n",
	        ctx->state_dir, h->pid, ctx->state_dir);
	stats_shm_close(h);
}

static int run(struct api_ctx *ctx, struct aftr_config *cfg)
{
	struct api *api;
	char err[256];

	ctx->cfg = cfg;
	/* A collector that cannot be reached is an error now, not records
	 * lost later without a word. */
	ctx->events = events_open(cfg, ctx->state_dir, err, sizeof(err));
	if (ctx->events == NULL) {
		fprintf(stderr, "aftr-control: %s\n", err);
		return 1;
	}
	ctx->dp = dpctl_start(ctx->shm_name, cfg, ctx->events);
	ctx->sync = ctx->dp ? sync_start(ctx->state, ctx->dp) : NULL;
	if (ctx->sync == NULL) {
		fprintf(stderr, "aftr-control: cannot start the dataplane link\n");
		dpctl_stop(ctx->dp);
		events_close(ctx->events);
		return 1;
	}
	ctx->bgp = bgp_start(cfg, ctx->dp, ctx->state_dir);
	if (cfg->fixed.bgp_bird_socket && ctx->bgp == NULL)
		fprintf(stderr,
		        "aftr-control: bgp: cannot start following the dataplane's health\n");
	/* Each NULL with err empty: not configured. */
	ctx->pcp = pcp_start(cfg, ctx->dp, ctx->state_dir, err, sizeof(err));
	if (err[0] == '\0')
		ctx->cluster = cluster_start(cfg, ctx->state, ctx->state_dir, err, sizeof(err));
	api = err[0] == '\0' ? api_start(ctx, err, sizeof(err)) : NULL;
	if (api == NULL) {
		fprintf(stderr, "aftr-control: %s\n", err);
		cluster_stop(ctx->cluster);
		pcp_stop(ctx->pcp);
		bgp_stop(ctx->bgp);
		sync_stop(ctx->sync);
		dpctl_stop(ctx->dp);
		events_close(ctx->events);
		return 1;
	}
	fprintf(stderr, "aftr-control: API on %s://%s%s%s:%u/api/v1/\n",
	        cfg->fixed.api_tls_cert ? "https" : "http",
	        strchr(cfg->fixed.api_listen, ':') ? "[" : "", cfg->fixed.api_listen,
	        strchr(cfg->fixed.api_listen, ':') ? "]" : "", cfg->fixed.api_port);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop)
		sleep(1); /* a signal cuts the sleep short */
	state_closing(ctx->state);
	api_stop(api);
	cluster_stop(ctx->cluster);
	pcp_stop(ctx->pcp);
	bgp_stop(ctx->bgp);
	sync_stop(ctx->sync);
	dpctl_stop(ctx->dp);
	events_close(ctx->events);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
	                                         {"state", required_argument, NULL, 's'},
	                                         {"shm", required_argument, NULL, 'm'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	struct api_ctx ctx = {.shm_name = STATS_SHM_DEFAULT};
	const char *state_dir = STATE_DIR_DEFAULT;
	struct aftr_config cfg;
	struct diag d;
	char err[768];
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (c == 'c')
			ctx.config_path = optarg;
		else if (c == 's')
			state_dir = optarg;
		else if (c == 'm')
			ctx.shm_name = optarg;
		else {
			fputs(usage_text, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 1;
		}
	}
	if (ctx.config_path == NULL || optind != argc) {
		fputs(usage_text, stderr);
		return 1;
	}
	diag_init(&d, ctx.config_path);
	rc = cfg_load_yaml_file(ctx.config_path, &cfg, &d);
	if (rc == 0)
		cfg_warnings(&cfg, &d);
	diag_sort(&d);
	diag_print(&d, stderr);
	diag_free(&d);
	if (rc < 0 ||
	    (cfg.fixed.api_token_file && read_token(cfg.fixed.api_token_file, &ctx.token) < 0)) {
		cfg_free(&cfg);
		return 1;
	}
	ctx.state_dir = state_dir;
	ctx.state = state_open(ctx.config_path, state_dir, err, sizeof(err));
	if (ctx.state == NULL) {
		fprintf(stderr, "aftr-control: %s\n", err);
		rc = 1;
	} else {
		warn_no_state(&ctx);
		rc = run(&ctx, &cfg);
	}
	state_close(ctx.state);
	cfg_free(&cfg);
	free(ctx.token);
	return rc;
}
