/* aftrctl cluster: whom this box takes its shared lists from (GET
 * /api/v1/cluster): a leader's origin and generation, or a follower's
 * leader, how far it is and what it could not take. */
#include <stdio.h>

#include "aftrctl_api.h"

static long long num(const json_t *j, const char *k)
{
	return (long long)json_integer_value(json_object_get(j, k));
}

static const char *str(const json_t *j, const char *k)
{
	const char *s = json_string_value(json_object_get(j, k));

	return s ? s : "";
}

int aftrctl_cluster(const struct api_opts *o, int argc, char **argv)
{
	json_t *j = NULL, *v;
	size_t i;
	int rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: aftrctl cluster\n");
		return 2;
	}
	if ((rc = aftrctl_fetch_view(o, "/api/v1/cluster", &j)) != 0 || j == NULL)
		return rc;
	if (json_object_get(j, "leader") == NULL) {
		printf("leader (follows nobody): origin %s, generation %lld\n", str(j, "origin"),
		       num(j, "generation"));
		json_decref(j);
		return 0;
	}
	printf("following %s: %s; its generation %lld, applied here %lld", str(j, "leader"),
	       str(j, "state"), num(j, "leader_generation"), num(j, "applied_generation"));
	if (num(j, "seconds_since_contact") >= 0)
		printf(", last answer %llds ago", num(j, "seconds_since_contact"));
	printf("\nkinds:");
	json_array_foreach(json_object_get(j, "kinds"), i, v)
		printf(" %s", json_string_value(v));
	printf("\nrecords %lld; entries added %lld, replaced %lld, deleted %lld; lists read whole "
	       "%lld times\nconflicts %lld, errors %lld, failed looks %lld%s%s\n",
	       num(j, "records_applied"), num(j, "entries_added"), num(j, "entries_replaced"),
	       num(j, "entries_deleted"), num(j, "resyncs"), num(j, "conflicts"), num(j, "errors"),
	       num(j, "failed_looks"), *str(j, "last_error") ? "; last: " : "",
	       str(j, "last_error"));
	json_decref(j);
	return 0;
}
