/* aftrctl who: who had a public address and port at a time, asked of
 * aftr-control's API (GET /api/v1/who) or, with --log-dir, read from an
 * event log directly (no process needed: a copy of the log will do). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "aftrctl_api.h"
#include "config.h"
#include "evlog.h"
#include "util.h"

struct who_args {
	const char *addr, *port, *proto, *at, *log_dir;
};

/* Why the words were refused (NULL: not how they go), then the usage. */
static int who_usage(const char *why)
{
	if (why)
		fprintf(stderr, "aftrctl who: %s\n", why);
	fputs("usage: aftrctl who ADDRESS PORT [--protocol tcp|udp|icmp] [--at TIME] "
	      "[--log-dir DIR]\n"
	      "  TIME: UTC, 2026-12-03T14:02:11Z (or seconds since 1970); default now\n",
	      stderr);
	return 2;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

/* One answer, for a person. */
static void print_answer(const json_t *a)
{
	const json_t *b = json_object_get(a, "block"), *s = json_object_get(a, "session");

	if (json_object_get(a, "b4_prefix"))
		printf("  %s: B4 %s (subscriber %lld)", str(a, "protocol"), str(a, "b4_prefix"),
		       json_integer_value(json_object_get(a, "subscriber")));
	else
		printf("  %s: B4 %s", str(a, "protocol"), str(a, "b4"));
	if (b && json_object_get(a, "b4_prefix"))
		printf(", ports %lld-%lld at all times",
		       json_integer_value(json_object_get(b, "first")),
		       json_integer_value(json_object_get(b, "last")));
	else if (b)
		printf(", port block %lld-%lld (allocated %s, released %s)",
		       json_integer_value(json_object_get(b, "first")),
		       json_integer_value(json_object_get(b, "last")), str(b, "allocated"),
		       str(b, "released"));
	if (s)
		printf(", host %s port %lld (session created %s, ended %s)",
		       str(s, "inside_address"),
		       json_integer_value(json_object_get(s, "inside_port")), str(s, "created"),
		       str(s, "ended"));
	printf(" [%s]\n", str(a, "source"));
}

static int print_all(const json_t *j, bool as_json)
{
	const json_t *answers = json_object_get(j, "answers"), *a;
	size_t i;

	if (as_json) {
		aftrctl_dump(j);
		return json_array_size(answers) ? 0 : 1;
	}
	printf("%s port %lld at %s (%s):\n", str(j, "address"),
	       json_integer_value(json_object_get(j, "port")), str(j, "at"),
	       strcmp(str(j, "from"), "live") == 0 ? "the live NAT state" : "the event log");
	json_array_foreach(answers, i, a)
		print_answer(a);
	if (json_array_size(answers) == 0)
		printf("  nobody held it\n");
	return json_array_size(answers) ? 0 : 1;
}

static json_t *hit_json(uint8_t proto, const struct evlog_hit *h)
{
	char t1[40], t2[40], b4[ADDR6_STRLEN], src[ADDR4_STRLEN];
	struct addr6 a;
	json_t *o;

	memcpy(a.b, h->block ? h->alloc.u.block.b4 : h->create.u.sess.b4, 16);
	o = json_pack("{s:s,s:s,s:s}", "protocol", ctl_msg_proto_name(proto), "source", "log", "b4",
	              addr6_format(&a, b4));
	if (h->block)
		json_object_set_new(
		        o, "block",
		        json_pack("{s:i,s:i,s:s,s:s?}", "first", h->alloc.u.block.first, "last",
		                  h->alloc.u.block.first + h->alloc.u.block.count - 1, "allocated",
		                  evlog_format_time(h->alloc.time_ms, t1, sizeof(t1)), "released",
		                  h->released_ms ? evlog_format_time(h->released_ms, t2, sizeof(t2))
		                                 : NULL));
	if (h->session)
		json_object_set_new(
		        o, "session",
		        json_pack("{s:s,s:i,s:s,s:s?}", "inside_address",
		                  addr4_format(ntohl(h->create.u.sess.src), src), "inside_port",
		                  h->create.u.sess.sport, "created",
		                  evlog_format_time(h->create.time_ms, t1, sizeof(t1)), "ended",
		                  h->ended_ms ? evlog_format_time(h->ended_ms, t2, sizeof(t2))
		                              : NULL));
	return o;
}

/* --log-dir: the answer read from the files. */
static int who_offline(const struct api_opts *o, const struct who_args *w, uint32_t addr,
                       unsigned long port, int64_t at)
{
	static const uint8_t protos[] = {6, 17, 1};
	int p = w->proto ? cfg_name_lookup(cfg_proto_names, w->proto) : -1;
	json_t *answers = json_array(), *j;
	struct evlog_hit h;
	char t[40];
	int rc;

	for (size_t i = 0; i < sizeof(protos); i++) {
		if (p >= 0 && protos[i] != cfg_proto_ip((enum cfg_proto)p))
			continue;
		rc = evlog_who(w->log_dir, htonl(addr), (uint16_t)port, protos[i], (uint64_t)at,
		               &h);
		if (rc < 0) {
			fprintf(stderr, "aftrctl: --log-dir %s: %s\n", w->log_dir, strerror(-rc));
			json_decref(answers);
			return 1;
		}
		if (rc)
			json_array_append_new(answers, hit_json(protos[i], &h));
	}
	j = json_pack("{s:s,s:i,s:s,s:s,s:o}", "address", w->addr, "port", (int)port, "at",
	              evlog_format_time((uint64_t)at, t, sizeof(t)), "from", "log", "answers",
	              answers);
	rc = print_all(j, o->json);
	json_decref(j);
	return rc;
}

int aftrctl_who(const struct api_opts *o, int argc, char **argv)
{
	struct who_args w = {0};
	char path[256];
	unsigned long port;
	uint32_t addr;
	int64_t at;
	json_t *j;
	char *end;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char **opt = strcmp(argv[i], "--at") == 0         ? &w.at
		                   : strcmp(argv[i], "--protocol") == 0 ? &w.proto
		                   : strcmp(argv[i], "--log-dir") == 0  ? &w.log_dir
		                                                        : NULL;

		if (opt && i + 1 < argc)
			*opt = argv[++i];
		else if (opt == NULL && argv[i][0] != '-' && !w.addr)
			w.addr = argv[i];
		else if (opt == NULL && argv[i][0] != '-' && !w.port)
			w.port = argv[i];
		else
			return who_usage(NULL);
	}
	if (!w.addr || !w.port)
		return who_usage("an address and a port, please");
	if (addr4_parse(w.addr, &addr, NULL, 0) < 0)
		return who_usage("ADDRESS: not an IPv4 address");
	port = strtoul(w.port, &end, 10);
	if (*w.port == '\0' || *end || port > 65535)
		return who_usage("PORT: 0-65535");
	if (w.proto && cfg_name_lookup(cfg_proto_names, w.proto) < 0)
		return who_usage("--protocol: tcp, udp or icmp");
	at = w.at ? evlog_parse_time(w.at) : (int64_t)wall_ms();
	if (at < 0)
		return who_usage(
		        "--at: a time in UTC, 2026-12-03T14:02:11Z, or seconds since 1970");
	if (w.log_dir)
		return who_offline(o, &w, addr, port, at);
	/* The time as seconds: nothing in it to escape in a URL ("+00:00"). */
	snprintf(path, sizeof(path), "/api/v1/who?address=%s&port=%lu%s%s", w.addr, port,
	         w.proto ? "&protocol=" : "", w.proto ? w.proto : "");
	if (w.at)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "&at=%" PRId64 ".%03d",
		         at / 1000, (int)(at % 1000));
	if ((rc = aftrctl_fetch(o, path, &j)) != 0)
		return rc;
	rc = print_all(j, o->json);
	json_decref(j);
	return rc;
}
