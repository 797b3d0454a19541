/* aftrctl's views of B4s, through aftr-control's API:
 *
 *   aftrctl show b4 ADDRESS   one B4: its mode, entries, NAT state and
 *                             limits, its drops by reason, its learned
 *                             softwire MTU, when its sessions last saw a
 *                             packet
 *   aftrctl show b4s [N]      the N B4s that drop most (default 20), from
 *                             the workers' drop tables */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl_api.h"

#define EXIT_USAGE 2

/* "reason N, reason N" of a drops object, most first. */
static void print_reasons(const json_t *reasons)
{
	const char *k, *done[64];
	size_t n = 0;
	json_t *v;

	while (n < 64) {
		const char *best = NULL;
		json_int_t max = 0;

		json_object_foreach((json_t *)reasons, k, v) {
			bool seen = false;

			for (size_t i = 0; i < n; i++)
				seen |= done[i] == k;
			if (!seen && json_integer_value(v) > max) {
				max = json_integer_value(v);
				best = k;
			}
		}
		if (best == NULL)
			break;
		printf("%s%s %lld", n ? ", " : "", best, (long long)max);
		done[n++] = best;
	}
}

/* Its drops, learned MTU and last activity. */
static void print_facts(const json_t *j)
{
	const json_t *d = json_object_get(j, "drops"), *v;

	if (json_is_object(d)) {
		printf("drops: %lld (", (long long)json_integer_value(json_object_get(d, "drops")));
		print_reasons(json_object_get(d, "reasons"));
		printf("), the last %llds ago, counted for the last %llds\n",
		       (long long)json_integer_value(json_object_get(d, "last_drop_s")),
		       (long long)json_integer_value(json_object_get(d, "since_s")));
	} else {
		printf("drops: none among the B4s that drop most\n");
	}
	v = json_object_get(j, "pmtu");
	if (json_is_integer(v))
		printf("softwire MTU learned from packet too big: %lld\n",
		       (long long)json_integer_value(v));
	v = json_object_get(j, "last_active_s");
	if (json_is_integer(v))
		printf("last packet of its sessions: %llds ago\n",
		       (long long)json_integer_value(v));
}

/* " (its own)" for a limit its tunnel sets, "" for a default. */
static const char *own(const json_t *limit, const char *from)
{
	const char *v = json_string_value(json_object_get(limit, from));

	return v && strcmp(v, "tunnel") == 0 ? " (its own)" : "";
}

int aftrctl_show_b4(const struct api_opts *o, const char *b4)
{
	static const char *const protos[] = {"tcp", "udp", "icmp"};
	char path[256];
	const char *k;
	json_t *j, *v, *nat, *sub;
	int rc;

	snprintf(path, sizeof(path), "/api/v1/b4s/%s", b4);
	if ((rc = aftrctl_fetch_view(o, path, &j)) != 0 || j == NULL)
		return rc;
	printf("B4 %s: %s", json_string_value(json_object_get(j, "b4")),
	       json_string_value(json_object_get(j, "mode")));
	v = json_object_get(json_object_get(j, "entries"), "acl6");
	printf("%s%s%s\n", json_is_string(v) ? " (acl6 " : "",
	       json_is_string(v) ? json_string_value(v) : "", json_is_string(v) ? ")" : "");
	json_object_foreach(json_object_get(j, "entries"), k, v) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e) {
			char *text = json_dumps(e, JSON_COMPACT);

			printf("  %s: %s\n", k, text ? text : "?");
			free(text);
		}
	}
	nat = json_object_get(j, "nat");
	if (json_is_object(nat))
		printf("NAT state on worker %lld, public address %s\n",
		       (long long)json_integer_value(json_object_get(nat, "worker")),
		       json_string_value(json_object_get(nat, "external_address")));
	else
		printf("NAT state: none (dataplane: %s)\n",
		       json_string_value(json_object_get(j, "dataplane")));
	for (int p = 0; p < 3; p++) {
		sub = json_object_get(json_object_get(j, "limits"), protos[p]);
		printf("  %-4s sessions %lld of %lld%s (%.0f%%), at most %lld new a second%s\n",
		       protos[p], (long long)json_integer_value(json_object_get(sub, "sessions")),
		       (long long)json_integer_value(json_object_get(sub, "sessions_max")),
		       own(sub, "sessions_max_from"),
		       100 * json_number_value(json_object_get(sub, "sessions_used")),
		       (long long)json_integer_value(json_object_get(sub, "new_sessions_per_s")),
		       own(sub, "new_sessions_per_s_from"));
	}
	if (json_is_object(nat)) {
		json_t *f = aftrctl_flat_subscriber(nat);

		printf("  port blocks: %s\n", json_string_value(json_object_get(f, "port_blocks")));
		json_decref(f);
	}
	print_facts(j);
	json_decref(j);
	return 0;
}

int aftrctl_show_b4s(const struct api_opts *o, const char *count)
{
	char path[128], *end;
	long n = count ? strtol(count, &end, 10) : 20;
	json_t *j, *e;
	size_t i;
	int rc;

	if (count && (*end != '\0' || n < 1 || n > 1000)) {
		fprintf(stderr, "aftrctl: show b4s [COUNT], 1-1000\n");
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/api/v1/b4s?top=%ld", n);
	if ((rc = aftrctl_fetch_view(o, path, &j)) != 0 || j == NULL)
		return rc;
	printf("%-40s %12s  %s\n", "B4", "drops", "reasons");
	json_array_foreach(json_object_get(j, "b4s"), i, e) {
		printf("%-40s %12lld  ", json_string_value(json_object_get(e, "b4")),
		       (long long)json_integer_value(json_object_get(e, "drops")));
		print_reasons(json_object_get(e, "reasons"));
		printf("\n");
	}
	printf("%zu B4s; the workers' tables hold %lld of %lld, %lld replaced\n",
	       json_array_size(json_object_get(j, "b4s")),
	       (long long)json_integer_value(json_object_get(j, "tracked")),
	       (long long)json_integer_value(json_object_get(j, "capacity")),
	       (long long)json_integer_value(json_object_get(j, "replaced")));
	json_decref(j);
	return 0;
}
