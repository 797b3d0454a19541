/* aftrctl's verbs that talk to aftr-control's REST API (libcurl), named as
 * ISC AFTR's interactive commands:
 *
 *   aftrctl noop           every worker answers through its ring ("LOG: alive")
 *   aftrctl show stat      counters (ISC "show stat")
 *   aftrctl show dropped   drop reasons with counts and meaning ("show dropped")
 *   aftrctl list default   the effective configuration ("list default")
 *
 * --api URL (default http://127.0.0.1:8080, or $AFTR_API), --token-file F
 * (or $AFTR_TOKEN_FILE), --json for the raw answer. Exit status: 0, 1 when
 * the AFTR answered with an error, 3 when it could not be reached. */
#include "aftrctl_api.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define EXIT_API_ERROR   1
#define EXIT_UNREACHABLE 3

/* METHOD base + path with an optional JSON body; returns the HTTP status
 * (0 when unreachable) and the parsed JSON answer (NULL if none). */
long aftrctl_request(const struct api_opts *o, const char *method, const char *path,
                     const char *body, json_t **json)
{
	struct curl_slist *hdr = NULL;
	struct membuf b = {NULL, 0};
	char url[1024], *auth = NULL;
	long status = 0;
	CURLcode res;
	CURL *c = curl_easy_init();

	*json = NULL;
	if (c == NULL)
		return 0;
	snprintf(url, sizeof(url), "%s%s", o->url, path);
	if (o->token) {
		/* Sized for the token: a long one must not be cut (a puzzling 401). */
		size_t n = strlen(o->token) + sizeof("Authorization: Bearer ");

		if ((auth = malloc(n)) == NULL) {
			curl_easy_cleanup(c);
			return 0;
		}
		snprintf(auth, n, "Authorization: Bearer %s", o->token);
		hdr = curl_slist_append(hdr, auth);
		free(auth); /* curl_slist_append keeps its own copy */
	}
	if (body)
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (o->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, membuf_append);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	/* A million-entry bulk change takes a while to check and program. */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, body ? 600L : 30L);
	if ((res = curl_easy_perform(c)) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		fprintf(stderr,
		        "aftrctl: cannot reach the AFTR at %s: %s (is aftr-control running? "
		        "see --api%s)\n",
		        o->url, curl_easy_strerror(res),
		        strncmp(o->url, "https:", 6) == 0 ? " and --cacert" : "");
	if (b.data)
		*json = json_loads(b.data, 0, NULL);
	free(b.data);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return status;
}

int aftrctl_report(long status, const json_t *j)
{
	if (status == 0)
		return EXIT_UNREACHABLE;
	fprintf(stderr, "aftrctl: %ld %s: %s\n", status,
	        json_string_value(json_object_get(j, "error")) ?: "error",
	        json_string_value(json_object_get(j, "detail")) ?: "(no detail)");
	return EXIT_API_ERROR;
}

void aftrctl_dump(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2));
	putchar('\n');
}

static int noop(const struct api_opts *o)
{
	json_t *j, *w;
	long st = aftrctl_request(o, "GET", "/api/v1/health", NULL, &j);
	size_t i;
	int rc = 0;

	if (st == 0 || j == NULL)
		return st ? aftrctl_report(st, j) : EXIT_UNREACHABLE;
	if (o->json)
		aftrctl_dump(j);
	else if (!json_is_true(json_object_get(json_object_get(j, "dataplane"), "running")))
		printf("the dataplane is not running\n");
	json_array_foreach(json_object_get(json_object_get(j, "dataplane"), "workers_alive"), i,
	                   w) {
		bool ok = json_is_true(json_object_get(w, "responsive"));

		if (!o->json)
			printf("worker %d: %s\n",
			       (int)json_integer_value(json_object_get(w, "worker")),
			       ok ? "alive" : "NOT ANSWERING");
		rc |= !ok;
	}
	rc |= st != 200;
	json_decref(j);
	return rc ? EXIT_API_ERROR : 0;
}

/* GET a resource that must answer 200 with JSON; else reports why and
 * returns the exit status, with *j NULL. */
int aftrctl_fetch(const struct api_opts *o, const char *path, json_t **j)
{
	long st = aftrctl_request(o, "GET", path, NULL, j);
	int rc;

	if (st == 200 && *j != NULL)
		return 0;
	rc = aftrctl_report(st, *j);
	json_decref(*j);
	*j = NULL;
	return rc;
}

int aftrctl_fetch_view(const struct api_opts *o, const char *path, json_t **j)
{
	int rc = aftrctl_fetch(o, path, j);

	if (rc == 0 && o->json) {
		aftrctl_dump(*j);
		json_decref(*j);
		*j = NULL;
	}
	return rc;
}

static int show_stat(const struct api_opts *o)
{
	const char *k;
	json_t *j, *v;
	int rc = aftrctl_fetch_view(o, "/api/v1/counters", &j);

	if (rc != 0 || j == NULL)
		return rc;
	json_object_foreach(json_object_get(j, "counters"), k, v) {
		if (strncmp(k, "drop_", 5) != 0 && json_integer_value(v))
			printf("%-32s %14lld\n", k, (long long)json_integer_value(v));
	}
	json_decref(j);
	return 0;
}

static int show_dropped(const struct api_opts *o)
{
	json_t *j, *d;
	size_t i;
	int rc = aftrctl_fetch_view(o, "/api/v1/counters/drops", &j);

	if (rc != 0 || j == NULL)
		return rc;
	json_array_foreach(json_object_get(j, "drops"), i, d) {
		printf("%-22s %14lld  %s\n", json_string_value(json_object_get(d, "reason")),
		       (long long)json_integer_value(json_object_get(d, "count")),
		       json_string_value(json_object_get(d, "help")));
	}
	json_decref(j);
	return 0;
}

static int list_default(const struct api_opts *o)
{
	json_t *j;
	int rc = aftrctl_fetch(o, "/api/v1/config", &j);

	if (rc != 0)
		return rc;
	aftrctl_dump(j);
	json_decref(j);
	return 0;
}

int aftrctl_api(const struct api_opts *o, const char *verb, const char *object)
{
	int rc = -1;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(verb, "noop") == 0 && object == NULL)
		rc = noop(o);
	else if (strcmp(verb, "show") == 0 && object && strcmp(object, "stat") == 0)
		rc = show_stat(o);
	else if (strcmp(verb, "show") == 0 && object && strcmp(object, "dropped") == 0)
		rc = show_dropped(o);

	else if (strcmp(verb, "list") == 0 && object && strcmp(object, "default") == 0)
		rc = list_default(o);
	curl_global_cleanup();
	return rc;
}
