/* aftrctl's provisioning files, from the AFTR's live configuration (the API's
 * /api/v1/config), so that they never disagree with it:
 *
 *   aftrctl provision kea --aftr-name NAME --dns ADDR[,ADDR...] --interface IFACE
 *                         [--subnet PREFIX] [--refresh S] [--control-socket PATH]
 *                         [--ephemeral] [-o FILE] [--push KEA_SOCKET [--follow]]
 *       Kea's DHCPv6 server configuration (kea-dhcp6.conf, JSON): stateless DHCPv6
 *       (RFC 8415 18.2.6) giving B4s AFTR-Name (RFC 6334 option 64), the DNS servers
 *       (RFC 3646 option 23) and the Information Refresh Time (option 32); and, for each
 *       lw4o6 B4 whose tunnel entry has its DUID, a reservation in the subnet carrying its
 *       binding (RFC 7598: the lw4o6 container with the BR address, its IPv4 address and
 *       bound prefix, its port set).
 *   aftrctl provision dns --aftr-name NAME [--listen ADDR...]
 *       an unbound configuration answering NAME with an AAAA record for each of the
 *       AFTR's endpoint addresses (endpoint and endpoints: RFC 6334 section 5), for a lab's
 *       resolver or a stub zone.
 *
 * Both print to stdout, or with -o FILE write FILE whole (a temporary beside it, then
 * renamed: a server that reads it meanwhile sees the old file or the new one). kea
 * --push SOCKET also sends it to the running Kea through its control socket (config-set),
 * in effect for the B4s' next exchanges: run after a binding changed; with --follow it
 * stays and pushes again after every change of the AFTR's state. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl_api.h"

#define EXIT_USAGE 2

struct prov_opts {
	const char *aftr_name, *dns, *iface, *subnet, *socket, *out, *push;
	bool ephemeral; /* no server DUID file (/var/lib/kea): a lab's */
	bool follow;    /* --push again whenever the AFTR's state changes */
	const char *listen[8];
	int n_listen;
	long refresh;
};

static int usage(void)
{
	fprintf(stderr,
	        "usage: aftrctl provision kea --aftr-name NAME --dns ADDR[,ADDR...] "
	        "--interface IFACE\n"
	        "                             [--subnet PREFIX] [--refresh S] [--control-socket "
	        "PATH]\n"
	        "                             [--ephemeral] [-o FILE] [--push KEA_SOCKET "
	        "[--follow]]\n"
	        "       aftrctl provision dns --aftr-name NAME [--listen ADDR...] [-o FILE]\n");
	return EXIT_USAGE;
}

/* A host name of labels of letters, digits and hyphens (RFC 1123 2.1), dots between. */
static bool host_name(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '-') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

static bool ipv6_list(const char *s)
{
	char buf[512], *save = NULL;
	struct in6_addr a;

	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (inet_pton(AF_INET6, t, &a) != 1)
			return false;
	return true;
}

/* A value refused: what it should be, on stderr. */
static int refuse(const char *what, const char *v)
{
	fprintf(stderr, "aftrctl: %s: %s\n", what, v);
	return -1;
}

/* The value of option k (argv[*i]), when it takes one: 1 and *i moved past it; 0 when k
 * is not a value's; -1 when its value is missing. */
static int value_of(struct prov_opts *o, int argc, char **argv, int *i, const char **refresh)
{
	const char **listen = o->n_listen < 8 ? &o->listen[o->n_listen] : NULL;
	const struct {
		const char *name;
		const char **to;
	} vals[] = {{"--aftr-name", &o->aftr_name},
	            {"--dns", &o->dns},
	            {"--interface", &o->iface},
	            {"--subnet", &o->subnet},
	            {"--control-socket", &o->socket},
	            {"-o", &o->out},
	            {"--refresh", refresh},
	            {"--push", &o->push},
	            {"--listen", listen}};

	for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
		if (strcmp(argv[*i], vals[k].name) != 0)
			continue;
		if (*i + 1 >= argc || vals[k].to == NULL)
			return -1;
		*vals[k].to = argv[++*i];
		o->n_listen += vals[k].to == listen;
		return 1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct prov_opts *o)
{
	const char *refresh = NULL;
	char *end;

	for (int i = 0; i < argc; i++) {
		int rc = value_of(o, argc, argv, &i, &refresh);

		if (rc < 0 || (rc == 0 && strcmp(argv[i], "--ephemeral") != 0 &&
		               strcmp(argv[i], "--follow") != 0))
			return -1;
		o->ephemeral |= rc == 0 && strcmp(argv[i], "--ephemeral") == 0;
		o->follow |= rc == 0 && strcmp(argv[i], "--follow") == 0;
	}
	if (refresh &&
	    ((o->refresh = strtol(refresh, &end, 10)) < 600 || *end || o->refresh > 4294967295L))
		return refuse("--refresh: 600-4294967295 seconds (RFC 8415 IRT_MINIMUM)", refresh);
	if (o->aftr_name && !host_name(o->aftr_name))
		return refuse("--aftr-name: not a host name", o->aftr_name);
	if (o->dns && !ipv6_list(o->dns))
		return refuse("--dns: IPv6 addresses, comma-separated", o->dns);
	return o->aftr_name ? 0 : -1;
}

/* The AFTR's endpoint addresses from its configuration: an array of strings. */
static json_t *endpoints(const json_t *cfg)
{
	json_t *a = json_array(), *e;
	size_t i;

	if (json_is_string(json_object_get(cfg, "endpoint")))
		json_array_append(a, json_object_get(cfg, "endpoint"));
	json_array_foreach(json_object_get(cfg, "endpoints"), i, e)
		if (json_is_string(e))
			json_array_append(a, e);
	return a;
}

/* Sends the configuration to a running Kea through its control socket (config-set: in
 * effect at once, the B4s' next exchanges get it): 0, or 1 with Kea's or the socket's
 * error said. */
static int push(const char *path, const json_t *config)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	json_t *cmd = json_pack("{s:s,s:O}", "command", "config-set", "arguments", config), *r;
	char *text = json_dumps(cmd, JSON_COMPACT), buf[65536];
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 1;

	json_decref(cmd);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || text == NULL || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		fprintf(stderr, "aftrctl: --push %s: %s\n", path, strerror(errno));
		goto out;
	}
	shutdown(fd, SHUT_WR);
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	r = json_loads(buf, JSON_DECODE_ANY, NULL);
	cmd = json_is_array(r) ? json_array_get(r, 0) : r; /* Kea may answer with a list */
	if (json_is_object(cmd) && json_integer_value(json_object_get(cmd, "result")) == 0) {
		fprintf(stderr, "aftrctl: Kea at %s: %s\n", path,
		        json_string_value(json_object_get(cmd, "text")) ?: "configuration set");
		rc = 0;
	} else {
		fprintf(stderr, "aftrctl: Kea at %s refused it: %s\n", path,
		        cmd ? json_string_value(json_object_get(cmd, "text")) ?: buf : buf);
	}
	json_decref(r);
out:
	free(text);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The lw4o6 container of softwire sw for B4 b4 (Kea's s46 option spaces): option-data. */
static json_t *lw4o6_options(const json_t *sw, const json_t *cfg)
{
	const char *br = json_string_value(json_object_get(sw, "endpoint"));
	char bind[96], ports[32];

	snprintf(bind, sizeof(bind), "%s, %s/128",
	         json_string_value(json_object_get(sw, "ipv4")) ?: "?",
	         json_string_value(json_object_get(sw, "b4")) ?: "?");
	/* Offset, then the PSID and its length (sent left-aligned, RFC 7598 4.5). */
	snprintf(ports, sizeof(ports), "%lld, %lld/%lld",
	         (long long)json_integer_value(json_object_get(sw, "offset")),
	         (long long)json_integer_value(json_object_get(sw, "psid")),
	         (long long)json_integer_value(json_object_get(sw, "psid_len")));
	return json_pack("[{s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]", "name", "s46-cont-lw",
	                 "space", "s46-cont-lw-options", "name", "s46-br", "data",
	                 br ? br : json_string_value(json_object_get(cfg, "endpoint")), "space",
	                 "s46-cont-lw-options", "name", "s46-v4v6bind", "data", bind, "space",
	                 "s46-v4v6bind-options", "name", "s46-portparams", "data", ports);
}

/* A reservation for each B4 with a DUID (its tunnel entry's) and a softwire: its first.
 * A DUID with no softwire is said on stderr: there is nothing to reserve for it. */
static json_t *reservations(const json_t *cfg)
{
	json_t *r = json_array(), *t, *sw;
	size_t i, k;

	json_array_foreach(json_object_get(cfg, "tunnels"), i, t) {
		const char *b4 = json_string_value(json_object_get(t, "b4"));
		bool found = false;

		if (!json_is_string(json_object_get(t, "duid")) || b4 == NULL)
			continue;
		json_array_foreach(json_object_get(cfg, "softwires"), k, sw) {
			if (strcmp(json_string_value(json_object_get(sw, "b4")) ?: "", b4) != 0)
				continue;
			json_array_append_new(r, json_pack("{s:O,s:o}", "duid",
			                                   json_object_get(t, "duid"),
			                                   "option-data", lw4o6_options(sw, cfg)));
			found = true;
			break;
		}
		if (!found)
			fprintf(stderr,
			        "aftrctl: %s has a DUID but no softwire: no lw4o6 reservation for "
			        "it "
			        "(a DS-Lite B4 needs none)\n",
			        b4);
	}
	return r;
}

static int kea(const struct prov_opts *o, const json_t *cfg, FILE *f)
{
	json_t *opts = json_array(), *res = reservations(cfg), *d6, *root;
	char *text;
	int rc;

	if (json_array_size(res) && !o->subnet) {
		fprintf(stderr,
		        "aftrctl: %zu lw4o6 B4s have a DUID: their reservations need "
		        "--subnet (the B4s' link)\n",
		        json_array_size(res));
		json_decref(res);
		json_decref(opts);
		return EXIT_USAGE;
	}
	if (!o->dns || !o->iface) {
		json_decref(res);
		json_decref(opts);
		fprintf(stderr, "aftrctl: provision kea needs --dns and --interface\n");
		return EXIT_USAGE;
	}
	json_array_append_new(opts,
	                      json_pack("{s:s,s:s}", "name", "aftr-name", "data", o->aftr_name));
	json_array_append_new(opts, json_pack("{s:s,s:s}", "name", "dns-servers", "data", o->dns));
	if (o->refresh) {
		char r[16];

		snprintf(r, sizeof(r), "%ld", o->refresh);
		json_array_append_new(opts, json_pack("{s:s,s:s}", "name",
		                                      "information-refresh-time", "data", r));
	}
	/* Sockets tried again while the interface comes up (its link-local address is
	 * tentative for a while after it does): a minute, every 2 s. */
	d6 = json_pack("{s:{s:[s],s:i,s:i},s:{s:s,s:b},s:o}", "interfaces-config", "interfaces",
	               o->iface, "service-sockets-max-retries", 30,
	               "service-sockets-retry-wait-time", 2000, "lease-database", "type", "memfile",
	               "persist", 0, "option-data", opts);
	if (o->subnet)
		json_object_set_new(d6, "subnet6",
		                    json_pack("[{s:i,s:s,s:s,s:o}]", "id", 1, "subnet", o->subnet,
		                              "interface", o->iface, "reservations", res));
	else
		json_decref(res);
	/* Its server DUID, kept in /var/lib/kea unless --ephemeral (RFC 8415 section 11: a
	 * server's DUID stays the same across restarts). */
	json_object_set_new(d6, "server-id",
	                    json_pack("{s:s,s:b}", "type", "LLT", "persist", !o->ephemeral));
	if (o->socket)
		json_object_set_new(
		        d6, "control-socket",
		        json_pack("{s:s,s:s}", "socket-type", "unix", "socket-name", o->socket));
	root = json_pack("{s:o}", "Dhcp6", d6);
	text = json_dumps(root, JSON_INDENT(2));
	if (f)
		fprintf(f, "%s\n", text);
	rc = o->push ? push(o->push, root) : 0;
	free(text);
	json_decref(root);
	return rc;
}

static int dns(const struct prov_opts *o, const json_t *cfg, FILE *f)
{
	json_t *eps = endpoints(cfg), *e;
	size_t i;

	fprintf(f, "# unbound: the AFTR's name for its B4s (RFC 6334 section 5), from aftrctl "
	           "provision dns\nserver:\n");
	for (int k = 0; k < o->n_listen; k++)
		fprintf(f, "  interface: %s\n", o->listen[k]);
	fprintf(f, "  local-zone: \"%s.\" static\n", o->aftr_name);
	json_array_foreach(eps, i, e)
		fprintf(f, "  local-data: \"%s. 300 IN AAAA %s\"\n", o->aftr_name,
		        json_string_value(e) ?: "::");
	json_decref(eps);
	return 0;
}

/* The file of what (kea or dns) to stdout, or to o->out whole. */
static int write_out(const struct prov_opts *o, const char *what, const json_t *cfg)
{
	char tmp[4096];
	FILE *f = o->push && !o->out ? NULL : stdout; /* pushed: written only if asked */
	int rc, fd = -1;

	if (o->out) {
		if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", o->out) >= (int)sizeof(tmp) ||
		    (fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "aftrctl: -o %s: %s\n", o->out, strerror(errno));
			if (fd >= 0) {
				unlink(tmp);
				close(fd);
			}
			return 1;
		}
		fchmod(fd, 0644);
	}
	rc = strcmp(what, "kea") == 0 ? kea(o, cfg, f) : dns(o, cfg, f);
	if (o->out) {
		if (fclose(f) != 0 || (rc == 0 && rename(tmp, o->out) < 0)) {
			fprintf(stderr, "aftrctl: -o %s: %s\n", o->out, strerror(errno));
			rc = rc ? rc : 1;
		}
		if (rc)
			unlink(tmp);
	}
	return rc;
}

/* The generation of the AFTR's desired state (health: programming.wanted), or -1 when
 * aftr-control does not answer. */
static long long state_generation(const struct api_opts *a)
{
	json_t *j = NULL;
	long st = aftrctl_request(a, "GET", "/api/v1/health", NULL, &j);
	long long g = -1;
	json_t *w = json_object_get(json_object_get(json_object_get(j, "dataplane"), "programming"),
	                            "wanted");

	if ((st == 200 || st == 503) && json_is_integer(w))
		g = json_integer_value(w);
	json_decref(j);
	return g;
}

/* --follow: Kea given the configuration again after every change of the AFTR's state
 * (its generation, asked every second), so that a binding changed through the API
 * reaches its B4 at its next exchange. Runs until killed; a failed push is retried. */
static int follow(const struct api_opts *a, const struct prov_opts *o)
{
	long long done = -2;

	for (;;) {
		long long g = state_generation(a);
		json_t *cfg;

		if (g >= 0 && g != done && aftrctl_fetch(a, "/api/v1/config", &cfg) == 0) {
			if (write_out(o, "kea", cfg) == 0) {
				fprintf(stderr, "aftrctl: Kea has generation %lld\n", g);
				done = g;
			}
			json_decref(cfg);
		}
		sleep(1);
	}
	return 0;
}

int aftrctl_provision(const struct api_opts *a, int argc, char **argv)
{
	struct prov_opts o = {0};
	json_t *cfg;
	int rc;

	if (argc < 2 || parse(argc - 2, argv + 2, &o) < 0 ||
	    (strcmp(argv[1], "kea") != 0 && strcmp(argv[1], "dns") != 0))
		return usage();
	if (o.push && strcmp(argv[1], "kea") != 0) {
		refuse("--push: Kea's control socket, for provision kea", o.push);
		return usage();
	}
	if (o.follow && !o.push) {
		refuse("--follow", "needs --push");
		return usage();
	}
	if (o.follow)
		return follow(a, &o);
	if ((rc = aftrctl_fetch(a, "/api/v1/config", &cfg)) != 0)
		return rc;
	rc = write_out(&o, argv[1], cfg);
	json_decref(cfg);
	return rc;
}
