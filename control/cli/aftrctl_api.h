/* aftrctl's verbs over aftr-control's REST API (aftrctl_api.c). */
#ifndef AFTR_AFTRCTL_API_H
#define AFTR_AFTRCTL_API_H

#include <stdbool.h>

struct api_opts {
	const char *url;    /* http://127.0.0.1:8080 */
	const char *token;  /* bearer token, or NULL */
	const char *cacert; /* CA file to trust for https, or NULL: the system's */
	bool json;
};

#include <jansson.h>

/* METHOD url + path, with a JSON body or NULL: the HTTP status (0: could not
 * reach it, reported) and the JSON answer in *json (or NULL). */
long aftrctl_request(const struct api_opts *o, const char *method, const char *path,
                     const char *body, json_t **json);
/* GET path, which must answer 200 with JSON: 0, or the exit status after
 * reporting the error (then *j is NULL). */
int aftrctl_fetch(const struct api_opts *o, const char *path, json_t **j);
/* The same for a view a person reads: with --json the answer is printed as
 * it is and *j is NULL (0 returned); else *j is the answer to print. */
int aftrctl_fetch_view(const struct api_opts *o, const char *path, json_t **j);
/* The API's error object, for a person, on stderr; the exit status. */
int aftrctl_report(long status, const json_t *j);
void aftrctl_dump(const json_t *j);
/* A JSON array of objects as a table with a header (aftrctl_table.c). */
void aftrctl_table(const json_t *arr);

/* The run-time lists (aftrctl_lists.c): list, add, del, reload, and ISC
 * command lines. -1 when verb is not one of these. */
int aftrctl_lists(const struct api_opts *o, int argc, char **argv);

/* aftrctl list session|subscriber [KEY=VALUE...] (aftrctl_dyn.c): every
 * page, filtered by the API's own filters. */
int aftrctl_list_dynamic(const struct api_opts *o, const char *what, int argc, char **argv);
/* A subscriber of the API as one table row: its sessions and port blocks
 * as text (aftrctl_dyn.c). */
json_t *aftrctl_flat_subscriber(const json_t *s);
/* aftrctl show b4 ADDRESS (aftrctl_b4.c): GET /api/v1/b4s/ADDRESS. */
int aftrctl_show_b4(const struct api_opts *o, const char *b4);
/* aftrctl show b4s [COUNT] (aftrctl_b4.c): GET /api/v1/b4s?top=COUNT. */
int aftrctl_show_b4s(const struct api_opts *o, const char *count);
/* aftrctl clear sessions B4 [KEY=VALUE...] (aftrctl_dyn.c): argv[0] is
 * "clear". */
int aftrctl_clear(const struct api_opts *o, int argc, char **argv);

/* aftrctl provision kea|dns ... (aftrctl_provision.c): Kea's DHCPv6 and a DNS server's
 * configuration from the AFTR's; argv[0] is "provision". */
int aftrctl_provision(const struct api_opts *o, int argc, char **argv);

/* aftrctl who ADDRESS PORT [--protocol P] [--at TIME] [--log-dir DIR]
 * (aftrctl_who.c): argv[0] is "who". Exit status 0 when someone held it, 1
 * when nobody did (or an error), 2 bad usage. */
int aftrctl_who(const struct api_opts *o, int argc, char **argv);

/* aftrctl top [SECONDS [COUNT]] and show rates (aftrctl_top.c): the
 * counters' rates from GET /api/v1/rates. argv[0] is "top". */
int aftrctl_top(const struct api_opts *o, int argc, char **argv);
int aftrctl_show_rates(const struct api_opts *o);
int aftrctl_show_pools(const struct api_opts *o);
/* aftrctl cluster (aftrctl_cluster.c). */
int aftrctl_cluster(const struct api_opts *o, int argc, char **argv);
/* aftrctl bgp [drain|undrain] (aftrctl_bgp.c). */
int aftrctl_bgp(const struct api_opts *o, int argc, char **argv);
/* aftrctl show pcp (aftrctl_pcp.c). */
int aftrctl_show_pcp(const struct api_opts *o);

/* Runs "noop", "show stat|dropped", "list default". Returns the exit
 * status, or -1 when verb/object is not one of these. */
int aftrctl_api(const struct api_opts *o, const char *verb, const char *object);

#endif
