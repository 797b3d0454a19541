/* aftr-dataplane: the DPDK primary process.
 *
 *   aftr-dataplane [EAL options] -- -c aftr.yaml [--stats-file PATH]
 *
 * The main lcore sets up ports, tables and workers from the configuration,
 * then runs the slow path (mainlcore/slowpath.c) until SIGINT or SIGTERM; every other
 * lcore is a worker (worker.c). Errors are reported once, here, with what
 * to fix; the exit status is 0 after an orderly stop, 1 on a set-up error. */
#include <getopt.h>
#include <malloc.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "dp.h"
#include "stats_shm.h"

static const char usage_text[] =
        "usage: aftr-dataplane [EAL options] -- -c CONFIG [--stats-file PATH] [--shm NAME]\n"
        "  -c, --config FILE     the YAML configuration (see config/reference.yaml)\n"
        "  --stats-file PATH     write counters there every second and at exit\n"
        "  --shm NAME            the shared counters are /dev/shm/NAME-stats (default aftr);\n"
        "                        aftrctl stats --shm NAME reads them\n"
        "The main lcore runs the slow path; every other lcore (-l, --lcores) is a worker.\n";

struct app_opts {
	const char *config, *stats, *shm;
};

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&dp.stop, true);
}

static int parse_app(int argc, char **argv, struct app_opts *o)
{
	static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
	                                         {"stats-file", required_argument, NULL, 's'},
	                                         {"shm", required_argument, NULL, 'm'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (c == 'c')
			o->config = optarg;
		else if (c == 's')
			o->stats = optarg;
		else if (c == 'm')
			o->shm = optarg;
		else
			return -1;
	}
	if (optind != argc || o->config == NULL)
		return -1;
	return 0;
}

/* "-c FILE" before "--" is EAL's coremask, and EAL's error about a bad
 * mask would not say what went wrong: a -c or --config whose value is not
 * a hexadecimal mask, with no "--" at all, is our option misplaced. */
static bool config_before_dashes(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : "";

		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--config") == 0 || strncmp(argv[i], "--config=", 9) == 0 ||
		    (strcmp(argv[i], "-c") == 0 && v[strspn(v, "0123456789abcdefABCDEFx")] != '\0'))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct app_opts o = {0};
	struct aftr_config cfg;
	int n, rc = 1;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* Big tables get fresh mappings (huge pages, big_calloc), never reused
	 * heap: glibc would otherwise raise this threshold as the configuration
	 * parser frees its large buffers. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	if (config_before_dashes(argc, argv)) {
		fprintf(stderr, "aftr-dataplane: the configuration comes after \"--\" (before it, "
		                "-c is DPDK's core mask)\n");
		fputs(usage_text, stderr);
		return 2;
	}
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "aftr-dataplane: EAL initialisation failed: %s\n",
		        rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	if (parse_app(argc - n, argv + n, &o) < 0) {
		fputs(usage_text, stderr);
		dp_eal_cleanup();
		return 1;
	}
	if (dp_app_load(o.config, &cfg) < 0) {
		dp_eal_cleanup();
		return 1;
	}
	if (o.shm == NULL)
		o.shm = STATS_SHM_DEFAULT;
	if (dp_app_start(&cfg, rte_lcore_count() - 1, o.shm) == 0) {
		dp_app_run(o.stats);
		rc = 0;
	}
	dp_app_stop(o.stats, o.shm);
	cfg_free(&cfg);
	dp_eal_cleanup();
	return rc;
}
