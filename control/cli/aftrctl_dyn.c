/* aftrctl's lists of NAT state, through aftr-control's API:
 *
 *   aftrctl list session [KEY=VALUE...]     dynamic sessions (ISC "list nat
 *                                           dynamic"), every page
 *   aftrctl list subscriber [KEY=VALUE...]  B4s with NAT state, their
 *                                           sessions and port blocks
 *
 * KEY is one of the API's filters: b4, protocol, external_address,
 * external_port (sessions), b4, external_address (subscribers); e.g.
 * "list session external_address=198.51.100.1 external_port=40312" finds
 * who has a public port now. The table ends with the count.
 *
 *   aftrctl clear sessions B4 [KEY=VALUE...]
 *                                           ends a B4's sessions (those
 *                                           matching: protocol,
 *                                           external_address, external_port) */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl_api.h"

#define EXIT_USAGE 2
#define PAGE       1000

static const char *const session_keys[] = {"b4", "protocol", "external_address", "external_port",
                                           NULL};
static const char *const subscriber_keys[] = {"b4", "external_address", NULL};

static bool known(const char *const *keys, const char *kv)
{
	const char *eq = strchr(kv, '=');

	for (int i = 0; eq && keys[i]; i++)
		if (strlen(keys[i]) == (size_t)(eq - kv) &&
		    strncmp(kv, keys[i], (size_t)(eq - kv)) == 0)
			return eq[1] != '\0' && strpbrk(eq + 1, "&?#% ") == NULL;
	return false;
}

/* A subscriber as one line: its sessions and blocks as text. */
json_t *aftrctl_flat_subscriber(const json_t *s)
{
	static const char *const protos[] = {"tcp", "udp", "icmp"};
	char sess[64] = "", blocks[256] = "";
	size_t n = 0, m = 0, i;
	const json_t *b;

	for (int p = 0; p < 3; p++) {
		json_int_t c = json_integer_value(
		        json_object_get(json_object_get(s, "sessions"), protos[p]));

		if (c && n < sizeof(sess))
			n += (size_t)snprintf(sess + n, sizeof(sess) - n, "%s%s %lld",
			                      n ? ", " : "", protos[p], (long long)c);
	}
	json_array_foreach(json_object_get(s, "blocks"), i, b) {
		if (m < sizeof(blocks))
			m += (size_t)snprintf(
			        blocks + m, sizeof(blocks) - m, "%s%s %lld-%lld", m ? ", " : "",
			        json_string_value(json_object_get(b, "protocol")),
			        (long long)json_integer_value(json_object_get(b, "first")),
			        (long long)json_integer_value(json_object_get(b, "last")));
	}
	return json_pack("{s:O,s:O,s:O,s:s,s:s}", "b4", json_object_get(s, "b4"),
	                 "external_address", json_object_get(s, "external_address"), "worker",
	                 json_object_get(s, "worker"), "sessions", n ? sess : "-", "port_blocks",
	                 m ? blocks : "-");
}

/* Every page of path (a query already begun) into all. */
static int pages(const struct api_opts *o, const char *path, const char *field, json_t *all)
{
	char url[1024 + 160], next[128] = "";

	do {
		json_t *j, *v;
		int rc;

		if ((size_t)snprintf(url, sizeof(url), "%s%s%s", path, next[0] ? "&cursor=" : "",
		                     next) >= sizeof(url))
			return EXIT_USAGE; /* path is at most 1024: never */
		if ((rc = aftrctl_fetch(o, url, &j)) != 0)
			return rc;
		json_array_extend(all, json_object_get(j, field));
		v = json_object_get(j, "next");
		snprintf(next, sizeof(next), "%s", json_is_string(v) ? json_string_value(v) : "");
		json_decref(j);
	} while (next[0]);
	return 0;
}

int aftrctl_list_dynamic(const struct api_opts *o, const char *what, int argc, char **argv)
{
	bool sessions = strcmp(what, "session") == 0;
	const char *field = sessions ? "sessions" : "subscribers";
	char path[1024];
	size_t off, i;
	json_t *all = json_array(), *e;
	int rc;

	off = (size_t)snprintf(path, sizeof(path), "/api/v1/%s?limit=%d", field, PAGE);
	for (int k = 0; k < argc; k++) {
		if (!known(sessions ? session_keys : subscriber_keys, argv[k])) {
			fprintf(stderr,
			        "aftrctl: list %s: %s: a filter is KEY=VALUE, KEY one of %s\n",
			        what, argv[k],
			        sessions ? "b4, protocol, external_address, external_port"
			                 : "b4, external_address");
			json_decref(all);
			return EXIT_USAGE;
		}
		off += (size_t)snprintf(path + off, off < sizeof(path) ? sizeof(path) - off : 0,
		                        "&%s", argv[k]);
	}
	if (off >= sizeof(path) || (rc = pages(o, path, field, all)) != 0) {
		json_decref(all);
		return off >= sizeof(path) ? EXIT_USAGE : rc;
	}
	if (o->json) {
		aftrctl_dump(all);
	} else {
		json_t *rows = json_array();

		json_array_foreach(all, i, e)
			json_array_append_new(rows, sessions ? json_incref(e)
			                                     : aftrctl_flat_subscriber(e));
		if (json_array_size(rows))
			aftrctl_table(rows);
		printf("%zu %s\n", json_array_size(rows), field);
		json_decref(rows);
	}
	json_decref(all);
	return 0;
}

int aftrctl_clear(const struct api_opts *o, int argc, char **argv)
{
	char path[1024];
	size_t off;
	json_t *j;
	long st;

	if (argc < 3 || strcmp(argv[1], "sessions") != 0) {
		fprintf(stderr,
		        "usage: aftrctl clear sessions B4 [protocol=P] [external_address=A] "
		        "[external_port=N]\n");
		return EXIT_USAGE;
	}
	off = (size_t)snprintf(path, sizeof(path), "/api/v1/sessions?b4=%s", argv[2]);
	for (int k = 3; k < argc; k++) {
		if (!known(session_keys, argv[k]) || strncmp(argv[k], "b4=", 3) == 0) {
			fprintf(stderr,
			        "aftrctl: clear sessions: %s: a filter is KEY=VALUE, KEY one of "
			        "protocol, external_address, external_port\n",
			        argv[k]);
			return EXIT_USAGE;
		}
		off += (size_t)snprintf(path + off, off < sizeof(path) ? sizeof(path) - off : 0,
		                        "&%s", argv[k]);
	}
	if (off >= sizeof(path) || strpbrk(argv[2], "&?#% ") != NULL) {
		fprintf(stderr, "aftrctl: clear sessions: %s: not a B4 address\n", argv[2]);
		return EXIT_USAGE;
	}
	st = aftrctl_request(o, "DELETE", path, NULL, &j);
	if (st != 200) {
		int rc = aftrctl_report(st, j);

		json_decref(j);
		return rc;
	}
	if (o->json)
		aftrctl_dump(j);
	else
		printf("%lld sessions of %s ended\n",
		       (long long)json_integer_value(json_object_get(j, "cleared")), argv[2]);
	json_decref(j);
	return 0;
}
