/* aftrctl bgp [drain|undrain]: the box's BGP announcements (GET
 * /api/v1/bgp), and an operator's drain of the box out of its anycast
 * group (PUT /api/v1/bgp). */
#include <stdio.h>
#include <string.h>

#include "aftrctl_api.h"

static void show(const json_t *j)
{
	if (!json_is_true(json_object_get(j, "enabled"))) {
		printf("BGP: not followed (bgp.bird_socket is not set)\n");
		return;
	}
	printf("BGP: %s%s; dataplane %s; BIRD %s, protocols \"%s\"; withdrawals %lld, restorations "
	       "%lld, BIRD errors %lld%s%s\n",
	       json_string_value(json_object_get(j, "state")),
	       json_is_true(json_object_get(j, "drained")) ? " (drained by the operator)" : "",
	       json_is_true(json_object_get(j, "dataplane_healthy")) ? "answers"
	                                                             : "does not answer",
	       json_string_value(json_object_get(j, "bird_socket")),
	       json_string_value(json_object_get(j, "protocol")),
	       (long long)json_integer_value(json_object_get(j, "withdrawals")),
	       (long long)json_integer_value(json_object_get(j, "restorations")),
	       (long long)json_integer_value(json_object_get(j, "bird_errors")),
	       json_object_get(j, "last_error") ? "; last: " : "",
	       json_object_get(j, "last_error")
	               ? json_string_value(json_object_get(j, "last_error"))
	               : "");
}

int aftrctl_bgp(const struct api_opts *o, int argc, char **argv)
{
	json_t *j = NULL;
	long status;
	int rc;

	if (argc == 1) {
		if ((rc = aftrctl_fetch_view(o, "/api/v1/bgp", &j)) != 0 || j == NULL)
			return rc;
		show(j);
		json_decref(j);
		return 0;
	}
	if (argc != 2 || (strcmp(argv[1], "drain") != 0 && strcmp(argv[1], "undrain") != 0)) {
		fprintf(stderr, "usage: aftrctl bgp [drain|undrain]\n");
		return 2;
	}
	status = aftrctl_request(
	        o, "PUT", "/api/v1/bgp",
	        strcmp(argv[1], "drain") == 0 ? "{\"drain\": true}" : "{\"drain\": false}", &j);
	if (status != 200) {
		rc = aftrctl_report(status, j);
		json_decref(j);
		return rc;
	}
	show(j);
	json_decref(j);
	return 0;
}
