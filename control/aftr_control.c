/* aftr-control: the control process (no EAL). It loads and checks the
 * configuration, follows the running aftr-dataplane through the shared
 * region (logging its port-block events, checking its workers answer), and
 * serves the read-only part of the REST/JSON API (health, version,
 * configuration, counters, Prometheus metrics); the write resources come
 * next (see control/README.md).
 *
 *   aftr-control -c aftr.yaml [--shm NAME]
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
#include "dpctl.h"
#include "stats_shm.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char usage_text[] = "usage: aftr-control -c CONFIG [--shm NAME]\n"
                                 "  -c, --config FILE   the YAML configuration (the dataplane's)\n"
                                 "  --shm NAME          the dataplane's shared counters "
                                 "/dev/shm/NAME-stats (default aftr)\n";

/* The bearer token: the first line of api.token_file. */
static int read_token(const char *path, char **token)
{
	if (read_first_line(path, token) == 0)
		return 0;
	fprintf(stderr, "aftr-control: api.token_file %s: %s\n", path,
	        errno == ENODATA ? "empty" : strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
	                                         {"shm", required_argument, NULL, 'm'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	struct api_ctx ctx = {.shm_name = STATS_SHM_DEFAULT};
	struct aftr_config cfg;
	struct api *api;
	struct diag d;
	char err[256];
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (c == 'c')
			ctx.config_path = optarg;
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
	diag_sort(&d);
	diag_print(&d, stderr);
	diag_free(&d);
	if (rc < 0 || (cfg.api_token_file && read_token(cfg.api_token_file, &ctx.token) < 0)) {
		cfg_free(&cfg);
		return 1;
	}
	ctx.cfg = &cfg;
	ctx.dp = dpctl_start(ctx.shm_name, &cfg);
	if (ctx.dp == NULL) {
		fprintf(stderr, "aftr-control: cannot start the dataplane link\n");
		cfg_free(&cfg);
		free(ctx.token);
		return 1;
	}
	api = api_start(&ctx, err, sizeof(err));
	if (api == NULL) {
		fprintf(stderr, "aftr-control: %s\n", err);
		dpctl_stop(ctx.dp);
		cfg_free(&cfg);
		free(ctx.token);
		return 1;
	}
	fprintf(stderr, "aftr-control: API on http://%s%s%s:%u/api/v1/\n",
	        strchr(cfg.api_listen, ':') ? "[" : "", cfg.api_listen,
	        strchr(cfg.api_listen, ':') ? "]" : "", cfg.api_port);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop)
		sleep(1); /* a signal cuts the sleep short */
	api_stop(api);
	dpctl_stop(ctx.dp);
	cfg_free(&cfg);
	free(ctx.token);
	return 0;
}
