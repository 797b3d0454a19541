/* aftrctl: the NOC command-line tool. For now its "config" verbs, which
 * work on files and need no running AFTR, and "stats", which reads the
 * running dataplane's shared counters:
 *
 *   aftrctl config check FILE      like ISC "aftr -t": a summary, or errors
 *   aftrctl config import FILE     ISC aftr.conf -> YAML on stdout
 *   aftrctl config show FILE       the effective configuration
 *   aftrctl stats                  counters (ISC "show stat" and "show dropped")
 *
 * Exit status: 0 success, 1 the configuration has errors, 2 bad usage. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_json.h"
#include "config_yaml.h"
#include "determ.h"
#include "aftrctl_api.h"
#include "isc_import.h"
#include "stats_json.h"
#include "stats_shm.h"
#include "util.h"

#define EXIT_CONFIG 1
#define EXIT_USAGE  2

static const char usage_text[] =
        "usage: aftrctl config check [--isc|--yaml] FILE\n"
        "       aftrctl config import [--full] [-o OUT] ISC_AFTR_CONF\n"
        "       aftrctl config show [--isc|--yaml] [--json] [--sparse] FILE\n"
        "       aftrctl config map [--isc|--yaml] FILE B4 | FILE ADDRESS PORT\n"
        "       aftrctl stats [--shm NAME] [--workers] [--nonzero] [--json]\n"
        "       aftrctl [--api URL] [--token-file F] [--cacert F] [--json] VERB ...\n"
        "         noop | show stat|dropped|rates|pools|pcp | show b4 ADDRESS | show b4s [N]\n"
        "         top [SECONDS [COUNT]] | clear sessions B4 [KEY=VALUE...]\n"
        "         list default|pool|session|subscriber [KEY=VALUE...] | list nat dynamic\n"
        "         list tunnel|nat|prr|nonat|softwire|acl6|private\n"
        "         add KIND JSON|@FILE | del KIND ID... | reload | debug tunnel B4\n"
        "         limit B4 tcp|udp|icmp maxcount|rate N|default\n"
        "         bgp [drain|undrain] | cluster\n"
        "         isc 'ISC COMMAND LINE' | tunnel|nat|prr|nonat|delete|mtu|... (ISC words)\n"
        "         who ADDRESS PORT [--protocol P] [--at TIME] [--log-dir DIR]\n"
        "         provision kea|dns --aftr-name NAME ... (Kea DHCPv6, DNS for the B4s)\n"
        "       aftrctl --help | --version\n"
        "\n"
        "FILE is YAML (see config/reference.yaml) unless it ends in .conf or --isc\n"
        "is given, in which case it is an ISC AFTR 1.1 aftr.conf. \"stats\" reads the\n"
        "dataplane's shared counters; noop, show and list ask aftr-control's API\n"
        "(--api, default $AFTR_API or http://127.0.0.1:8080, https:// with api.tls_cert;\n"
        "--cacert, default $AFTR_CACERT, the CA to trust for it; --token-file, default\n"
        "$AFTR_TOKEN_FILE). \"who\" answers who held a public address and port at TIME\n"
        "(UTC, 2026-12-03T14:02:11Z; default now), from the API or, with --log-dir, from\n"
        "an event log's files (logging.event_log). \"top\" shows the main rates and the\n"
        "top drop reasons (last second, 1, 5 and 15 minute averages: the configuration's\n"
        "decay) every SECONDS (default 1), COUNT times (default: until interrupted).\n";

struct opts {
	int format; /* 0: guess from the name, 1: YAML, 2: ISC */
	bool json, full, sparse, workers, nonzero;
	const char *out, *shm, *api, *token_file, *cacert;
};

static int usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

static bool is_isc(const char *path, const struct opts *o)
{
	size_t n = strlen(path);

	if (o->format)
		return o->format == 2;
	return n >= 5 && strcmp(path + n - 5, ".conf") == 0;
}

/* Loads either format; prints the diagnostics. Returns 0 or EXIT_CONFIG. */
static int load(const char *path, const struct opts *o, struct aftr_config *cfg)
{
	struct diag d;
	int rc;

	diag_init(&d, path);
	if (is_isc(path, o))
		rc = isc_import_file(path, cfg, &d);
	else
		rc = cfg_load_yaml_file(path, cfg, &d);
	diag_sort(&d);
	diag_print(&d, stderr);
	diag_free(&d);
	return rc < 0 ? EXIT_CONFIG : 0;
}

static void summary(const char *path, const struct aftr_config *cfg)
{
	char ep[ADDR6_STRLEN];

	printf("%s: OK: endpoint %s; %zu pool%s, %zu acl6, %zu tunnel%s, %zu static NAT, %zu prr, "
	       "%zu nonat, %zu softwire%s\n",
	       path, addr6_format(&cfg->fixed.endpoint, ep), cfg->fixed.n_pools,
	       cfg->fixed.n_pools == 1 ? "" : "s", cfg->lists.n_acl6, cfg->lists.n_tunnels,
	       cfg->lists.n_tunnels == 1 ? "" : "s", cfg->lists.n_nats, cfg->lists.n_prrs,
	       cfg->lists.n_nonats, cfg->lists.n_softwires, cfg->lists.n_softwires == 1 ? "" : "s");
}

static int cmd_check(const char *path, const struct opts *o)
{
	struct aftr_config cfg;
	int rc = load(path, o, &cfg);

	if (rc == 0) {
		struct diag d;

		diag_init(&d, path);
		cfg_warnings(&cfg, &d);
		/* Fine for aftr-control, not for the dataplane (an imported
		 * aftr.conf has no interfaces: ISC's are the system's). */
		if (cfg.fixed.transport.device == NULL || cfg.fixed.wan.device == NULL)
			diag_warn(&d, 0, 0, "interfaces",
			          "no %s device: aftr-dataplane cannot run on this file "
			          "(aftr-control "
			          "can); add interfaces.transport and .wan (config/reference.yaml)",
			          cfg.fixed.transport.device == NULL ? "transport" : "WAN");
		diag_print(&d, stderr);
		diag_free(&d);
		summary(path, &cfg);
	}
	cfg_free(&cfg);
	return rc;
}

static int write_out(const struct aftr_config *cfg, const struct opts *o, const char *header)
{
	FILE *f = o->out ? fopen(o->out, "w") : stdout;
	int rc;

	if (f == NULL) {
		perror(o->out);
		return EXIT_CONFIG;
	}
	if (o->json) {
		json_t *j = o->sparse ? cfg_to_json_sparse(cfg) : cfg_to_json(cfg);

		rc = j ? json_dumpf(j, f, JSON_INDENT(2)) : -1;
		fputc('\n', f);
		json_decref(j);
	} else {
		rc = cfg_write_yaml(cfg, o->sparse, header, f);
	}
	if ((o->out && fclose(f) != 0) || rc < 0) {
		fprintf(stderr, "aftrctl: cannot write %s\n", o->out ? o->out : "stdout");
		return EXIT_CONFIG;
	}
	return 0;
}

static int cmd_import(const char *path, struct opts *o)
{
	struct aftr_config cfg;
	char header[512];
	int rc;

	o->format = 2;
	o->sparse = !o->full;
	rc = load(path, o, &cfg);
	if (rc == 0) {
		snprintf(header, sizeof(header),
		         "Imported from the ISC AFTR configuration %s by aftrctl.\n%s", path,
		         o->sparse ? "Knobs left at their defaults are not listed: see "
		                     "config/reference.yaml."
		                   : "Every knob is listed.");
		rc = write_out(&cfg, o, header);
	}
	cfg_free(&cfg);
	return rc;
}

/* config map FILE B4 | FILE ADDRESS PORT: nat.deterministic both ways. */
static int map_b4(const struct aftr_config *cfg, const struct determ *d, const char *arg)
{
	struct addr6 b4;
	struct prefix6 pf;
	char a[ADDR4_STRLEN], p6[PREFIX6_STRLEN];
	int64_t i;

	if (addr6_parse(arg, &b4, NULL, 0) < 0)
		return EXIT_USAGE;
	if ((i = determ_index(d, &b4)) < 0) {
		printf("%s: outside nat.deterministic.prefix: no port block is its\n", arg);
		return EXIT_CONFIG;
	}
	determ_prefix(d, (uint64_t)i, &pf);
	printf("%s: subscriber %lld (%s): %s", arg, (long long)i, prefix6_format(&pf, p6),
	       addr4_format(cfg->fixed.pools[determ_pool(d, (uint64_t)i)].addr, a));
	for (int p = 0; p < CFG_NPROTO; p++) {
		uint16_t first, last;

		determ_ports(d, (uint64_t)i, (enum cfg_proto)p, &first, &last);
		printf(" %s %u-%u", cfg_proto_names[p], first, last);
	}
	printf("\n");
	return 0;
}

static int map_port(const struct aftr_config *cfg, const struct determ *d, const char *addr,
                    const char *port_s)
{
	char p6[PREFIX6_STRLEN], *end;
	unsigned long port = strtoul(port_s, &end, 10);
	struct prefix6 pf;
	uint32_t a;
	int pool = -1, found = 0;

	if (addr4_parse(addr, &a, NULL, 0) < 0 || *end || port > 65535)
		return EXIT_USAGE;
	for (size_t k = 0; k < cfg->fixed.n_pools; k++)
		if (cfg->fixed.pools[k].addr == a)
			pool = (int)k;
	for (int p = 0; pool >= 0 && p < CFG_NPROTO; p++) {
		int64_t i = determ_reverse(d, (uint32_t)pool, (enum cfg_proto)p, (uint16_t)port);

		if (i < 0)
			continue;
		determ_prefix(d, (uint64_t)i, &pf);
		printf("%s port %lu %s: subscriber %lld, B4 %s\n", addr, port, cfg_proto_names[p],
		       (long long)i, prefix6_format(&pf, p6));
		found = 1;
	}
	if (!found)
		printf("%s port %lu: no subscriber's (not a pool address, or outside every "
		       "deterministic block)\n",
		       addr, port);
	return found ? 0 : EXIT_CONFIG;
}

static int cmd_map(const char *path, const struct opts *o, int argc, char **argv)
{
	struct aftr_config cfg;
	struct determ d;
	char err[256];
	int rc = load(path, o, &cfg);

	if (rc == 0 && (determ_init(&d, &cfg, err, sizeof(err)) < 0 || !d.on)) {
		fprintf(stderr, "aftrctl: %s: %s\n", path,
		        cfg.fixed.has_determ ? err : "no nat.deterministic");
		rc = EXIT_CONFIG;
	}
	if (rc == 0)
		rc = argc == 1 ? map_b4(&cfg, &d, argv[0]) : map_port(&cfg, &d, argv[0], argv[1]);
	cfg_free(&cfg);
	return rc == EXIT_USAGE ? usage(stderr, EXIT_USAGE) : rc;
}

static int cmd_show(const char *path, const struct opts *o)
{
	struct aftr_config cfg;
	int rc = load(path, o, &cfg);

	if (rc == 0)
		rc = write_out(&cfg, o, NULL);
	cfg_free(&cfg);
	return rc;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	        {"isc", no_argument, NULL, 'i'},
	        {"yaml", no_argument, NULL, 'y'},
	        {"json", no_argument, NULL, 'j'},
	        {"full", no_argument, NULL, 'f'},
	        {"sparse", no_argument, NULL, 's'},
	        {"output", required_argument, NULL, 'o'},
	        {"shm", required_argument, NULL, 'm'},
	        {"workers", no_argument, NULL, 'w'},
	        {"nonzero", no_argument, NULL, 'z'},
	        {"api", required_argument, NULL, 'a'},
	        {"token-file", required_argument, NULL, 't'},
	        {"cacert", required_argument, NULL, 'c'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->format = 2;
			break;
		case 'y':
			o->format = 1;
			break;
		case 'j':
			o->json = true;
			break;
		case 'f':
			o->full = true;
			break;
		case 's':
			o->sparse = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'm':
			o->shm = optarg;
			break;
		case 'w':
			o->workers = true;
			break;
		case 'z':
			o->nonzero = true;
			break;
		case 'a':
			o->api = optarg;
			break;
		case 't':
			o->token_file = optarg;
			break;
		case 'c':
			o->cacert = optarg;
			break;
		default:
			return -1;
		}
	}
	return optind;
}

static int stats_json(const struct stats_shm_hdr *h, const struct opts *o)
{
	json_t *root = stats_shm_json(h, o->workers, o->nonzero);

	json_object_set_new(root, "pid", json_integer(h->pid));
	json_dumpf(root, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(root);
	return 0;
}

static int stats_table(const struct stats_shm_hdr *h, const struct opts *o)
{
	printf("%-32s %14s", "counter", "total");
	for (uint32_t b = 0; o->workers && b < h->nblocks; b++)
		printf(b + 1 < h->nblocks ? " %11s%-3u" : " %14s",
		       b + 1 < h->nblocks ? "worker" : "main", b);
	putchar('\n');
	for (uint32_t i = 0; i < h->ncounters; i++) {
		uint64_t v = stats_shm_total(h, i);

		if (o->nonzero && v == 0)
			continue;
		printf("%-32s %14lu", stats_shm_name(h, i), (unsigned long)v);
		for (uint32_t b = 0; o->workers && b < h->nblocks; b++)
			printf(" %14lu", (unsigned long)stats_shm_value(h, b, i));
		putchar('\n');
	}
	return 0;
}

/* Reads the running dataplane's counters (ISC "show stat", "show dropped"). */
static int cmd_stats(const struct opts *o)
{
	const char *name = o->shm ? o->shm : STATS_SHM_DEFAULT;
	const struct stats_shm_hdr *h = stats_shm_open(name);
	int rc;

	if (h == NULL) {
		fprintf(stderr, "aftrctl: %s\n",
		        errno == ENOENT ? "no dataplane is running (no shared counters "
		                          "/dev/shm/<name>-stats; see --shm)"
		                        : strerror(errno));
		return EXIT_CONFIG;
	}
	rc = o->json ? stats_json(h, o) : stats_table(h, o);
	stats_shm_close(h);
	return rc;
}

/* ISC's interactive "help": the command lines "isc" takes. */
static const char isc_help[] =
        "ISC AFTR command lines aftrctl isc 'LINE' takes (ISC manual, section 2):\n"
        "  noop | reload | help\n"
        "  show stat | show dropped | show rates | show pools\n"
        "  list default | list pool | list tunnel | list nat [dynamic|static] | list prr\n"
        "  list nonat | list softwire | list acl6 | list private | list session\n"
        "  list subscriber | debug tunnel IPV6\n"
        "  tunnel IPV6 [IPV4] | delete tunnel IPV6\n"
        "  nat IPV6 tcp|udp SRC SPORT NEW NPORT | delete nat IPV6 tcp|udp SRC SPORT\n"
        "  prr IPV6 tcp|udp IPV4 PORT | delete prr IPV6 tcp|udp IPV4 PORT\n"
        "  nonat IPV6 IPV4/LEN | delete nonat IPV6 IPV4/LEN\n"
        "  acl6 IPV6/LEN | delete acl6 IPV6/LEN\n"
        "  mtu|mss|toobig|admpro IPV6 VALUE (a tunnel's settings)\n"
        "The configuration's other lines (section zero: defaults, pools, buckets)\n"
        "need a restart: edit the file, or the YAML aftrctl config import makes.\n";

/* Verbs over the API; "isc LINE" runs ISC's interactive commands (list,
 * show, noop, reload) as those verbs and the rest as changes. */
static int dispatch(const struct api_opts *a, int argc, char **argv)
{
	static const char *const interactive[] = {"list", "show", "noop", "reload", "debug", NULL};
	char line[1024], *words[32], *save = NULL;
	int n = 0, rc;

	if (argc == 2 && strcmp(argv[0], "isc") == 0) {
		snprintf(line, sizeof(line), "%s", argv[1]);
		for (char *t = strtok_r(line, " \t", &save); t && n < 32;
		     t = strtok_r(NULL, " \t", &save))
			words[n++] = t;
		if (n > 0 && cfg_name_lookup(interactive, words[0]) >= 0)
			return dispatch(a, n, words);
		if (n == 1 && strcmp(words[0], "help") == 0) {
			fputs(isc_help, stdout);
			return 0;
		}
	}
	if (strcmp(argv[0], "who") == 0)
		return aftrctl_who(a, argc, argv);
	if (strcmp(argv[0], "provision") == 0)
		return aftrctl_provision(a, argc, argv);
	if (strcmp(argv[0], "top") == 0)
		return aftrctl_top(a, argc, argv);
	if (strcmp(argv[0], "bgp") == 0)
		return aftrctl_bgp(a, argc, argv);
	if (strcmp(argv[0], "cluster") == 0)
		return aftrctl_cluster(a, argc, argv);
	if (argc == 3 && strcmp(argv[0], "show") == 0 && strcmp(argv[1], "b4") == 0)
		return aftrctl_show_b4(a, argv[2]);
	if ((argc == 2 || argc == 3) && strcmp(argv[0], "show") == 0 && strcmp(argv[1], "b4s") == 0)
		return aftrctl_show_b4s(a, argc == 3 ? argv[2] : NULL);
	if (argc == 2 && strcmp(argv[0], "show") == 0 && strcmp(argv[1], "rates") == 0)
		return aftrctl_show_rates(a);
	if (argc == 2 && strcmp(argv[0], "show") == 0 && strcmp(argv[1], "pools") == 0)
		return aftrctl_show_pools(a);
	if (argc == 2 && strcmp(argv[0], "show") == 0 && strcmp(argv[1], "pcp") == 0)
		return aftrctl_show_pcp(a);
	if (strcmp(argv[0], "clear") == 0)
		return aftrctl_clear(a, argc, argv);
	rc = aftrctl_lists(a, argc, argv);
	if (rc == -1 && argc <= 2)
		rc = aftrctl_api(a, argv[0], argc == 2 ? argv[1] : NULL);
	return rc;
}

/* noop, show stat|dropped, list default: through the API. */
static int api_verbs(int argc, char **argv)
{
	struct opts o = {0};
	struct api_opts a = {0};
	char *token = NULL;
	int who = 1, at, rc;

	/* who and provision take options of their own: the common ones come before. */
	while (who < argc && strcmp(argv[who], "who") != 0 && strcmp(argv[who], "provision") != 0)
		who++;
	at = parse_opts(who < argc ? who : argc, argv, &o);
	if (at < 0 || argc - at < 1 || (who < argc && at != who))
		return usage(stderr, EXIT_USAGE);
	a.url = o.api ? o.api : getenv("AFTR_API") ? getenv("AFTR_API") : "http://127.0.0.1:8080";
	a.json = o.json;
	a.cacert = o.cacert ? o.cacert : getenv("AFTR_CACERT");
	if (!o.token_file)
		o.token_file = getenv("AFTR_TOKEN_FILE");
	if (o.token_file && read_first_line(o.token_file, &token) < 0) {
		fprintf(stderr, "aftrctl: --token-file %s: %s\n", o.token_file,
		        errno == ENODATA ? "empty" : strerror(errno));
		return EXIT_USAGE;
	}
	a.token = token;
	rc = dispatch(&a, argc - at, argv + at);
	free(token);
	return rc < 0 ? usage(stderr, EXIT_USAGE) : rc;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	const char *verb;
	int at;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0)
		return usage(stdout, 0);
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("aftrctl %s\n", AFTR_VERSION);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "stats") == 0) {
		at = parse_opts(argc - 1, argv + 1, &o);
		if (at < 0 || at != argc - 1)
			return usage(stderr, EXIT_USAGE);
		return cmd_stats(&o);
	}
	if (argc >= 2 && strcmp(argv[1], "config") != 0)
		return api_verbs(argc, argv);
	if (argc < 3)
		return usage(stderr, EXIT_USAGE);
	verb = argv[2];
	at = parse_opts(argc - 2, argv + 2, &o);
	if (at >= 0 && strcmp(verb, "map") == 0 && (argc - 2 - at == 2 || argc - 2 - at == 3))
		return cmd_map(argv[2 + at], &o, argc - 3 - at, argv + 3 + at);
	if (at < 0 || argc - 2 - at != 1)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(verb, "check") == 0)
		return cmd_check(argv[2 + at], &o);
	if (strcmp(verb, "import") == 0)
		return cmd_import(argv[2 + at], &o);
	if (strcmp(verb, "show") == 0)
		return cmd_show(argv[2 + at], &o);
	fprintf(stderr, "aftrctl: config %s: unknown verb\n", verb);
	return usage(stderr, EXIT_USAGE);
}
