/* aftrctl's verbs on the run-time lists, through aftr-control's API:
 *
 *   aftrctl list tunnel|nat|prr|nonat|softwire|acl6|private|pool
 *                                   (a softwire's ports as ranges)
 *   aftrctl list session|subscriber [KEY=VALUE...]   (aftrctl_dyn.c)
 *   aftrctl list nat dynamic|static ISC's: the sessions, the static entries
 *   aftrctl add KIND JSON|@FILE     one object, or an array of them (bulk)
 *   aftrctl del KIND ID...          e.g. del nat tcp 198.51.100.1 80
 *   aftrctl add|del softwire @FILE.csv
 *                                   lw4o6 bindings in bulk: b4,ipv4,psid,psid_len,offset
 *   aftrctl limit B4 tcp|udp|icmp maxcount|rate N|default
 *                                   a B4's own NAT limits (its tunnel entry)
 *   aftrctl reload                  re-read the configuration file
 *   aftrctl debug tunnel B4         a B4's tunnel entry and its sessions
 *   aftrctl isc 'LINE'              one ISC AFTR command line, e.g.
 *                                   'tunnel 2001:db8::2 198.51.100.1' or
 *                                   'delete nat 2001:db8::2 tcp 10.0.0.2 80'
 *   aftrctl tunnel|nat|prr|nonat|delete|mtu|mss|toobig|admpro|filter ...
 *                                   the same without the quotes
 *   aftrctl tunnel|nat|prr|nonat|acl6 add|del ...
 *                                   "nat del ..." is ISC's "delete nat ..."
 *
 * An ISC line is applied to the effective configuration the API returns;
 * what it changes is sent as the API's additions and deletions (a changed
 * entry, such as "mtu B4 1400" on a tunnel, is deleted and added again).
 * A line that would change what needs a restart (pools, defaults) is
 * refused. The mapping of ISC's XML provisioning verbs (create, delete,
 * get, flush) onto the same resources is in control/README.md. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl_api.h"
#include "aftrctl_csv.h"
#include "config_json.h"
#include "isc_import.h"
#include "cfg_kinds.h"
#include "portset.h"
#include "util.h"

#define EXIT_API_ERROR 1
#define EXIT_USAGE     2

/* ISC's object names, and ours, to API kinds. */
static const struct {
	const char *name;
	enum cfg_kind kind;
} kind_names[] = {
        {"tunnel", K_TUNNEL},     {"tunnels", K_TUNNEL},
        {"nat", K_NAT},           {"static-nat", K_NAT},
        {"prr", K_PRR},           {"nonat", K_NONAT},
        {"softwire", K_SOFTWIRE}, {"softwires", K_SOFTWIRE},
        {"acl6", K_ACL6},         {"private", K_PRIVATE},
};

static int kind_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (strcmp(kind_names[i].name, name) == 0)
			return (int)kind_names[i].kind;
	return -1;
}

/* One entry on one line: its values in key order, then where it is from. */
static void print_entry(const json_t *e)
{
	const char *k, *src = json_string_value(json_object_get(e, "source"));
	const json_t *v;
	bool first = true;

	json_object_foreach((json_t *)e, k, v) {
		char *s;

		if (strcmp(k, "source") == 0)
			continue;
		s = json_is_string(v) ? strdup(json_string_value(v))
		                      : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%s%s=%s", first ? "" : " ", k, s ? s : "?");
		free(s);
		first = false;
	}
	printf(src ? "  (%s)\n" : "\n", src);
}

/* ISC "list pool" shows each pool's ranges: the defaults where it has none. */
static void pool_ranges(json_t *j)
{
	static const char *const keys[] = {"tcp", "udp", "echo"};
	json_t *def = json_object_get(j, "pool_defaults"), *p;
	size_t i;

	json_array_foreach(json_object_get(j, "pools"), i, p)
		for (int k = 0; k < 3; k++)
			if (json_object_get(p, keys[k]) == NULL)
				json_object_set(p, keys[k], json_object_get(def, keys[k]));
}

/* Each softwire's port set as ranges (RFC 7597 section 5.1: 2^a - 1
 * ranges of 2^(16-a-k) ports for offset a, PSID length k), for a table. */
static void port_sets(json_t *arr)
{
	json_t *s;
	size_t i;

	json_array_foreach(arr, i, s) {
		struct psid_params p = {
		        .offset = (uint8_t)json_integer_value(json_object_get(s, "offset")),
		        .psid_len = (uint8_t)json_integer_value(json_object_get(s, "psid_len")),
		        .psid = (uint16_t)json_integer_value(json_object_get(s, "psid"))};
		uint32_t n = psid_port_count(&p), run = 1;
		char text[96];

		if (psid_params_validate(&p, text, sizeof(text)) < 0 || n == 0)
			continue;
		while (run < n && psid_port_nth(&p, run) == psid_port_nth(&p, 0) + run)
			run++;
		if (run == n)
			snprintf(text, sizeof(text), "%u-%u", psid_port_nth(&p, 0),
			         psid_port_nth(&p, n - 1));
		else
			snprintf(text, sizeof(text), "%u-%u, %u-%u, ... (%u ranges of %u)",
			         psid_port_nth(&p, 0), psid_port_nth(&p, run - 1),
			         psid_port_nth(&p, run), psid_port_nth(&p, 2 * run - 1), n / run,
			         run);
		json_object_set_new(s, "ports", json_string(text));
	}
}

static int list(const struct api_opts *o, const char *what)
{
	int k = kind_of(what), rc;
	char path[128];
	json_t *j, *arr;

	if (k >= 0)
		snprintf(path, sizeof(path), "/api/v1/%s", kinds[k].url);
	else if (strcmp(what, "pool") == 0)
		snprintf(path, sizeof(path), "/api/v1/pools");
	else
		return -1;
	if ((rc = aftrctl_fetch(o, path, &j)) != 0)
		return rc;
	if (strcmp(what, "pool") == 0)
		pool_ranges(j);
	arr = k >= 0 ? j : json_object_get(j, "pools");
	if (k >= 0 && strcmp(kinds[k].url, "softwires") == 0 && !o->json)
		port_sets(arr);
	if (o->json)
		aftrctl_dump(arr);
	else
		aftrctl_table(arr);
	json_decref(j);
	return 0;
}

/* Sends a change; prints what the AFTR made of it. */
static int change(const struct api_opts *o, const char *method, const char *path, const char *body)
{
	json_t *j;
	long st = aftrctl_request(o, method, path, body, &j);
	int rc = 0;

	if (st != 200 && st != 201) {
		rc = aftrctl_report(st, j);
	} else if (o->json) {
		aftrctl_dump(j);
	} else {
		const char *detail = json_string_value(json_object_get(j, "detail"));

		printf("%s %s: generation %lld, %s%s%s\n", method, path,
		       (long long)json_integer_value(json_object_get(j, "generation")),
		       json_is_true(json_object_get(j, "applied")) ? "applied"
		                                                   : "saved, not applied yet",
		       detail ? ": " : "", detail ? detail : "");
	}
	json_decref(j);
	return rc;
}

/* A CSV file of softwires, added (POST) or deleted (DELETE) in bulk. */
static int csv_bulk(const struct api_opts *o, const char *method, const char *file)
{
	uint32_t *lines;
	json_t *arr, *j;
	char *body;
	long st;
	int rc = 0;

	if (csv_softwires(file, &arr, &lines) < 0)
		return EXIT_USAGE;
	body = json_dumps(arr, JSON_COMPACT);
	st = body ? aftrctl_request(o, method, "/api/v1/softwires", body, &j) : 0;
	if (st == 200 || st == 201)
		printf("%s /api/v1/softwires: %zu from %s, generation %lld, %s\n", method,
		       json_array_size(arr), file,
		       (long long)json_integer_value(json_object_get(j, "generation")),
		       json_is_true(json_object_get(j, "applied")) ? "applied"
		                                                   : "saved, not applied yet");
	else if (st != 0)
		csv_report(file, lines, json_array_size(arr), st, j);
	rc = st == 200 || st == 201 ? 0 : st == 0 ? 3 : EXIT_API_ERROR;
	if (st)
		json_decref(j);
	free(body);
	free(lines);
	json_decref(arr);
	return rc;
}

static bool is_csv(const char *arg)
{
	size_t n = strlen(arg);

	return arg[0] == '@' && n > 5 && strcmp(arg + n - 4, ".csv") == 0;
}

static int add(const struct api_opts *o, const char *what, const char *arg)
{
	int k = kind_of(what), rc;
	char path[128], *body = NULL;
	size_t len;

	if (k < 0)
		return -1;
	if (is_csv(arg)) {
		if (k != K_SOFTWIRE) {
			fprintf(stderr, "aftrctl: CSV bulk files are for softwires\n");
			return EXIT_USAGE;
		}
		return csv_bulk(o, "POST", arg + 1);
	}
	if (arg[0] == '@' && read_file(arg + 1, &body, &len) < 0) {
		fprintf(stderr, "aftrctl: %s: %s\n", arg + 1, strerror(errno));
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/api/v1/%s", kinds[k].url);
	rc = change(o, "POST", path, body ? body : arg);
	free(body);
	return rc;
}

static int del(const struct api_opts *o, const char *what, int n, char **ids)
{
	int k = kind_of(what);
	char path[512];
	size_t off;

	if (k == K_SOFTWIRE && n == 1 && is_csv(ids[0]))
		return csv_bulk(o, "DELETE", ids[0] + 1);
	if (k < 0 || n != kinds[k].nseg)
		return k < 0 ? -1
		             : (fprintf(stderr, "aftrctl: del %s %s\n", what, kinds[k].id_form),
		                EXIT_USAGE);
	off = (size_t)snprintf(path, sizeof(path), "/api/v1/%s", kinds[k].url);
	for (int i = 0; i < n && off < sizeof(path); i++)
		off += (size_t)snprintf(path + off, sizeof(path) - off, "/%s", ids[i]);
	if (off >= sizeof(path)) {
		fprintf(stderr, "aftrctl: del %s: the name is too long\n", what);
		return EXIT_USAGE;
	}
	return change(o, "DELETE", path, NULL);
}

/* Whether entry i of a and entry k of b are the same, value for value. */
static bool same(const struct kind *kd, const struct aftr_config *a, size_t i,
                 const struct aftr_config *b, size_t k)
{
	json_t *x = kd->enc(kind_at(kd, a, i)), *y = kd->enc(kind_at(kd, b, k));
	bool eq = x && y && json_equal(x, y);

	json_decref(x);
	json_decref(y);
	return eq;
}

/* The first and past-the-last index where two lists of a kind differ
 * (an ISC line changes one place: it appends, removes or edits). */
static void differ(const struct kind *kd, const struct aftr_config *a, const struct aftr_config *b,
                   size_t *lo, size_t *hi_a, size_t *hi_b)
{
	size_t na = *kind_list(kd, a).n, nb = *kind_list(kd, b).n, p = 0, s = 0;

	while (p < na && p < nb && same(kd, a, p, b, p))
		p++;
	while (s < na - p && s < nb - p && same(kd, a, na - 1 - s, b, nb - 1 - s))
		s++;
	*lo = p;
	*hi_a = na - s;
	*hi_b = nb - s;
}

/* Index of an entry in [lo, hi) of a list with probe's identity, or -1. */
static long kind_find_in(const struct kind *kd, const struct aftr_config *cfg, const void *probe,
                         size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		if (kd->eq(kind_at(kd, cfg, i), probe))
			return (long)i;
	return -1;
}

/* Sends what changed between before and after: deletions, edits, then
 * additions. */
static int send_diff(const struct api_opts *o, const struct aftr_config *before,
                     const struct aftr_config *after)
{
	int rc = 0, changes = 0;

	for (int k = 0; k < K_COUNT && rc == 0; k++) {
		const struct kind *kd = &kinds[k];
		char path[512], id[256], *body;
		size_t lo, hi_a, hi_b;

		differ(kd, before, after, &lo, &hi_a, &hi_b);
		/* An entry on both sides (same identity) was edited: replaced in
		 * place (PUT), never deleted first. */
		for (size_t i = lo; i < hi_a && rc == 0; i++, changes++) {
			if (kind_find_in(kd, after, kind_at(kd, before, i), lo, hi_b) >= 0)
				continue;
			kd->path(kind_at(kd, before, i), id, sizeof(id));
			snprintf(path, sizeof(path), "/api/v1/%s/%s", kd->url, id);
			rc = change(o, "DELETE", path, NULL);
		}
		for (size_t i = lo; i < hi_b && rc == 0; i++, changes++) {
			json_t *e = kd->enc(kind_at(kd, after, i));
			bool edit = kind_find_in(kd, before, kind_at(kd, after, i), lo, hi_a) >= 0;

			body = e ? json_dumps(e, JSON_COMPACT) : NULL;
			json_decref(e);
			kd->path(kind_at(kd, after, i), id, sizeof(id));
			snprintf(path, sizeof(path), edit ? "/api/v1/%s/%s" : "/api/v1/%s", kd->url,
			         id);
			rc = body ? change(o, edit ? "PUT" : "POST", path, body) : EXIT_API_ERROR;
			free(body);
		}
	}
	if (rc == 0 && changes == 0)
		printf("nothing to change\n");
	return rc;
}

/* The effective configuration, twice: as it is, and to apply the line to. */
static int load_effective(const struct api_opts *o, struct aftr_config *a, struct aftr_config *b)
{
	struct diag d;
	struct jdec j;
	json_t *root;
	int rc = aftrctl_fetch(o, "/api/v1/config", &root);

	if (rc != 0)
		return rc;
	diag_init(&d, "the AFTR's configuration");
	jdec_init(&j, &d);
	cfg_init(a);
	rc = cfg_from_json(a, root, &j) < 0 || cfg_copy(b, a) < 0 ? EXIT_API_ERROR : 0;
	if (rc)
		diag_print(&d, stderr);
	diag_free(&d);
	json_decref(root);
	if (rc)
		cfg_free(a);
	return rc;
}

static int isc_line(const struct api_opts *o, const char *line)
{
	struct aftr_config before, after;
	char which[64];
	struct diag d;
	int rc = load_effective(o, &before, &after);

	if (rc != 0)
		return rc;
	diag_init(&d, NULL);
	if (isc_apply_line(&after, line, &d) < 0) {
		diag_print(&d, stderr);
		rc = EXIT_API_ERROR;
	} else if (cfg_fixed_diff(&after, &before, CFG_FIXED_CONTROL, which, sizeof(which)) != 0) {
		fprintf(stderr,
		        "aftrctl: \"%s\" changes %s, which is not a run-time setting: edit the "
		        "configuration file and restart\n",
		        line, which);
		rc = EXIT_API_ERROR;
	} else {
		rc = send_diff(o, &before, &after);
	}
	diag_free(&d);
	cfg_free(&before);
	cfg_free(&after);
	return rc;
}

/* "limit B4 tcp|udp|icmp maxcount|rate N|default": a B4's own session
 * limit or creation rate (RFC 6888 REQ-4, REQ-5) in its tunnel entry (one
 * made, with no other setting, when it has none); "default" takes it back
 * to tunnel_defaults'. */
static int limit(const struct api_opts *o, char **argv)
{
	static const char *const protos[] = {"tcp", "udp", "icmp", NULL};
	static const char *const what[] = {"maxcount", "rate", NULL};
	int p = cfg_name_lookup(protos, argv[1]), k = cfg_name_lookup(what, argv[2]), rc;
	bool dflt = strcmp(argv[3], "default") == 0;
	struct aftr_config before, after;
	struct cfg_tunnel *t = NULL;
	struct addr6 b4;
	char *end;
	unsigned long v = dflt ? 0 : strtoul(argv[3], &end, 10);

	if (addr6_parse(argv[0], &b4, NULL, 0) < 0 || p < 0 || k < 0 ||
	    (!dflt &&
	     (*end != '\0' || !isdigit((unsigned char)argv[3][0]) || v > (k ? 255u : 65535u)))) {
		fprintf(stderr, "aftrctl: limit B4 tcp|udp|icmp maxcount 0-65535|default, or "
		                "rate 0-255|default\n");
		return EXIT_USAGE;
	}
	if ((rc = load_effective(o, &before, &after)) != 0)
		return rc;
	for (size_t i = 0; i < after.lists.n_tunnels && t == NULL; i++)
		if (addr6_equal(&after.lists.tunnels[i].b4, &b4))
			t = &after.lists.tunnels[i];
	if (t == NULL && (t = vec_push((void **)&after.lists.tunnels, &after.lists.n_tunnels,
	                               &after.lists.cap_tunnels, sizeof(*t))) != NULL)
		*t = (struct cfg_tunnel){
		        .b4 = b4, .mss = CFG_INHERIT, .toobig = CFG_INHERIT, .admpro = CFG_INHERIT};
	if (t == NULL) {
		rc = EXIT_API_ERROR;
	} else {
		unsigned int bit = 1u << (k * CFG_NPROTO + p);

		t->nat_set = (uint8_t)(dflt ? t->nat_set & ~bit : t->nat_set | bit);
		if (k)
			t->nat_rate[p] = (uint8_t)v;
		else
			t->nat_maxcount[p] = (uint16_t)v;
		rc = send_diff(o, &before, &after);
	}
	cfg_free(&before);
	cfg_free(&after);
	return rc;
}

/* ISC "debug tunnel B4": what the AFTR has for one B4. */
static int debug_tunnel(const struct api_opts *o, const char *b4)
{
	char path[256];
	json_t *j, *e;
	size_t i;
	int rc = aftrctl_fetch(o, "/api/v1/tunnels", &j), found = 0;

	if (rc != 0)
		return rc;
	json_array_foreach(j, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "b4")) ?: "", b4) == 0) {
			printf("tunnel: ");
			print_entry(e);
			found = 1;
		}
	}
	if (!found)
		printf("tunnel: none configured (a dynamic tunnel if acl6 lets %s in)\n", b4);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/sessions?limit=1000&b4=%s", b4);
	if ((rc = aftrctl_fetch(o, path, &j)) != 0)
		return rc;
	printf("sessions: %zu\n", json_array_size(json_object_get(j, "sessions")));
	if (json_array_size(json_object_get(j, "sessions")))
		aftrctl_table(json_object_get(j, "sessions"));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/subscribers?b4=%s", b4);
	if ((rc = aftrctl_fetch(o, path, &j)) != 0)
		return rc;
	json_array_foreach(json_object_get(j, "subscribers"), i, e) {
		printf("NAT state: ");
		print_entry(e);
	}
	json_decref(j);
	return 0;
}

/* The ISC objects that take "add" and "del" spelt out. */
static const char *const addel_kinds[] = {"tunnel", "nat", "prr", "nonat", "acl6", NULL};

/* The ISC words that change the lists, usable as verbs without "isc". */
static const char *const isc_verbs[] = {"tunnel", "nat",    "prr",    "nonat",  "delete", "mtu",
                                        "mss",    "toobig", "admpro", "filter", "acl6",   NULL};

int aftrctl_lists(const struct api_opts *o, int argc, char **argv)
{
	char line[1024];
	size_t off = 0;
	int from = 1;

	/* ISC "list nat dynamic" is the sessions; "list nat static", ours. */
	if (argc >= 2 && strcmp(argv[0], "list") == 0 &&
	    (strcmp(argv[1], "session") == 0 || strcmp(argv[1], "subscriber") == 0))
		return aftrctl_list_dynamic(o, argv[1], argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[0], "list") == 0 && strcmp(argv[1], "nat") == 0 &&
	    strcmp(argv[2], "dynamic") == 0)
		return aftrctl_list_dynamic(o, "session", 0, NULL);
	if (argc == 3 && strcmp(argv[0], "list") == 0 && strcmp(argv[1], "nat") == 0 &&
	    strcmp(argv[2], "static") == 0)
		return list(o, "nat");
	if (argc == 2 && strcmp(argv[0], "list") == 0)
		return list(o, argv[1]);
	if (argc == 3 && strcmp(argv[0], "add") == 0)
		return add(o, argv[1], argv[2]);
	if (argc >= 2 && strcmp(argv[0], "del") == 0)
		return del(o, argv[1], argc - 2, argv + 2);
	if (argc == 1 && strcmp(argv[0], "reload") == 0)
		return change(o, "POST", "/api/v1/reload", NULL);
	if (argc == 3 && strcmp(argv[0], "debug") == 0 && strcmp(argv[1], "tunnel") == 0)
		return debug_tunnel(o, argv[2]);
	if (strcmp(argv[0], "limit") == 0) {
		if (argc == 5)
			return limit(o, argv + 1);
		fprintf(stderr, "aftrctl: limit B4 tcp|udp|icmp maxcount|rate N|default\n");
		return EXIT_USAGE;
	}
	if (argc >= 3 && cfg_name_lookup(addel_kinds, argv[0]) >= 0 &&
	    (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "del") == 0)) {
		/* "nat del B4 ...": ISC's "delete nat B4 ..."; "nat add": "nat". */
		off = (size_t)snprintf(line, sizeof(line), "%s%s",
		                       argv[1][0] == 'd' ? "delete " : "", argv[0]);
		from = 2;
	} else if (cfg_name_lookup(isc_verbs, argv[0]) >= 0) {
		from = 0;
	} else if (strcmp(argv[0], "isc") != 0 || argc < 2) {
		return -1;
	}
	for (int i = from; i < argc && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s", off ? " " : "",
		                        argv[i]);
	if (off >= sizeof(line)) {
		fprintf(stderr, "aftrctl: the command line is too long\n");
		return EXIT_USAGE;
	}
	return isc_line(o, line);
}
