/* aftrctl show pcp: the PCP server (RFC 6887) as GET /api/v1/pcp gives it:
 * its epoch, requests, the answers that were not SUCCESS by result, and
 * one line per mapping. */
#include <stdio.h>

#include "aftrctl_api.h"

static void mapping_line(const json_t *m)
{
	printf("%-5s %-4s %-39s %15s:%-5lld %15s:%-5lld %8lld %8lld\n",
	       json_string_value(json_object_get(m, "opcode")),
	       json_string_value(json_object_get(m, "protocol")),
	       json_string_value(json_object_get(m, "b4")),
	       json_string_value(json_object_get(m, "internal")),
	       (long long)json_integer_value(json_object_get(m, "internal_port")),
	       json_string_value(json_object_get(m, "external")),
	       (long long)json_integer_value(json_object_get(m, "external_port")),
	       (long long)json_integer_value(json_object_get(m, "lifetime")),
	       (long long)json_integer_value(json_object_get(m, "expires_in")));
}

int aftrctl_show_pcp(const struct api_opts *o)
{
	json_t *j, *v, *m;
	const char *k;
	size_t i;
	int rc = aftrctl_fetch_view(o, "/api/v1/pcp", &j);

	if (rc != 0 || j == NULL)
		return rc;
	if (!json_is_true(json_object_get(j, "enabled"))) {
		printf("PCP server: off (pcp.daemon)\n");
		json_decref(j);
		return 0;
	}
	printf("PCP server: epoch %lld s; requests: map %lld, peer %lld, announce %lld; dropped "
	       "%lld\n",
	       (long long)json_integer_value(json_object_get(j, "epoch")),
	       (long long)json_integer_value(
	               json_object_get(json_object_get(j, "requests"), "map")),
	       (long long)json_integer_value(
	               json_object_get(json_object_get(j, "requests"), "peer")),
	       (long long)json_integer_value(
	               json_object_get(json_object_get(j, "requests"), "announce")),
	       (long long)json_integer_value(json_object_get(j, "dropped")));
	printf("answers:");
	json_object_foreach(json_object_get(j, "results"), k, v)
		if (json_integer_value(v))
			printf(" %s %lld", k, (long long)json_integer_value(v));
	printf("\n%-5s %-4s %-39s %21s %21s %8s %8s\n", "op", "prot", "b4", "internal", "external",
	       "lifetime", "left");
	json_array_foreach(json_object_get(j, "mappings"), i, m)
		mapping_line(m);
	json_decref(j);
	return 0;
}
